package graph

import (
	"cmp"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"
)

// Summary describes the graph as a whole after Analyze.
type Summary struct {
	// Communities is the number of communities, isolated concepts included
	// (each is a community of its own).
	Communities int `json:"communities"`
	// Themes is the number of communities with at least one relation: the
	// themes the explorer lists (/api/themes). Isolated concepts are no theme.
	Themes int `json:"themes"`
	// Modularity is Q of the final partition (Newman and Girvan, Phys. Rev. E
	// 69, 026113, 2004), weighted, at resolution 1:
	// Q = 1/2m Σ_ij [A_ij − k_i k_j / 2m] δ(c_i, c_j). It is 0 when the graph
	// has no edge weight at all, where Q is undefined.
	Modularity float64 `json:"modularity"`
}

// PageRank parameters. The damping factor is the one of Page et al. and of
// NetworkX's default. The tolerance is far tighter than NetworkX's default
// (1e-6), so the scores are the stationary distribution rather than an early
// stop: the L1 distance to the fixed point is below about 6n·1e-12 for n
// concepts (the last change × 0.85/0.15).
const (
	pageRankDamping   = 0.85
	pageRankTolerance = 1e-12 // per node: stop when the L1 change is below n × this
	pageRankMaxIter   = 1000  // 0.85^k falls below 1e-12 after about 170 iterations
)

// louvainSeed fixes the random node order of the Louvain local moves, so that
// the same graph always gets the same communities.
var louvainSeed = [2]uint64{0x746f706963, 0x6772617068}

// betweennessChunks is the fixed number of source partitions for betweenness.
// It does not depend on GOMAXPROCS, so partial sums are added in the same order
// on every machine and the result is bit-for-bit reproducible.
const betweennessChunks = 32

// Analyze computes the analytics of every concept of g and stores them in the
// concept's fields; g.Relations is read, never changed. The graph is taken as
// undirected: nodes are the concepts, edges the relations with their Weight.
//
//   - Degree is the number of distinct neighbours; WeightedDegree the sum of the
//     weights of the incident relations.
//   - PageRank is weighted PageRank (Page, Brin, Motwani and Winograd, "The
//     PageRank citation ranking: bringing order to the Web", Stanford 1999):
//     the stationary distribution of a random walk that, with probability 0.85,
//     follows an incident relation chosen in proportion to its weight and
//     otherwise jumps to a concept chosen uniformly. A concept without weighted
//     relations (a dangling node) jumps uniformly. Scores sum to 1 and equal
//     NetworkX pagerank(G, alpha=0.85, weight="weight") computed to convergence
//     (measured: within 3e-11 per concept of tol=1e-13).
//   - Betweenness is the fraction of shortest paths through the concept,
//     counting hops and ignoring weights (Brandes, "A faster algorithm for
//     betweenness centrality", J. Math. Sociol. 25(2), 2001): the sum over
//     unordered pairs {s, t} not containing v of σ_st(v)/σ_st, divided by the
//     number of such pairs, (n−1)(n−2)/2. This is NetworkX
//     betweenness_centrality(G, normalized=True); with n ≤ 2 it is 0.
//     Above ExactBetweennessLimit concepts it is estimated from
//     BetweennessPivots evenly spaced sources with linear scaling (see
//     betweenness).
//   - Community comes from Louvain modularity optimisation (Blondel, Guillaume,
//     Lambiotte and Lefebvre, "Fast unfolding of communities in large
//     networks", J. Stat. Mech. 2008) at resolution 1 with a fixed seed.
//     Communities are numbered by decreasing size, ties by their smallest
//     concept id; isolated concepts come last, one community each, by id.
//
// Input that Build never produces is tolerated rather than rejected: relations
// naming an unknown concept and self-loops are ignored, several relations
// between one pair count as one edge with the sum of their weights, a weight
// that is negative, NaN or infinite counts as 0, and concepts repeating an id
// get the scores of that id.
//
// The result is deterministic: the same graph gives bit-for-bit the same
// scores and communities on every run, whatever the number of CPUs or the
// order of g.Relations. (Across architectures, last bits may differ where the
// compiler fuses multiply-adds.)
func Analyze(g *Graph) Summary {
	return AnalyzeWith(g, AnalyzeOptions{Betweenness: true, Communities: true})
}

