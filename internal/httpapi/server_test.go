package httpapi_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/web"
)

const hostileText = `<script>alert("pwned")</script> & 'quotes' \ back`

// testFacts are two episodes about three linked concepts and one loner.
// Evidence lines carry markup that must come back as plain JSON strings.
// testFacts are two episodes; each line has one text, as a store keeps it.
func testFacts() []graph.EpisodeFacts {
	m := func(id, label string, kind graph.Kind, line int, text string) graph.Mention {
		return graph.Mention{Concept: id, Label: label, Kind: kind, Line: line, Text: text, Weight: 1}
	}
	l := func(a, b, typ string, w float64, line int, text string) graph.Link {
		return graph.Link{Source: a, Target: b, Type: typ, Strength: w, Line: line, Text: text}
	}
	return []graph.EpisodeFacts{
		{
			Episode: graph.Episode{ID: "ep-2", Source: "notes/two.md", Title: "Two", Date: "2024-02-01", Show: "Show", Guests: []string{"Ada"}, Tags: []string{"x"}},
			Mentions: []graph.Mention{
				m("ai", "AI", graph.KindConcept, 1, hostileText),
				m("ai", "Artificial Intelligence", graph.KindConcept, 2, "AI and residuals"),
				m("residuals", "Residuals", graph.KindConcept, 2, "AI and residuals"),
			},
			Links: []graph.Link{l("ai", "residuals", graph.RelCooccurs, 2, 2, "AI and residuals")},
		},
		{
			Episode: graph.Episode{ID: "ep-1", Source: "notes/one.md", Title: "One", Date: "2024-01-01"},
			Mentions: []graph.Mention{
				m("ai", "AI", graph.KindConcept, 3, hostileText),
				m("strike", "Strike", graph.KindConcept, 3, hostileText),
				m("hit-record", "Hit Record", graph.KindOrganization, 4, "Hit Record"),
			},
			Links: []graph.Link{l("ai", "strike", graph.RelCause, 1, 3, hostileText)},
		},
	}
}

func testGraph() *graph.Graph {
	g := graph.Build(testFacts())
	g.ApplyScores(map[string]graph.Scores{"ai": {Degree: 2, PageRank: 0.5}, "residuals": {PageRank: 0.25}, "strike": {PageRank: 0.25}})
	return g
}

var testPage = fstest.MapFS{
	"index.html": {Data: []byte("<!doctype html><title>explorer</title><script src=app.js></script>")},
	"app.js":     {Data: []byte("console.log('hi')")},
}

func newTestServer(t *testing.T, snap *httpapi.Snapshot) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpapi.NewServer(snap, testPage, nil))
	t.Cleanup(srv.Close)
	return srv
}

// get requests path and decodes a JSON body into out (when out is not nil).
func get(t *testing.T, srv *httptest.Server, path string, wantStatus int, out any) *http.Response {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d; body %s", path, resp.StatusCode, wantStatus, body)
	}
	if out != nil {
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("GET %s: Content-Type %q, want application/json", path, ct)
		}
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s: decoding %s: %v", path, body, err)
		}
	}
	return resp
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func wantError(t *testing.T, srv *httptest.Server, path string, status int, code string) apiError {
	t.Helper()
	var e apiError
	get(t, srv, path, status, &e)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("GET %s: error %+v, want code %q and a message", path, e.Error, code)
	}
	return e
}

func TestHealthzWhenLoaded(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var h map[string]any
	resp := get(t, srv, "/healthz", http.StatusOK, &h)
	if h["status"] != "ok" || h["episodes"] != 2.0 || h["concepts"] != 4.0 || h["relations"] != 2.0 || h["version"] == "" {
		t.Errorf("healthz = %v", h)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(h["loaded_at"])); err != nil {
		t.Errorf("loaded_at: %v", err)
	}
	if _, present := h["error"]; present {
		t.Errorf("healthy healthz has an error field: %v", h)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("healthz Cache-Control = %q, want no-store", cc)
	}
}

