package graph_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// insightEpisode is a hand-written episode: each line mentions the listed
// concepts and links every pair of them with strength 1.
type insightEpisode struct {
	id, date string
	lines    [][]string
}

// The corpus of the Insights tests. Theme X is x1, x2, x3 and b; theme Y is
// y1, y2, y3; b joins them (x1–b–y1); lone is mentioned but never related.
// Relation weights (evidence lines): x1–x2 2, x1–x3 1, x2–x3 2, x1–b 1,
// b–y1 2, and 2 for each pair of Y.
var insightCorpus = []insightEpisode{
	{"e1", "2024-01-10", [][]string{{"x1", "x2"}, {"x1", "x3"}, {"x2", "x3"}, {"x1"}}},
	{"e2", "2024-02", [][]string{{"x1", "x2"}, {"x3"}}},
	{"e3", "2024-03-05", [][]string{{"y1", "y2", "y3"}}},
	{"e4", "2024-04-01", [][]string{{"y1", "y2", "y3"}}},
	{"e5", "", [][]string{{"x1", "b"}, {"b", "y1"}}},
	{"e6", "2023-12-01", [][]string{{"x2", "x3"}}},
	{"e7", "2024-05-01", [][]string{{"b", "y1"}, {"lone"}}},
}

// insightCommunity is the partition the tests store, so that they depend on
// the Insights code and not on what Louvain finds.
var insightCommunity = map[string]int{"x1": 0, "x2": 0, "x3": 0, "b": 0, "y1": 1, "y2": 1, "y3": 1, "lone": 2}

func insightFacts(corpus []insightEpisode) []graph.EpisodeFacts {
	var facts []graph.EpisodeFacts
	for _, e := range corpus {
		f := graph.EpisodeFacts{Episode: graph.Episode{ID: e.id, Title: "Episode " + e.id, Date: e.date, Source: e.id + ".md"}}
		for n, line := range e.lines {
			text := strings.Join(line, " and ")
			for _, c := range line {
				f.Mentions = append(f.Mentions, graph.Mention{Concept: c, Label: strings.ToUpper(c), Kind: graph.KindConcept, Line: n + 1, Text: text, Weight: 1})
			}
			for a := range line {
				for b := a + 1; b < len(line); b++ {
					s, t := min(line[a], line[b]), max(line[a], line[b])
					f.Links = append(f.Links, graph.Link{Source: s, Target: t, Type: graph.RelCooccurs, Strength: 1, Line: n + 1, Text: text})
				}
			}
		}
		facts = append(facts, f)
	}
	return facts
}

func insightGraph(t *testing.T) *graph.Graph {
	t.Helper()
	g := graph.Build(insightFacts(insightCorpus))
	graph.Analyze(g)
	for i := range g.Concepts {
		c, ok := insightCommunity[g.Concepts[i].ID]
		if !ok {
			t.Fatalf("concept %q has no community in the test", g.Concepts[i].ID)
		}
		g.Concepts[i].Community = c
	}
	return g
}

func newTestInsights(t *testing.T) (*graph.Insights, *graph.Graph) {
	g := insightGraph(t)
	return graph.NewInsights(g), g
}

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

func pick[T any](items []T, key func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = key(it)
	}
	return out
}

func checkCode(t *testing.T, err error, code, mentions string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := graph.ErrorCode(err); got != code {
		t.Errorf("error %q has code %s, want %s", err, got, code)
	}
	if !strings.Contains(err.Error(), mentions) {
		t.Errorf("error %q does not mention %q", err, mentions)
	}
}