// AnalyzeOptions select the costly measures.
type AnalyzeOptions struct {
	// Betweenness is O(n·m): seconds on ten thousand concepts. Views that
	// re-analyse sub-graphs on request (date windows) leave it out; it is 0 then.
	Betweenness bool
	// Communities runs Louvain; without it concepts keep the Community they have
	// (a window of the catalogue keeps the catalogue's themes and colours).
	Communities bool
}

// AnalyzeWith is Analyze with a choice of measures.
func AnalyzeWith(g *Graph, opts AnalyzeOptions) Summary {
	net := newNetwork(g)
	pageRank := net.pageRank()
	betweenness := make([]float64, net.order())
	if opts.Betweenness {
		betweenness = net.betweenness()
	}
	var communities []int
	var summary Summary
	if opts.Communities {
		communities, summary = net.communities()
	}
	for i := range g.Concepts {
		c := &g.Concepts[i]
		u := net.index[c.ID]
		c.Degree = net.degree(u)
		c.WeightedDegree = net.strength(u)
		c.PageRank = pageRank[u]
		c.Betweenness = betweenness[u]
		if opts.Communities {
			c.Community = communities[u]
		}
	}
	summary.Themes = CountThemes(g)
	return summary
}

// CountThemes counts the communities of g that have at least one relation,
// as the explorer's themes do.
func CountThemes(g *Graph) int {
	themes := map[int]bool{}
	for _, c := range g.Concepts {
		if c.Degree > 0 {
			themes[c.Community] = true
		}
	}
	return len(themes)
}

// network is the undirected concept graph in compressed sparse row form:
// the neighbours of node u are neighbours[offsets[u]:offsets[u+1]], sorted by
// node index, with the edge weights alongside in weights. Node indexes follow
// the first appearance of each concept id in Graph.Concepts.
type network struct {
	ids        []string
	index      map[string]int
	offsets    []int
	neighbours []int32
	weights    []float64
}

func newNetwork(g *Graph) *network {
	net := &network{index: make(map[string]int, len(g.Concepts))}
	for _, c := range g.Concepts {
		if _, seen := net.index[c.ID]; !seen {
			net.index[c.ID] = len(net.ids)
			net.ids = append(net.ids, c.ID)
		}
	}

	type edge struct {
		u, v int
		w    float64
	}
	edges := make([]edge, 0, len(g.Relations))
	for _, r := range g.Relations {
		u, okU := net.index[r.Source]
		v, okV := net.index[r.Target]
		if !okU || !okV || u == v {
			continue
		}
		if u > v {
			u, v = v, u
		}
		w := r.Weight
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			w = 0
		}
		edges = append(edges, edge{u, v, w})
	}
	// A stable sort keeps duplicates of a pair in input order, so their
	// weights are summed in the same order every time.
	slices.SortStableFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.u, b.u), cmp.Compare(a.v, b.v))
	})
	merged := edges[:0]
	for _, e := range edges {
		if last := len(merged) - 1; last >= 0 && merged[last].u == e.u && merged[last].v == e.v {
			merged[last].w += e.w
			continue
		}
		merged = append(merged, e)
	}

	n := len(net.ids)
	net.offsets = make([]int, n+1)
	for _, e := range merged {
		net.offsets[e.u+1]++
		net.offsets[e.v+1]++
	}
	for u := range n {
		net.offsets[u+1] += net.offsets[u]
	}
	net.neighbours = make([]int32, 2*len(merged))
	net.weights = make([]float64, 2*len(merged))
	next := slices.Clone(net.offsets[:n])
	// Edges are sorted by (u, v) with u < v, so each row fills in increasing
	// order: first the neighbours below the node (edges (u, x), which all sort
	// before the edges (x, v)), then those above it.
	for _, e := range merged {
		net.neighbours[next[e.u]], net.weights[next[e.u]] = int32(e.v), e.w
		next[e.u]++
		net.neighbours[next[e.v]], net.weights[next[e.v]] = int32(e.u), e.w
		next[e.v]++
	}
	return net
}

func (net *network) order() int { return len(net.ids) }

func (net *network) degree(u int) int { return net.offsets[u+1] - net.offsets[u] }

func (net *network) strength(u int) float64 {
	var s float64
	for _, w := range net.weights[net.offsets[u]:net.offsets[u+1]] {
		s += w
	}
	return s
}

