package layout

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
)

// twoCliques is two 20-node cliques joined by one edge, seeded as one group
// so the layout, not the seed, has to pull them apart.
func twoCliques() ([]string, []Edge) {
	var ids []string
	for i := 0; i < 40; i++ {
		ids = append(ids, fmt.Sprintf("n%02d", i))
	}
	var edges []Edge
	for side := 0; side < 2; side++ {
		for a := side * 20; a < side*20+20; a++ {
			for b := a + 1; b < side*20+20; b++ {
				edges = append(edges, Edge{A: a, B: b, Weight: 1})
			}
		}
	}
	edges = append(edges, Edge{A: 0, B: 20, Weight: 1})
	return ids, edges
}

func TestForceAtlas2SeparatesCliques(t *testing.T) {
	ids, edges := twoCliques()
	pos, err := DefaultForceAtlas2(len(ids)).Run(Seed(ids, nil), edges)
	if err != nil {
		t.Fatal(err)
	}
	var within, between float64
	var nWithin, nBetween int
	for a := range pos {
		for b := a + 1; b < len(pos); b++ {
			d := math.Hypot(pos[a].X-pos[b].X, pos[a].Y-pos[b].Y)
			if (a < 20) == (b < 20) {
				within += d
				nWithin++
			} else {
				between += d
				nBetween++
			}
		}
	}
	within /= float64(nWithin)
	between /= float64(nBetween)
	if between < 2*within {
		t.Errorf("mean distance within a clique %.2f, between cliques %.2f; want the cliques apart (between ≥ 2× within)", within, between)
	}
}

func TestForceAtlas2IsDeterministicAcrossWorkers(t *testing.T) {
	ids, edges := ringOfCommunities(3000)
	groups := make([]int, len(ids))
	for i := range groups {
		groups[i] = i % 7
	}
	fa := DefaultForceAtlas2(len(ids))
	fa.Iterations = 20
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	one, err := fa.Run(Seed(ids, groups), edges)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(4)
	four, err := fa.Run(Seed(ids, groups), edges)
	if err != nil {
		t.Fatal(err)
	}
	for i := range one {
		if one[i] != four[i] {
			t.Fatalf("node %d at %v with one worker, %v with four", i, one[i], four[i])
		}
	}
}

func TestBarnesHutIsCloseToExactRepulsion(t *testing.T) {
	ids, edges := ringOfCommunities(400)
	start := Seed(ids, nil)
	fa := DefaultForceAtlas2(len(ids))
	fa.Iterations = 1
	approx, err := fa.Run(start, edges)
	if err != nil {
		t.Fatal(err)
	}
	fa.Theta = 0
	exact, err := fa.Run(start, edges)
	if err != nil {
		t.Fatal(err)
	}
	var moved, off float64
	for i := range start {
		moved += math.Hypot(exact[i].X-start[i].X, exact[i].Y-start[i].Y)
		off += math.Hypot(exact[i].X-approx[i].X, exact[i].Y-approx[i].Y)
	}
	if off > 0.2*moved {
		t.Errorf("Barnes–Hut step differs from the exact one by %.3g in total against a total move of %.3g; want within 20%%", off, moved)
	}
}

func TestForceAtlas2RejectsBadInput(t *testing.T) {
	start := []Point{{0, 0}, {1, 1}}
	for _, tc := range []struct {
		name  string
		start []Point
		edges []Edge
		want  string
	}{
		{"edge to a missing node", start, []Edge{{A: 0, B: 2, Weight: 1}}, "edge 0 joins nodes 0 and 2"},
		{"negative weight", start, []Edge{{A: 0, B: 1, Weight: -1}}, "edge 0 has weight -1"},
		{"NaN weight", start, []Edge{{A: 0, B: 1, Weight: math.NaN()}}, "edge 0 has weight NaN"},
		{"NaN position", []Point{{0, 0}, {math.NaN(), 0}}, nil, "node 1 starts at (NaN, 0)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DefaultForceAtlas2(2).Run(tc.start, tc.edges)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestForceAtlas2KeepsCoincidentNodesFinite(t *testing.T) {
	start := []Point{{1, 1}, {1, 1}, {1, 1}}
	pos, err := DefaultForceAtlas2(3).Run(start, []Edge{{A: 0, B: 1, Weight: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pos {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			t.Errorf("node %d at %v", i, p)
		}
	}
}

func TestSeedIsStableAndGroupsApart(t *testing.T) {
	ids := []string{"a", "b", "c", "d"}
	groups := []int{0, 0, 1, 1}
	first, second := Seed(ids, groups), Seed(ids, groups)
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("node %s seeded at %v, then %v", ids[i], first[i], second[i])
		}
	}
	if math.Hypot(first[0].X-first[2].X, first[0].Y-first[2].Y) <= math.Hypot(first[0].X-first[1].X, first[0].Y-first[1].Y) {
		t.Errorf("a is nearer c (another group) than b (its own): %v", first)
	}
}

// ringOfCommunities is n nodes in groups of 50, each a ring with chords,
// and the groups joined in a ring: a sparse graph with clusters.
func ringOfCommunities(n int) ([]string, []Edge) {
	ids := make([]string, n)
	var edges []Edge
	for i := range ids {
		ids[i] = fmt.Sprintf("c%05d", i)
		base := i / 50 * 50
		next := base + (i-base+1)%50
		if next < n {
			edges = append(edges, Edge{A: i, B: next, Weight: 1})
		}
		if chord := base + (i-base+7)%50; chord < n {
			edges = append(edges, Edge{A: i, B: chord, Weight: 0.5})
		}
		if i%50 == 0 && i+50 < n {
			edges = append(edges, Edge{A: i, B: i + 50, Weight: 0.2})
		}
	}
	return ids, edges
}

func BenchmarkForceAtlas2(b *testing.B) {
	ids, edges := ringOfCommunities(15000)
	groups := make([]int, len(ids))
	for i := range groups {
		groups[i] = i / 500
	}
	start := Seed(ids, groups)
	fa := DefaultForceAtlas2(len(ids))
	for b.Loop() {
		if _, err := fa.Run(start, edges); err != nil {
			b.Fatal(err)
		}
	}
}
