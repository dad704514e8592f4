package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/web"
)

// Issue 12: parameters an endpoint does not take used to be accepted and,
// on /api/graph and /api/export, become part of the cache key, so ?bust=N
// built and kept a new copy of the whole graph per N.
func TestUnknownParametersAreRefused(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, tc := range []struct{ path, name string }{
		{"/api/graph?bust=1", "bust"},
		{"/api/graph?compact=1&bust=2", "bust"},
		{"/api/export?format=csv&bust=3", "bust"},
		{"/api/search?q=ai&sort=asc", "sort"},
		{"/api/concepts/ai?neighbor=strike", "neighbor"},
		{"/api/themes?limit=3", "limit"},
		{"/api/episodes?x", "x"},
		{"/api/window?from=2024&top=1&depth=2", "depth"},
		{"/api/changes?a_from=2024&b_from=2024&c_from=2024", "c_from"},
		{"/api/paths?from=ai&to=strike&k=2&max=3", "max"},
	} {
		e := wantError(t, srv, tc.path, http.StatusBadRequest, graph.EINVALID)
		if !strings.HasPrefix(e.Error.Message, tc.name+": unknown parameter") {
			t.Errorf("GET %s: message %q does not name %q first", tc.path, e.Error.Message, tc.name)
		}
	}
	// The parameters each endpoint does take still work, the page's own
	// requests among them.
	for _, path := range []string{
		"/api/graph?compact=1",
		"/api/graph?compact=1&members=1&links=3&top=2&kind=concept,person&from=2024&to=2024-12&theme=0&min_weight=0&episode=ep-1",
		"/api/graph?evidence=false&top=2",
		"/api/export?format=csv&part=nodes&top=2",
		"/api/search?q=ai&limit=2",
		"/api/concepts/ai?neighbours=200&neighbour_evidence=0&evidence=60",
		"/api/concepts/ai?neighbour=strike&evidence=0&neighbour_evidence=all",
		"/api/paths?from=ai&to=strike&k=2",
		"/api/episodes/ep-1?graph=1&similar=2",
		"/api/window?from=2024-01&to=2024-12&top=2&evidence=false",
		"/api/changes?a_from=2024-01&a_to=2024-01&b_from=2024-02&b_to=2024-02&limit=5",
		"/api/recurring?limit=5",
	} {
		get(t, srv, path, http.StatusOK, nil)
	}
}

func TestRepeatedParametersAreRefused(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, tc := range []struct{ path, name string }{
		{"/api/graph?top=1&top=2", "top"},
		{"/api/export?format=csv&format=gexf", "format"},
		{"/api/search?q=ai&q=strike", "q"},
	} {
		e := wantError(t, srv, tc.path, http.StatusBadRequest, graph.EINVALID)
		if !strings.HasPrefix(e.Error.Message, tc.name+": given more than once") {
			t.Errorf("GET %s: message %q does not name %q", tc.path, e.Error.Message, tc.name)
		}
	}
}

// Issue 12: net/url reads at most 10,000 query parameters and drops the rest
// without an error, so a top=1 after 10,000 others was ignored and the whole
// graph served.
func TestTooManyParametersAreRefusedNotDropped(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	padding := strings.Repeat("evidence=true&", 10_000)
	resp, err := srv.Client().Get(srv.URL + "/api/graph?" + padding + "top=1")
	if err != nil {
		t.Fatal(err)
	}
	var e apiError
	err = decodeJSON(resp, &e)
	if resp.StatusCode != http.StatusBadRequest || err != nil || !strings.Contains(e.Error.Message, "parameters") {
		t.Errorf("GET /api/graph with 10,001 parameters, top=1 last: status %d, error %+v (%v); want 400 saying there are too many parameters", resp.StatusCode, e.Error, err)
	}
	// Just over the bound, and long queries, are refused with a message too.
	wantError(t, srv, "/api/graph?"+strings.Repeat("&", 64)+"top=1", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/search?q="+strings.Repeat("a", 17<<10), http.StatusBadRequest, graph.EINVALID)
	// Empty pieces are not parameters, but they do count toward the bound.
	get(t, srv, "/api/graph?&&top=1&", http.StatusOK, nil)
}

func TestMalformedEscapesAreRefused(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, tc := range []struct{ path, name string }{
		{"/api/search?q=%zz", "q"},
		{"/api/graph?to%zz=1", "to%zz"},
	} {
		e := wantError(t, srv, tc.path, http.StatusBadRequest, graph.EINVALID)
		if !strings.Contains(e.Error.Message, tc.name) {
			t.Errorf("GET %s: message %q does not name %q", tc.path, e.Error.Message, tc.name)
		}
	}
}

// Issue 12: GET /%ff was a 500 (the file server cannot open a name that is
// not UTF-8).
func TestPathsThatAreNotUTF8AreABadRequest(t *testing.T) {
	// The page's real files: the embedded file system is what failed.
	srv := httptest.NewServer(httpapi.NewServer(httpapi.NewStaticSnapshot(testGraph()), web.Static, nil))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/%ff", "/app%ff.js", "/api/concepts/%ff", "/api/%c3%28", "/x/%ed%a0%80"} {
		wantError(t, srv, path, http.StatusBadRequest, graph.EINVALID)
	}
	// Escaped UTF-8 is fine.
	get(t, srv, "/%C3%A9t%C3%A9", http.StatusOK, nil)
}

