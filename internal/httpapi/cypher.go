package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// maxCypherBody bounds a console request: a query and its parameters, never
// data to import.
const maxCypherBody = 1 << 20

// CypherResult is what a console query returns. The type is an alias of the
// same unnamed struct as neo4j.CypherResult, so the Neo4j store satisfies
// CypherConsole without this package importing the adapter.
type CypherResult = struct {
	Columns     []string `json:"columns"`
	Rows        [][]any  `json:"rows"`
	Truncated   bool     `json:"truncated"`
	TruncatedBy string   `json:"truncated_by,omitempty"`
	Truncation  string   `json:"truncation,omitempty"`
}

// CypherConsole runs an analyst's read-only Cypher query. The Neo4j store
// implements it; a store that does not has no console.
type CypherConsole interface {
	ReadCypher(ctx context.Context, query string, params map[string]any) (CypherResult, error)
}

// cypherConsole returns the snapshot's store as a console, or nil when the
// store has none (SQLite) or there is no store (a static snapshot).
func (s *Snapshot) cypherConsole() CypherConsole {
	console, _ := s.store.(CypherConsole)
	return console
}

// cypherRequest is the body of POST /api/cypher.
type cypherRequest struct {
	Query  string         `json:"query"`
	Params map[string]any `json:"params"`
}

// cypherResponse is its answer.
type cypherResponse struct {
	CypherResult
	ElapsedMS int64 `json:"elapsed_ms"`
}

// cypherAvailability is the answer to GET /api/cypher.
type cypherAvailability struct {
	Available bool `json:"available"`
}

// handleCypher serves /api/cypher. POST runs a read-only Cypher query against
// the store itself (not the loaded snapshot), for analysts who want more than
// the page offers; without a console it answers 404. GET says whether there
// is a console, always with 200, so the page can decide to show its panel
// without a failed request in the browser's console.
func handleCypher(console CypherConsole, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, r, logger, http.StatusOK, cypherAvailability{Available: console != nil})
			return
		case http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			writeErrorStatus(w, http.StatusMethodNotAllowed, graph.EINVALID, "method "+r.Method+" is not allowed on /api/cypher: use POST to run a query")
			return
		}
		if console == nil {
			writeErrorStatus(w, http.StatusNotFound, graph.ENOTFOUND, "the Cypher console needs a Neo4j store")
			return
		}
		// Only JSON: a cross-site form cannot send it without a CORS preflight.
		if mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mediaType != "application/json" {
			writeErrorStatus(w, http.StatusUnsupportedMediaType, graph.EINVALID,
				`POST /api/cypher takes a JSON body {"query": "...", "params": {...}} with Content-Type: application/json`)
			return
		}
		req, err := decodeCypherRequest(http.MaxBytesReader(w, r.Body, maxCypherBody))
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		began := time.Now()
		res, err := console.ReadCypher(r.Context(), req.Query, req.Params)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, r, logger, http.StatusOK, cypherResponse{CypherResult: res, ElapsedMS: time.Since(began).Milliseconds()})
	})
}

// decodeCypherRequest reads the request body. Numbers in params keep their
// kind: 10 becomes an integer, as Cypher's range() and LIMIT require, and
// 0.5 a float.
func decodeCypherRequest(body io.Reader) (cypherRequest, error) {
	var req cypherRequest
	dec := json.NewDecoder(body)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return req, graph.Errorf(graph.EINVALID, "the request body is larger than %d bytes", maxCypherBody)
		}
		return req, graph.Errorf(graph.EINVALID, `the request body is not {"query": "...", "params": {...}}: %v`, err)
	}
	if dec.More() {
		return req, graph.Errorf(graph.EINVALID, "the request body has more than one JSON value")
	}
	if strings.TrimSpace(req.Query) == "" {
		return req, graph.Errorf(graph.EINVALID, `the request has no "query"`)
	}
	params, err := cypherParam(req.Params)
	if err != nil {
		return req, err
	}
	req.Params, _ = params.(map[string]any)
	return req, nil
}

// cypherParam converts decoded JSON into the driver's parameter types.
func cypherParam(v any) (any, error) {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		f, err := v.Float64()
		if err != nil {
			return nil, graph.Errorf(graph.EINVALID, "parameter value %s is not a number Cypher can hold", v)
		}
		return f, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			c, err := cypherParam(x)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			c, err := cypherParam(x)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case nil, string, bool:
		return v, nil
	}
	return nil, graph.Errorf(graph.EINVALID, "parameter value of type %T is not supported", v)
}