func TestBeforeTheFirstLoadEverythingIs503(t *testing.T) {
	srv := newTestServer(t, httpapi.NewSnapshot(nil, nil))
	var h map[string]any
	get(t, srv, "/healthz", http.StatusServiceUnavailable, &h)
	if !reflect.DeepEqual(h, map[string]any{"status": "loading", "edits": "read-only"}) {
		t.Errorf("healthz = %v, want only status loading (and read-only edits)", h)
	}
	for _, path := range []string{"/api/graph", "/api/search?q=ai", "/api/concepts/ai", "/api/path?from=ai&to=strike", "/api/episodes", "/api/episodes/ep-1"} {
		wantError(t, srv, path, http.StatusServiceUnavailable, graph.EUNAVAILABLE)
	}
}

func TestGraphIsNodeLink(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var nl struct {
		Directed   bool             `json:"directed"`
		Multigraph bool             `json:"multigraph"`
		Graph      map[string]any   `json:"graph"`
		Nodes      []map[string]any `json:"nodes"`
		Links      []graph.Relation `json:"links"`
	}
	resp := get(t, srv, "/api/graph", http.StatusOK, &nl)
	if nl.Directed || nl.Multigraph || nl.Graph["concepts"] != 4.0 || len(nl.Nodes) != 6 || len(nl.Links) != 2 {
		t.Fatalf("node-link = %+v", nl)
	}
	episode := nl.Nodes[0]
	if episode["kind"] != "episode" || episode["id"] != "ep-1" || episode["title"] != "One" || episode["source"] != "notes/one.md" || episode["date"] != "2024-01-01" {
		t.Errorf("first node = %v, want episode ep-1", episode)
	}
	concept := nl.Nodes[2]
	for _, field := range []string{"id", "kind", "label", "aliases", "episodes", "mentions", "evidence", "degree", "weighted_degree", "pagerank", "betweenness", "community"} {
		if _, ok := concept[field]; !ok {
			t.Errorf("concept node lacks %q: %v", field, concept)
		}
	}
	var hostile bool
	for _, l := range nl.Links {
		for _, ev := range l.Evidence {
			hostile = hostile || ev.Text == hostileText
		}
	}
	if !hostile {
		t.Errorf("links lost the hostile evidence text: %+v", nl.Links)
	}
	if resp.Header.Get("ETag") == "" {
		t.Error("no ETag on /api/graph")
	}
}

func TestResponsesAreGzippedWhenAsked(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	req, _ := http.NewRequest("GET", srv.URL+"/api/graph", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var nl graph.NodeLink
	if err := json.NewDecoder(zr).Decode(&nl); err != nil || len(nl.Nodes) != 6 {
		t.Fatalf("gzipped graph: %v, %d nodes", err, len(nl.Nodes))
	}
}

func TestETagRevalidation(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, path := range []string{"/api/graph", "/api/concepts/ai", "/api/search?q=ai"} {
		first := get(t, srv, path, http.StatusOK, nil)
		etag := first.Header.Get("ETag")
		if etag == "" || first.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("GET %s: ETag %q, Cache-Control %q", path, etag, first.Header.Get("Cache-Control"))
		}
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("If-None-Match", etag)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: status %d, want 304", path, resp.StatusCode)
		}
	}
	// Error responses carry no validator: they must not be cached as answers.
	resp := get(t, srv, "/api/concepts/nope", http.StatusNotFound, &apiError{})
	if resp.Header.Get("ETag") != "" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("404: ETag %q, Cache-Control %q", resp.Header.Get("ETag"), resp.Header.Get("Cache-Control"))
	}
}

type searchResponse struct {
	Query   string `json:"query"`
	Results []struct {
		ID       string   `json:"id"`
		Label    string   `json:"label"`
		Kind     string   `json:"kind"`
		Aliases  []string `json:"aliases"`
		Matched  string   `json:"matched"`
		Episodes int      `json:"episodes"`
		PageRank float64  `json:"pagerank"`
	} `json:"results"`
}

