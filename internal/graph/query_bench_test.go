package graph_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// syntheticGraph makes a graph of n concepts and about 3n relations: each
// concept links to three earlier ones, chosen with a bias towards low ids so
// that, as in real notes, a few concepts become hubs. Labels are two or three
// words from a small vocabulary, so searches match many concepts.
func syntheticGraph(n int) *graph.Graph {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"market", "learning", "policy", "model", "energy", "climate", "brain", "memory",
		"startup", "design", "risk", "health", "music", "film", "strike", "labour", "data", "privacy",
		"education", "network", "language", "habit", "sleep", "money", "power", "story", "craft", "Café"}
	const episodes = 200
	g := &graph.Graph{}
	for e := range episodes {
		g.Episodes = append(g.Episodes, graph.Episode{ID: fmt.Sprintf("ep-%03d", e), Title: fmt.Sprintf("Episode %d", e), Date: fmt.Sprintf("2024-%02d", e%12+1)})
	}
	for i := range n {
		label := words[rng.IntN(len(words))] + " " + words[rng.IntN(len(words))]
		if i%3 == 0 {
			label += " " + words[rng.IntN(len(words))]
		}
		label = fmt.Sprintf("%s %d", label, i)
		var evidence []graph.Evidence
		var eps []string
		for k := range 1 + rng.IntN(4) {
			ep := fmt.Sprintf("ep-%03d", rng.IntN(episodes))
			evidence = append(evidence, graph.Evidence{Episode: ep, Line: k + 1, Text: "a line about " + label})
			eps = append(eps, ep)
		}
		sort.Strings(eps)
		g.Concepts = append(g.Concepts, graph.Concept{
			ID: fmt.Sprintf("c%05d", i), Label: label, Kind: graph.KindConcept, Aliases: []string{},
			Episodes: eps, Mentions: len(evidence), Evidence: evidence, PageRank: rng.Float64() / float64(n),
		})
	}
	seen := map[[2]int]bool{}
	for i := 1; i < n; i++ {
		for range 3 {
			// Squaring a uniform number favours small ids: the hubs.
			u := rng.Float64()
			j := int(u * u * float64(i))
			a, b := min(i, j), max(i, j)
			if seen[[2]int{a, b}] {
				continue
			}
			seen[[2]int{a, b}] = true
			g.Relations = append(g.Relations, graph.Relation{
				Source: g.Concepts[a].ID, Target: g.Concepts[b].ID, Type: graph.RelCooccurs,
				Weight: float64(1 + rng.IntN(10)), Episodes: []string{"ep-000"},
				Evidence: []graph.Evidence{{Episode: "ep-000", Line: 1, Text: "both on one line"}},
			})
		}
	}
	sort.Slice(g.Relations, func(x, y int) bool {
		if g.Relations[x].Source != g.Relations[y].Source {
			return g.Relations[x].Source < g.Relations[y].Source
		}
		return g.Relations[x].Target < g.Relations[y].Target
	})
	return g
}

const benchConcepts = 10_000

func BenchmarkNewIndex(b *testing.B) {
	g := syntheticGraph(benchConcepts)
	for b.Loop() {
		graph.NewIndex(g)
	}
	b.ReportMetric(float64(len(g.Relations)), "relations")
}

func BenchmarkSearch(b *testing.B) {
	ix := graph.NewIndex(syntheticGraph(benchConcepts))
	for _, q := range []string{"m", "learning", "cafe mus", "market policy 42"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				ix.Search(q, 10)
			}
		})
	}
}

func BenchmarkConcept(b *testing.B) {
	ix := graph.NewIndex(syntheticGraph(benchConcepts))
	for _, id := range []string{"c00000", "c09999"} { // the biggest hub, a leaf
		for name, parts := range map[string]graph.ConceptParts{
			"all":     graph.AllOfConcept,
			"trimmed": {Neighbours: 200, NeighbourEvidence: 0, Evidence: 60},
		} {
			b.Run(id+"/"+name, func(b *testing.B) {
				for b.Loop() {
					if _, err := ix.Concept(id, parts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkPath(b *testing.B) {
	ix := graph.NewIndex(syntheticGraph(benchConcepts))
	rng := rand.New(rand.NewPCG(3, 4))
	pairs := make([][2]string, 64)
	for i := range pairs {
		pairs[i] = [2]string{fmt.Sprintf("c%05d", rng.IntN(benchConcepts)), fmt.Sprintf("c%05d", rng.IntN(benchConcepts))}
	}
	i := 0
	for b.Loop() {
		p := pairs[i%len(pairs)]
		i++
		if r, err := ix.Path(p[0], p[1]); err != nil || !r.Found {
			b.Fatalf("path %v: %+v, %v", p, r, err)
		}
	}
}
