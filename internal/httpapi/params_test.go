package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// FuzzReadQuery checks the query reader against net/url on any query string:
// it never panics; what it accepts holds only allowed names, once each,
// within the bounds, with the values net/url decodes; and it refuses what
// net/url cannot decode or would cut short.
func FuzzReadQuery(f *testing.F) {
	for _, seed := range []string{
		"", "q=ai", "q=ai&limit=2", "top=1&top=2", "q=%zz", "%zz=1", "q=a+b%20c", "&&q=1&", "q", "q=",
		"bust=1", "q=1;limit=2", strings.Repeat("q=1&", 70), "q=" + strings.Repeat("x", maxQueryBytes),
		"q=%E2%82%AC", "q=%ff", "limit=1&q=%3D%26",
	} {
		f.Add(seed)
	}
	allowed := []string{"q", "limit", "top"}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{URL: &url.URL{Path: "/api/x", RawQuery: raw}}
		q, err := readQuery(r, allowed...)
		if err != nil {
			return
		}
		if len(raw) > maxQueryBytes || strings.Count(raw, "&") >= maxQueryParams {
			t.Fatalf("accepted %d bytes with %d separators", len(raw), strings.Count(raw, "&"))
		}
		for name := range q.values {
			if !isAllowed(name, allowed) {
				t.Fatalf("accepted the unknown name %q", name)
			}
		}
		want, perr := url.ParseQuery(raw)
		if perr != nil {
			// net/url refuses semicolons in names; as names they are
			// unknown to every endpoint, so only an empty piece can hold one.
			if strings.Contains(raw, ";") {
				return
			}
			t.Fatalf("accepted %q, which net/url cannot decode: %v", raw, perr)
		}
		got := url.Values{}
		for name, v := range q.values {
			got[name] = []string{v}
		}
		if !maps.EqualFunc(got, want, func(a, b []string) bool { return len(a) == 1 && len(b) == 1 && a[0] == b[0] }) {
			t.Fatalf("%q: read %v, net/url reads %v", raw, got, want)
		}
	})
}

// FuzzGraphView checks /api/graph's parameters end to end on any query
// string: reading them never panics, and a view that is accepted names the
// same cache entry as its own normal spelling, so no spelling of a view
// builds a second copy of it.
func FuzzGraphView(f *testing.F) {
	for _, seed := range []string{
		"", "compact=1", "compact=true&links=3&members=1", "top=5&evidence=false", "kind=person,concept,person",
		"from=2024&to=2024-02-01&theme=0&min_weight=0.5", "episode=e1", "episode=nope", "min_weight=NaN", "min_weight=1e400",
		"top=0", "links=3", "theme=-1", "from=2025&to=2024", "kind=", "theme=007", "from=+2024+", "min_weight=-0",
	} {
		f.Add(seed)
	}
	ix := graph.NewIndex(graph.Build([]graph.EpisodeFacts{{
		Episode:  graph.Episode{ID: "e1", Date: "2024-01-01"},
		Mentions: []graph.Mention{{Concept: "a", Label: "A", Kind: graph.KindConcept, Line: 1}},
	}}))
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := readQuery(&http.Request{URL: &url.URL{Path: "/api/graph", RawQuery: raw}}, graphParams...)
		if err != nil {
			return
		}
		v, err := parseGraphView(q, ix)
		if err != nil {
			return
		}
		normal := url.Values{}
		set := func(name, value string) {
			if value != "" {
				normal.Set(name, value)
			}
		}
		set("episode", v.filter.Episode)
		set("from", v.filter.From)
		set("to", v.filter.To)
		var kinds []string
		for _, k := range v.filter.Kinds {
			kinds = append(kinds, string(k))
		}
		set("kind", strings.Join(kinds, ","))
		if v.filter.HasTheme {
			set("theme", strconv.Itoa(v.filter.Theme))
		}
		if v.filter.MinWeight != 0 {
			set("min_weight", strconv.FormatFloat(v.filter.MinWeight, 'g', -1, 64))
		}
		if v.filter.Top != 0 {
			set("top", strconv.Itoa(v.filter.Top))
		}
		set("evidence", strconv.FormatBool(v.evidence))
		set("compact", strconv.FormatBool(v.compact))
		if v.compact {
			set("members", strconv.FormatBool(v.members))
			set("links", strconv.Itoa(v.linksPerNode))
		}
		q2, err := readQuery(&http.Request{URL: &url.URL{Path: "/api/graph", RawQuery: normal.Encode()}}, graphParams...)
		if err != nil {
			t.Fatalf("%q read as %+v, whose normal spelling %q is refused: %v", raw, v, normal.Encode(), err)
		}
		v2, err := parseGraphView(q2, ix)
		if err != nil {
			t.Fatalf("%q read as %+v, whose normal spelling %q is refused: %v", raw, v, normal.Encode(), err)
		}
		if v.key() != v2.key() {
			t.Fatalf("%q and its normal spelling %q name different entries:\n%s\n%s", raw, normal.Encode(), v.key(), v2.key())
		}
	})
}
