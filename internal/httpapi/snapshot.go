// Package httpapi serves the explorer: the JSON API over the current graph and
// the embedded web page. The graph is held in a Snapshot that reloads from the
// store when the store's version changes, so the server keeps answering from
// the last good graph while a load is under way or the store is down.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/layout"
)

// Snapshot holds the graph the API answers from. Readers take the current
// state without locking; Refresh swaps in a new one when the store changed.
type Snapshot struct {
	store     graph.Store // nil for a static snapshot
	logger    *slog.Logger
	refreshMu sync.Mutex // one refresh at a time
	state     atomic.Pointer[snapshotState]
	// responses holds the encoded whole-graph answers (graph views,
	// exports) of the current load, within a byte budget (cache.go).
	responses *responseCache
}

// snapshotState is what one request sees: the loaded graph, if any, and the
// last refresh failure, if any. It is never modified once published.
type snapshotState struct {
	loaded  *loadedGraph // nil until the first successful load
	failure error        // the last refresh error; nil when the store answered
}

// loadedGraph is one load of the graph with everything derived from it. It is
// shared by successive states until the store's version changes.
type loadedGraph struct {
	graph    *graph.Graph
	index    *graph.Index
	insights *graph.Insights
	version  string
	loadedAt time.Time
	etag     string

	// gaps are computed once per load, at the longest list a request may
	// ask for: on a large corpus they take a few hundred milliseconds.
	gapsOnce sync.Once
	gaps     []graph.Gap

	// layout places every concept once per load (see layoutPositions).
	layoutOnce sync.Once
	layout     map[string]layout.Point
	layoutErr  error

	// responses is the snapshot's answer cache, shared by its loads.
	responses *responseCache
}

// NewSnapshot returns a snapshot of store with nothing loaded yet; call
// Refresh or Watch to load it. A nil logger discards logs.
func NewSnapshot(store graph.Store, logger *slog.Logger) *Snapshot {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Snapshot{store: store, logger: logger, responses: newResponseCache(0)}
	s.state.Store(&snapshotState{})
	return s
}

// SetCacheLimit sets the byte budget of the cached answers, kept and being
// built (DefaultCacheBytes when bytes is 0 or less). Call it before serving.
func (s *Snapshot) SetCacheLimit(bytes int64) { s.responses.setLimit(bytes) }

// NewStaticSnapshot returns a snapshot that always serves g, with no store
// behind it. Refresh on it does nothing.
func NewStaticSnapshot(g *graph.Graph) *Snapshot {
	s := &Snapshot{logger: slog.New(slog.DiscardHandler), responses: newResponseCache(0)}
	s.state.Store(&snapshotState{loaded: newLoadedGraph(g, "static", time.Now().UTC(), s.responses)})
	return s
}

func newLoadedGraph(g *graph.Graph, version string, loadedAt time.Time, responses *responseCache) *loadedGraph {
	// The ETag must change when the graph does, and also when the process
	// restarts, since a new binary may shape responses differently.
	sum := sha256.Sum256([]byte(version + "\x00" + loadedAt.Format(time.RFC3339Nano)))
	lg := &loadedGraph{
		graph: g, index: graph.NewIndex(g), insights: graph.NewInsights(g), version: version, loadedAt: loadedAt,
		etag: `W/"` + hex.EncodeToString(sum[:12]) + `"`, responses: responses,
	}
	responses.begin(lg.etag + " ")
	return lg
}

// current returns the state to answer one request from.
func (s *Snapshot) current() *snapshotState { return s.state.Load() }

// Refresh reloads the graph when the store's version differs from the loaded
// one. On failure it keeps serving the last graph, remembers the error for
// /healthz and returns it; the next successful Refresh clears it.
func (s *Snapshot) Refresh(ctx context.Context) error {
	if s.store == nil {
		return nil
	}
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	old := s.current()
	// Read the version before the data: if the store changes in between, the
	// next refresh sees a newer version and loads again, so no change is missed.
	version, err := s.store.Version(ctx)
	if err != nil {
		return s.fail(ctx, old, fmt.Errorf("reading the store version: %w", err))
	}
	if old.loaded != nil && version == old.loaded.version {
		if old.failure != nil {
			s.logger.Info("store available again", "version", version)
			s.state.Store(&snapshotState{loaded: old.loaded})
		}
		return nil
	}
	g, err := graph.Read(ctx, s.store)
	if err != nil {
		return s.fail(ctx, old, fmt.Errorf("reading the graph: %w", err))
	}
	if old.failure != nil {
		s.logger.Info("store available again", "version", version)
	}
	loaded := newLoadedGraph(g, version, time.Now().UTC(), s.responses)
	// The layout is part of the load: the page's first request should not
	// wait a second or two for it. A failure is the request's to report.
	_, _ = loaded.layoutPositions()
	loaded.prepareOpeningView()
	s.state.Store(&snapshotState{loaded: loaded})
	s.logger.Info("graph loaded", "version", version,
		"episodes", len(g.Episodes), "concepts", len(g.Concepts), "relations", len(g.Relations))
	return nil
}

// fail publishes err alongside the last good graph.
func (s *Snapshot) fail(ctx context.Context, old *snapshotState, err error) error {
	if ctx.Err() != nil {
		return err // shutting down or timed out by the caller: not the store's fault
	}
	if old.failure == nil || old.failure.Error() != err.Error() {
		s.logger.Error("store unavailable; serving the last graph", "error", err)
	}
	s.state.Store(&snapshotState{loaded: old.loaded, failure: err})
	return err
}

// Watch refreshes now and then every interval until ctx is done. Failures are
// logged by Refresh and retried on the next tick.
func (s *Snapshot) Watch(ctx context.Context, interval time.Duration) {
	if s.store == nil {
		return
	}
	_ = s.Refresh(ctx)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			_ = s.Refresh(ctx)
		}
	}
}

// topGaps returns the limit strongest gaps, computing the list once per load.
func (lg *loadedGraph) topGaps(limit int) []graph.Gap {
	lg.gapsOnce.Do(func() { lg.gaps = lg.insights.Gaps(maxListLimit) })
	return lg.gaps[:min(limit, len(lg.gaps))]
}