func TestThemes(t *testing.T) {
	in, g := newTestInsights(t)
	got := in.Themes()
	if !approx(got.Modularity, graph.Modularity(g)) || got.Modularity <= 0 {
		t.Errorf("modularity %v, want Modularity(g) = %v > 0", got.Modularity, graph.Modularity(g))
	}
	if len(got.Themes) != 2 {
		t.Fatalf("themes %+v, want X and Y (lone is no theme)", got.Themes)
	}
	x, y := got.Themes[0], got.Themes[1]
	if x.ID != 0 || x.Size != 4 || x.EpisodeCount != 4 || y.ID != 1 || y.Size != 3 || y.EpisodeCount != 2 {
		t.Errorf("X = %d size %d in %d episodes, Y = %d size %d in %d; want 0/4/4, 1/3/2",
			x.ID, x.Size, x.EpisodeCount, y.ID, y.Size, y.EpisodeCount)
	}
	// x1 and x2 have the most weight in X; b, a leaf of X, the least.
	top := pick(x.Top, func(c graph.ThemeConcept) string { return c.ID })
	if len(top) != 4 || !sameSet(top[:2], []string{"x1", "x2"}) || top[3] != "b" {
		t.Errorf("X top %v, want x1 and x2 first, b last", top)
	}
	for k := 1; k < len(x.Top); k++ {
		if x.Top[k].PageRank > x.Top[k-1].PageRank {
			t.Errorf("X top not by PageRank: %+v", x.Top)
		}
	}
	wantLabel := strings.Join(pick(x.Top[:3], func(c graph.ThemeConcept) string { return c.Label }), " · ")
	if x.Label != wantLabel || strings.Count(x.Label, " · ") != 2 {
		t.Errorf("X label %q, want %q", x.Label, wantLabel)
	}
	// e1 and e2 mention all of X's x-concepts (3, share 1, by date), e6 two of
	// its two concepts (share 1), e5 two of three (x1 and b, beside y1).
	if eps := pick(x.Episodes, func(e graph.ThemeEpisode) string { return e.ID }); !slices.Equal(eps, []string{"e1", "e2", "e6", "e5"}) {
		t.Errorf("X episodes %v, want [e1 e2 e6 e5]", eps)
	}
	if e5 := x.Episodes[3]; e5.Concepts != 2 || !approx(e5.Share, 2.0/3) {
		t.Errorf("X in e5: %+v, want 2 concepts, share 2/3", e5)
	}
	// y1 alone in e5 and e7 is a passing mention: Y occurs in e3 and e4 only.
	if eps := pick(y.Episodes, func(e graph.ThemeEpisode) string { return e.ID }); !slices.Equal(eps, []string{"e3", "e4"}) {
		t.Errorf("Y episodes %v, want [e3 e4]", eps)
	}
}

