package graph

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// plantedGraph returns a reproducible graph of n concepts and about m
// relations, planted in the given number of equal communities: 90% of the
// relations join two members of one community, the rest any two concepts.
// Weights lie in [0.5, 3).
func plantedGraph(n, m, communities int, seed uint64) *Graph {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	g := &Graph{Concepts: make([]Concept, n)}
	for i := range g.Concepts {
		id := fmt.Sprintf("c%06d", i)
		g.Concepts[i] = Concept{ID: id, Label: id, Kind: KindConcept}
	}
	size := n / communities
	seen := make(map[[2]int]bool, m)
	for attempts := 0; len(g.Relations) < m && attempts < 10*m; attempts++ {
		u := rnd.IntN(n)
		var v int
		if rnd.Float64() < 0.9 {
			first := min(u/size, communities-1) * size
			last := n
			if u/size < communities-1 {
				last = first + size
			}
			v = first + rnd.IntN(last-first)
		} else {
			v = rnd.IntN(n)
		}
		if u == v {
			continue
		}
		if u > v {
			u, v = v, u
		}
		if seen[[2]int{u, v}] {
			continue
		}
		seen[[2]int{u, v}] = true
		g.Relations = append(g.Relations, Relation{
			Source: g.Concepts[u].ID, Target: g.Concepts[v].ID,
			Type: RelCooccurs, Weight: 0.5 + 2.5*rnd.Float64(),
		})
	}
	return g
}

// plantedBenchmarkGraph is the size the explorer must handle comfortably:
// 10,000 concepts, 30,000 relations, 100 planted communities.
func plantedBenchmarkGraph() *Graph { return plantedGraph(10_000, 30_000, 100, 1) }

func BenchmarkAnalyze(b *testing.B) {
	g := plantedBenchmarkGraph()
	var summary Summary
	for b.Loop() {
		summary = Analyze(g)
	}
	b.ReportMetric(float64(summary.Communities), "communities")
	b.ReportMetric(summary.Modularity, "Q")
}

func BenchmarkBetweenness(b *testing.B) {
	net := newNetwork(plantedBenchmarkGraph())
	for b.Loop() {
		net.betweenness()
	}
}

func BenchmarkPageRank(b *testing.B) {
	net := newNetwork(plantedBenchmarkGraph())
	for b.Loop() {
		net.pageRank()
	}
}

func BenchmarkCommunities(b *testing.B) {
	net := newNetwork(plantedBenchmarkGraph())
	for b.Loop() {
		net.communities()
	}
}

// With every node as a source, linear scaling credits each pair's two
// directions d(s,v)/d(s,t) + d(t,v)/d(t,s) = 1, so doubled it is exact
// betweenness: the estimator is unbiased and its recurrence right.
func TestLinearScalingWithAllSourcesIsExact(t *testing.T) {
	net := newNetwork(plantedGraph(300, 900, 6, 7))
	n := net.order()
	exact := net.betweennessFrom(allSources(n))
	scaled := net.betweennessScaled(allSources(n))
	nonZero := 0
	for v := range exact {
		if d := exact[v] - scaled[v]; d > 1e-12 || d < -1e-12 {
			t.Fatalf("node %d: exact %g, linear scaling with all sources %g", v, exact[v], scaled[v])
		}
		if exact[v] > 0 {
			nonZero++
		}
	}
	if nonZero < n/2 {
		t.Fatalf("only %d of %d nodes have betweenness: the test graph is too sparse to test anything", nonZero, n)
	}
}