func TestSearch(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var s searchResponse
	get(t, srv, "/api/search?q=ARTIFICIAL", http.StatusOK, &s)
	if s.Query != "ARTIFICIAL" || len(s.Results) != 1 {
		t.Fatalf("search = %+v", s)
	}
	hit := s.Results[0]
	if hit.ID != "ai" || hit.Label != "AI" || hit.Kind != "concept" || hit.Matched != "Artificial Intelligence" ||
		!reflect.DeepEqual(hit.Aliases, []string{"Artificial Intelligence"}) || hit.Episodes != 2 || hit.PageRank != 0.5 {
		t.Errorf("hit = %+v", hit)
	}
	// "r" is a prefix of Residuals and starts the word Record in Hit Record,
	// and is inside Strike and Artificial Intelligence.
	get(t, srv, "/api/search?q=r", http.StatusOK, &s)
	var order []string
	for _, h := range s.Results {
		order = append(order, h.ID)
	}
	if want := []string{"residuals", "hit-record", "ai", "strike"}; !reflect.DeepEqual(order, want) {
		t.Errorf("search r = %v, want %v", order, want)
	}
	get(t, srv, "/api/search?q=r&limit=1", http.StatusOK, &s)
	if len(s.Results) != 1 {
		t.Errorf("limit=1 gave %d results", len(s.Results))
	}
	get(t, srv, "/api/search?q=zzzz", http.StatusOK, &s)
	if s.Results == nil || len(s.Results) != 0 {
		t.Errorf("no match: results %#v, want []", s.Results)
	}
	for _, path := range []string{
		"/api/search", "/api/search?q=", "/api/search?q=%20%20",
		"/api/search?q=ai&limit=0", "/api/search?q=ai&limit=-3", "/api/search?q=ai&limit=ten",
		"/api/search?q=" + strings.Repeat("a", 201),
	} {
		wantError(t, srv, path, http.StatusBadRequest, graph.EINVALID)
	}
}

func TestSearchLimitIsCapped(t *testing.T) {
	var mentions []graph.Mention
	for i := range 150 {
		mentions = append(mentions, graph.Mention{Concept: fmt.Sprintf("topic-%03d", i), Label: fmt.Sprintf("Topic %03d", i), Kind: graph.KindConcept, Line: i + 1})
	}
	g := graph.Build([]graph.EpisodeFacts{{Episode: graph.Episode{ID: "e"}, Mentions: mentions}})
	srv := newTestServer(t, httpapi.NewStaticSnapshot(g))
	var s searchResponse
	get(t, srv, "/api/search?q=topic", http.StatusOK, &s)
	if len(s.Results) != 10 {
		t.Errorf("default limit gave %d results, want 10", len(s.Results))
	}
	get(t, srv, "/api/search?q=topic&limit=1000", http.StatusOK, &s)
	if len(s.Results) != 100 {
		t.Errorf("limit=1000 gave %d results, want the cap of 100", len(s.Results))
	}
}