// pageRank runs the power iteration of NetworkX's pagerank: uniform start,
// uniform teleport, the mass of dangling nodes spread uniformly, stop on an L1
// change below n × pageRankTolerance.
func (net *network) pageRank() []float64 {
	n := net.order()
	if n == 0 {
		return nil
	}
	// transition[e] is the probability of stepping along entry e of row v,
	// from its neighbour u to v: w(u,v)/strength(u).
	invStrength := make([]float64, n)
	var dangling []int
	for u := range n {
		if s := net.strength(u); s != 0 {
			invStrength[u] = 1 / s
		} else {
			dangling = append(dangling, u)
		}
	}
	transition := make([]float64, len(net.neighbours))
	for e, u := range net.neighbours {
		transition[e] = net.weights[e] * invStrength[u]
	}

	uniform := 1 / float64(n)
	rank, next := make([]float64, n), make([]float64, n)
	for u := range rank {
		rank[u] = uniform
	}
	for range pageRankMaxIter {
		var danglingMass float64
		for _, u := range dangling {
			danglingMass += rank[u]
		}
		var change float64
		for v := range n {
			var inflow float64
			for e := net.offsets[v]; e < net.offsets[v+1]; e++ {
				inflow += rank[net.neighbours[e]] * transition[e]
			}
			next[v] = pageRankDamping*(inflow+danglingMass*uniform) + (1-pageRankDamping)*uniform
			change += math.Abs(next[v] - rank[v])
		}
		rank, next = next, rank
		if change < float64(n)*pageRankTolerance {
			break
		}
	}
	return rank
}

// betweenness is Brandes' algorithm for unweighted graphs: one breadth-first
// search per source counts shortest paths (σ), then a pass in reverse BFS order
// accumulates each node's dependency δ_s(v) = Σ_w σ_sv/σ_sw (1 + δ_s(w)) over
// the successors w of v. Summing δ_s over all sources counts every unordered
// pair twice, which the normalisation 1/((n−1)(n−2)) accounts for.
//
// Sources are split into betweennessChunks fixed ranges processed in parallel;
// the per-range sums are added in range order so the result never depends on
// scheduling or on the number of CPUs.
// ExactBetweennessLimit is the largest graph (in concepts) whose betweenness
// is computed exactly; BetweennessPivots is the sample size above it.
const (
	ExactBetweennessLimit = 5000
	BetweennessPivots     = 1500
)

func (net *network) betweenness() []float64 {
	n := net.order()
	total := make([]float64, n)
	if n < 3 {
		return total // no pair of other nodes can pass through anyone
	}
	// Exact Brandes visits every source. Above ExactBetweennessLimit concepts
	// that costs minutes (O(n·m)), so a fixed, evenly spaced sample of
	// BetweennessPivots sources is used and scaled by n/k — the pivot
	// estimator of Brandes and Pich ("Centrality estimation in large networks",
	// Int. J. Bifurcation and Chaos 17(7), 2007) — with Geisberger et al.'s
	// linear scaling (see betweennessScaled), which ranks the concepts of the
	// 2,000-episode corpus with Spearman 0.992 against exact where plain
	// pivots reach 0.985 (BENCHMARKS.md). Evenly spaced in id order keeps it
	// deterministic.
	if n <= ExactBetweennessLimit {
		return net.betweennessFrom(allSources(n))
	}
	return net.betweennessScaled(evenlySpaced(n, BetweennessPivots))
}

func allSources(n int) []int {
	sources := make([]int, n)
	for s := range sources {
		sources[s] = s
	}
	return sources
}

// evenlySpaced picks k of n node positions at even steps.
func evenlySpaced(n, k int) []int {
	sources := make([]int, 0, k)
	for i := 0; i < k; i++ {
		sources = append(sources, i*n/k)
	}
	return sources
}

// betweennessScaled is betweennessFrom with the linear scaling of
// Geisberger, Sanders and Schultes ("Better approximation of betweenness
// centrality", ALENEX 2008): the share of a pair (s, t) credited to v is
// scaled by d(s,v)/d(s,t), so nodes near a sampled source are not
// overcounted, and the sum is doubled to stay unbiased.
func (net *network) betweennessScaled(sources []int) []float64 {
	return net.sumDependencies(sources, (*brandesSearch).accumulateScaled, 2)
}

