package storetest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Run checks that the stores made by open behave as graph.Store promises.
// open must return a new, EMPTY store on every call; Run closes it.
//
// Stores need not distinguish a nil slice from an empty one: the suite treats
// them as equal. Everything else must round-trip exactly, floats included.
func Run(t *testing.T, open func(t *testing.T) graph.Store) {
	t.Helper()
	tests := []struct {
		name string
		test func(t *testing.T, s graph.Store)
	}{
		{"Empty", testEmpty},
		{"RoundTrip", testRoundTrip},
		{"HostileText", testHostileText},
		{"EmptySlices", testEmptySlices},
		{"EpisodesSorted", testEpisodesSorted},
		{"ReplaceTwiceIsIdempotent", testReplaceIdempotent},
		{"ReplaceDropsWhatIsNoLongerSaid", testReplaceChanged},
		{"RemoveEpisodes", testRemoveEpisodes},
		{"ScoresRoundTrip", testScores},
		{"Version", testVersion},
		{"ReadEqualsBuild", testReadEqualsBuild},
		{"RejectsEmptyEpisodeID", testEmptyID},
		{"AnalyticsDueMark", testAnalyticsDue},
		{"OneTextPerLine", testOneTextPerLine},
		{"LinesOfOneEpisode", testLinesOfOneEpisode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.test(t, s)
		})
	}
}

func testEmpty(t *testing.T, s graph.Store) {
	ctx := context.Background()
	if eps := mustEpisodes(t, s); len(eps) != 0 {
		t.Errorf("Episodes of an empty store = %v, want none", eps)
	}
	if facts := mustFacts(t, s); len(facts) != 0 {
		t.Errorf("Facts of an empty store = %v, want none", facts)
	}
	scores, err := s.Scores(ctx)
	if err != nil {
		t.Fatalf("Scores: %v", err)
	}
	if len(scores) != 0 {
		t.Errorf("Scores of an empty store = %v, want none", scores)
	}
	if err := s.RemoveEpisodes(ctx, nil); err != nil {
		t.Errorf("RemoveEpisodes(nil) on an empty store: %v", err)
	}
}

func testRoundTrip(t *testing.T, s graph.Store) {
	corpus := Corpus()
	replaceAll(t, s, corpus)
	CheckFacts(t, sortedByID(corpus), mustFacts(t, s))
}

func testHostileText(t *testing.T, s graph.Store) {
	hostile := HostileFacts()
	plain := Corpus()[0]
	replaceAll(t, s, []graph.EpisodeFacts{plain, hostile})
	CheckFacts(t, sortedByID([]graph.EpisodeFacts{plain, hostile}), mustFacts(t, s))

	// Removing the hostile episode must remove exactly it.
	if err := s.RemoveEpisodes(context.Background(), []string{hostile.Episode.ID}); err != nil {
		t.Fatalf("RemoveEpisodes(hostile id): %v", err)
	}
	CheckFacts(t, []graph.EpisodeFacts{plain}, mustFacts(t, s))
}

func testEmptySlices(t *testing.T, s graph.Store) {
	bare := graph.EpisodeFacts{Episode: graph.Episode{ID: "bare", Source: "bare.txt", Title: "Bare"}}
	empty := graph.EpisodeFacts{
		Episode:  graph.Episode{ID: "empty", Source: "", Title: "", Guests: []string{}, Tags: []string{}},
		Mentions: []graph.Mention{},
		Links:    []graph.Link{},
	}
	// A mention and a link whose strings are all empty and numbers all zero.
	zero := graph.EpisodeFacts{Episode: graph.Episode{ID: "zero"}, Mentions: []graph.Mention{{}}, Links: []graph.Link{{}}}
	replaceAll(t, s, []graph.EpisodeFacts{zero, bare, empty})
	CheckFacts(t, []graph.EpisodeFacts{bare, empty, zero}, mustFacts(t, s))
}

