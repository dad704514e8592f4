package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

// weightedPair is a test shorthand for an undirected relation and its weight.
type weightedPair struct {
	a, b string
	w    float64
}

// pairsGraph builds a graph with the given concepts (in that order) and relations.
func pairsGraph(ids []string, edges []weightedPair) *Graph {
	g := &Graph{}
	for _, id := range ids {
		g.Concepts = append(g.Concepts, Concept{ID: id, Label: id, Kind: KindConcept})
	}
	for _, e := range edges {
		g.Relations = append(g.Relations, Relation{Source: e.a, Target: e.b, Type: RelCooccurs, Weight: e.w})
	}
	return g
}

func unitPairs(pairs ...[2]string) []weightedPair {
	out := make([]weightedPair, len(pairs))
	for i, p := range pairs {
		out[i] = weightedPair{p[0], p[1], 1}
	}
	return out
}

func analyzedConcept(t *testing.T, g *Graph, id string) Concept {
	t.Helper()
	for _, c := range g.Concepts {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no concept %q", id)
	return Concept{}
}

// The stationary PageRank is reached to about 1e-12 per node; hand values are exact fractions.
const analyticsTolerance = 1e-10

func nearScore(a, b float64) bool { return math.Abs(a-b) <= analyticsTolerance }

// expectScores states the analytics of one concept.
type expectScores struct {
	degree         int
	weightedDegree float64
	pageRank       float64
	betweenness    float64
}

func checkAnalyzedScores(t *testing.T, g *Graph, want map[string]expectScores) {
	t.Helper()
	var sum float64
	for _, c := range g.Concepts {
		sum += c.PageRank
	}
	if len(g.Concepts) > 0 && !nearScore(sum, 1) {
		t.Errorf("PageRank sums to %.15f, want 1", sum)
	}
	for id, w := range want {
		c := analyzedConcept(t, g, id)
		if c.Degree != w.degree {
			t.Errorf("%s: degree %d, want %d", id, c.Degree, w.degree)
		}
		if !nearScore(c.WeightedDegree, w.weightedDegree) {
			t.Errorf("%s: weighted degree %g, want %g", id, c.WeightedDegree, w.weightedDegree)
		}
		if !nearScore(c.PageRank, w.pageRank) {
			t.Errorf("%s: PageRank %.15f, want %.15f", id, c.PageRank, w.pageRank)
		}
		if !nearScore(c.Betweenness, w.betweenness) {
			t.Errorf("%s: betweenness %.15f, want %.15f", id, c.Betweenness, w.betweenness)
		}
	}
}

func checkAnalyzedCommunities(t *testing.T, g *Graph, want map[string]int) {
	t.Helper()
	for id, community := range want {
		if c := analyzedConcept(t, g, id); c.Community != community {
			t.Errorf("%s: community %d, want %d", id, c.Community, community)
		}
	}
}

func TestAnalyzeEmptyGraph(t *testing.T) {
	for name, g := range map[string]*Graph{"zero value": {}, "relations only": pairsGraph(nil, unitPairs([2]string{"a", "b"}))} {
		if got := Analyze(g); got != (Summary{}) {
			t.Errorf("%s: summary %+v, want zero", name, got)
		}
	}
}

func TestAnalyzeSingleIsolatedConcept(t *testing.T) {
	g := pairsGraph([]string{"a"}, nil)
	got := Analyze(g)
	// The lone node is dangling: its mass is spread uniformly, i.e. back to
	// itself, so PR = 0.85·PR + 0.15 gives PR = 1. No pair, no betweenness.
	checkAnalyzedScores(t, g, map[string]expectScores{"a": {0, 0, 1, 0}})
	checkAnalyzedCommunities(t, g, map[string]int{"a": 0})
	if want := (Summary{Communities: 1}); got != want {
		t.Errorf("summary %+v, want %+v", got, want)
	}
}

func TestAnalyzePath(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "c"}, unitPairs([2]string{"a", "b"}, [2]string{"b", "c"}))
	got := Analyze(g)
	// PageRank, by symmetry a = c:
	//   a = 0.85·b/2 + 0.05,  b = 0.85·2a + 0.05
	//   ⇒ a = 0.7225a + 0.07125 ⇒ a = 19/74, b = 1 − 2a = 18/37.
	// Betweenness: b lies on the only a–c path; 1 pair / ((3−1)(3−2)/2 = 1 pair) = 1.
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {1, 1, 19.0 / 74, 0},
		"b": {2, 2, 18.0 / 37, 1},
		"c": {1, 1, 19.0 / 74, 0},
	})
	// Q of one community is 0; every split of a 3-path is negative, e.g.
	// {a,b}{c}: (1/4)[(2 − 9/4) + (0 − 1/4)] = −1/8. So one community.
	checkAnalyzedCommunities(t, g, map[string]int{"a": 0, "b": 0, "c": 0})
	if want := (Summary{Communities: 1, Modularity: 0}); got.Communities != want.Communities || !nearScore(got.Modularity, 0) {
		t.Errorf("summary %+v, want %+v", got, want)
	}
}

