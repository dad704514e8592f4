package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
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
	// Edits is open, token or read-only: whether POST /api/lexicon accepts
	// edits, and how (see WithCurator).
	Edits string `json:"edits"`
	// LoadCommand is the graphload command that fills this explorer's store,
	// for a page that finds it empty (see WithLoadCommand).
	LoadCommand string `json:"load_command,omitempty"`
}

// handleHealth reports whether a graph is loaded and whether the store answered
// the last refresh. It is 503 only until the first load, so a load balancer
// keeps a degraded server (still serving its last graph) in rotation.
func handleHealth(snap *Snapshot, writes writePolicy, loadCommand string, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := snap.current()
		w.Header().Set("Cache-Control", "no-store")
		resp := healthResponse{Status: "loading", Edits: writes.mode(), LoadCommand: loadCommand}
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
// 400 for a parameter not in params (or malformed, see readQuery), 304 when
// the client already holds this graph's answer, else answer's result as
// JSON. Answers depend only on the URL and the loaded graph, so one ETag per
// load validates them all.
func serveQuery(snap *Snapshot, logger *slog.Logger, params []string, answer func(r *http.Request, q query, ix *graph.Index) (any, error)) http.Handler {
	return serveLoaded(snap, logger, params, func(r *http.Request, q query, lg *loadedGraph) (any, error) { return answer(r, q, lg.index) })
}

// serveLoaded is serveQuery for answers that need more of the load than the
// Index, such as the Insights.
func serveLoaded(snap *Snapshot, logger *slog.Logger, params []string, answer func(r *http.Request, q query, lg *loadedGraph) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		q, err := readQuery(r, params...)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		if notModified(w, r, lg) {
			return
		}
		v, err := answer(r, q, lg)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		setValidators(w, lg)
		writeJSON(w, r, logger, http.StatusOK, v)
	})
}

// notModified answers 304 when the request's If-None-Match names the loaded
// graph's ETag, and reports whether it did. Every answer of the API depends
// only on its URL and the loaded graph, so this one check serves them all.
func notModified(w http.ResponseWriter, r *http.Request, lg *loadedGraph) bool {
	if !etagMatches(r.Header.Get("If-None-Match"), lg.etag) {
		return false
	}
	setValidators(w, lg)
	w.WriteHeader(http.StatusNotModified)
	return true
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

type searchResponse struct {
	Query   string            `json:"query"`
	Results []graph.SearchHit `json:"results"`
}

func handleSearch(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, []string{"q", "limit"}, func(r *http.Request, params query, ix *graph.Index) (any, error) {
		q := params.str("q")
		if strings.TrimSpace(q) == "" {
			return nil, graph.Errorf(graph.EINVALID, "q: a search text is required")
		}
		if utf8.RuneCountInString(q) > maxQueryRunes {
			return nil, graph.Errorf(graph.EINVALID, "q: at most %d characters", maxQueryRunes)
		}
		limit, err := params.limit("limit", defaultSearchLimit, maxSearchLimit)
		if err != nil {
			return nil, err
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
	params := []string{"neighbour", "neighbours", "evidence", "neighbour_evidence"}
	return serveQuery(snap, logger, params, func(r *http.Request, q query, ix *graph.Index) (any, error) {
		id, err := pathParam(r, "id")
		if err != nil {
			return nil, err
		}
		parts := graph.ConceptParts{Neighbour: q.str("neighbour")}
		if parts.Neighbours, err = q.count("neighbours", defaultConceptNeighbours); err != nil {
			return nil, err
		}
		if parts.Evidence, err = q.count("evidence", defaultConceptEvidence); err != nil {
			return nil, err
		}
		// A neighbour's lines: as many as evidence= when that is given, else
		// all of them for one link, unless neighbour_evidence says.
		neighbourEvidence := defaultNeighbourEvidence
		switch {
		case q.str("evidence") != "":
			neighbourEvidence = parts.Evidence
		case parts.Neighbour != "":
			neighbourEvidence = graph.All
		}
		if parts.NeighbourEvidence, err = q.count("neighbour_evidence", neighbourEvidence); err != nil {
			return nil, err
		}
		return ix.Concept(id, parts)
	})
}

func handlePath(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, []string{"from", "to"}, func(r *http.Request, q query, ix *graph.Index) (any, error) {
		return ix.Path(q.str("from"), q.str("to"))
	})
}

type episodesResponse struct {
	Episodes []graph.EpisodeSummary `json:"episodes"`
}

func handleEpisodes(snap *Snapshot, logger *slog.Logger) http.Handler {
	return serveQuery(snap, logger, nil, func(r *http.Request, q query, ix *graph.Index) (any, error) {
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