func TestConcept(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var d struct {
		Concept    graph.Concept           `json:"concept"`
		Episodes   []graph.ConceptEpisode  `json:"episodes"`
		Neighbours []graph.Neighbour       `json:"neighbours"`
		Evidence   []graph.EpisodeEvidence `json:"evidence"`
	}
	get(t, srv, "/api/concepts/ai", http.StatusOK, &d)
	if d.Concept.ID != "ai" || d.Concept.Label != "AI" || d.Concept.PageRank != 0.5 || d.Concept.Degree != 2 {
		t.Errorf("concept = %+v", d.Concept)
	}
	wantEpisodes := []graph.ConceptEpisode{
		{ID: "ep-1", Title: "One", Date: "2024-01-01", Source: "notes/one.md", Mentions: 1},
		{ID: "ep-2", Title: "Two", Date: "2024-02-01", Source: "notes/two.md", Mentions: 2},
	}
	if !reflect.DeepEqual(d.Episodes, wantEpisodes) {
		t.Errorf("episodes = %+v, want %+v", d.Episodes, wantEpisodes)
	}
	if len(d.Neighbours) != 2 || d.Neighbours[0].ID != "residuals" || d.Neighbours[0].Weight != 2 || d.Neighbours[1].ID != "strike" || d.Neighbours[1].Type != graph.RelCause {
		t.Errorf("neighbours = %+v", d.Neighbours)
	}
	if got := d.Neighbours[1].Evidence; len(got) != 1 || got[0].Text != hostileText {
		t.Errorf("strike relation evidence = %+v, want the hostile line untouched", got)
	}
	wantEvidence := graph.EpisodeEvidence{Episode: "ep-2", EpisodeTitle: "Two", Line: 1, Text: hostileText}
	if len(d.Evidence) != 3 || d.Evidence[1] != wantEvidence {
		t.Errorf("evidence = %+v, want %+v second", d.Evidence, wantEvidence)
	}
	wantError(t, srv, "/api/concepts/nope", http.StatusNotFound, graph.ENOTFOUND)
	// An escaped slash is part of the id, not a path separator.
	e := wantError(t, srv, "/api/concepts/a%2Fb", http.StatusNotFound, graph.ENOTFOUND)
	if !strings.Contains(e.Error.Message, `"a/b"`) {
		t.Errorf("message %q does not name the decoded id a/b", e.Error.Message)
	}
}

func TestHostileTextIsAJSONStringNotMarkup(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	resp, err := srv.Client().Get(srv.URL + "/api/concepts/ai")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(raw), "<script>") {
		t.Errorf("raw body contains a literal <script>; it should be escaped inside the JSON string")
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("API responses lack X-Content-Type-Options: nosniff")
	}
}

type pathResponse struct {
	From  string           `json:"from"`
	To    string           `json:"to"`
	Found bool             `json:"found"`
	Nodes []graph.PathNode `json:"nodes"`
	Hops  []graph.PathHop  `json:"hops"`
}

func TestPath(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var p pathResponse
	get(t, srv, "/api/path?from=residuals&to=strike", http.StatusOK, &p)
	wantNodes := []graph.PathNode{{ID: "residuals", Label: "Residuals", Kind: "concept"}, {ID: "ai", Label: "AI", Kind: "concept"}, {ID: "strike", Label: "Strike", Kind: "concept"}}
	if !p.Found || p.From != "residuals" || p.To != "strike" || !reflect.DeepEqual(p.Nodes, wantNodes) {
		t.Fatalf("path = %+v", p)
	}
	if len(p.Hops) != 2 || p.Hops[0].Source != "residuals" || p.Hops[0].Target != "ai" || p.Hops[1].Type != graph.RelCause || p.Hops[1].Evidence[0].Text != hostileText {
		t.Errorf("hops = %+v", p.Hops)
	}

	get(t, srv, "/api/path?from=ai&to=hit-record", http.StatusOK, &p)
	if p.Found || p.Nodes == nil || len(p.Nodes) != 0 || p.Hops == nil || len(p.Hops) != 0 {
		t.Errorf("unreachable = %#v, want found false with [] nodes and hops", p)
	}
	get(t, srv, "/api/path?from=ai&to=ai", http.StatusOK, &p)
	if !p.Found || len(p.Nodes) != 1 || len(p.Hops) != 0 {
		t.Errorf("self path = %+v", p)
	}
	wantError(t, srv, "/api/path?from=ai&to=nope", http.StatusNotFound, graph.ENOTFOUND)
	wantError(t, srv, "/api/path?from=nope&to=ai", http.StatusNotFound, graph.ENOTFOUND)
	wantError(t, srv, "/api/path?from=ai", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/path?to=ai", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/path", http.StatusBadRequest, graph.EINVALID)
}