func testEpisodesSorted(t *testing.T, s graph.Store) {
	// Sorted means Go's string order (bytes of UTF-8), as graph.Build sorts:
	// upper case before lower case, and U+FF21 before U+1F600, which a store
	// comparing UTF-16 code units (as Java does) would get wrong.
	ids := []string{"b", "a", "Zeta", "épisode", "😀 emoji", "\uff21 fullwidth", "a-1", "a 1", "10", "9"}
	var facts []graph.EpisodeFacts
	for i, id := range ids {
		f := Facts(id, nil, nil)
		f.Episode.Hash = fmt.Sprintf("hash-%d", i)
		facts = append(facts, f)
	}
	replaceAll(t, s, facts)
	want := sortedByID(facts)
	var wantEpisodes []graph.Episode
	for _, f := range want {
		wantEpisodes = append(wantEpisodes, f.Episode)
	}
	got := mustEpisodes(t, s)
	if !reflect.DeepEqual(normalizeEpisodes(wantEpisodes), normalizeEpisodes(got)) {
		t.Errorf("Episodes:\n got %v\nwant %v", idsOf(got), idsOf(wantEpisodes))
		for i := range min(len(got), len(wantEpisodes)) {
			if got[i].Hash != wantEpisodes[i].Hash {
				t.Errorf("episode %q: hash %q, want %q", got[i].ID, got[i].Hash, wantEpisodes[i].Hash)
			}
		}
	}
	CheckFacts(t, want, mustFacts(t, s))
}

func testReplaceIdempotent(t *testing.T, s graph.Store) {
	corpus := Corpus()
	replaceAll(t, s, corpus)
	replaceAll(t, s, corpus)
	CheckFacts(t, sortedByID(corpus), mustFacts(t, s))
	if n := len(mustEpisodes(t, s)); n != len(corpus) {
		t.Errorf("after replacing %d episodes twice, Episodes has %d", len(corpus), n)
	}
}

func testReplaceChanged(t *testing.T, s graph.Store) {
	corpus := Corpus()
	replaceAll(t, s, corpus)

	// Episode ep-b now says less, and differently: one mention kept, one new,
	// one link with a new type, new metadata throughout.
	changed := graph.EpisodeFacts{
		Episode: graph.Episode{
			ID: "ep-b", Source: "renamed/ep-b.txt", Title: "Retitled", Date: "2025-01-02", Show: "Other Show",
			Guests: []string{"Grace Hopper"}, Tags: nil, Hash: "changed",
		},
		Mentions: []graph.Mention{
			Mention("neural network", "Neural Networks", graph.KindConcept, 12, "Neural networks learn features", 1),
			Mention("compiler", "compiler", graph.KindWork, 20, "Compilers, e.g. COBOL", 0.75),
		},
		Links: []graph.Link{
			Link("compiler", "neural network", graph.RelExample, 2, 20, "Compilers, e.g. COBOL"),
		},
	}
	if err := s.ReplaceEpisode(context.Background(), changed); err != nil {
		t.Fatalf("ReplaceEpisode(changed ep-b): %v", err)
	}
	CheckFacts(t, sortedByID([]graph.EpisodeFacts{corpus[1], changed, corpus[2]}), mustFacts(t, s))

	// And to nothing at all.
	emptied := graph.EpisodeFacts{Episode: changed.Episode}
	if err := s.ReplaceEpisode(context.Background(), emptied); err != nil {
		t.Fatalf("ReplaceEpisode(emptied ep-b): %v", err)
	}
	CheckFacts(t, sortedByID([]graph.EpisodeFacts{corpus[1], emptied, corpus[2]}), mustFacts(t, s))
}

