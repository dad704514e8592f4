package graph_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

func mention(id, label string, kind graph.Kind, line int, text string) graph.Mention {
	return graph.Mention{Concept: id, Label: label, Kind: kind, Line: line, Text: text, Weight: 1}
}

func link(a, b, typ string, strength float64, line int, text string) graph.Link {
	return graph.Link{Source: a, Target: b, Type: typ, Strength: strength, Line: line, Text: text}
}

// queryGraph is a small hand-made graph:
//
//	start -5- strong -1- goal      (two-hop path, weakest link 1)
//	start -2- steady -2- goal      (two-hop path, weakest link 2: the widest)
//	start -0.5- far                (direct, weak)
//	far -9- goal                   (so start..goal has no one-hop path)
//	island                         (no relations)
func queryGraph(t *testing.T) *graph.Graph {
	t.Helper()
	facts := []graph.EpisodeFacts{
		{
			Episode: graph.Episode{ID: "ep-b", Title: "Second", Date: "2024-03-01", Source: "b.md", Show: "Show", Guests: []string{"Ada"}, Tags: []string{"ai"}},
			Mentions: []graph.Mention{
				mention("start", "Start", graph.KindConcept, 1, "Start and strong"),
				mention("start", "start", graph.KindConcept, 2, "start again"),
				mention("start", "Beginning", graph.KindConcept, 3, "the Beginning"),
				mention("strong", "Strong Link", graph.KindConcept, 1, "Start and strong"),
				mention("goal", "Goal", graph.KindConcept, 4, "goal <script>alert(1)</script>"),
				mention("cafe", "Café Society", graph.KindWork, 5, "Café Society"),
			},
			Links: []graph.Link{
				link("start", "strong", graph.RelCooccurs, 5, 1, "Start and strong"),
				link("strong", "goal", graph.RelSection, 1, 4, "strong goal"),
			},
		},
		{
			Episode: graph.Episode{ID: "ep-a", Title: "First", Date: "2024-01-01", Source: "a.md"},
			Mentions: []graph.Mention{
				mention("start", "Start", graph.KindConcept, 7, "Start steady"),
				mention("steady", "Steady", graph.KindConcept, 7, "Start steady"),
				mention("goal", "Goal", graph.KindConcept, 8, "steady goal"),
				mention("far", "Far Away", graph.KindPerson, 9, "far"),
				mention("island", "Island", graph.KindConcept, 10, "an island"),
				mention("restart", "Restart", graph.KindConcept, 11, "restart"),
			},
			Links: []graph.Link{
				link("start", "steady", graph.RelCooccurs, 2, 7, "Start steady"),
				link("steady", "goal", graph.RelCause, 2, 8, "steady leads to goal"),
				link("start", "far", graph.RelSection, 0.5, 9, "far"),
				link("far", "goal", graph.RelCooccurs, 9, 9, "far goal"),
			},
		},
	}
	return graph.Build(facts)
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *graph.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v, want a *graph.Error with code %q", err, code)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Café “Noir”":        `cafe "noir"`,
		"  Łódź  —  ÆON  ":   "lodz - aeon",
		"Cafe\u0301":         "cafe",
		"don’t":              "don't",
		"Straße":             "strasse",
		"":                   "",
		"\t\n":               "",
		"Ελληνικά":           "ελληνικά",
		"multi   word\tgaps": "multi word gaps",
	} {
		if got := graph.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchRanksExactPrefixWordSubstring(t *testing.T) {
	g := queryGraph(t)
	ix := graph.NewIndex(g)
	hits := ix.Search("start", 10)
	// "Start" is exact, "Restart" only contains it as a substring.
	if got, want := ids(hits, func(h graph.SearchHit) string { return h.ID }), []string{"start", "restart"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Search(start) = %v, want %v", got, want)
	}
	hits = ix.Search("s", 10)
	// Prefix matches (Start, Steady, Strong Link) before the word prefix (Café Society)
	// before substrings (Island, Restart); ties by label while PageRank is zero.
	want := []string{"start", "steady", "strong", "cafe", "island", "restart"}
	if got := ids(hits, func(h graph.SearchHit) string { return h.ID }); !reflect.DeepEqual(got, want) {
		t.Fatalf("Search(s) = %v, want %v", got, want)
	}
	if got := ix.Search("s", 2); len(got) != 2 || got[0].ID != "start" {
		t.Fatalf("Search(s, 2) = %v, want the first two hits", got)
	}
}

func TestSearchTiesByPageRank(t *testing.T) {
	g := queryGraph(t)
	g.ApplyScores(map[string]graph.Scores{"strong": {PageRank: 0.3}, "steady": {PageRank: 0.2}, "start": {PageRank: 0.1}})
	hits := graph.NewIndex(g).Search("st", 10)
	want := []string{"strong", "steady", "start", "restart"}
	if got := ids(hits, func(h graph.SearchHit) string { return h.ID }); !reflect.DeepEqual(got, want) {
		t.Fatalf("Search(st) = %v, want %v (PageRank order)", got, want)
	}
	if hits[0].PageRank != 0.3 {
		t.Errorf("hit PageRank = %v, want 0.3", hits[0].PageRank)
	}
}

func TestSearchFoldsAccentsAndReportsTheMatchedForm(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	hits := ix.Search("  CAFE  society ", 5)
	if len(hits) != 1 || hits[0].ID != "cafe" || hits[0].Matched != "Café Society" || hits[0].Kind != graph.KindWork {
		t.Fatalf("Search(cafe society) = %+v, want the Café Society work", hits)
	}
	hits = ix.Search("beginning", 5)
	if len(hits) != 1 || hits[0].ID != "start" || hits[0].Matched != "Beginning" || hits[0].Label != "Start" {
		t.Fatalf("Search(beginning) = %+v, want start matched by its alias", hits)
	}
	if !reflect.DeepEqual(hits[0].Aliases, []string{"Beginning"}) || hits[0].Episodes != 2 {
		t.Errorf("hit = %+v, want aliases [Beginning] and 2 episodes", hits[0])
	}
	for _, q := range []string{"", "   ", "zzz"} {
		if got := ix.Search(q, 5); got == nil || len(got) != 0 {
			t.Errorf("Search(%q) = %#v, want an empty non-nil slice", q, got)
		}
	}
}

func TestConceptDetail(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	d, err := ix.Concept("start", graph.AllOfConcept)
	if err != nil {
		t.Fatal(err)
	}
	if d.Concept.ID != "start" || d.Concept.Label != "Start" {
		t.Fatalf("concept = %+v", d.Concept)
	}
	wantEpisodes := []graph.ConceptEpisode{
		{ID: "ep-a", Title: "First", Date: "2024-01-01", Source: "a.md", Mentions: 1},
		{ID: "ep-b", Title: "Second", Date: "2024-03-01", Source: "b.md", Mentions: 3},
	}
	if !reflect.DeepEqual(d.Episodes, wantEpisodes) {
		t.Errorf("episodes = %+v, want %+v", d.Episodes, wantEpisodes)
	}
	gotNeighbours := ids(d.Neighbours, func(n graph.Neighbour) string { return n.ID })
	if want := []string{"strong", "steady", "far"}; !reflect.DeepEqual(gotNeighbours, want) {
		t.Errorf("neighbours = %v, want %v (weight desc)", gotNeighbours, want)
	}
	first := d.Neighbours[0]
	if first.Type != graph.RelCooccurs || first.Weight != 5 || first.Label != "Strong Link" ||
		!reflect.DeepEqual(first.Episodes, []string{"ep-b"}) || len(first.Evidence) != 1 || first.Evidence[0].Line != 1 {
		t.Errorf("strongest neighbour = %+v", first)
	}
	wantEvidence := []graph.EpisodeEvidence{
		{Episode: "ep-a", EpisodeTitle: "First", Line: 7, Text: "Start steady"},
		{Episode: "ep-b", EpisodeTitle: "Second", Line: 1, Text: "Start and strong"},
		{Episode: "ep-b", EpisodeTitle: "Second", Line: 2, Text: "start again"},
		{Episode: "ep-b", EpisodeTitle: "Second", Line: 3, Text: "the Beginning"},
	}
	if !reflect.DeepEqual(d.Evidence, wantEvidence) {
		t.Errorf("evidence = %+v, want %+v", d.Evidence, wantEvidence)
	}

	island, err := ix.Concept("island", graph.AllOfConcept)
	if err != nil {
		t.Fatal(err)
	}
	if island.Neighbours == nil || len(island.Neighbours) != 0 {
		t.Errorf("island neighbours = %#v, want an empty non-nil slice", island.Neighbours)
	}

	_, err = ix.Concept("nope", graph.AllOfConcept)
	wantCode(t, err, graph.ENOTFOUND)
	_, err = ix.Concept(" ", graph.AllOfConcept)
	wantCode(t, err, graph.EINVALID)
}

// TestConceptPartsArePrefixes checks that a trimmed detail is the untrimmed
// one cut short, for every neighbour limit of a hub whose relations tie on
// weight in many places (the synthetic graph's weights are 1 to 10) and whose
// labels sort differently from its ids, which is where picking the strongest
// neighbours before sorting them could go wrong.
func TestConceptPartsArePrefixes(t *testing.T) {
	ix := graph.NewIndex(syntheticGraph(600))
	const hub = "c00000"
	full, err := ix.Concept(hub, graph.AllOfConcept)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Neighbours) < 50 {
		t.Fatalf("hub has %d neighbours; the test needs a real hub", len(full.Neighbours))
	}
	if full.NeighbourCount != len(full.Neighbours) || full.EvidenceCount != len(full.Evidence) {
		t.Errorf("counts %d/%d, want %d/%d", full.NeighbourCount, full.EvidenceCount, len(full.Neighbours), len(full.Evidence))
	}
	for limit := 0; limit <= len(full.Neighbours)+1; limit++ {
		got, err := ix.Concept(hub, graph.ConceptParts{Neighbours: limit, NeighbourEvidence: graph.All, Evidence: graph.All})
		if err != nil {
			t.Fatal(err)
		}
		want := full.Neighbours[:min(limit, len(full.Neighbours))]
		if !reflect.DeepEqual(got.Neighbours, want) {
			t.Fatalf("Neighbours: %d gave %v, want %v", limit,
				ids(got.Neighbours, func(n graph.Neighbour) string { return n.ID }), ids(want, func(n graph.Neighbour) string { return n.ID }))
		}
		if got.NeighbourCount != full.NeighbourCount || got.EvidenceCount != full.EvidenceCount {
			t.Fatalf("Neighbours: %d changed the totals to %d/%d", limit, got.NeighbourCount, got.EvidenceCount)
		}
	}
}