func TestTimelineAndRecurring(t *testing.T) {
	in, _ := newTestInsights(t)
	tl, err := in.Timeline("b")
	if err != nil {
		t.Fatal(err)
	}
	// Dated episodes first, the undated e5 last.
	if tl.Concept.ID != "b" || tl.Concept.Label != "B" || tl.First != "e7" || tl.Last != "e5" {
		t.Errorf("timeline of b: %+v", tl)
	}
	if len(tl.Episodes) != 2 || tl.Episodes[0].Mentions != 1 || tl.Episodes[1].Mentions != 2 || tl.Episodes[0].Date != "2024-05-01" {
		t.Errorf("b's episodes %+v, want e7 (1 mention), e5 (2)", tl.Episodes)
	}
	tl, err = in.Timeline("x1")
	if err != nil {
		t.Fatal(err)
	}
	if eps := pick(tl.Episodes, func(e graph.TimelineEpisode) string { return e.ID }); !slices.Equal(eps, []string{"e1", "e2", "e5"}) || tl.Episodes[0].Mentions != 3 {
		t.Errorf("x1's episodes %+v, want e1 (3 mentions), e2, e5", tl.Episodes)
	}

	_, err = in.Timeline("")
	checkCode(t, err, graph.EINVALID, "concept id")
	_, err = in.Timeline("nope")
	checkCode(t, err, graph.ENOTFOUND, `"nope"`)

	rec := in.Recurring(4)
	// y1 occurs in four episodes; x1, x2 and x3 in three each, ties by PageRank.
	if ids := pick(rec, func(r graph.RecurringConcept) string { return r.ID }); len(ids) != 4 || ids[0] != "y1" || !sameSet(ids[1:], []string{"x1", "x2", "x3"}) {
		t.Errorf("recurring %v, want y1, then x1, x2, x3", ids)
	}
	if y1 := rec[0]; y1.Episodes != 4 || y1.FirstEpisode != "e3" || y1.LastEpisode != "e5" || y1.LastDate != "" {
		t.Errorf("y1: %+v, want 4 episodes from e3 to the undated e5", y1)
	}
	for k, r := range rec[1:] {
		if r.Episodes != 3 || (k > 0 && r.PageRank > rec[k].PageRank) {
			t.Errorf("recurring %d: %+v (3 episodes, by PageRank)", k+1, r)
		}
	}
	for _, r := range rec {
		if r.ID == "x2" && (r.FirstEpisode != "e6" || r.FirstDate != "2023-12-01" || r.LastEpisode != "e2" || r.LastDate != "2024-02" || r.Mentions != 4) {
			t.Errorf("x2: %+v, want e6 (2023-12-01) to e2 (2024-02), 4 mentions", r)
		}
	}
	if all := in.Recurring(100); len(all) != 8 || all[7].ID != "lone" && all[7].Episodes != 1 {
		t.Errorf("recurring(100) has %d concepts, want 8", len(all))
	}
	if none := in.Recurring(0); none == nil || len(none) != 0 {
		t.Errorf("recurring(0) = %#v, want empty", none)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestBridges(t *testing.T) {
	in, _ := newTestInsights(t)
	got := in.Bridges(10)
	if ids := pick(got, func(b graph.Bridge) string { return b.ID }); !slices.Equal(ids, []string{"b", "y1"}) {
		t.Fatalf("bridges %v, want [b y1]", ids)
	}
	// b is on the shortest paths of the 9 pairs X×Y (x1..x3 with y1..y3), y1
	// on the 8 of {x1, x2, x3, b}×{y2, y3}; 8 concepts make 21 pairs.
	b, y1 := got[0], got[1]
	if !approx(b.Betweenness, 9.0/21) || !approx(y1.Betweenness, 8.0/21) {
		t.Errorf("betweenness b %v y1 %v, want 9/21, 8/21", b.Betweenness, y1.Betweenness)
	}
	// Both first met the other theme in e7 (2024-05-01): e5 has the same link but no date.
	if !slices.Equal(b.Themes, []int{0, 1}) || b.Theme != 0 || b.FirstEpisode != "e7" || b.FirstDate != "2024-05-01" || y1.FirstEpisode != "e7" {
		t.Errorf("b: %+v, y1: %+v", b, y1)
	}
	if one := in.Bridges(1); len(one) != 1 || one[0].ID != "b" {
		t.Errorf("bridges(1) = %+v", one)
	}
}

func TestGaps(t *testing.T) {
	in, _ := newTestInsights(t)
	gaps := in.Gaps(10)
	if len(gaps) != 1 {
		t.Fatalf("gaps %+v, want X–Y only", gaps)
	}
	gap := gaps[0]
	if gap.A.Theme != 0 || gap.A.Episodes != 4 || gap.B.Theme != 1 || gap.B.Episodes != 2 || gap.SharedEpisodes != 0 {
		t.Errorf("gap %+v", gap)
	}
	if !approx(gap.Expected, 8.0/7) {
		t.Errorf("expected %v, want 4×2/7", gap.Expected)
	}
	// P(no shared episode) = C(3,2)/C(7,2) = 1/7 when Y's two episodes are
	// drawn from seven, four of which hold X.
	if !approx(gap.Score, math.Log10(7)) {
		t.Errorf("score %v, want log10(7) = %v", gap.Score, math.Log10(7))
	}
	if gap.A.Label == "" || gap.B.Label == "" {
		t.Errorf("gap without labels: %+v", gap)
	}
	// y1 (in Y, related to b) and b (in X, related to y1) are one hop from the
	// other theme; y1 has more neighbours in all. x1 is two hops from Y.
	closest := pick(gap.Closest, func(c graph.BridgeCandidate) string { return c.ID })
	if len(closest) != 5 || !slices.Equal(closest[:3], []string{"y1", "b", "x1"}) {
		t.Errorf("closest %v, want [y1 b x1 ...] (five)", closest)
	}
	if c := gap.Closest[1]; c.DistanceA != 0 || c.DistanceB != 1 || c.NeighboursA != 1 || c.NeighboursB != 1 {
		t.Errorf("b as a candidate: %+v", c)
	}
}

func TestHypergeometricScoreOnALargerCorpus(t *testing.T) {
	// Theme P (p1, p2) in episodes 0–5, theme Q (q1, q2) in 6–11, and 8
	// episodes with both: 20 episodes, P in 14, Q in 14, 8 shared.
	// Expected 14×14/20 = 9.8 > 8, so it is a (weak) gap with
	// P(X ≤ 8) = Σ_{x=8}^{8} C(14,x)C(6,14−x)/C(20,14) = C(14,8)·C(6,6)/C(20,14).
	var corpus []insightEpisode
	for e := range 20 {
		var lines [][]string
		switch {
		case e < 6:
			lines = [][]string{{"p1", "p2"}}
		case e < 12:
			lines = [][]string{{"q1", "q2"}}
		default:
			lines = [][]string{{"p1", "p2"}, {"q1", "q2"}, {"p2", "q1"}}
		}
		corpus = append(corpus, insightEpisode{fmt.Sprintf("e%02d", e), "", lines})
	}
	g := graph.Build(insightFacts(corpus))
	graph.Analyze(g)
	for i := range g.Concepts {
		g.Concepts[i].Community = map[string]int{"p1": 0, "p2": 0, "q1": 1, "q2": 1}[g.Concepts[i].ID]
	}
	gaps := graph.NewInsights(g).Gaps(5)
	if len(gaps) != 1 {
		t.Fatalf("gaps %+v", gaps)
	}
	want := -math.Log10(3003.0 / 38760) // C(14,8) = 3003, C(20,14) = 38760
	if gaps[0].SharedEpisodes != 8 || !approx(gaps[0].Expected, 9.8) || math.Abs(gaps[0].Score-want) > 1e-9 {
		t.Errorf("gap %+v, want 8 shared, expected 9.8, score %v", gaps[0], want)
	}
}

func TestSimilar(t *testing.T) {
	in, _ := newTestInsights(t)
	got, err := in.Similar("e1", 10)
	if err != nil {
		t.Fatal(err)
	}
	// e1 = (x1 3, x2 2, x3 2); each x is in 3 of 7 episodes, b in 2, y1 in 4.
	idfX, idfB, idfY1 := math.Log(7.0/3), math.Log(7.0/2), math.Log(7.0/4)
	normE1 := idfX * math.Sqrt(9+4+4)
	want := map[string]float64{
		"e2": 7 * idfX * idfX / (normE1 * idfX * math.Sqrt(3)),                          // (1, 1, 1)
		"e6": 4 * idfX * idfX / (normE1 * idfX * math.Sqrt(2)),                          // (0, 1, 1)
		"e5": 3 * idfX * idfX / (normE1 * math.Sqrt(idfX*idfX+4*idfB*idfB+idfY1*idfY1)), // x1 1, b 2, y1 1
	}
	if ids := pick(got, func(s graph.EpisodeSimilarity) string { return s.ID }); !slices.Equal(ids, []string{"e2", "e6", "e5"}) {
		t.Fatalf("similar to e1: %v, want [e2 e6 e5]", ids)
	}
	for _, s := range got {
		if !approx(s.Similarity, want[s.ID]) {
			t.Errorf("similarity(e1, %s) = %v, want %v", s.ID, s.Similarity, want[s.ID])
		}
	}
	if got[0].SharedConcepts != 3 || got[2].SharedConcepts != 1 || got[0].Date != "2024-02" {
		t.Errorf("shared concepts %+v", got)
	}
	if one, _ := in.Similar("e1", 1); len(one) != 1 || one[0].ID != "e2" {
		t.Errorf("similar(e1, 1) = %+v", one)
	}
	_, err = in.Similar("e9", 3)
	checkCode(t, err, graph.ENOTFOUND, `"e9"`)
}

func TestCompare(t *testing.T) {
	in, _ := newTestInsights(t)
	cmp, err := in.Compare("e1", "e5")
	if err != nil {
		t.Fatal(err)
	}
	if cmp.A.ID != "e1" || cmp.B.ID != "e5" || cmp.A.Concepts != 3 || cmp.B.Concepts != 3 {
		t.Errorf("sides %+v %+v", cmp.A, cmp.B)
	}
	sim, _ := in.Similar("e1", 10)
	if !approx(cmp.Similarity, sim[2].Similarity) {
		t.Errorf("similarity %v, Similar says %v", cmp.Similarity, sim[2].Similarity)
	}
	if len(cmp.Shared) != 1 || cmp.Shared[0] != (graph.ComparedConcept{ID: "x1", Label: "X1", Kind: graph.KindConcept, MentionsA: 3, MentionsB: 1}) {
		t.Errorf("shared %+v", cmp.Shared)
	}
	if ids := pick(cmp.OnlyA, func(c graph.ComparedConcept) string { return c.ID }); !slices.Equal(ids, []string{"x2", "x3"}) {
		t.Errorf("only in e1: %v", ids)
	}
	// b has two mentions in e5, y1 one.
	if ids := pick(cmp.OnlyB, func(c graph.ComparedConcept) string { return c.ID }); !slices.Equal(ids, []string{"b", "y1"}) || cmp.OnlyB[0].MentionsB != 2 {
		t.Errorf("only in e5: %+v", cmp.OnlyB)
	}
	if len(cmp.SharedLinks) != 0 {
		t.Errorf("shared links %+v, want none", cmp.SharedLinks)
	}

	cmp, err = in.Compare("e1", "e2")
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Shared) != 3 || len(cmp.OnlyA) != 0 || len(cmp.OnlyB) != 0 {
		t.Errorf("e1/e2: %+v", cmp)
	}
	// Only x1–x2 is evidenced in both (line 1 of each).
	if len(cmp.SharedLinks) != 1 {
		t.Fatalf("shared links %+v, want x1–x2", cmp.SharedLinks)
	}
	l := cmp.SharedLinks[0]
	if l.Source != "x1" || l.Target != "x2" || l.Weight != 2 ||
		!slices.Equal(l.EvidenceA, []graph.Evidence{{Episode: "e1", Line: 1, Text: "x1 and x2"}}) ||
		!slices.Equal(l.EvidenceB, []graph.Evidence{{Episode: "e2", Line: 1, Text: "x1 and x2"}}) {
		t.Errorf("shared link %+v", l)
	}

	_, err = in.Compare("e1", "")
	checkCode(t, err, graph.EINVALID, "b: ")
	_, err = in.Compare("zz", "e1")
	checkCode(t, err, graph.ENOTFOUND, `a: episode "zz"`)
}

func TestEpisodeGraph(t *testing.T) {
	in, full := newTestInsights(t)
	g, err := in.EpisodeGraph("e1")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Episodes) != 1 || g.Episodes[0].ID != "e1" {
		t.Errorf("episodes %+v", g.Episodes)
	}
	if ids := pick(g.Concepts, func(c graph.Concept) string { return c.ID }); !slices.Equal(ids, []string{"x1", "x2", "x3"}) {
		t.Fatalf("concepts %v", ids)
	}
	// Each relation has one of its evidence lines here: x1–x2 (2 lines in all,
	// weight 2) and x2–x3 (2, weight 2) scale to 1, x1–x3 keeps its 1.
	for _, r := range g.Relations {
		if r.Weight != 1 || len(r.Evidence) != 1 || r.Evidence[0].Episode != "e1" || !slices.Equal(r.Episodes, []string{"e1"}) {
			t.Errorf("relation %+v", r)
		}
	}
	// A triangle of equal weights: everything is symmetric.
	for _, c := range g.Concepts {
		if !approx(c.PageRank, 1.0/3) || c.Degree != 2 || c.Betweenness != 0 || !slices.Equal(c.Episodes, []string{"e1"}) {
			t.Errorf("concept %+v", c)
		}
	}
	if c := g.Concepts[0]; len(c.Evidence) != 3 || c.Mentions != 3 {
		t.Errorf("x1 in e1: %d evidence lines, %d mentions, want 3 and 3", len(c.Evidence), c.Mentions)
	}
	if full.Concepts[slices.IndexFunc(full.Concepts, func(c graph.Concept) bool { return c.ID == "x1" })].Mentions != 5 {
		t.Errorf("EpisodeGraph changed the full graph")
	}
	_, err = in.EpisodeGraph(" ")
	checkCode(t, err, graph.EINVALID, "episode id")
}

