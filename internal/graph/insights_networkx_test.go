package graph_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// networkxFixture is a graph with the measures NetworkX computed on it; see
// scripts/networkx-fixtures.py, which wrote the files under testdata/networkx.
type networkxFixture struct {
	Name        string             `json:"name"`
	Nodes       []string           `json:"nodes"`
	Edges       [][3]any           `json:"edges"` // source, target, weight
	Partition   [][]string         `json:"partition"`
	PageRank    map[string]float64 `json:"pagerank"`
	Betweenness map[string]float64 `json:"betweenness"`
	Closeness   map[string]float64 `json:"closeness"`
	Modularity  float64            `json:"modularity"`
}

// networkxTolerance is the agreement the issue asks for.
const networkxTolerance = 1e-6

func loadNetworkxFixtures(t *testing.T) []networkxFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "networkx", "*.json"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want 3 NetworkX fixtures, found %v (%v)", files, err)
	}
	var out []networkxFixture
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var f networkxFixture
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(f.Nodes) == 0 || len(f.PageRank) != len(f.Nodes) || len(f.Betweenness) != len(f.Nodes) || len(f.Closeness) != len(f.Nodes) {
			t.Fatalf("%s: incomplete fixture", file)
		}
		out = append(out, f)
	}
	return out
}

// graphOf builds the fixture's graph with concepts in the fixture's order and
// each concept's Community set to its block of the fixture's partition.
func (f networkxFixture) graphOf(t *testing.T) *graph.Graph {
	t.Helper()
	community := map[string]int{}
	for c, members := range f.Partition {
		for _, id := range members {
			community[id] = c
		}
	}
	g := &graph.Graph{}
	for _, id := range f.Nodes {
		c, ok := community[id]
		if !ok {
			t.Fatalf("%s: %q is in no block of the partition", f.Name, id)
		}
		g.Concepts = append(g.Concepts, graph.Concept{ID: id, Label: id, Kind: graph.KindConcept, Community: c})
	}
	for _, e := range f.Edges {
		s, okS := e[0].(string)
		d, okD := e[1].(string)
		w, okW := e[2].(float64)
		if !okS || !okD || !okW {
			t.Fatalf("%s: bad edge %v", f.Name, e)
		}
		g.Relations = append(g.Relations, graph.Relation{Source: s, Target: d, Type: graph.RelCooccurs, Weight: w})
	}
	return g
}

func checkAgainst(t *testing.T, fixture, measure string, got, want map[string]float64) {
	t.Helper()
	worst, at := 0.0, ""
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s %s: no value for %q", fixture, measure, id)
			continue
		}
		if d := math.Abs(g - w); d > worst || math.IsNaN(d) {
			worst, at = d, id
		}
	}
	if worst > networkxTolerance || math.IsNaN(worst) {
		t.Errorf("%s %s: off by %.3g at %q (got %v, NetworkX %v)", fixture, measure, worst, at, got[at], want[at])
	}
	t.Logf("%s %s: largest difference from NetworkX %.3g", fixture, measure, worst)
}

// TestAnalyzeMatchesNetworkX checks PageRank and betweenness from Analyze,
// Closeness and Modularity against NetworkX on the same graphs.
func TestAnalyzeMatchesNetworkX(t *testing.T) {
	for _, f := range loadNetworkxFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			partitioned := f.graphOf(t)
			if q := graph.Modularity(partitioned); math.Abs(q-f.Modularity) > networkxTolerance {
				t.Errorf("modularity of the fixture's partition %v, NetworkX %v", q, f.Modularity)
			} else {
				t.Logf("modularity: %v, NetworkX %v", q, f.Modularity)
			}
			checkAgainst(t, f.Name, "closeness", graph.Closeness(partitioned), f.Closeness)

			analysed := f.graphOf(t)
			summary := graph.Analyze(analysed)
			pageRank, betweenness := map[string]float64{}, map[string]float64{}
			for _, c := range analysed.Concepts {
				pageRank[c.ID], betweenness[c.ID] = c.PageRank, c.Betweenness
			}
			checkAgainst(t, f.Name, "pagerank", pageRank, f.PageRank)
			checkAgainst(t, f.Name, "betweenness", betweenness, f.Betweenness)
			// Analyze reports gonum's Q of its own Louvain partition: it must be
			// what Modularity computes for that partition.
			if q := graph.Modularity(analysed); math.Abs(q-summary.Modularity) > 1e-12 {
				t.Errorf("Analyze's modularity %v, Modularity of its partition %v", summary.Modularity, q)
			}
		})
	}
}

func TestClosenessByHand(t *testing.T) {
	// a–b–c and an isolated d: b reaches 2 of 3 others at total distance 2,
	// a reaches 2 at distance 3.
	g := &graph.Graph{
		Concepts: []graph.Concept{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}},
		Relations: []graph.Relation{
			{Source: "a", Target: "b", Weight: 5}, {Source: "b", Target: "c", Weight: 0.1},
		},
	}
	got := graph.Closeness(g)
	want := map[string]float64{"a": 2.0 / 3 * 2 / 3, "b": 1 * 2.0 / 3, "c": 2.0 / 3 * 2 / 3, "d": 0}
	for id, w := range want {
		if math.Abs(got[id]-w) > 1e-15 {
			t.Errorf("closeness(%s) = %v, want %v", id, got[id], w)
		}
	}
	if len(graph.Closeness(&graph.Graph{})) != 0 {
		t.Errorf("closeness of an empty graph is not empty")
	}
}

func TestModularityByHand(t *testing.T) {
	// Two unit edges a–b and c–d in two communities: each holds half the
	// weight (L/m = 1/2) and half the degree ((D/2m)² = 1/4): Q = 2 × 1/4.
	g := &graph.Graph{
		Concepts:  []graph.Concept{{ID: "a"}, {ID: "b"}, {ID: "c", Community: 1}, {ID: "d", Community: 1}},
		Relations: []graph.Relation{{Source: "a", Target: "b", Weight: 1}, {Source: "c", Target: "d", Weight: 1}},
	}
	if q := graph.Modularity(g); q != 0.5 {
		t.Errorf("Q = %v, want 0.5", q)
	}
	for i := range g.Concepts {
		g.Concepts[i].Community = 0
	}
	if q := graph.Modularity(g); q != 0 {
		t.Errorf("Q of one community = %v, want 0", q)
	}
	if q := graph.Modularity(&graph.Graph{Concepts: g.Concepts}); q != 0 {
		t.Errorf("Q without relations = %v, want 0", q)
	}
}