func TestConceptPartsTrimEvidence(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	d, err := ix.Concept("start", graph.ConceptParts{Neighbours: 2, NeighbourEvidence: 0, Evidence: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(d.Neighbours, func(n graph.Neighbour) string { return n.ID }); !reflect.DeepEqual(got, []string{"strong", "steady"}) {
		t.Errorf("neighbours = %v, want the two strongest", got)
	}
	for _, n := range d.Neighbours {
		if n.Evidence == nil || len(n.Evidence) != 0 || len(n.Episodes) != 1 {
			t.Errorf("neighbour %s: evidence %#v, episodes %v; want no lines (non-nil) and its episode", n.ID, n.Evidence, n.Episodes)
		}
	}
	wantLine := graph.EpisodeEvidence{Episode: "ep-a", EpisodeTitle: "First", Line: 7, Text: "Start steady"}
	if len(d.Evidence) != 1 || d.Evidence[0] != wantLine {
		t.Errorf("evidence = %+v, want only %+v", d.Evidence, wantLine)
	}
	if len(d.Concept.Evidence) != 1 || d.Concept.Evidence[0].Line != 7 {
		t.Errorf("concept.evidence = %+v, want the same one line", d.Concept.Evidence)
	}
	if d.NeighbourCount != 3 || d.EvidenceCount != 4 {
		t.Errorf("counts = %d neighbours, %d lines; want the untrimmed 3 and 4", d.NeighbourCount, d.EvidenceCount)
	}
	if len(d.Episodes) != 2 {
		t.Errorf("episodes = %+v, want both (episodes are not trimmed)", d.Episodes)
	}

	none, err := ix.Concept("start", graph.ConceptParts{})
	if err != nil {
		t.Fatal(err)
	}
	if none.Neighbours == nil || len(none.Neighbours) != 0 || none.Evidence == nil || len(none.Evidence) != 0 || none.Concept.Evidence == nil || len(none.Concept.Evidence) != 0 {
		t.Errorf("zero parts = %+v, want empty non-nil neighbours and evidence", none)
	}
}

func TestConceptPartsOneNeighbour(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	d, err := ix.Concept("start", graph.ConceptParts{Neighbours: graph.All, NeighbourEvidence: graph.All, Evidence: 0, Neighbour: "steady"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Neighbours) != 1 || d.Neighbours[0].ID != "steady" || d.Neighbours[0].Weight != 2 || len(d.Neighbours[0].Evidence) != 1 {
		t.Errorf("neighbours = %+v, want only the link to steady with its line", d.Neighbours)
	}
	if d.NeighbourCount != 3 {
		t.Errorf("neighbour_count = %d, want all 3", d.NeighbourCount)
	}
	for _, other := range []string{"goal", "nope", "start"} { // not linked, unknown, itself
		_, err := ix.Concept("start", graph.ConceptParts{Neighbour: other})
		wantCode(t, err, graph.ENOTFOUND)
		if !strings.Contains(err.Error(), other) {
			t.Errorf("error %q does not name %q", err, other)
		}
	}
}

func TestNeighboursTieByLabel(t *testing.T) {
	g := graph.Build([]graph.EpisodeFacts{{
		Episode: graph.Episode{ID: "e"},
		Mentions: []graph.Mention{
			mention("hub", "Hub", graph.KindConcept, 1, "x"),
			mention("a", "Zulu", graph.KindConcept, 1, "x"),
			mention("b", "Alpha", graph.KindConcept, 1, "x"),
		},
		Links: []graph.Link{link("hub", "a", graph.RelCooccurs, 1, 1, "x"), link("hub", "b", graph.RelCooccurs, 1, 1, "x")},
	}})
	d, err := graph.NewIndex(g).Concept("hub", graph.AllOfConcept)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(d.Neighbours, func(n graph.Neighbour) string { return n.Label }); !reflect.DeepEqual(got, []string{"Alpha", "Zulu"}) {
		t.Errorf("equal-weight neighbours = %v, want sorted by label", got)
	}
}

func TestPathPrefersFewestHopsThenWidest(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	p, err := ix.Path("start", "goal")
	if err != nil {
		t.Fatal(err)
	}
	// Three two-hop paths exist: via strong (weakest link 1), via steady (2)
	// and via far (0.5). Exploring strongest-first alone would pick strong.
	if got := ids(p.Nodes, func(n graph.PathNode) string { return n.ID }); !p.Found || !reflect.DeepEqual(got, []string{"start", "steady", "goal"}) {
		t.Fatalf("path = %+v, want start-steady-goal", p)
	}
	wantHops := []graph.PathHop{
		{Source: "start", Target: "steady", Type: graph.RelCooccurs, Weight: 2, Evidence: []graph.Evidence{{Episode: "ep-a", Line: 7, Text: "Start steady"}}},
		{Source: "steady", Target: "goal", Type: graph.RelCause, Weight: 2, Evidence: []graph.Evidence{{Episode: "ep-a", Line: 8, Text: "steady leads to goal"}}},
	}
	if !reflect.DeepEqual(p.Hops, wantHops) {
		t.Errorf("hops = %+v, want %+v", p.Hops, wantHops)
	}

	// Reversed, the hops are oriented in the direction of travel.
	back, err := ix.Path("goal", "start")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Hops) != 2 || back.Hops[0].Source != "goal" || back.Hops[0].Target != "steady" || back.Hops[1].Target != "start" {
		t.Errorf("reverse hops = %+v", back.Hops)
	}

	// A direct relation wins however weak it is.
	direct, err := ix.Path("start", "far")
	if err != nil {
		t.Fatal(err)
	}
	if len(direct.Hops) != 1 || direct.Hops[0].Weight != 0.5 {
		t.Errorf("start-far = %+v, want the single weak hop", direct)
	}
}

func TestPathEdgeCases(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	self, err := ix.Path("goal", "goal")
	if err != nil {
		t.Fatal(err)
	}
	if !self.Found || len(self.Nodes) != 1 || self.Nodes[0].ID != "goal" || self.Nodes[0].Label != "Goal" || len(self.Hops) != 0 || self.Hops == nil {
		t.Errorf("goal->goal = %+v, want one node and no hops", self)
	}
	none, err := ix.Path("start", "island")
	if err != nil {
		t.Fatal(err)
	}
	if none.Found || none.Nodes == nil || len(none.Nodes) != 0 || none.Hops == nil || len(none.Hops) != 0 || none.From != "start" || none.To != "island" {
		t.Errorf("start->island = %#v, want found=false with empty slices", none)
	}
	_, err = ix.Path("start", "nowhere")
	wantCode(t, err, graph.ENOTFOUND)
	_, err = ix.Path("nowhere", "start")
	wantCode(t, err, graph.ENOTFOUND)
	_, err = ix.Path("", "start")
	wantCode(t, err, graph.EINVALID)
	_, err = ix.Path("start", "")
	wantCode(t, err, graph.EINVALID)
}

func TestEpisodes(t *testing.T) {
	ix := graph.NewIndex(queryGraph(t))
	eps := ix.Episodes()
	want := []graph.EpisodeSummary{
		{ID: "ep-a", Title: "First", Date: "2024-01-01", Source: "a.md", Guests: []string{}, Tags: []string{}, Concepts: 6},
		{ID: "ep-b", Title: "Second", Date: "2024-03-01", Source: "b.md", Show: "Show", Guests: []string{"Ada"}, Tags: []string{"ai"}, Concepts: 4},
	}
	if !reflect.DeepEqual(eps, want) {
		t.Fatalf("Episodes() = %+v, want %+v", eps, want)
	}

	d, err := ix.Episode("ep-b")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.Episode, want[1]) {
		t.Errorf("episode = %+v, want %+v", d.Episode, want[1])
	}
	wantConcepts := []graph.EpisodeConcept{
		{ID: "start", Label: "Start", Kind: graph.KindConcept, Mentions: 3},
		{ID: "cafe", Label: "Café Society", Kind: graph.KindWork, Mentions: 1},
		{ID: "goal", Label: "Goal", Kind: graph.KindConcept, Mentions: 1},
		{ID: "strong", Label: "Strong Link", Kind: graph.KindConcept, Mentions: 1},
	}
	if !reflect.DeepEqual(d.Concepts, wantConcepts) {
		t.Errorf("concepts = %+v, want %+v", d.Concepts, wantConcepts)
	}
	_, err = ix.Episode("ep-z")
	wantCode(t, err, graph.ENOTFOUND)
	_, err = ix.Episode("")
	wantCode(t, err, graph.EINVALID)
}

func TestEpisodesWithoutDateSortFirstThenByID(t *testing.T) {
	g := graph.Build([]graph.EpisodeFacts{
		{Episode: graph.Episode{ID: "c", Date: "2023-05"}},
		{Episode: graph.Episode{ID: "b"}},
		{Episode: graph.Episode{ID: "a", Date: "2023-05"}},
	})
	got := ids(graph.NewIndex(g).Episodes(), func(e graph.EpisodeSummary) string { return e.ID })
	if want := []string{"b", "a", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("episode order = %v, want %v", got, want)
	}
}

// Search keeps only the best hits while scanning; whatever the limit, its
// answer must be the head of the full ranking.
func TestSearchLimitKeepsTheHeadOfTheFullRanking(t *testing.T) {
	ix := graph.NewIndex(syntheticGraph(2000))
	for _, q := range []string{"m", "learning", "cafe", "policy 1", "9"} {
		all := ix.Search(q, 5000)
		if len(all) < 20 {
			t.Fatalf("Search(%q) found only %d; the test needs a long ranking", q, len(all))
		}
		for k := 1; k < len(all); k++ {
			if !rankedBefore(all[k-1], all[k], q) {
				t.Fatalf("Search(%q): %+v ranked before %+v", q, all[k-1], all[k])
			}
		}
		for _, limit := range []int{1, 2, 7, 10, 100} {
			got := ix.Search(q, limit)
			if want := all[:min(limit, len(all))]; !reflect.DeepEqual(got, want) {
				t.Errorf("Search(%q, %d) is not the head of the full ranking", q, limit)
			}
		}
	}
}

// rankedBefore checks the documented order: match kind, then PageRank, then label.
func rankedBefore(a, b graph.SearchHit, q string) bool {
	kind := func(h graph.SearchHit) int {
		text, query := graph.Fold(h.Matched), graph.Fold(q)
		switch {
		case text == query:
			return 0
		case len(text) >= len(query) && text[:len(query)] == query:
			return 1
		case strings.Contains(" "+text, " "+query):
			return 2
		}
		return 3
	}
	if ka, kb := kind(a), kind(b); ka != kb {
		return ka < kb
	}
	if a.PageRank != b.PageRank {
		return a.PageRank > b.PageRank
	}
	return a.Label <= b.Label
}

// A transcript's detail says what each speaker brought up most; notes have
// no speakers.
func TestEpisodeSpeakers(t *testing.T) {
	at := func(s float64) *float64 { return &s }
	m := func(c string, line int, text string) graph.Mention {
		return graph.Mention{Concept: c, Label: c, Kind: graph.KindConcept, Line: line, Text: text, Weight: 1}
	}
	facts := []graph.EpisodeFacts{{
		Episode: graph.Episode{ID: "talk", Source: "talk.vtt", URL: "https://example.org/talk", Audio: "https://example.org/talk.mp3"},
		Lines: []graph.Line{
			{Line: 3, Text: "moloch and ubi", Time: at(1), Speaker: "Liv"},
			{Line: 6, Text: "moloch", Time: at(9), Speaker: "Liv"},
			{Line: 9, Text: "ubi", Time: at(20), Speaker: "Igor"},
		},
		Mentions: []graph.Mention{m("moloch", 3, "moloch and ubi"), m("ubi", 3, "moloch and ubi"), m("moloch", 6, "moloch"), m("ubi", 9, "ubi")},
	}, {
		Episode:  graph.Episode{ID: "notes", Source: "notes.md"},
		Mentions: []graph.Mention{m("moloch", 1, "moloch")},
	}}
	ix := graph.NewIndex(graph.Build(facts))
	d, err := ix.Episode("talk")
	if err != nil {
		t.Fatal(err)
	}
	if d.Episode.URL != "https://example.org/talk" || d.Episode.Audio != "https://example.org/talk.mp3" {
		t.Errorf("episode summary %+v lacks its url and audio", d.Episode)
	}
	got := fmt.Sprint(d.Speakers)
	want := "[{Igor [{ubi ubi concept 1}]} {Liv [{moloch moloch concept 2} {ubi ubi concept 1}]}]"
	if got != want {
		t.Errorf("speakers %s, want %s", got, want)
	}
	if d, _ := ix.Episode("notes"); d.Speakers != nil {
		t.Errorf("notes have speakers %v", d.Speakers)
	}
}