// accumulateScaled is accumulate with linear scaling:
// δ̃(v) = Σ_w σ_v/σ_w · d(v)/d(w) · (1 + δ̃(w)) over the successors w of v.
func (b *brandesSearch) accumulateScaled(net *network, s int, sum []float64) {
	b.countPaths(net, s)
	for i := len(b.queue) - 1; i > 0; i-- {
		w := b.queue[i]
		dw := b.dist[w]
		coeff := (1 + b.dependency[w]) / b.paths[w] / float64(dw)
		for _, v := range net.neighbours[net.offsets[w]:net.offsets[w+1]] {
			if b.dist[v] == dw-1 {
				b.dependency[v] += b.paths[v] * coeff * float64(dw-1)
			}
		}
		sum[w] += b.dependency[w]
	}
	b.reset()
}

// betweennessFrom sums the dependencies of the given sources and scales the
// sum by n/len(sources), so a sample estimates the exact value.
func (net *network) betweennessFrom(sources []int) []float64 {
	return net.sumDependencies(sources, (*brandesSearch).accumulate, 1)
}

// sumDependencies adds up accumulate's dependencies of every source, in
// parallel over fixed ranges of sources summed in range order (so the result
// does not depend on scheduling), and scales the sum by weight·n/len(sources)
// and the normalisation 1/((n−1)(n−2)).
func (net *network) sumDependencies(sources []int, accumulate func(*brandesSearch, *network, int, []float64), weight float64) []float64 {
	n := net.order()
	total := make([]float64, n)
	chunks := min(len(sources), betweennessChunks)
	partial := make([][]float64, chunks)
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), chunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			search := newBrandesSearch(n)
			for c := range work {
				sum := make([]float64, n)
				k := len(sources)
				for _, s := range sources[c*k/chunks : (c+1)*k/chunks] {
					accumulate(search, net, s, sum)
				}
				partial[c] = sum
			}
		}()
	}
	for c := range chunks {
		work <- c
	}
	close(work)
	wg.Wait()

	for _, sum := range partial {
		for v, d := range sum {
			total[v] += d
		}
	}
	scale := weight * float64(n) / float64(len(sources)) / (float64(n-1) * float64(n-2))
	for v := range total {
		total[v] *= scale
	}
	return total
}

// brandesSearch is the scratch space of one single-source pass, reused across
// sources: only the nodes reached are reset after each pass.
type brandesSearch struct {
	dist       []int32   // hops from the source; -1 when not reached
	paths      []float64 // σ: number of shortest paths from the source
	dependency []float64 // δ
	queue      []int32   // BFS order, which is also the order of non-decreasing distance
}

func newBrandesSearch(n int) *brandesSearch {
	b := &brandesSearch{
		dist:       make([]int32, n),
		paths:      make([]float64, n),
		dependency: make([]float64, n),
		queue:      make([]int32, 0, n),
	}
	for v := range b.dist {
		b.dist[v] = -1
	}
	return b
}

// countPaths is the forward pass from s: breadth-first distances and the
// number of shortest paths (σ) to every node reached, in b.queue's order.
func (b *brandesSearch) countPaths(net *network, s int) {
	b.queue = append(b.queue[:0], int32(s))
	b.dist[s], b.paths[s] = 0, 1
	for head := 0; head < len(b.queue); head++ {
		v := b.queue[head]
		dv := b.dist[v]
		for _, w := range net.neighbours[net.offsets[v]:net.offsets[v+1]] {
			if b.dist[w] < 0 {
				b.dist[w] = dv + 1
				b.queue = append(b.queue, w)
			}
			if b.dist[w] == dv+1 {
				b.paths[w] += b.paths[v]
			}
		}
	}
}

// reset clears what the last pass touched, for the next source.
func (b *brandesSearch) reset() {
	for _, v := range b.queue {
		b.dist[v], b.paths[v], b.dependency[v] = -1, 0, 0
	}
}

// accumulate adds the dependencies of source s on every other node to sum.
func (b *brandesSearch) accumulate(net *network, s int, sum []float64) {
	b.countPaths(net, s)
	for i := len(b.queue) - 1; i > 0; i-- {
		w := b.queue[i]
		coeff := (1 + b.dependency[w]) / b.paths[w]
		dw := b.dist[w]
		for _, v := range net.neighbours[net.offsets[w]:net.offsets[w+1]] {
			if b.dist[v] == dw-1 {
				b.dependency[v] += b.paths[v] * coeff
			}
		}
		sum[w] += b.dependency[w]
	}
	b.reset()
}

