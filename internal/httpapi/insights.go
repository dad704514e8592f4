package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// List limits for the analyses: a default that fills a view and a cap that
// keeps a response small.
const (
	defaultListLimit = 50
	maxListLimit     = 1000
	defaultSimilar   = 10
	defaultPaths     = 3
)

func handleThemes(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, nil, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		return lg.insights.Themes(), nil
	})
}

type recurringResponse struct {
	Concepts []graph.RecurringConcept `json:"concepts"`
}

func handleRecurring(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"limit"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		limit, err := q.limit("limit", defaultListLimit, maxListLimit)
		if err != nil {
			return nil, err
		}
		return recurringResponse{Concepts: lg.insights.Recurring(limit)}, nil
	})
}

type bridgesResponse struct {
	Bridges []graph.Bridge `json:"bridges"`
}

func handleBridges(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"limit"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		limit, err := q.limit("limit", defaultListLimit, maxListLimit)
		if err != nil {
			return nil, err
		}
		return bridgesResponse{Bridges: lg.insights.Bridges(limit)}, nil
	})
}

type gapsResponse struct {
	Gaps []graph.Gap `json:"gaps"`
}

func handleGaps(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"limit"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		limit, err := q.limit("limit", defaultListLimit, maxListLimit)
		if err != nil {
			return nil, err
		}
		return gapsResponse{Gaps: lg.topGaps(limit)}, nil
	})
}

func handleTimeline(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, nil, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		return lg.insights.Timeline(id)
	})
}

type pathsResponse struct {
	From  string              `json:"from"`
	To    string              `json:"to"`
	K     int                 `json:"k"`
	Paths []graph.KPathResult `json:"paths"`
}

func handlePaths(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"from", "to", "k"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		k, err := q.integer("k", defaultPaths, 1, graph.MaxPaths)
		if err != nil {
			return nil, err
		}
		from, to := q.str("from"), q.str("to")
		paths, err := lg.insights.KShortestPaths(from, to, k)
		if err != nil {
			return nil, err
		}
		if paths == nil {
			paths = []graph.KPathResult{}
		}
		return pathsResponse{From: from, To: to, K: k, Paths: paths}, nil
	})
}

// episodeResponse is an episode with its concepts, the episodes most like it
// and, when asked for, its own graph in node-link form.
type episodeResponse struct {
	graph.EpisodeDetail
	Similar []graph.EpisodeSimilarity `json:"similar"`
	Graph   *graph.NodeLink           `json:"graph,omitempty"`
}

func handleEpisode(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"graph", "similar"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		withGraph, err := q.boolean("graph", false)
		if err != nil {
			return nil, err
		}
		limit, err := q.limit("similar", defaultSimilar, maxListLimit)
		if err != nil {
			return nil, err
		}
		detail, err := lg.index.Episode(id)
		if err != nil {
			return nil, err
		}
		similar, err := lg.insights.Similar(id, limit)
		if err != nil {
			return nil, err
		}
		resp := episodeResponse{EpisodeDetail: detail, Similar: similar}
		if withGraph {
			g, err := lg.insights.EpisodeGraph(id)
			if err != nil {
				return nil, err
			}
			nl := g.NodeLink()
			resp.Graph = &nl
		}
		return resp, nil
	})
}

func handleCompare(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, []string{"a", "b"}, func(r *http.Request, q query, lg *loadedGraph) (any, error) {
		return lg.insights.Compare(q.str("a"), q.str("b"))
	})
}

// windowParams are the names of one window's bounds, after a prefix.
func windowParams(prefix string) []string {
	return []string{prefix + "from", prefix + "to", prefix + "from_episode", prefix + "to_episode"}
}

// parseWindow reads one window's bounds from parameters named with prefix:
// from, to, from_episode and to_episode.
func parseWindow(q query, prefix string) (graph.WindowSpec, error) {
	var spec graph.WindowSpec
	var err error
	if spec.From, err = q.date(prefix + "from"); err != nil {
		return spec, err
	}
	if spec.To, err = q.date(prefix + "to"); err != nil {
		return spec, err
	}
	spec.FromEpisode, spec.ToEpisode = q.str(prefix+"from_episode"), q.str(prefix+"to_episode")
	return spec, nil
}

