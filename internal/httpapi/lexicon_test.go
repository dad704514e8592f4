package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/curate"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// curatedServer serves the example notes from a real store with a curator
// over a new lexicon file, under the given write rules.
func curatedServer(t *testing.T, token string, loopbackOnly bool) (*httptest.Server, string, *graph.Graph) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	notes, _ := filepath.Abs("../../examples/notes")
	if res, err := load.Run(ctx, store, []string{notes}, load.Options{}); err != nil || len(res.Failed) > 0 {
		t.Fatalf("load: %v %v", err, res.Failed)
	}
	lexicon := filepath.Join(t.TempDir(), "concepts.yaml")
	cur, err := curate.New(lexicon, store, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	snap := httpapi.NewSnapshot(store, nil)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	g, err := graph.Read(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewServer(snap, testPage, nil, httpapi.WithCurator(cur, token, loopbackOnly)))
	t.Cleanup(srv.Close)
	return srv, lexicon, g
}

func postEdit(t *testing.T, srv *httptest.Server, body string, headers map[string]string) (int, apiError) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/lexicon", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e apiError
	if resp.StatusCode != http.StatusOK {
		_ = decodeJSON(resp, &e)
	}
	return resp.StatusCode, e
}

// two linked concepts of the examples with the most episodes.
func mergePair(t *testing.T, g *graph.Graph) (into, from graph.Concept) {
	t.Helper()
	best := -1
	for _, r := range g.Relations {
		if len(r.Episodes) > best {
			best = len(r.Episodes)
			into, from = conceptOf(g, r.Source), conceptOf(g, r.Target)
		}
	}
	return into, from
}

func conceptOf(g *graph.Graph, id string) graph.Concept {
	for _, c := range g.Concepts {
		if c.ID == id {
			return c
		}
	}
	return graph.Concept{}
}

func TestMergeFromThePageAndUndo(t *testing.T) {
	srv, lexicon, g := curatedServer(t, "", true)
	into, from := mergePair(t, g)
	var h struct{ Edits string }
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Edits != httpapi.EditsOpen {
		t.Errorf("healthz edits = %q, want %q on loopback without a token", h.Edits, httpapi.EditsOpen)
	}
	if status, e := postEdit(t, srv, `{"op":"merge","into":"`+into.ID+`","from":["`+from.ID+`"]}`, map[string]string{"Origin": srv.URL, "Sec-Fetch-Site": "same-origin"}); status != http.StatusOK {
		t.Fatalf("merge: %d %+v", status, e)
	}
	wantError(t, srv, "/api/concepts/"+from.ID, http.StatusNotFound, graph.ENOTFOUND)
	var merged struct {
		Concept graph.Concept `json:"concept"`
	}
	get(t, srv, "/api/concepts/"+into.ID, http.StatusOK, &merged)
	for _, ep := range from.Episodes {
		if !contains(merged.Concept.Episodes, ep) {
			t.Errorf("after the merge %s lacks %s's episode %s", into.ID, from.ID, ep)
		}
	}
	if data, _ := os.ReadFile(lexicon); !strings.Contains(string(data), from.Label) {
		t.Errorf("the lexicon file does not keep the merge:\n%s", data)
	}
	if status, e := postEdit(t, srv, `{"op":"undo"}`, nil); status != http.StatusOK {
		t.Fatalf("undo: %d %+v", status, e)
	}
	get(t, srv, "/api/concepts/"+from.ID, http.StatusOK, nil)
	if status, _ := postEdit(t, srv, `{"op":"undo"}`, nil); status != http.StatusBadRequest {
		t.Errorf("a second undo with nothing left gave %d, want 400", status)
	}
}

func TestEditsAreRefusedWhenTheyShouldBe(t *testing.T) {
	srv, lexicon, g := curatedServer(t, "", true)
	_, from := mergePair(t, g)
	for _, tc := range []struct {
		name    string
		body    string
		headers map[string]string
		status  int
	}{
		{"another site's page", `{"op":"pin","term":"kitchen table"}`, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"a cross-site fetch", `{"op":"pin","term":"kitchen table"}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"a form post", `op=pin&term=x`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusBadRequest},
		{"not JSON", `{op:`, nil, http.StatusBadRequest},
		{"an unknown field", `{"op":"pin","term":"x","extra":1}`, nil, http.StatusBadRequest},
		{"an unknown op", `{"op":"explode"}`, nil, http.StatusBadRequest},
		{"no op", `{}`, nil, http.StatusBadRequest},
		{"an unknown concept", `{"op":"ban","id":"no-such-concept"}`, nil, http.StatusNotFound},
		{"a merge into itself", `{"op":"merge","into":"` + from.ID + `","from":["` + from.ID + `"]}`, nil, http.StatusBadRequest},
		{"a bad kind", `{"op":"kind","id":"` + from.ID + `","kind":"planet"}`, nil, http.StatusBadRequest},
		{"an empty label", `{"op":"rename","id":"` + from.ID + `","label":"  "}`, nil, http.StatusBadRequest},
		{"a huge body", `{"op":"pin","term":"` + strings.Repeat("x", 70<<10) + `"}`, nil, http.StatusBadRequest},
	} {
		if status, e := postEdit(t, srv, tc.body, tc.headers); status != tc.status {
			t.Errorf("%s: %d %+v, want %d", tc.name, status, e, tc.status)
		}
	}
	if _, err := os.Stat(lexicon); err == nil {
		t.Error("a refused edit wrote the lexicon file")
	}
	// A lexicon changed by hand is not overwritten.
	if err := os.WriteFile(lexicon, []byte("ban: [something]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if status, _ := postEdit(t, srv, `{"op":"pin","term":"kitchen table"}`, nil); status != http.StatusConflict {
		t.Errorf("an edit over a changed lexicon gave %d, want 409", status)
	}
}

func TestEditsNeedTheTokenWhenOneIsSet(t *testing.T) {
	srv, _, _ := curatedServer(t, "s3cret-token", false)
	var h struct{ Edits string }
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Edits != httpapi.EditsToken {
		t.Errorf("healthz edits = %q, want %q", h.Edits, httpapi.EditsToken)
	}
	body := `{"op":"pin","term":"kitchen table"}`
	for _, auth := range []string{"", "Bearer wrong", "s3cret-token", "Basic s3cret-token"} {
		if status, _ := postEdit(t, srv, body, map[string]string{"Authorization": auth}); status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: %d, want 401", auth, status)
		}
	}
	if status, e := postEdit(t, srv, body, map[string]string{"Authorization": "Bearer s3cret-token"}); status != http.StatusOK {
		t.Errorf("with the token: %d %+v", status, e)
	}
}

func TestPublicExplorerWithoutTokenIsReadOnly(t *testing.T) {
	srv, lexicon, _ := curatedServer(t, "", false)
	var h struct{ Edits string }
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Edits != httpapi.EditsReadOnly {
		t.Errorf("healthz edits = %q, want %q", h.Edits, httpapi.EditsReadOnly)
	}
	if status, e := postEdit(t, srv, `{"op":"pin","term":"kitchen table"}`, nil); status != http.StatusForbidden || !strings.Contains(e.Error.Message, "-token") {
		t.Errorf("edit on a public explorer without a token: %d %+v, want 403 saying how to allow edits", status, e)
	}
	if _, err := os.Stat(lexicon); err == nil {
		t.Error("the read-only explorer wrote the lexicon file")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