func testRemoveEpisodes(t *testing.T, s graph.Store) {
	ctx := context.Background()
	corpus := Corpus() // ep-b, ep-a, ep-c
	replaceAll(t, s, corpus)
	if err := s.RemoveEpisodes(ctx, []string{"ep-b", "no-such-episode"}); err != nil {
		t.Fatalf("RemoveEpisodes(ep-b, unknown): %v", err)
	}
	CheckFacts(t, []graph.EpisodeFacts{corpus[1], corpus[2]}, mustFacts(t, s))
	if err := s.RemoveEpisodes(ctx, []string{}); err != nil {
		t.Fatalf("RemoveEpisodes(empty list): %v", err)
	}
	if err := s.RemoveEpisodes(ctx, []string{"no-such-episode"}); err != nil {
		t.Fatalf("RemoveEpisodes(only unknown ids): %v", err)
	}
	CheckFacts(t, []graph.EpisodeFacts{corpus[1], corpus[2]}, mustFacts(t, s))
	if err := s.RemoveEpisodes(ctx, []string{"ep-c", "ep-a", "ep-a"}); err != nil {
		t.Fatalf("RemoveEpisodes(all, one twice): %v", err)
	}
	if facts := mustFacts(t, s); len(facts) != 0 {
		t.Errorf("after removing every episode, Facts = %v", facts)
	}
	if eps := mustEpisodes(t, s); len(eps) != 0 {
		t.Errorf("after removing every episode, Episodes = %v", eps)
	}
	// A removed episode can come back.
	replaceAll(t, s, corpus[:1])
	CheckFacts(t, corpus[:1], mustFacts(t, s))
}

// awkwardScores gives each concept of g scores whose decimal forms are long,
// tiny or huge, so a store that rounds through text or float32 fails.
func awkwardScores(g *graph.Graph) {
	for i := range g.Concepts {
		c := &g.Concepts[i]
		c.Degree = i + 1
		c.WeightedDegree = 0.1 + 0.2 + float64(i)
		c.PageRank = 1.0 / float64(3+i)
		c.Betweenness = math.Pi * math.Pow(10, float64(-150+75*(i%5)))
		c.Community = i % 2
	}
}

func testScores(t *testing.T, s graph.Store) {
	ctx := context.Background()
	corpus := Corpus()
	replaceAll(t, s, corpus)
	g := graph.Build(mustFacts(t, s))
	awkwardScores(g)
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatalf("SaveAnalytics: %v", err)
	}
	CheckScores(t, g.ScoresOf(), mustScores(t, s))

	// Saving again replaces: concepts absent from the new graph lose their scores.
	if err := s.RemoveEpisodes(ctx, []string{"ep-a", "ep-b"}); err != nil {
		t.Fatalf("RemoveEpisodes: %v", err)
	}
	g = graph.Build(mustFacts(t, s))
	awkwardScores(g)
	for i := range g.Concepts {
		g.Concepts[i].Community = 7
	}
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatalf("second SaveAnalytics: %v", err)
	}
	CheckScores(t, g.ScoresOf(), mustScores(t, s))

	if err := s.SaveAnalytics(ctx, &graph.Graph{}); err != nil {
		t.Fatalf("SaveAnalytics(empty graph): %v", err)
	}
	CheckScores(t, map[string]graph.Scores{}, mustScores(t, s))
}

func testVersion(t *testing.T, s graph.Store) {
	ctx := context.Background()
	seen := map[string]string{}
	check := func(after string) {
		t.Helper()
		v, err := s.Version(ctx)
		if err != nil {
			t.Fatalf("Version after %s: %v", after, err)
		}
		if again, err := s.Version(ctx); err != nil || again != v {
			t.Errorf("Version after %s changed without a write: %q then %q (err %v)", after, v, again, err)
		}
		if prev, dup := seen[v]; dup {
			t.Errorf("Version after %s = %q, the same as after %s", after, v, prev)
		}
		seen[v] = after
	}
	corpus := Corpus()
	check("open")
	if err := s.ReplaceEpisode(ctx, corpus[0]); err != nil {
		t.Fatal(err)
	}
	check("first ReplaceEpisode")
	if err := s.ReplaceEpisode(ctx, corpus[1]); err != nil {
		t.Fatal(err)
	}
	check("second ReplaceEpisode")
	changed := corpus[1]
	changed.Mentions = changed.Mentions[:1]
	if err := s.ReplaceEpisode(ctx, changed); err != nil {
		t.Fatal(err)
	}
	check("ReplaceEpisode of a changed episode")
	g := graph.Build(mustFacts(t, s))
	awkwardScores(g)
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	check("SaveAnalytics")
	if err := s.RemoveEpisodes(ctx, []string{corpus[0].Episode.ID}); err != nil {
		t.Fatal(err)
	}
	check("RemoveEpisodes")
}