func TestWindow(t *testing.T) {
	in, _ := newTestInsights(t)
	g, err := in.Window("2024-01", "2024-02")
	if err != nil {
		t.Fatal(err)
	}
	if eps := pick(g.Episodes, func(e graph.Episode) string { return e.ID }); !slices.Equal(eps, []string{"e1", "e2"}) {
		t.Errorf("episodes %v, want e1, e2", eps)
	}
	weights := map[string]float64{}
	for _, r := range g.Relations {
		weights[r.Source+"-"+r.Target] = r.Weight
	}
	// x1–x2 has both its lines in the window; x2–x3 one of two (e6 is 2023).
	if want := map[string]float64{"x1-x2": 2, "x1-x3": 1, "x2-x3": 1}; !mapsEqual(weights, want) {
		t.Errorf("weights %v, want %v", weights, want)
	}
	var total float64
	for _, c := range g.Concepts {
		total += c.PageRank
	}
	if !approx(total, 1) || len(g.Concepts) != 3 {
		t.Errorf("window not analysed: %d concepts, PageRank sums to %v", len(g.Concepts), total)
	}

	cases := []struct {
		from, to string
		want     []string
	}{
		{"2024", "2024", []string{"e1", "e2", "e3", "e4", "e7"}},     // no undated, no 2023
		{"2024-02-15", "2024-03", []string{"e2", "e3"}},              // the month 2024-02 overlaps the from bound
		{"", "", []string{"e1", "e2", "e3", "e4", "e5", "e6", "e7"}}, // everything, undated included
		{"", "2023-12-31", []string{"e6"}},                           // open start
		{"2024-04-01", "", []string{"e4", "e7"}},                     // open end
		{"2030", "", []string{}},                                     // nothing
	}
	for _, c := range cases {
		g, err := in.Window(c.from, c.to)
		if err != nil {
			t.Errorf("window %q..%q: %v", c.from, c.to, err)
			continue
		}
		if eps := pick(g.Episodes, func(e graph.Episode) string { return e.ID }); !slices.Equal(eps, c.want) {
			t.Errorf("window %q..%q has %v, want %v", c.from, c.to, eps, c.want)
		}
	}
	again, _ := in.Window("2024-01", "2024-02")
	if again != g {
		t.Errorf("the same window was analysed again rather than reused")
	}

	_, err = in.Window("2024-13-x", "")
	checkCode(t, err, graph.EINVALID, `from: date "2024-13-x"`)
	_, err = in.Window("", "24")
	checkCode(t, err, graph.EINVALID, `to: date "24"`)
	_, err = in.Window("2025", "2024-06")
	checkCode(t, err, graph.EINVALID, "after")

	byEpisode, err := in.WindowOf(graph.WindowSpec{FromEpisode: "e4", ToEpisode: "e5"})
	if err != nil {
		t.Fatal(err)
	}
	if eps := pick(byEpisode.Episodes, func(e graph.Episode) string { return e.ID }); !slices.Equal(eps, []string{"e4", "e5", "e7"}) {
		t.Errorf("episodes e4 to e5 in date order: %v, want e4 e5 e7", eps)
	}
	_, err = in.WindowOf(graph.WindowSpec{FromEpisode: "e5", ToEpisode: "e4"})
	checkCode(t, err, graph.EINVALID, "comes after")
	_, err = in.WindowOf(graph.WindowSpec{ToEpisode: "nope"})
	checkCode(t, err, graph.ENOTFOUND, `to_episode: episode "nope"`)
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !approx(v, w) {
			return false
		}
	}
	return true
}

