package graph

import (
	"math"
	"testing"
)

func TestBuildMergesSurnamesAcrossEpisodes(t *testing.T) {
	g := Build([]EpisodeFacts{
		{Episode: Episode{ID: "a"}, Mentions: []Mention{
			{Concept: "daniel-kahneman", Label: "Daniel Kahneman", Kind: KindPerson, Line: 1},
		}},
		{Episode: Episode{ID: "b"}, Mentions: []Mention{
			{Concept: "kahneman", Label: "Kahneman", Kind: KindConcept, Line: 3},
			{Concept: "nudge", Label: "nudge", Kind: KindConcept, Line: 3},
		}, Links: []Link{{Source: "kahneman", Target: "nudge", Type: RelCooccurs, Strength: 1, Line: 3}}},
	})
	if len(g.Concepts) != 2 {
		t.Fatalf("concepts %+v", g.Concepts)
	}
	dk := g.Concepts[0]
	if dk.ID != "daniel-kahneman" || dk.Label != "Daniel Kahneman" || len(dk.Episodes) != 2 || dk.Kind != KindPerson {
		t.Errorf("merged person %+v", dk)
	}
	if dk.Aliases[0] != "Kahneman" {
		t.Errorf("aliases %v", dk.Aliases)
	}
	if r := g.Relations[0]; r.Source != "daniel-kahneman" || r.Target != "nudge" {
		t.Errorf("relation %+v", r)
	}
}

func TestBuildNPMI(t *testing.T) {
	// x and y share 3 of 6 lines; x is on 3 lines and y on 3, all shared:
	// p(xy)=1/2, p(x)=p(y)=1/2 → pmi=log 2, npmi = log2/log2 = 1.
	var ms []Mention
	var ls []Link
	for line := 1; line <= 3; line++ {
		ms = append(ms, Mention{Concept: "x", Label: "x", Line: line}, Mention{Concept: "y", Label: "y", Line: line})
		ls = append(ls, Link{Source: "x", Target: "y", Type: RelCooccurs, Strength: 1, Line: line})
	}
	for line := 4; line <= 6; line++ {
		ms = append(ms, Mention{Concept: "z", Label: "z", Line: line})
	}
	g := Build([]EpisodeFacts{{Episode: Episode{ID: "e"}, Mentions: ms, Links: ls}})
	if r := g.Relations[0]; math.Abs(r.NPMI-1) > 1e-12 || r.Weight != 3 {
		t.Errorf("npmi %v weight %v, want 1 and 3", r.NPMI, r.Weight)
	}
}