func TestEpisodes(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var list struct {
		Episodes []map[string]any `json:"episodes"`
	}
	get(t, srv, "/api/episodes", http.StatusOK, &list)
	if len(list.Episodes) != 2 {
		t.Fatalf("episodes = %v", list)
	}
	first := list.Episodes[0]
	want := map[string]any{"id": "ep-1", "title": "One", "date": "2024-01-01", "source": "notes/one.md", "show": "", "guests": []any{}, "tags": []any{}, "concepts": 3.0}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first episode = %v, want %v", first, want)
	}

	var d struct {
		Episode  graph.EpisodeSummary   `json:"episode"`
		Concepts []graph.EpisodeConcept `json:"concepts"`
	}
	get(t, srv, "/api/episodes/ep-2", http.StatusOK, &d)
	if d.Episode.ID != "ep-2" || d.Episode.Show != "Show" || !reflect.DeepEqual(d.Episode.Guests, []string{"Ada"}) || d.Episode.Concepts != 2 {
		t.Errorf("episode = %+v", d.Episode)
	}
	wantConcepts := []graph.EpisodeConcept{{ID: "ai", Label: "AI", Kind: "concept", Mentions: 2}, {ID: "residuals", Label: "Residuals", Kind: "concept", Mentions: 1}}
	if !reflect.DeepEqual(d.Concepts, wantConcepts) {
		t.Errorf("concepts = %+v, want %+v", d.Concepts, wantConcepts)
	}
	wantError(t, srv, "/api/episodes/ep-9", http.StatusNotFound, graph.ENOTFOUND)
}

func TestUnknownEndpointsAndMethods(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	wantError(t, srv, "/api/nope", http.StatusNotFound, graph.ENOTFOUND)
	wantError(t, srv, "/api/concepts", http.StatusNotFound, graph.ENOTFOUND)
	for _, path := range []string{"/api/graph", "/"} {
		resp, err := srv.Client().Post(srv.URL+path, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || err != nil || e.Error.Code != graph.EINVALID {
			t.Errorf("POST %s: status %d, error %+v (%v), want 405 invalid", path, resp.StatusCode, e, err)
		}
	}
	// HEAD works wherever GET does.
	resp, err := srv.Client().Head(srv.URL + "/api/episodes")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /api/episodes: %d", resp.StatusCode)
	}
}

func TestPageAndSecurityHeaders(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, path := range []string{"/", "/concept/ai"} {
		resp := get(t, srv, path, http.StatusOK, nil)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q, want the page", path, ct)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, directive := range []string{"default-src 'self'", "script-src 'self';", "img-src 'self' data: blob:", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, directive) {
				t.Errorf("GET %s: CSP %q lacks %q", path, csp, directive)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "http") {
			t.Errorf("CSP %q allows inline code or remote origins", csp)
		}
	}
	js := get(t, srv, "/app.js", http.StatusOK, nil)
	if !strings.Contains(js.Header.Get("Content-Type"), "javascript") || js.Header.Get("ETag") == "" {
		t.Errorf("app.js: Content-Type %q, ETag %q", js.Header.Get("Content-Type"), js.Header.Get("ETag"))
	}
	req, _ := http.NewRequest("GET", srv.URL+"/app.js", nil)
	req.Header.Set("If-None-Match", js.Header.Get("ETag"))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("app.js revalidation: %d, want 304", resp.StatusCode)
	}
	get(t, srv, "/missing.js", http.StatusNotFound, nil)
	get(t, srv, "/../../etc/passwd", http.StatusOK, nil) // cleaned to a page view, never a file outside
}

func TestServesTheEmbeddedPage(t *testing.T) {
	srv := httptest.NewServer(httpapi.NewServer(httpapi.NewStaticSnapshot(testGraph()), web.Static, nil))
	defer srv.Close()
	resp := get(t, srv, "/", http.StatusOK, nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/: Content-Type %q", resp.Header.Get("Content-Type"))
	}
}

func decodeJSON(resp *http.Response, out any) error {
	return json.NewDecoder(resp.Body).Decode(out)
}