// handleWindow serves the graph of a date window or episode range, its
// centrality computed within the window, in node-link form. top and
// evidence=false trim it as they do /api/graph. A wide window costs what the
// whole graph costs (tens of megabytes, seconds), so windows go through the
// answer cache like /api/graph: one build per window, within the budget.
func handleWindow(snap *Snapshot, logger *slog.Logger) http.Handler {
	params := append(windowParams(""), "top", "evidence")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		spec, trim, withEvidence, err := parseWindowView(r, params)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		key := fmt.Sprintf("window from=%q to=%q from_episode=%q to_episode=%q top=%d evidence=%t",
			spec.From, spec.To, spec.FromEpisode, spec.ToEpisode, trim.Top, withEvidence)
		serveCached(w, r, lg, logger, key, func() (*cachedResponse, error) {
			g, err := lg.insights.WindowOf(spec)
			if err != nil {
				return nil, err
			}
			g = trim.Apply(g)
			if !withEvidence {
				g = export.WithoutEvidence(g)
			}
			body, err := encodeJSON(g.NodeLink())
			return &cachedResponse{contentType: "application/json", body: body, heldFactor: windowHeldFactor}, err
		})
	})
}

// windowHeldFactor: analysing a window and encoding it holds about six times
// its answer (256 MiB allocated for a 41 MB window of 500 episodes), twice
// what encoding alone holds, so a window reserves that much.
const windowHeldFactor = 6

// parseWindowView reads /api/window's parameters.
func parseWindowView(r *http.Request, params []string) (spec graph.WindowSpec, trim export.Filter, withEvidence bool, err error) {
	q, err := readQuery(r, params...)
	if err != nil {
		return spec, trim, false, err
	}
	if spec, err = parseWindow(q, ""); err != nil {
		return spec, trim, false, err
	}
	if spec == (graph.WindowSpec{}) {
		return spec, trim, false, graph.Errorf(graph.EINVALID, "a window needs from, to, from_episode or to_episode")
	}
	if trim.Top, err = q.integer("top", 0, 1, maxTop); err != nil {
		return spec, trim, false, err
	}
	withEvidence, err = q.boolean("evidence", true)
	return spec, trim, withEvidence, err
}

// handleChanges compares two windows. Its answer is small, but it analyses
// two windows to give it, so it goes through the answer cache too: one
// computation per pair, and no more at once than the cache allows builds.
func handleChanges(snap *Snapshot, logger *slog.Logger) http.Handler {
	params := append(append(windowParams("a_"), windowParams("b_")...), "limit")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		a, b, limit, err := parseChanges(r, params)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		key := fmt.Sprintf("changes a=%+v b=%+v limit=%d", a, b, limit)
		serveCached(w, r, lg, logger, key, func() (*cachedResponse, error) {
			changes, err := lg.insights.Changes(a, b, limit)
			if err != nil {
				return nil, err
			}
			body, err := encodeJSON(changes)
			return &cachedResponse{contentType: "application/json", body: body}, err
		})
	})
}

// parseChanges reads /api/changes's parameters.
func parseChanges(r *http.Request, params []string) (a, b graph.WindowSpec, limit int, err error) {
	q, err := readQuery(r, params...)
	if err != nil {
		return a, b, 0, err
	}
	if a, err = parseWindow(q, "a_"); err != nil {
		return a, b, 0, err
	}
	if b, err = parseWindow(q, "b_"); err != nil {
		return a, b, 0, err
	}
	if a == (graph.WindowSpec{}) || b == (graph.WindowSpec{}) {
		return a, b, 0, graph.Errorf(graph.EINVALID, "changes need two windows: a_from/a_to and b_from/b_to (or a_from_episode ... b_to_episode)")
	}
	limit, err = q.limit("limit", 20, maxListLimit)
	return a, b, limit, err
}

// sourceResponse is an episode's source as stored: every line with its number
// and kind (title, heading, bullet, paragraph or turn), and for transcripts
// its time and speaker, so the page can open the note at an evidence line.
type sourceResponse struct {
	Episode graph.EpisodeSummary `json:"episode"`
	Lines   []graph.Line         `json:"lines"`
}

// handleEpisodeSource serves GET /api/episodes/{id}/source. The lines are
// read from the store on demand: the explorer does not hold the notes' text.
func handleEpisodeSource(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, nil, func(r *http.Request, _ query, lg *loadedGraph) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		detail, err := lg.index.Episode(id)
		if err != nil {
			return nil, err
		}
		if snap.store == nil {
			return nil, graph.Errorf(graph.ENOTFOUND, "episode %q: this explorer has no store to read its source from", id)
		}
		lines, err := snap.store.Lines(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return sourceResponse{Episode: detail.Episode, Lines: lines}, nil
	})
}
