package graph

import "slices"

// fastLouvain is Louvain modularity optimisation (Blondel, Guillaume,
// Lambiotte and Lefebvre, "Fast unfolding of communities in large networks",
// J. Stat. Mech. 2008) at resolution 1, over compressed adjacency arrays. It
// is used above gonumLouvainLimit concepts, where gonum's community.Modularize
// takes tens of seconds (its local moving step grows with community size).
// Nodes are visited in index order and ties keep the current community, so
// the result is deterministic. It returns a community index per node;
// isolated nodes get their own.
func fastLouvain(net *network) []int {
	n := net.order()
	// The level graph: CSR arrays with self-loop weights kept apart.
	offsets := append([]int(nil), net.offsets...)
	nbrs := make([]int32, len(net.neighbours))
	copy(nbrs, net.neighbours)
	weights := append([]float64(nil), net.weights...)
	self := make([]float64, n)
	membership := make([]int, n) // original node → node of the current level
	for i := range membership {
		membership[i] = i
	}
	for level := 0; level < 32; level++ {
		size := len(self)
		strength := make([]float64, size)
		var m2 float64
		for u := 0; u < size; u++ {
			s := 2 * self[u]
			for e := offsets[u]; e < offsets[u+1]; e++ {
				s += weights[e]
			}
			strength[u] = s
			m2 += s
		}
		if m2 == 0 {
			break
		}
		comm := make([]int, size)
		tot := make([]float64, size)
		for u := range comm {
			comm[u] = u
			tot[u] = strength[u]
		}
		toComm := make([]float64, size) // scratch: weight from u to each community
		var touched []int
		moved := false
		for pass := 0; pass < 100; pass++ {
			changed := 0
			for u := 0; u < size; u++ {
				cu := comm[u]
				touched = touched[:0]
				for e := offsets[u]; e < offsets[u+1]; e++ {
					c := comm[nbrs[e]]
					if toComm[c] == 0 {
						touched = append(touched, c)
					}
					toComm[c] += weights[e]
				}
				tot[cu] -= strength[u]
				best, bestGain := cu, toComm[cu]-tot[cu]*strength[u]/m2
				for _, c := range touched {
					if gain := toComm[c] - tot[c]*strength[u]/m2; gain > bestGain+1e-12 {
						best, bestGain = c, gain
					}
				}
				tot[best] += strength[u]
				if best != cu {
					comm[u] = best
					changed++
				}
				for _, c := range touched {
					toComm[c] = 0
				}
			}
			if changed == 0 {
				break
			}
			moved = true
		}
		if !moved {
			break
		}
		// Renumber the communities 0..k-1 in order of first node, then fold
		// each community into one node of the next level.
		renum := make([]int, size)
		for i := range renum {
			renum[i] = -1
		}
		k := 0
		for u := 0; u < size; u++ {
			if renum[comm[u]] < 0 {
				renum[comm[u]] = k
				k++
			}
		}
		for i := range membership {
			membership[i] = renum[comm[membership[i]]]
		}
		nextSelf := make([]float64, k)
		edges := make([]map[int]float64, k)
		for u := 0; u < size; u++ {
			cu := renum[comm[u]]
			nextSelf[cu] += self[u]
			for e := offsets[u]; e < offsets[u+1]; e++ {
				cv := renum[comm[nbrs[e]]]
				if cv == cu {
					nextSelf[cu] += weights[e] / 2 // each internal edge is seen from both ends
					continue
				}
				if edges[cu] == nil {
					edges[cu] = map[int]float64{}
				}
				edges[cu][cv] += weights[e]
			}
		}
		offsets = make([]int, k+1)
		nbrs, weights = nbrs[:0], weights[:0]
		for c := 0; c < k; c++ {
			keys := make([]int, 0, len(edges[c]))
			for v := range edges[c] {
				keys = append(keys, v)
			}
			slices.Sort(keys)
			for _, v := range keys {
				nbrs = append(nbrs, int32(v))
				weights = append(weights, edges[c][v])
			}
			offsets[c+1] = len(nbrs)
		}
		self = nextSelf
	}
	return membership
}

// modularityOf is Newman–Girvan modularity Q at resolution 1 of a partition
// of net: Σ_c [ w_in(c)/2m − (d_c/2m)² ], with w_in(c) the weight of the
// edges inside c counted from both ends and d_c the strength of c's nodes.
func modularityOf(net *network, membership []int) float64 {
	k := 0
	for _, c := range membership {
		k = max(k, c+1)
	}
	in := make([]float64, k)
	deg := make([]float64, k)
	var m2 float64
	for u := 0; u < net.order(); u++ {
		for e := net.offsets[u]; e < net.offsets[u+1]; e++ {
			w := net.weights[e]
			m2 += w
			deg[membership[u]] += w
			if membership[int(net.neighbours[e])] == membership[u] {
				in[membership[u]] += w
			}
		}
	}
	if m2 == 0 {
		return 0
	}
	var q float64
	for c := range in {
		q += in[c]/m2 - (deg[c]/m2)*(deg[c]/m2)
	}
	return q
}
