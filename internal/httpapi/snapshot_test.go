package httpapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// openStore opens a real SQLite store in a temporary directory holding the
// test facts.
func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for _, f := range testFacts() {
		if err := store.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveAnalytics(ctx, testGraph()); err != nil {
		t.Fatal(err)
	}
	return store
}

// outage is the real store behind a switch that makes reads fail, as they do
// when a database server goes away and comes back.
type outage struct {
	graph.Store
	down atomic.Bool
}

var errStoreDown = errors.New("connection refused")

func (o *outage) Version(ctx context.Context) (string, error) {
	if o.down.Load() {
		return "", errStoreDown
	}
	return o.Store.Version(ctx)
}

func (o *outage) Facts(ctx context.Context) ([]graph.EpisodeFacts, error) {
	if o.down.Load() {
		return nil, errStoreDown
	}
	return o.Store.Facts(ctx)
}

type health struct {
	Status    string `json:"status"`
	Concepts  int    `json:"concepts"`
	Version   string `json:"version"`
	LoadedAt  string `json:"loaded_at"`
	Error     string `json:"error"`
	Relations int    `json:"relations"`
}

func TestRefreshLoadsFromSQLiteOnlyWhenTheVersionChanges(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	snap := httpapi.NewSnapshot(store, nil)
	srv := newTestServer(t, snap)

	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	var h health
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Status != "ok" || h.Concepts != 4 || h.Relations != 2 {
		t.Fatalf("healthz after load = %+v", h)
	}
	var c struct {
		Concept graph.Concept `json:"concept"`
	}
	get(t, srv, "/api/concepts/ai", http.StatusOK, &c)
	if c.Concept.PageRank != 0.5 {
		t.Errorf("ai PageRank = %v, want the stored score 0.5", c.Concept.PageRank)
	}
	etag := get(t, srv, "/api/graph", http.StatusOK, nil).Header.Get("ETag")

	// Unchanged store: nothing is reloaded, so the validator stays valid.
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if again := get(t, srv, "/api/graph", http.StatusOK, nil).Header.Get("ETag"); again != etag {
		t.Errorf("ETag changed from %s to %s without a store change", etag, again)
	}

	extra := graph.EpisodeFacts{
		Episode:  graph.Episode{ID: "ep-3", Title: "Three", Date: "2024-03-01", Source: "notes/three.md"},
		Mentions: []graph.Mention{{Concept: "union", Label: "Union", Kind: graph.KindOrganization, Line: 1, Text: "Union", Weight: 1}},
	}
	if err := store.ReplaceEpisode(ctx, extra); err != nil {
		t.Fatal(err)
	}
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Concepts != 5 {
		t.Errorf("concepts after adding an episode = %d, want 5", h.Concepts)
	}
	get(t, srv, "/api/concepts/union", http.StatusOK, nil)
	if again := get(t, srv, "/api/graph", http.StatusOK, nil).Header.Get("ETag"); again == etag {
		t.Error("ETag did not change when the graph did")
	}
}

func TestDegradedWhileTheStoreIsDownThenRecovers(t *testing.T) {
	ctx := context.Background()
	store := &outage{Store: openStore(t)}
	snap := httpapi.NewSnapshot(store, nil)
	srv := newTestServer(t, snap)

	store.down.Store(true)
	if err := snap.Refresh(ctx); !errors.Is(err, errStoreDown) {
		t.Fatalf("Refresh with the store down = %v, want %v", err, errStoreDown)
	}
	var h health
	get(t, srv, "/healthz", http.StatusServiceUnavailable, &h)
	if h.Status != "loading" || h.Error == "" {
		t.Errorf("healthz before any load, store down = %+v", h)
	}

	store.down.Store(false)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	get(t, srv, "/healthz", http.StatusOK, &h)
	loadedAt := h.LoadedAt

	store.down.Store(true)
	if err := snap.Refresh(ctx); err == nil {
		t.Fatal("Refresh with the store down succeeded")
	}
	h = health{}
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Status != "degraded" || h.Error == "" || h.Concepts != 4 || h.LoadedAt != loadedAt {
		t.Errorf("healthz while down = %+v, want degraded with the last graph", h)
	}
	get(t, srv, "/api/concepts/ai", http.StatusOK, nil) // still served

	store.down.Store(false)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	h = health{}
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Status != "ok" || h.Error != "" {
		t.Errorf("healthz after recovery = %+v, want ok", h)
	}
}