// Issue 12: with no Host check, a page on another site that points its own
// name at 127.0.0.1 (DNS rebinding) could read a loopback explorer.
func TestOnlyTheAllowedHostNamesAreAnswered(t *testing.T) {
	snap := httpapi.NewStaticSnapshot(testGraph())
	status := func(h http.Handler, host, path string) int {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	byDefault := httpapi.NewServer(snap, testPage, nil)
	for _, host := range []string{"localhost", "localhost:8080", "LOCALHOST.:8080", "127.0.0.1", "127.0.0.1:1", "[::1]:8080", "[::1]"} {
		if got := status(byDefault, host, "/api/graph"); got != http.StatusOK {
			t.Errorf("default: Host %q: status %d, want 200", host, got)
		}
	}
	for _, host := range []string{"rebound.example", "rebound.example:8080", "127.0.0.2:8080", "", "localhost.rebound.example", "10.0.0.5:8080"} {
		for _, path := range []string{"/api/graph", "/", "/app.js"} {
			if got := status(byDefault, host, path); got != http.StatusMisdirectedRequest {
				t.Errorf("default: Host %q, %s: status %d, want 421", host, path, got)
			}
		}
	}
	// A probe asks for /healthz by address; it stays open.
	if got := status(byDefault, "10.0.0.5:8080", "/healthz"); got != http.StatusOK {
		t.Errorf("default: /healthz by address: status %d, want 200", got)
	}

	named := httpapi.NewServer(snap, testPage, nil, httpapi.AllowHosts("topics.example", "10.0.0.5"))
	for host, want := range map[string]int{
		"topics.example:8080":  http.StatusOK,
		"Topics.Example":       http.StatusOK,
		"10.0.0.5:8080":        http.StatusOK,
		"localhost:8080":       http.StatusOK,
		"other.example":        http.StatusMisdirectedRequest,
		"topics.example.evil":  http.StatusMisdirectedRequest,
		"xtopics.example:8080": http.StatusMisdirectedRequest,
	} {
		if got := status(named, host, "/api/graph"); got != want {
			t.Errorf("AllowHosts: Host %q: status %d, want %d", host, got, want)
		}
	}
	anyHost := httpapi.NewServer(snap, testPage, nil, httpapi.AllowHosts("*"))
	if got := status(anyHost, "whatever.example", "/api/graph"); got != http.StatusOK {
		t.Errorf("AllowHosts(*): status %d, want 200", got)
	}
}

// The parameters each endpoint takes are the ones its OpenAPI document
// lists: an unknown one is refused with the list of those it takes, which
// must be the documented list, and every documented one is taken.
func TestEveryEndpointTakesExactlyTheDocumentedParameters(t *testing.T) {
	var doc struct {
		Paths map[string]struct {
			Get *struct {
				Parameters []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
	}
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	get(t, srv, "/api/openapi.json", http.StatusOK, &doc)
	for route, item := range doc.Paths {
		if item.Get == nil || route == "/api/openapi.json" || route == "/api/cypher" {
			continue // the document and the console take no query
		}
		path := strings.NewReplacer("{id}", "ep-1").Replace(route)
		if strings.HasPrefix(route, "/api/concepts/") {
			path = strings.NewReplacer("{id}", "ai").Replace(route)
		}
		var documented []string
		for _, p := range item.Get.Parameters {
			if p.In == "query" {
				documented = append(documented, p.Name)
			}
		}
		e := wantError(t, srv, path+"?zz_unknown=1", http.StatusBadRequest, graph.EINVALID)
		_, list, _ := strings.Cut(e.Error.Message, " takes ")
		var taken []string
		if list != "no parameters" {
			taken = strings.Split(list, ", ")
		}
		slices.Sort(taken)
		slices.Sort(documented)
		if !slices.Equal(taken, documented) {
			t.Errorf("%s takes %q; its OpenAPI document lists %q", route, taken, documented)
		}
		// A documented name is never "unknown", whatever its value.
		for _, name := range documented {
			resp, err := srv.Client().Get(srv.URL + path + "?" + name + "=%zz")
			if err != nil {
				t.Fatal(err)
			}
			var e apiError
			_ = decodeJSON(resp, &e)
			resp.Body.Close()
			if strings.Contains(e.Error.Message, "unknown parameter") {
				t.Errorf("%s?%s: %s", route, name, e.Error.Message)
			}
		}
	}
}