func testReadEqualsBuild(t *testing.T, s graph.Store) {
	ctx := context.Background()
	corpus := append(Corpus(), HostileFacts())
	replaceAll(t, s, corpus)
	saved := graph.Build(corpus)
	awkwardScores(saved)
	if err := s.SaveAnalytics(ctx, saved); err != nil {
		t.Fatalf("SaveAnalytics: %v", err)
	}

	want := graph.Build(sortedByID(corpus))
	want.ApplyScores(saved.ScoresOf())
	got, err := graph.Read(ctx, s)
	if err != nil {
		t.Fatalf("graph.Read: %v", err)
	}
	normalizeGraph(want)
	normalizeGraph(got)
	if !reflect.DeepEqual(want.Episodes, got.Episodes) {
		t.Errorf("graph.Read episodes differ from graph.Build:\n got %+v\nwant %+v", got.Episodes, want.Episodes)
	}
	if len(got.Concepts) != len(want.Concepts) {
		t.Fatalf("graph.Read has %d concepts, graph.Build %d", len(got.Concepts), len(want.Concepts))
	}
	for i := range want.Concepts {
		if !reflect.DeepEqual(want.Concepts[i], got.Concepts[i]) {
			t.Errorf("concept %d:\n got %+v\nwant %+v", i, got.Concepts[i], want.Concepts[i])
		}
	}
	if !reflect.DeepEqual(want.Relations, got.Relations) {
		t.Errorf("graph.Read relations differ from graph.Build:\n got %+v\nwant %+v", got.Relations, want.Relations)
	}
}

func testEmptyID(t *testing.T, s graph.Store) {
	err := s.ReplaceEpisode(context.Background(), Facts("", nil, nil))
	if err == nil {
		t.Fatal("ReplaceEpisode with an empty episode id succeeded")
	}
	if code := graph.ErrorCode(err); code != graph.EINVALID {
		t.Errorf("ReplaceEpisode with an empty episode id: error code %q (%v), want %q", code, err, graph.EINVALID)
	}
	if eps := mustEpisodes(t, s); len(eps) != 0 {
		t.Errorf("a rejected episode was stored: %v", eps)
	}
}

func testOneTextPerLine(t *testing.T, s graph.Store) {
	ctx := context.Background()
	stored := Corpus()[1]
	replaceAll(t, s, []graph.EpisodeFacts{stored})
	clash := func(name string, edit func(f *graph.EpisodeFacts)) {
		t.Helper()
		f := Corpus()[1]
		f.Lines = append([]graph.Line(nil), f.Lines...)
		edit(&f)
		err := s.ReplaceEpisode(ctx, f)
		if code := graph.ErrorCode(err); code != graph.EINVALID {
			t.Errorf("%s: ReplaceEpisode gave %v (code %q), want an %s error", name, err, code, graph.EINVALID)
		}
	}
	clash("a mention's text differs from its line's", func(f *graph.EpisodeFacts) { f.Mentions[0].Text = "something else" })
	clash("a link's text differs from its line's", func(f *graph.EpisodeFacts) { f.Links[0].Text = "something else" })
	clash("a line given twice with two texts", func(f *graph.EpisodeFacts) {
		f.Lines = append(f.Lines, graph.Line{Line: f.Lines[0].Line, Text: "another text"})
	})
	clash("two mentions of one line, with no line given", func(f *graph.EpisodeFacts) {
		f.Lines = nil
		f.Mentions[1].Text = "the same line, said otherwise"
	})
	// The rejected writes left the stored episode alone.
	CheckFacts(t, []graph.EpisodeFacts{stored}, mustFacts(t, s))

	// The same line given twice, identically, is stored once.
	f := Corpus()[1]
	f.Lines = append(slices.Clone(f.Lines), f.Lines[1])
	if err := s.ReplaceEpisode(ctx, f); err != nil {
		t.Fatalf("ReplaceEpisode with a line repeated identically: %v", err)
	}
	CheckFacts(t, []graph.EpisodeFacts{stored}, mustFacts(t, s))
}