func TestDegradedWhenTheStoreIsClosed(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	snap := httpapi.NewSnapshot(store, nil)
	srv := newTestServer(t, snap)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if err := snap.Refresh(ctx); err == nil {
		t.Fatal("Refresh on a closed store succeeded")
	}
	var h health
	get(t, srv, "/healthz", http.StatusOK, &h)
	if h.Status != "degraded" || h.Error == "" {
		t.Errorf("healthz = %+v, want degraded", h)
	}
}

func TestWatchPicksUpChanges(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store := openStore(t)
	snap := httpapi.NewSnapshot(store, nil)
	srv := newTestServer(t, snap)
	done := make(chan struct{})
	go func() {
		snap.Watch(ctx, 10*time.Millisecond)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("Watch never %s", what)
	}
	conceptCount := func() int {
		resp, err := srv.Client().Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h health
		_ = decodeJSON(resp, &h)
		return h.Concepts
	}
	waitFor("loaded the graph", func() bool { return conceptCount() == 4 })
	if err := store.RemoveEpisodes(context.Background(), []string{"ep-1"}); err != nil {
		t.Fatal(err)
	}
	// ep-2 alone mentions ai and residuals.
	waitFor("noticed the removed episode", func() bool { return conceptCount() == 2 })
}

// TestPreparedOpeningViewIsTheRequestedOne checks that the compact graph a
// load prepares for the page's first request is the one a request would
// build: the same bytes as /api/graph?compact=1 served from a snapshot of
// the same graph that prepared nothing. (Every spelling of the view shares
// one cache entry, so the same server cannot build it a second time.)
func TestPreparedOpeningViewIsTheRequestedOne(t *testing.T) {
	store := openStore(t)
	snap := httpapi.NewSnapshot(store, nil)
	if err := snap.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	g, err := graph.Read(context.Background(), store)
	if err != nil {
		t.Fatal(err)
	}
	srv, unprepared := newTestServer(t, snap), newTestServer(t, httpapi.NewStaticSnapshot(g))
	body := func(srv *httptest.Server, path string) string {
		t.Helper()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d, %v", path, resp.StatusCode, err)
		}
		return string(b)
	}
	prepared, built := body(srv, "/api/graph?compact=1"), body(unprepared, "/api/graph?compact=1")
	if prepared != built || !strings.Contains(prepared, `"ids"`) {
		t.Errorf("prepared opening view differs from a built one:\n%s\n%s", prepared, built)
	}
}

// An episode's source comes from the store, line by line; an unknown episode
// is 404, and the text is JSON, never markup.
func TestEpisodeSourceIsReadFromTheStore(t *testing.T) {
	store := openStore(t)
	snap := httpapi.NewSnapshot(store, nil)
	srv := newTestServer(t, snap)
	if err := snap.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	var src struct {
		Episode struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"episode"`
		Lines []graph.Line `json:"lines"`
	}
	get(t, srv, "/api/episodes/ep-2/source", http.StatusOK, &src)
	if src.Episode.ID != "ep-2" || src.Episode.Title != "Two" {
		t.Errorf("source episode = %+v, want ep-2, Two", src.Episode)
	}
	want := []graph.Line{{Line: 1, Text: hostileText}, {Line: 2, Text: "AI and residuals"}}
	if len(src.Lines) != len(want) {
		t.Fatalf("source lines %+v, want %+v", src.Lines, want)
	}
	for i, l := range src.Lines {
		if l.Line != want[i].Line || l.Text != want[i].Text {
			t.Errorf("line %d = %+v, want %+v", i, l, want[i])
		}
	}
	wantError(t, srv, "/api/episodes/no-such-episode/source", http.StatusNotFound, "not_found")
	wantError(t, srv, "/api/episodes/ep-2/source?bust=1", http.StatusBadRequest, "invalid")
}
