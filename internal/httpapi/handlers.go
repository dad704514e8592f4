package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// Search limits: a default that fills a suggestion list, a cap that keeps
// responses small, and a query length no label comes near.
const (
	defaultSearchLimit = 10
	maxSearchLimit     = 100
	maxQueryRunes      = 200
)

// healthResponse is the body of /healthz.
type healthResponse struct {
	Status    string `json:"status"` // loading, ok or degraded
	Episodes  *int   `json:"episodes,omitempty"`
	Concepts  *int   `json:"concepts,omitempty"`
	Relations *int   `json:"relations,omitempty"`
	Version   string `json:"version,omitempty"`
	LoadedAt  string `json:"loaded_at,omitempty"`
	Error     string `json:"error,omitempty"`
}

// handleHealth reports whether a graph is loaded and whether the store answered
// the last refresh. It is 503 only until the first load, so a load balancer
// keeps a degraded server (still serving its last graph) in rotation.
func handleHealth(snap *Snapshot, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := snap.current()
		w.Header().Set("Cache-Control", "no-store")
		resp := healthResponse{Status: "loading"}
		if st.failure != nil {
			resp.Error = st.failure.Error()
		}
		if st.loaded == nil {
			writeJSON(w, r, logger, http.StatusServiceUnavailable, resp)
			return
		}
		g := st.loaded.graph
		episodes, concepts, relations := len(g.Episodes), len(g.Concepts), len(g.Relations)
		resp.Status = "ok"
		if st.failure != nil {
			resp.Status = "degraded"
		}
		resp.Episodes, resp.Concepts, resp.Relations = &episodes, &concepts, &relations
		resp.Version = st.loaded.version
		resp.LoadedAt = st.loaded.loadedAt.Format(time.RFC3339)
		writeJSON(w, r, logger, http.StatusOK, resp)
	})
}

// serveQuery answers a read of the loaded graph: 503 before the first load,
// 304 when the client already holds this graph's answer, else query's result
// as JSON. Answers depend only on the URL and the loaded graph, so one ETag
// per load validates them all.
func serveQuery(snap *Snapshot, logger *slog.Logger, query func(r *http.Request, ix *graph.Index) (any, error)) http.Handler {
	return serveLoaded(snap, logger, func(r *http.Request, lg *loadedGraph) (any, error) { return query(r, lg.index) })
}

// serveLoaded is serveQuery for answers that need more of the load than the
// Index, such as the Insights.
func serveLoaded(snap *Snapshot, logger *slog.Logger, query func(r *http.Request, lg *loadedGraph) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		if etagMatches(r.Header.Get("If-None-Match"), lg.etag) {
			setValidators(w, lg)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		v, err := query(r, lg)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		setValidators(w, lg)
		writeJSON(w, r, logger, http.StatusOK, v)
	})
}

func setValidators(w http.ResponseWriter, lg *loadedGraph) {
	w.Header().Set("ETag", lg.etag)
	// Browsers may keep answers but must revalidate, which is a cheap 304.
	w.Header().Set("Cache-Control", "no-cache")
}

func loadedGraphOr503(w http.ResponseWriter, r *http.Request, snap *Snapshot, logger *slog.Logger) (*loadedGraph, bool) {
	st := snap.current()
	if st.loaded == nil {
		msg := "the graph is still loading"
		if st.failure != nil {
			msg += "; the store is not answering"
		}
		writeError(w, r, logger, graph.Errorf(graph.EUNAVAILABLE, "%s", msg))
		return nil, false
	}
	return st.loaded, true
}

// handleGraph serves the whole graph in node-link form, or with query
// parameters the part the page shows (see serveGraphPart). Both are built
// once per load and kept, gzipped, for later requests.
func handleGraph(snap *Snapshot, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		if r.URL.RawQuery != "" {
			serveGraphPart(w, r, lg, logger)
			return
		}
		if etagMatches(r.Header.Get("If-None-Match"), lg.etag) {
			setValidators(w, lg)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		resp := lg.responses.get(cacheKey(r), func() (*cachedResponse, error) {
			body, err := encodeJSON(lg.graph.NodeLink())
			return &cachedResponse{contentType: "application/json", body: body}, err
		})
		if resp.err != nil {
			writeError(w, r, logger, resp.err)
			return
		}
		resp.write(w, r, lg)
	})
}

type searchResponse struct {
	Query   string            `json:"query"`
	Results []graph.SearchHit `json:"results"`
}