// CheckFacts reports how got differs from want, field by field, treating nil
// and empty slices as equal. want's lines are what a store must keep for it
// (graph.LinesOf): its Lines plus the lines its mentions and links name.
func CheckFacts(t testing.TB, want, got []graph.EpisodeFacts) {
	t.Helper()
	want = slices.Clone(want)
	for i := range want {
		lines, err := graph.LinesOf(want[i])
		if err != nil {
			t.Fatalf("CheckFacts: the wanted facts are not valid: %v", err)
		}
		want[i].Lines = lines
	}
	want, got = normalizeFacts(want), normalizeFacts(got)
	if reflect.DeepEqual(want, got) {
		return
	}
	if len(want) != len(got) {
		t.Errorf("Facts returned %d episodes %q, want %d %q", len(got), factIDs(got), len(want), factIDs(want))
		return
	}
	for i := range want {
		w, g := want[i], got[i]
		if !reflect.DeepEqual(w.Episode, g.Episode) {
			t.Errorf("episode %d:\n got %+v\nwant %+v", i, g.Episode, w.Episode)
		}
		if len(w.Mentions) != len(g.Mentions) {
			t.Errorf("episode %q: %d mentions, want %d", w.Episode.ID, len(g.Mentions), len(w.Mentions))
		} else {
			for j := range w.Mentions {
				if w.Mentions[j] != g.Mentions[j] {
					t.Errorf("episode %q mention %d:\n got %+v\nwant %+v", w.Episode.ID, j, g.Mentions[j], w.Mentions[j])
				}
			}
		}
		if !reflect.DeepEqual(w.Lines, g.Lines) {
			t.Errorf("episode %q lines:\n got %s\nwant %s", w.Episode.ID, showLines(g.Lines), showLines(w.Lines))
		}
		if len(w.Links) != len(g.Links) {
			t.Errorf("episode %q: %d links, want %d", w.Episode.ID, len(g.Links), len(w.Links))
		} else {
			for j := range w.Links {
				if w.Links[j] != g.Links[j] {
					t.Errorf("episode %q link %d:\n got %+v\nwant %+v", w.Episode.ID, j, g.Links[j], w.Links[j])
				}
			}
		}
	}
}

// CheckScores reports how got differs from want; floats must agree to 1e-12.
func CheckScores(t testing.TB, want, got map[string]graph.Scores) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("Scores has %d concepts, want %d", len(got), len(want))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("Scores lacks concept %q", id)
			continue
		}
		if g.Degree != w.Degree || g.Community != w.Community ||
			!near(g.WeightedDegree, w.WeightedDegree) || !near(g.PageRank, w.PageRank) ||
			!near(g.Betweenness, w.Betweenness) {
			t.Errorf("Scores[%q] = %+v, want %+v", id, g, w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("Scores has unexpected concept %q", id)
		}
	}
}

func replaceAll(t *testing.T, s graph.Store, facts []graph.EpisodeFacts) {
	t.Helper()
	for _, f := range facts {
		if err := s.ReplaceEpisode(context.Background(), f); err != nil {
			t.Fatalf("ReplaceEpisode(%q): %v", f.Episode.ID, err)
		}
	}
}

func mustFacts(t *testing.T, s graph.Store) []graph.EpisodeFacts {
	t.Helper()
	facts, err := s.Facts(context.Background())
	if err != nil {
		t.Fatalf("Facts: %v", err)
	}
	return facts
}

func mustEpisodes(t *testing.T, s graph.Store) []graph.Episode {
	t.Helper()
	eps, err := s.Episodes(context.Background())
	if err != nil {
		t.Fatalf("Episodes: %v", err)
	}
	return eps
}

func mustScores(t *testing.T, s graph.Store) map[string]graph.Scores {
	t.Helper()
	scores, err := s.Scores(context.Background())
	if err != nil {
		t.Fatalf("Scores: %v", err)
	}
	return scores
}

func sortedByID(facts []graph.EpisodeFacts) []graph.EpisodeFacts {
	out := slices.Clone(facts)
	slices.SortFunc(out, func(a, b graph.EpisodeFacts) int {
		switch {
		case a.Episode.ID < b.Episode.ID:
			return -1
		case a.Episode.ID > b.Episode.ID:
			return 1
		}
		return 0
	})
	return out
}

