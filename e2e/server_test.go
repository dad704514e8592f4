package e2e

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/topicgraph/topicgraph/internal/curate"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/sqlite"
	"github.com/topicgraph/topicgraph/web"
)

// startExplorer runs the explorer in-process as the binary would: a SQLite
// store in a temporary directory, loaded from examples/notes, served by the
// real HTTP handler with the embedded page. It returns the server's base URL.
func startExplorer(t *testing.T) string {
	t.Helper()
	return startExplorerOn(t, filepath.Join(repoRoot(t), "examples", "notes"))
}

// startExplorerOn is startExplorer on the notes under paths; with none, on an
// empty store.
func startExplorerOn(t *testing.T, paths ...string) string {
	t.Helper()
	return startExplorerWith(t, nil, paths...)
}

// startCuratedExplorer serves the example notes with edits kept in a new
// lexicon file, from this machine (token "") or with a token.
func startCuratedExplorer(t *testing.T, token string) (base, lexicon string) {
	t.Helper()
	lexicon = filepath.Join(t.TempDir(), "concepts.yaml")
	base = startExplorerWith(t, func(store graph.Store) []httpapi.Option {
		cur, err := curate.New(lexicon, store, load.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return []httpapi.Option{httpapi.WithCurator(cur, token, true)}
	}, filepath.Join(repoRoot(t), "examples", "notes"))
	return base, lexicon
}

// startExplorerWith is startExplorerOn with server options made for the store.
func startExplorerWith(t *testing.T, options func(graph.Store) []httpapi.Option, paths ...string) string {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })

	if len(paths) > 0 {
		res, err := load.Run(ctx, store, paths, load.Options{})
		if err != nil {
			t.Fatalf("load %s: %v", paths, err)
		}
		if len(res.Failed) > 0 {
			t.Fatalf("load %s: %d files failed: %v", paths, len(res.Failed), res.Failed)
		}
	}

	snap := httpapi.NewSnapshot(store, nil)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatalf("read the loaded graph: %v", err)
	}
	var opts []httpapi.Option
	if options != nil {
		opts = options(store)
	}
	server := httptest.NewServer(httpapi.NewServer(snap, web.Static, nil, opts...))
	t.Cleanup(server.Close)
	return server.URL
}

// urlPathEscape escapes a concept id for use as one path segment.
func urlPathEscape(s string) string { return url.PathEscape(s) }