func TestAnalyzeStar(t *testing.T) {
	g := pairsGraph([]string{"hub", "l1", "l2", "l3", "l4"}, unitPairs(
		[2]string{"hub", "l1"}, [2]string{"hub", "l2"}, [2]string{"hub", "l3"}, [2]string{"hub", "l4"}))
	got := Analyze(g)
	// PageRank, leaves x, hub y, teleport 0.15/5 = 0.03:
	//   x = 0.85·y/4 + 0.03,  y = 1 − 4x  ⇒ 1.85x = 0.2425 ⇒ x = 97/740, y = 88/185.
	// Betweenness: all C(4,2) = 6 leaf pairs go through the hub; 6 / (4·3/2) = 1.
	leaf := expectScores{1, 1, 97.0 / 740, 0}
	checkAnalyzedScores(t, g, map[string]expectScores{
		"hub": {4, 4, 88.0 / 185, 1},
		"l1":  leaf, "l2": leaf, "l3": leaf, "l4": leaf,
	})
	// Any split leaves a leaf away from the hub and lowers Q below 0: one community.
	if got.Communities != 1 || !nearScore(got.Modularity, 0) {
		t.Errorf("summary %+v, want 1 community with Q = 0", got)
	}
}

func TestAnalyzeTriangleWithPendant(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "c", "d"}, unitPairs(
		[2]string{"a", "b"}, [2]string{"a", "c"}, [2]string{"b", "c"}, [2]string{"c", "d"}))
	got := Analyze(g)
	// PageRank, a = b = x, c = y, d = z, teleport 0.15/4 = 3/80:
	//   x = 0.85(x/2 + y/3) + 3/80
	//   y = 0.85(x/2 + x/2 + z) + 3/80
	//   z = 0.85·y/3 + 3/80
	//   ⇒ x = 770/3131, y = 4593/12524, z = 1771/12524.
	// Betweenness: c is on the a–d and b–d paths; 2 / (3·2/2) = 2/3.
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {2, 2, 770.0 / 3131, 0},
		"b": {2, 2, 770.0 / 3131, 0},
		"c": {3, 3, 4593.0 / 12524, 2.0 / 3},
		"d": {1, 1, 1771.0 / 12524, 0},
	})
	// m = 4, degrees 2,2,3,1. The best Q is 0, reached both by one community
	// and by {a,b}{c,d} ((2 − 16/8) + (2 − 16/8) = 0); either way a and b
	// stay together.
	if !nearScore(got.Modularity, 0) {
		t.Errorf("modularity %g, want 0", got.Modularity)
	}
	if a, b := analyzedConcept(t, g, "a"), analyzedConcept(t, g, "b"); a.Community != b.Community {
		t.Errorf("a and b in communities %d and %d, want the same", a.Community, b.Community)
	}
}

// twoCliquesGraph is two 4-cliques, {p1..p4} and {q1..q4}, joined by the bridge p1–q1.
func twoCliquesGraph() *Graph {
	ids := []string{"p1", "p2", "p3", "p4", "q1", "q2", "q3", "q4"}
	var edges []weightedPair
	for _, side := range [][]string{ids[:4], ids[4:]} {
		for i := range side {
			for j := i + 1; j < len(side); j++ {
				edges = append(edges, weightedPair{side[i], side[j], 1})
			}
		}
	}
	edges = append(edges, weightedPair{"p1", "q1", 1})
	return pairsGraph(ids, edges)
}

