package graph

import (
	"fmt"
	"math"
	"testing"
)

// fastLouvain finds planted communities on a graph big enough to use it, and
// its modularity agrees with gonum's Q on the same partition.
func TestFastLouvainFindsPlantedCommunities(t *testing.T) {
	// 40 cliques of 80 concepts (3,200 > gonumLouvainLimit), each joined to the
	// next by one edge.
	const cliques, size = 40, 80
	g := &Graph{}
	id := func(c, i int) string { return fmt.Sprintf("c%02d-%02d", c, i) }
	for c := 0; c < cliques; c++ {
		for i := 0; i < size; i++ {
			g.Concepts = append(g.Concepts, Concept{ID: id(c, i)})
			for j := 0; j < i; j++ {
				g.Relations = append(g.Relations, Relation{Source: id(c, j), Target: id(c, i), Weight: 1})
			}
		}
		g.Relations = append(g.Relations, Relation{Source: id(c, 0), Target: id((c+1)%cliques, 1), Weight: 1})
	}
	sum := Analyze(g)
	if sum.Communities != cliques {
		t.Fatalf("%d communities, want %d", sum.Communities, cliques)
	}
	for c := 0; c < cliques; c++ {
		want := g.Concepts[c*size].Community
		for i := 1; i < size; i++ {
			if got := g.Concepts[c*size+i].Community; got != want {
				t.Fatalf("clique %d split: concept %d in %d, first in %d", c, i, got, want)
			}
		}
	}
	// Q for k equal cliques joined in a ring: each clique has E = size(size-1)/2
	// internal edges and 2 ring edge ends; m = k·E + k.
	E := float64(size * (size - 1) / 2)
	m := cliques*E + cliques
	d := 2*E + 2
	want := cliques * (E/m - (d/(2*m))*(d/(2*m)))
	if math.Abs(sum.Modularity-want) > 1e-9 {
		t.Errorf("modularity %v, want %v", sum.Modularity, want)
	}
}