// communities runs gonum's Louvain on the concepts that have relations and
// numbers the result as Analyze documents; isolated concepts are left out of
// Louvain (they cannot change Q) and get singleton communities at the end.
func (net *network) communities() ([]int, Summary) {
	n := net.order()
	membership := make([]int, n)
	if n == 0 {
		return membership, Summary{}
	}

	if n > gonumLouvainLimit {
		return net.largeCommunities()
	}
	wg := orderedUndirected{simple.NewWeightedUndirectedGraph(0, 0)}
	var totalWeight float64
	var isolated []int
	for u := range n {
		if net.degree(u) == 0 {
			isolated = append(isolated, u)
		} else {
			wg.AddNode(simple.Node(u))
		}
	}
	for u := range n {
		for e := net.offsets[u]; e < net.offsets[u+1]; e++ {
			if v := int(net.neighbours[e]); u < v {
				wg.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(u), T: simple.Node(v), W: net.weights[e]})
				totalWeight += net.weights[e]
			}
		}
	}

	var found [][]gonum.Node
	if wg.Nodes().Len() > 0 {
		src := rand.NewPCG(louvainSeed[0], louvainSeed[1])
		found = community.Modularize(wg, 1, src).Communities()
	}
	groups := make([][]int, 0, len(found)+len(isolated))
	for _, members := range found {
		if len(members) == 0 {
			continue
		}
		group := make([]int, len(members))
		for i, m := range members {
			group[i] = int(m.ID())
		}
		slices.Sort(group)
		groups = append(groups, group)
	}
	membership = net.number(groups, isolated)
	summary := Summary{Communities: len(groups) + len(isolated)}
	if totalWeight > 0 {
		partition := make([][]gonum.Node, len(groups))
		for i, group := range groups {
			partition[i] = make([]gonum.Node, len(group))
			for j, u := range group {
				partition[i][j] = simple.Node(u)
			}
		}
		summary.Modularity = community.Q(wg, partition, 1)
	}

	return membership, summary
}

// number sorts groups (0 = largest, ties by smallest concept id) and the
// isolated nodes (by id, after the groups) and returns each node's community.
// It sorts groups in place, so callers see them in community order.
func (net *network) number(groups [][]int, isolated []int) []int {
	smallestID := func(group []int) string {
		id := net.ids[group[0]]
		for _, u := range group[1:] {
			id = min(id, net.ids[u])
		}
		return id
	}
	slices.SortFunc(groups, func(a, b []int) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(smallestID(a), smallestID(b)))
	})
	slices.SortFunc(isolated, func(a, b int) int { return cmp.Compare(net.ids[a], net.ids[b]) })
	membership := make([]int, net.order())
	for c, group := range groups {
		for _, u := range group {
			membership[u] = c
		}
	}
	for i, u := range isolated {
		membership[u] = len(groups) + i
	}
	return membership
}

// gonumLouvainLimit is the largest graph (in concepts) whose communities come
// from gonum's Louvain; larger graphs use fastLouvain (same method, seconds
// instead of minutes).
const gonumLouvainLimit = 3000

// largeCommunities is communities for graphs above gonumLouvainLimit, numbered
// by the same rules.
func (net *network) largeCommunities() ([]int, Summary) {
	n := net.order()
	raw := fastLouvain(net)
	byComm := map[int][]int{}
	var isolated []int
	for u := 0; u < n; u++ {
		if net.degree(u) == 0 {
			isolated = append(isolated, u)
			continue
		}
		byComm[raw[u]] = append(byComm[raw[u]], u)
	}
	groups := make([][]int, 0, len(byComm))
	for _, g := range byComm {
		groups = append(groups, g) // members are in increasing node order
	}
	membership := net.number(groups, isolated)
	return membership, Summary{Communities: len(groups) + len(isolated), Modularity: modularityOf(net, membership)}
}

// orderedUndirected lists nodes and neighbours in increasing id order. gonum's
// simple graphs iterate Go maps, whose random order would change the order in
// which Louvain and Q add up weights, and so the last bits of their sums and,
// through near-ties, the communities themselves.
type orderedUndirected struct {
	*simple.WeightedUndirectedGraph
}

func (g orderedUndirected) Nodes() gonum.Nodes {
	return sortedByID(g.WeightedUndirectedGraph.Nodes())
}

func (g orderedUndirected) From(id int64) gonum.Nodes {
	return sortedByID(g.WeightedUndirectedGraph.From(id))
}

func sortedByID(it gonum.Nodes) gonum.Nodes {
	nodes := gonum.NodesOf(it)
	slices.SortFunc(nodes, func(a, b gonum.Node) int { return cmp.Compare(a.ID(), b.ID()) })
	return iterator.NewOrderedNodes(nodes)
}