func TestAnalyzeTwoCliquesJoinedByABridge(t *testing.T) {
	g := twoCliquesGraph()
	got := Analyze(g)
	// PageRank, bridge ends y, others x, teleport 0.15/8:
	//   y = 0.85(3·x/3 + y/4) + 0.01875
	//   x = 0.85(2·x/3 + y/4) + 0.01875
	//   ⇒ x = 30/257, y = 77/514 (6x + 2y = 1).
	// Betweenness: p1 is on all 3·4 = 12 paths from p2..p4 to the q side;
	// 12 / (7·6/2) = 4/7. Nobody else is on a shortest path between others.
	end, inner := expectScores{4, 4, 77.0 / 514, 4.0 / 7}, expectScores{3, 3, 30.0 / 257, 0}
	checkAnalyzedScores(t, g, map[string]expectScores{
		"p1": end, "q1": end,
		"p2": inner, "p3": inner, "p4": inner, "q2": inner, "q3": inner, "q4": inner,
	})
	// Louvain separates the cliques. Both have 4 members; the tie goes to the
	// smallest id, p1, so the p side is community 0.
	checkAnalyzedCommunities(t, g, map[string]int{
		"p1": 0, "p2": 0, "p3": 0, "p4": 0, "q1": 1, "q2": 1, "q3": 1, "q4": 1,
	})
	// m = 13 (2m = 26). Each clique: internal A sum 12, degree sum 4+3+3+3 = 13,
	// contributes 12 − 13²/26 = 5.5; Q = 11/26.
	if got.Communities != 2 || !nearScore(got.Modularity, 11.0/26) {
		t.Errorf("summary %+v, want 2 communities with Q = 11/26 = %g", got, 11.0/26)
	}
}

func TestAnalyzeDisconnectedWithIsolatedConcepts(t *testing.T) {
	// Path x–y–z, edge a–b, isolated c and m. Ids are chosen so that the
	// largest community does not hold the smallest id.
	g := pairsGraph([]string{"a", "b", "c", "m", "x", "y", "z"},
		unitPairs([2]string{"x", "y"}, [2]string{"y", "z"}, [2]string{"a", "b"}))
	got := Analyze(g)
	// PageRank, teleport 0.15/7; c and m are dangling, each q:
	//   q = 0.85·2q/7 + 0.15/7 ⇒ q = 3/106; every node also receives this same
	//   base term 0.85·2q/7 + 0.15/7 = q.
	//   a = 0.85·b + q, a = b ⇒ a = q/0.15 = 10/53.
	//   x = 0.85·y/2 + q, y = 0.85·2x + q ⇒ x = 285/1961, y = 540/1961.
	// Betweenness: y joins x and z; 1 / (6·5/2) = 1/15.
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {1, 1, 10.0 / 53, 0},
		"b": {1, 1, 10.0 / 53, 0},
		"c": {0, 0, 3.0 / 106, 0},
		"m": {0, 0, 3.0 / 106, 0},
		"x": {1, 1, 285.0 / 1961, 0},
		"y": {2, 2, 540.0 / 1961, 1.0 / 15},
		"z": {1, 1, 285.0 / 1961, 0},
	})
	// Communities: the path (3 members) first, then a–b, then the isolated
	// concepts by id.
	checkAnalyzedCommunities(t, g, map[string]int{"x": 0, "y": 0, "z": 0, "a": 1, "b": 1, "c": 2, "m": 3})
	// m = 3 (2m = 6), degrees x1 y2 z1 a1 b1.
	// {x,y,z}: 4 − 4²/6 = 4/3; {a,b}: 2 − 2²/6 = 4/3; Q = (8/3)/6 = 4/9.
	if got.Communities != 4 || !nearScore(got.Modularity, 4.0/9) {
		t.Errorf("summary %+v, want 4 communities with Q = 4/9", got)
	}
}

func TestAnalyzeWeightsShiftPageRank(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "c"}, []weightedPair{{"a", "b", 3}, {"b", "c", 1}})
	Analyze(g)
	// b sends 3/4 of its walk to a and 1/4 to c; a and c send everything to b.
	//   b = 0.85(a + c) + 0.05 = 0.85(1 − b) + 0.05 ⇒ b = 18/37 (as unweighted)
	//   a = 0.85·(3/4)·b + 0.05 = 533/1480,  c = 0.85·(1/4)·b + 0.05 = 227/1480.
	// Betweenness ignores weights: b is still on the only a–c path.
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {1, 3, 533.0 / 1480, 0},
		"b": {2, 4, 18.0 / 37, 1},
		"c": {1, 1, 227.0 / 1480, 0},
	})
	if a, c := analyzedConcept(t, g, "a"), analyzedConcept(t, g, "c"); a.PageRank <= c.PageRank {
		t.Errorf("PageRank of a (heavy edge) %g not above c (light edge) %g", a.PageRank, c.PageRank)
	}
}