// normalizeFacts returns a copy of facts with empty slices made nil.
func normalizeFacts(facts []graph.EpisodeFacts) []graph.EpisodeFacts {
	if len(facts) == 0 {
		return nil
	}
	out := make([]graph.EpisodeFacts, len(facts))
	for i, f := range facts {
		out[i] = graph.EpisodeFacts{
			Episode:  normalizeEpisodes([]graph.Episode{f.Episode})[0],
			Mentions: nilIfEmpty(f.Mentions),
			Links:    nilIfEmpty(f.Links),
			Lines:    nilIfEmpty(f.Lines),
		}
	}
	return out
}

func normalizeEpisodes(eps []graph.Episode) []graph.Episode {
	if len(eps) == 0 {
		return nil
	}
	out := slices.Clone(eps)
	for i := range out {
		out[i].Guests = nilIfEmpty(out[i].Guests)
		out[i].Tags = nilIfEmpty(out[i].Tags)
	}
	return out
}

func normalizeGraph(g *graph.Graph) {
	g.Episodes = normalizeEpisodes(g.Episodes)
}

func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func factIDs(facts []graph.EpisodeFacts) []string {
	ids := make([]string, len(facts))
	for i, f := range facts {
		ids[i] = f.Episode.ID
	}
	return ids
}

func idsOf(eps []graph.Episode) []string {
	ids := make([]string, len(eps))
	for i, e := range eps {
		ids[i] = e.ID
	}
	return ids
}

// testAnalyticsDue: the mark starts clear, survives until cleared, is
// idempotent both ways, and leaves Version alone (it is not graph data).
func testAnalyticsDue(t *testing.T, s graph.Store) {
	ctx := context.Background()
	due := func(want bool) {
		t.Helper()
		got, err := s.AnalyticsDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("AnalyticsDue = %v, want %v", got, want)
		}
	}
	due(false)
	replaceAll(t, s, Corpus()[:1])
	before, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []bool{true, true, false, false, true} {
		if err := s.SetAnalyticsDue(ctx, set); err != nil {
			t.Fatal(err)
		}
		due(set)
	}
	after, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Errorf("the mark changed Version from %s to %s", before, after)
	}
}

// showLines prints lines with their times, not the times' addresses.
func showLines(lines []graph.Line) string {
	var b strings.Builder
	for _, l := range lines {
		t := "-"
		if l.Time != nil {
			t = fmt.Sprint(*l.Time)
		}
		fmt.Fprintf(&b, "\n  {%d %q kind=%q time=%s speaker=%q}", l.Line, l.Text, l.Kind, t, l.Speaker)
	}
	return b.String()
}

// testLinesOfOneEpisode: Lines returns one episode's lines as stored, by
// line number, times and speakers included; an unknown episode is
// ENOTFOUND; an episode without lines gives an empty list.
func testLinesOfOneEpisode(t *testing.T, s graph.Store) {
	ctx := context.Background()
	corpus := Corpus()
	replaceAll(t, s, corpus)
	for _, f := range corpus {
		want, err := graph.LinesOf(f)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(want, func(a, b graph.Line) int { return a.Line - b.Line })
		got, err := s.Lines(ctx, f.Episode.ID)
		if err != nil {
			t.Fatalf("Lines(%q): %v", f.Episode.ID, err)
		}
		if showLines(got) != showLines(want) {
			t.Errorf("Lines(%q):%s\nwant:%s", f.Episode.ID, showLines(got), showLines(want))
		}
	}
	if _, err := s.Lines(ctx, "no-such-episode"); graph.ErrorCode(err) != graph.ENOTFOUND {
		t.Errorf("Lines of an unknown episode: %v, want %s", err, graph.ENOTFOUND)
	}
	empty := graph.EpisodeFacts{Episode: graph.Episode{ID: "empty", Source: "empty.md", Title: "Empty"}}
	if err := s.ReplaceEpisode(ctx, empty); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Lines(ctx, "empty"); err != nil || got == nil || len(got) != 0 {
		t.Errorf("Lines of an episode without lines = %v, %v; want an empty list", got, err)
	}
}