func TestChanges(t *testing.T) {
	in, _ := newTestInsights(t)
	// Before March: the X triangle. From March: Y and b (e7 links b and y1).
	got, err := in.Changes(graph.WindowSpec{To: "2024-02"}, graph.WindowSpec{From: "2024-03"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got.A.Episodes != 3 || got.A.Concepts != 3 || got.B.Episodes != 3 || got.B.Concepts != 5 {
		t.Errorf("windows %+v %+v, want 3 episodes and 3 concepts, 3 and 5 (lone too)", got.A, got.B)
	}
	rose := pick(got.Rose, func(c graph.ConceptChange) string { return c.ID })
	fell := pick(got.Fell, func(c graph.ConceptChange) string { return c.ID })
	if !sameSet(rose, []string{"b", "y1", "y2", "y3", "lone"}) || !sameSet(fell, []string{"x1", "x2", "x3"}) {
		t.Fatalf("rose %v fell %v", rose, fell)
	}
	var up, down float64
	for k, c := range got.Rose {
		up += c.Change
		if !c.New || c.PageRankA != 0 || c.Change != c.PageRankB || (k > 0 && c.Change > got.Rose[k-1].Change) {
			t.Errorf("rise %d: %+v", k, c)
		}
	}
	for k, c := range got.Fell {
		down += c.Change
		if !c.Gone || c.PageRankB != 0 || (k > 0 && c.Change < got.Fell[k-1].Change) {
			t.Errorf("fall %d: %+v", k, c)
		}
	}
	// Disjoint windows: all of B's PageRank is new, all of A's is gone.
	if !approx(up, 1) || !approx(down, -1) {
		t.Errorf("changes sum to %v and %v, want 1 and -1", up, down)
	}
	// y1 is B's hub: it rises most.
	if rose[0] != "y1" {
		t.Errorf("largest rise %s, want y1", rose[0])
	}

	// The same window twice: nothing changes.
	same, err := in.Changes(graph.WindowSpec{From: "2024"}, graph.WindowSpec{From: "2024"}, 10)
	if err != nil || len(same.Rose) != 0 || len(same.Fell) != 0 {
		t.Errorf("no change expected: %+v, %v", same, err)
	}
	if limited, _ := in.Changes(graph.WindowSpec{To: "2024-02"}, graph.WindowSpec{From: "2024-03"}, 2); len(limited.Rose) != 2 || len(limited.Fell) != 2 {
		t.Errorf("limit 2: %+v", limited)
	}
	_, err = in.Changes(graph.WindowSpec{}, graph.WindowSpec{From: "March"}, 3)
	checkCode(t, err, graph.EINVALID, `window b: from: date "March"`)
}

func TestKShortestPaths(t *testing.T) {
	in, _ := newTestInsights(t)
	paths, err := in.KShortestPaths("x2", "y2", 3)
	if err != nil {
		t.Fatal(err)
	}
	route := func(p graph.KPathResult) string {
		return strings.Join(pick(p.Nodes, func(n graph.PathNode) string { return n.ID }), ">")
	}
	// Of the two five-hop paths, the one through y3 has the larger total
	// weight (9 against 8; both have a weakest link of 1).
	want := []string{"x2>x1>b>y1>y2", "x2>x1>b>y1>y3>y2", "x2>x3>x1>b>y1>y2"}
	if got := pick(paths, route); !slices.Equal(got, want) {
		t.Fatalf("paths %v, want %v", got, want)
	}
	first := paths[0]
	if first.Length != 4 || !first.Found || first.From != "x2" || first.To != "y2" || len(first.Hops) != 4 {
		t.Errorf("first path %+v", first.PathResult)
	}
	if h := first.Hops[1]; h.Source != "x1" || h.Target != "b" || h.Weight != 1 || len(h.Evidence) != 1 || h.Evidence[0].Episode != "e5" {
		t.Errorf("hop x1→b %+v", h)
	}
	// e5 has evidence for x1–b and b–y1; every other episode for one hop, in date order.
	if eps := pick(first.ByEpisode, func(e graph.PathEpisode) string { return e.Episode }); !slices.Equal(eps, []string{"e5", "e1", "e2", "e3", "e4", "e7"}) {
		t.Errorf("by episode %v", eps)
	}
	e5 := first.ByEpisode[0]
	if e5.Hops != 2 || e5.Title != "Episode e5" ||
		!slices.Equal(e5.Evidence, []graph.HopEvidence{{Hop: 1, Line: 1, Text: "x1 and b"}, {Hop: 2, Line: 2, Text: "b and y1"}}) {
		t.Errorf("e5's evidence %+v", e5)
	}

	all, err := in.KShortestPaths("x2", "y2", graph.MaxPaths)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 || route(all[3]) != "x2>x3>x1>b>y1>y3>y2" {
		t.Errorf("all paths %v, want the 4 loopless ones", pick(all, route))
	}

	if none, err := in.KShortestPaths("x1", "lone", 3); err != nil || len(none) != 0 || none == nil {
		t.Errorf("no path: %#v, %v", none, err)
	}
	if self, err := in.KShortestPaths("b", "b", 3); err != nil || len(self) != 1 || self[0].Length != 0 || len(self[0].Nodes) != 1 {
		t.Errorf("path to itself: %+v, %v", self, err)
	}
	_, err = in.KShortestPaths("x1", "y1", 0)
	checkCode(t, err, graph.EINVALID, "k: ")
	_, err = in.KShortestPaths("x1", "y1", 11)
	checkCode(t, err, graph.EINVALID, "not 11")
	_, err = in.KShortestPaths("x1", "nope", 1)
	checkCode(t, err, graph.ENOTFOUND, `to: concept "nope"`)
}

// TestResultsEncodeWithoutNulls checks the JSON promise: lists are [] when
// empty, never null, for a graph with nothing in it and for the test corpus.
func TestResultsEncodeWithoutNulls(t *testing.T) {
	empty := graph.NewInsights(&graph.Graph{})
	full, _ := newTestInsights(t)
	for name, in := range map[string]*graph.Insights{"empty": empty, "corpus": full} {
		window, err := in.Window("", "")
		if err != nil {
			t.Fatal(err)
		}
		changes, err := in.Changes(graph.WindowSpec{}, graph.WindowSpec{}, 5)
		if err != nil {
			t.Fatal(err)
		}
		for what, v := range map[string]any{
			"themes": in.Themes(), "recurring": in.Recurring(5), "bridges": in.Bridges(5),
			"gaps": in.Gaps(5), "changes": changes, "window": window.NodeLink(),
		} {
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "null") {
				t.Errorf("%s %s: %s", name, what, data)
			}
		}
	}
	for what, call := range map[string]func() (any, error){
		"timeline": func() (any, error) { return full.Timeline("lone") },
		"similar":  func() (any, error) { return full.Similar("e7", 5) },
		"compare":  func() (any, error) { return full.Compare("e3", "e6") },
		"paths":    func() (any, error) { return full.KShortestPaths("x1", "y3", 2) },
	} {
		v, err := call()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(v)
		if strings.Contains(string(data), "null") {
			t.Errorf("%s: %s", what, data)
		}
	}
}

func TestInsightsAreDeterministic(t *testing.T) {
	encode := func() string {
		in, _ := newTestInsights(t)
		paths, _ := in.KShortestPaths("x3", "y3", 10)
		similar, _ := in.Similar("e5", 10)
		data, _ := json.Marshal([]any{in.Themes(), in.Recurring(10), in.Bridges(10), in.Gaps(10), paths, similar})
		return string(data)
	}
	want := encode()
	for range 5 {
		if got := encode(); got != want {
			t.Fatalf("results differ between runs:\n%s\n%s", got, want)
		}
	}
}

// TestConcurrentWindows runs window queries from several goroutines; with
// -race it checks the window cache's locking.
func TestConcurrentWindows(t *testing.T) {
	in, _ := newTestInsights(t)
	specs := []graph.WindowSpec{{From: "2024"}, {To: "2024-02"}, {From: "2024-03"}, {}, {FromEpisode: "e2"}}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				a, b := specs[(w+k)%len(specs)], specs[(w+2*k)%len(specs)]
				if _, err := in.Changes(a, b, 3); err != nil {
					t.Error(err)
				}
				if _, err := in.WindowOf(b); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

// A theme is named by the concepts it has to itself, not by a hub that links
// every theme: hub belongs to theme A but most of its link weight goes to B
// and C, so A is named after a1 and a2 although hub has the highest PageRank.
func TestThemeNamesAreDistinctive(t *testing.T) {
	corpus := []insightEpisode{
		{"e1", "2024-01-01", [][]string{{"hub", "a1"}, {"hub", "a2"}, {"a1", "a2"}}},
		{"e2", "2024-01-02", [][]string{{"b1", "b2"}, {"hub", "b1"}, {"hub", "b2"}, {"hub", "b1"}, {"hub", "b2"}}},
		{"e3", "2024-01-03", [][]string{{"c1", "c2"}, {"hub", "c1"}, {"hub", "c2"}, {"hub", "c1"}, {"hub", "c2"}}},
	}
	community := map[string]int{"hub": 0, "a1": 0, "a2": 0, "b1": 1, "b2": 1, "c1": 2, "c2": 2}
	g := graph.Build(insightFacts(corpus))
	graph.Analyze(g)
	var hubRank float64
	for i := range g.Concepts {
		g.Concepts[i].Community = community[g.Concepts[i].ID]
		if g.Concepts[i].ID == "hub" {
			hubRank = g.Concepts[i].PageRank
		}
	}
	for _, c := range g.Concepts {
		if c.ID != "hub" && c.PageRank >= hubRank {
			t.Fatalf("test graph: %s has PageRank %v ≥ hub's %v; the hub must be the most central", c.ID, c.PageRank, hubRank)
		}
	}
	themes := graph.NewInsights(g).Themes().Themes
	if len(themes) != 3 {
		t.Fatalf("themes %+v, want 3", themes)
	}
	a := themes[0]
	if a.Top[0].ID != "hub" {
		t.Errorf("A's most central concept is %s, want hub", a.Top[0].ID)
	}
	if a.Label != "A1 · A2 · HUB" && a.Label != "A2 · A1 · HUB" {
		t.Errorf("A is named %q, want its own concepts a1 and a2 before the hub", a.Label)
	}
	seen := map[string]bool{}
	for _, th := range themes {
		if seen[th.Label] {
			t.Errorf("two themes are named %q", th.Label)
		}
		seen[th.Label] = true
	}
}

// The k paths are k routes: a path whose only stop is a reworded stop of an
// earlier path ("ai safety research" after "ai safety") is skipped for one
// through a different concept.
func TestKShortestPathsSkipNearDuplicateStops(t *testing.T) {
	corpus := []insightEpisode{
		{"e1", "2024-01-01", [][]string{{"m", "ai safety"}, {"ai safety", "x"}, {"m", "ai safety"}, {"ai safety", "x"}}},
		{"e2", "2024-01-02", [][]string{{"m", "ai safety research"}, {"ai safety research", "x"}, {"m", "ai safety research"}}},
		{"e3", "2024-01-03", [][]string{{"m", "attention"}, {"attention", "x"}}},
	}
	g := graph.Build(insightFacts(corpus))
	graph.Analyze(g)
	paths, err := graph.NewInsights(g).KShortestPaths("m", "x", 2)
	if err != nil {
		t.Fatal(err)
	}
	var stops []string
	for _, p := range paths {
		if len(p.Nodes) != 3 {
			t.Fatalf("path %+v, want two hops", p.Nodes)
		}
		stops = append(stops, p.Nodes[1].ID)
	}
	if !slices.Equal(stops, []string{"ai safety", "attention"}) {
		t.Errorf("paths go through %v, want [ai safety attention]: the reworded stop adds nothing", stops)
	}
	// With k=3 the reworded route is still not offered: no distinct third exists.
	if paths, _ := graph.NewInsights(g).KShortestPaths("m", "x", 3); len(paths) != 2 {
		t.Errorf("k=3 gives %d paths, want the 2 distinct ones", len(paths))
	}
}
