package graph

import (
	"maps"
	"runtime"
	"slices"
	"sync"
)

// Closeness returns the closeness centrality of every concept of g, by id,
// on hop distances (weights ignored), as NetworkX closeness_centrality(G,
// wf_improved=True) defines it (Wasserman and Faust, "Social Network
// Analysis", 1994, eq. 5.3, as NetworkX applies it): for a concept u that
// reaches r other concepts at total distance D, out of n concepts in all,
//
//	closeness(u) = (r / D) × (r / (n − 1)),
//
// the inverse mean distance to the concepts it reaches, scaled down by the
// share of the graph it reaches, so that concepts of a small component do not
// look central. A concept that reaches nothing has closeness 0.
//
// It runs one breadth-first search per concept, in parallel: O(n·(n+m)).
func Closeness(g *Graph) map[string]float64 {
	net := newNetwork(g)
	n := net.order()
	scores := make([]float64, n)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dist := make([]int32, n)
			for i := range dist {
				dist[i] = -1
			}
			queue := make([]int32, 0, n)
			for {
				mu.Lock()
				s := next
				next++
				mu.Unlock()
				if s >= n {
					return
				}
				queue = append(queue[:0], int32(s))
				dist[s] = 0
				var total int64
				for h := 0; h < len(queue); h++ {
					u := queue[h]
					for _, v := range net.neighbours[net.offsets[u]:net.offsets[u+1]] {
						if dist[v] < 0 {
							dist[v] = dist[u] + 1
							total += int64(dist[v])
							queue = append(queue, v)
						}
					}
				}
				reached := float64(len(queue) - 1)
				if total > 0 && n > 1 {
					scores[s] = reached / float64(total) * reached / float64(n-1)
				}
				for _, v := range queue {
					dist[v] = -1
				}
			}
		}()
	}
	wg.Wait()
	out := make(map[string]float64, n)
	for u, id := range net.ids {
		out[id] = scores[u]
	}
	return out
}

// Modularity returns Newman's modularity Q of the partition of g given by its
// concepts' Community fields, on the undirected graph weighted by relation
// Weight, at resolution 1 (Newman, "Analysis of weighted networks", Phys.
// Rev. E 70, 056131, 2004):
//
//	Q = Σ_c [ L_c / m − (D_c / 2m)² ],
//
// where m is the total weight of the relations, L_c the weight of the
// relations inside community c and D_c the sum of the weighted degrees of its
// concepts. This is NetworkX community.modularity(G, communities,
// weight="weight") and gonum community.Q. Q is 0 when the graph has no weight.
// Relations are read as Analyze reads them (unknown ends and self-loops
// ignored, duplicates summed, bad weights as 0).
func Modularity(g *Graph) float64 {
	net := newNetwork(g)
	community := make([]int, net.order())
	for _, c := range g.Concepts {
		community[net.index[c.ID]] = c.Community
	}
	inside := map[int]float64{}
	degree := map[int]float64{}
	var total float64
	for u := range net.order() {
		cu := community[u]
		for e := net.offsets[u]; e < net.offsets[u+1]; e++ {
			w := net.weights[e]
			degree[cu] += w
			if v := int(net.neighbours[e]); u < v {
				total += w
				if community[v] == cu {
					inside[cu] += w
				}
			}
		}
	}
	if total == 0 {
		return 0
	}
	// Add communities in a fixed order, so Q is the same to the last bit every time.
	communities := slices.Sorted(maps.Keys(degree))
	var q float64
	for _, c := range communities {
		share := degree[c] / (2 * total)
		q += inside[c]/total - share*share
	}
	return q
}