func handleSearch(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, func(r *http.Request, ix *graph.Index) (any, error) {
		params := r.URL.Query()
		q := params.Get("q")
		if strings.TrimSpace(q) == "" {
			return nil, graph.Errorf(graph.EINVALID, "q: a search text is required")
		}
		if utf8.RuneCountInString(q) > maxQueryRunes {
			return nil, graph.Errorf(graph.EINVALID, "q: at most %d characters", maxQueryRunes)
		}
		limit := defaultSearchLimit
		if raw := params.Get("limit"); raw != "" {
			n, err := strconv.Atoi(raw)
			if err != nil || n < 1 {
				return nil, graph.Errorf(graph.EINVALID, "limit: want a whole number from 1 to %d, got %q", maxSearchLimit, raw)
			}
			limit = min(n, maxSearchLimit)
		}
		return searchResponse{Query: q, Results: ix.Search(q, limit)}, nil
	})
}

// Default bounds of a concept's detail. Below them (every concept of one
// episode's notes) the detail is whole; a hub of thousands of episodes would
// otherwise send megabytes, nearly all of it lines that the page never shows
// and that a link's own table (neighbour=ID) serves in full.
const (
	defaultConceptNeighbours = 500
	defaultNeighbourEvidence = 20
	defaultConceptEvidence   = 1000
)

// handleConcept serves a concept's detail, bounded by default (see the
// constants above) and trimmed further on request: neighbours=N keeps the N
// strongest, evidence=N keeps N lines of the concept, neighbour_evidence=N N
// lines of each neighbour (by default as many as evidence= when that is
// given), and neighbour=ID keeps only the link to one neighbour, with all
// its lines unless told otherwise, which is a link's evidence table. Each
// limit may be "all". neighbour_count and evidence_count give the totals.
func handleConcept(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, func(r *http.Request, ix *graph.Index) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		params := r.URL.Query()
		parts := graph.ConceptParts{
			Neighbours:        defaultConceptNeighbours,
			NeighbourEvidence: defaultNeighbourEvidence,
			Evidence:          defaultConceptEvidence,
			Neighbour:         params.Get("neighbour"),
		}
		if parts.Neighbour != "" {
			parts.NeighbourEvidence = graph.All
		}
		for _, limit := range []struct {
			name string
			to   *int
		}{{"neighbours", &parts.Neighbours}, {"evidence", &parts.Evidence}, {"neighbour_evidence", &parts.NeighbourEvidence}} {
			raw := params.Get(limit.name)
			if raw == "" {
				continue
			}
			n, err := parseCount(limit.name, raw)
			if err != nil {
				return nil, err
			}
			*limit.to = n
			if limit.name == "evidence" {
				parts.NeighbourEvidence = n // unless neighbour_evidence, next, says otherwise
			}
		}
		return ix.Concept(id, parts)
	})
}

// parseCount reads a count parameter: a whole number of 0 or more, or "all".
func parseCount(name, raw string) (int, error) {
	if raw == "all" {
		return graph.All, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, graph.Errorf(graph.EINVALID, "%s: want a whole number of 0 or more, or all, got %q", name, raw)
	}
	return n, nil
}

func handlePath(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, func(r *http.Request, ix *graph.Index) (any, error) {
		params := r.URL.Query()
		return ix.Path(params.Get("from"), params.Get("to"))
	})
}

type episodesResponse struct {
	Episodes []graph.EpisodeSummary `json:"episodes"`
}

func handleEpisodes(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, func(r *http.Request, ix *graph.Index) (any, error) {
		return episodesResponse{Episodes: ix.Episodes()}, nil
	})
}

// handleUnknownEndpoint answers unknown /api paths in JSON, as API clients expect.
func handleUnknownEndpoint(logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, logger, graph.Errorf(graph.ENOTFOUND, "no API endpoint %s", r.URL.Path))
	})
}

// handleMethodNotAllowed answers 405 in the API's error shape; the API is read-only.
func handleMethodNotAllowed() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		writeErrorStatus(w, http.StatusMethodNotAllowed, graph.EINVALID,
			"method "+r.Method+" is not allowed; the API is read-only (GET)")
	})
}

// pathParam returns a URL path parameter, decoded. chi matches on the escaped
// path when the request's path has escapes net/url would not produce (such as
// %2F), and then hands back the still-escaped segment.
func pathParam(r *http.Request, name string) (string, error) {
	raw := chi.URLParam(r, name)
	if r.URL.RawPath == "" {
		return raw, nil
	}
	decoded, err := url.PathUnescape(raw)
	if err != nil {
		return "", graph.Errorf(graph.EINVALID, "%s: malformed escape in %q", name, raw)
	}
	return decoded, nil
}
