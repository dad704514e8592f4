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

// Evidence from a transcript carries its line's time and speaker; evidence
// from notes carries neither.
func TestEvidenceCarriesTimeAndSpeaker(t *testing.T) {
	at := 754.5
	facts := []EpisodeFacts{{
		Episode: Episode{ID: "talk", Source: "talk.vtt"},
		Lines: []Line{
			{Line: 4, Text: "Moloch and the AI race", Kind: LineTurn, Time: &at, Speaker: "Liv"},
			{Line: 7, Text: "Moloch again", Kind: LineTurn},
		},
		Mentions: []Mention{
			{Concept: "moloch", Label: "Moloch", Kind: KindConcept, Line: 4, Text: "Moloch and the AI race", Weight: 1},
			{Concept: "ai-race", Label: "AI race", Kind: KindConcept, Line: 4, Text: "Moloch and the AI race", Weight: 1},
			{Concept: "moloch", Label: "Moloch", Kind: KindConcept, Line: 7, Text: "Moloch again", Weight: 1},
		},
		Links: []Link{{Source: "ai-race", Target: "moloch", Type: RelCooccurs, Strength: 1, Line: 4, Text: "Moloch and the AI race"}},
	}}
	g := Build(facts)
	if len(g.Relations) != 1 || len(g.Relations[0].Evidence) != 1 {
		t.Fatalf("relations %+v", g.Relations)
	}
	ev := g.Relations[0].Evidence[0]
	if ev.Time == nil || *ev.Time != at || ev.Speaker != "Liv" {
		t.Errorf("link evidence %+v, want time %v and speaker Liv", ev, at)
	}
	for _, c := range g.Concepts {
		if c.ID != "moloch" {
			continue
		}
		if len(c.Evidence) != 2 || c.Evidence[0].Speaker != "Liv" || c.Evidence[1].Time != nil || c.Evidence[1].Speaker != "" {
			t.Errorf("moloch's evidence %+v, want line 4 timed and spoken, line 7 neither", c.Evidence)
		}
	}
}