func TestAnalyzeToleratesMalformedRelations(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "c"}, []weightedPair{
		{"a", "b", 0.5}, {"b", "a", 0.5}, // same pair twice: one edge of weight 1
		{"b", "c", 1},
		{"a", "a", 5},            // self-loop: ignored
		{"a", "ghost", 1},        // unknown concept: ignored
		{"c", "b", math.NaN()},   // counts as weight 0
		{"b", "c", math.Inf(-1)}, // counts as weight 0
	})
	got := Analyze(g)
	// Once cleaned, this is the unit-weight path a–b–c of TestAnalyzePath.
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {1, 1, 19.0 / 74, 0},
		"b": {2, 2, 18.0 / 37, 1},
		"c": {1, 1, 19.0 / 74, 0},
	})
	if got.Communities != 1 || math.IsNaN(got.Modularity) {
		t.Errorf("summary %+v, want 1 community and a number for Q", got)
	}
}

func TestAnalyzeZeroWeightsGiveNoModularity(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "c"}, []weightedPair{{"a", "b", 0}, {"b", "c", 0}})
	got := Analyze(g)
	// Without weight every node is dangling: PageRank is uniform. Hops still count.
	third := 1.0 / 3
	checkAnalyzedScores(t, g, map[string]expectScores{
		"a": {1, 0, third, 0}, "b": {2, 0, third, 1}, "c": {1, 0, third, 0},
	})
	if got.Modularity != 0 {
		t.Errorf("modularity %g, want 0 for a graph without weight", got.Modularity)
	}
}

func TestAnalyzeDuplicateConceptIDsShareScores(t *testing.T) {
	g := pairsGraph([]string{"a", "b", "a"}, unitPairs([2]string{"a", "b"}))
	Analyze(g)
	if !reflect.DeepEqual(g.Concepts[0], g.Concepts[2]) {
		t.Errorf("repeated id got different scores: %+v and %+v", g.Concepts[0], g.Concepts[2])
	}
	if !nearScore(g.Concepts[0].PageRank, 0.5) {
		t.Errorf("PageRank of a = %g, want 0.5", g.Concepts[0].PageRank)
	}
}

// TestAnalyzeIsDeterministic runs Analyze on a mid-sized graph with planted
// communities several times, with relations shuffled and with different
// numbers of CPUs, and wants bit-for-bit identical results.
func TestAnalyzeIsDeterministic(t *testing.T) {
	base := plantedGraph(2000, 6000, 20, 7)
	first := copyConceptsAndRelations(base)
	firstSummary := Analyze(first)

	again := copyConceptsAndRelations(base)
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(again.Relations), func(i, j int) {
		again.Relations[i], again.Relations[j] = again.Relations[j], again.Relations[i]
	})
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, procs := range []int{1, 3, 8} {
		runtime.GOMAXPROCS(procs)
		g := copyConceptsAndRelations(again)
		summary := Analyze(g)
		if summary != firstSummary {
			t.Fatalf("GOMAXPROCS=%d: summary %+v, first run %+v", procs, summary, firstSummary)
		}
		for i := range g.Concepts {
			if !reflect.DeepEqual(g.Concepts[i], first.Concepts[i]) {
				t.Fatalf("GOMAXPROCS=%d: concept %s = %+v, first run %+v", procs, g.Concepts[i].ID, g.Concepts[i], first.Concepts[i])
			}
		}
	}
	if firstSummary.Communities < 2 || firstSummary.Modularity < 0.3 {
		t.Errorf("planted communities not found: %+v", firstSummary)
	}
}

func copyConceptsAndRelations(g *Graph) *Graph {
	return &Graph{
		Concepts:  append([]Concept(nil), g.Concepts...),
		Relations: append([]Relation(nil), g.Relations...),
	}
}

// Above ExactBetweennessLimit the estimate from evenly spaced pivots stays
// close to the exact value: on a star the hub lies on every leaf-to-leaf path.
func TestBetweennessEstimateOnLargeStar(t *testing.T) {
	n := ExactBetweennessLimit + 201
	g := &Graph{Concepts: []Concept{{ID: "a-hub"}}}
	for i := 1; i < n; i++ {
		id := fmt.Sprintf("leaf-%05d", i)
		g.Concepts = append(g.Concepts, Concept{ID: id})
		g.Relations = append(g.Relations, Relation{Source: "a-hub", Target: id, Weight: 1})
	}
	Analyze(g)
	if b := g.Concepts[0].Betweenness; math.Abs(b-1) > 0.01 {
		t.Errorf("hub betweenness %v, want about 1", b)
	}
	if b := g.Concepts[1].Betweenness; b != 0 {
		t.Errorf("leaf betweenness %v, want 0", b)
	}
}
