package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"

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

// parseLimit reads an optional list length.
func parseLimit(params url.Values, name string, def int) (int, error) {
	raw := params.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, graph.Errorf(graph.EINVALID, "%s: want a whole number from 1 to %d, got %q", name, maxListLimit, raw)
	}
	return min(n, maxListLimit), nil
}

// parseBool reads an optional flag such as graph=1.
func parseBool(params url.Values, name string) (bool, error) {
	raw := params.Get(name)
	if raw == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, graph.Errorf(graph.EINVALID, "%s: want 1, 0, true or false, got %q", name, raw)
	}
	return b, nil
}

func handleThemes(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		return lg.insights.Themes(), nil
	})
}

type recurringResponse struct {
	Concepts []graph.RecurringConcept `json:"concepts"`
}

func handleRecurring(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		limit, err := parseLimit(r.URL.Query(), "limit", defaultListLimit)
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
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		limit, err := parseLimit(r.URL.Query(), "limit", defaultListLimit)
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
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		limit, err := parseLimit(r.URL.Query(), "limit", defaultListLimit)
		if err != nil {
			return nil, err
		}
		return gapsResponse{Gaps: lg.topGaps(limit)}, nil
	})
}

func handleTimeline(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
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
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		params := r.URL.Query()
		k := defaultPaths
		if raw := params.Get("k"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > graph.MaxPaths {
				return nil, graph.Errorf(graph.EINVALID, "k: want a whole number from 1 to %d, got %q", graph.MaxPaths, raw)
			}
			k = n
		}
		from, to := params.Get("from"), params.Get("to")
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
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		params := r.URL.Query()
		withGraph, err := parseBool(params, "graph")
		if err != nil {
			return nil, err
		}
		limit, err := parseLimit(params, "similar", defaultSimilar)
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
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		params := r.URL.Query()
		return lg.insights.Compare(params.Get("a"), params.Get("b"))
	})
}

// parseWindow reads one window's bounds from parameters named with prefix:
// from, to, from_episode and to_episode.
func parseWindow(params url.Values, prefix string) (graph.WindowSpec, error) {
	var spec graph.WindowSpec
	var err error
	if spec.From, err = parseDate(params, prefix+"from"); err != nil {
		return spec, err
	}
	if spec.To, err = parseDate(params, prefix+"to"); err != nil {
		return spec, err
	}
	spec.FromEpisode, spec.ToEpisode = params.Get(prefix+"from_episode"), params.Get(prefix+"to_episode")
	return spec, nil
}

// handleWindow serves the graph of a date window or episode range, its
// centrality computed within the window, in node-link form. top and
// evidence=false trim it as they do /api/graph.
func handleWindow(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		params := r.URL.Query()
		spec, err := parseWindow(params, "")
		if err != nil {
			return nil, err
		}
		if spec == (graph.WindowSpec{}) {
			return nil, graph.Errorf(graph.EINVALID, "a window needs from, to, from_episode or to_episode")
		}
		var trim export.Filter
		if raw := params.Get("top"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 || n > maxTop {
				return nil, graph.Errorf(graph.EINVALID, "top: want a whole number from 1 to %d, got %q", maxTop, raw)
			}
			trim.Top = n
		}
		withEvidence := true
		if raw := params.Get("evidence"); raw != "" {
			if withEvidence, err = strconv.ParseBool(raw); err != nil {
				return nil, graph.Errorf(graph.EINVALID, "evidence: want true or false, got %q", raw)
			}
		}
		g, err := lg.insights.WindowOf(spec)
		if err != nil {
			return nil, err
		}
		g = trim.Apply(g)
		if !withEvidence {
			g = export.WithoutEvidence(g)
		}
		return g.NodeLink(), nil
	})
}

func handleChanges(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) {
		params := r.URL.Query()
		a, err := parseWindow(params, "a_")
		if err != nil {
			return nil, err
		}
		b, err := parseWindow(params, "b_")
		if err != nil {
			return nil, err
		}
		if a == (graph.WindowSpec{}) || b == (graph.WindowSpec{}) {
			return nil, graph.Errorf(graph.EINVALID, "changes need two windows: a_from/a_to and b_from/b_to (or a_from_episode ... b_to_episode)")
		}
		limit, err := parseLimit(params, "limit", 20)
		if err != nil {
			return nil, err
		}
		return lg.insights.Changes(a, b, limit)
	})
}
