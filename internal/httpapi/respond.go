package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// statusOf maps the domain's error codes to HTTP statuses; any other code is a 500.
var statusOf = map[string]int{
	graph.EINVALID:     http.StatusBadRequest,
	graph.ENOTFOUND:    http.StatusNotFound,
	graph.EUNAVAILABLE: http.StatusServiceUnavailable,
	graph.ECONFLICT:    http.StatusConflict,
	graph.EAUTH:        http.StatusUnauthorized,
	graph.EFORBIDDEN:   http.StatusForbidden,
	graph.EINTERNAL:    http.StatusInternalServerError,
}

// errorBody is the JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers with err as JSON. Internal errors are logged in full and
// shown to the client only as "internal error".
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := graph.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusInternalServerError {
		logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	writeErrorStatus(w, status, code, graph.ErrorMessage(err))
}

// writeErrorStatus writes an error body with an explicit status, for the few
// HTTP-level errors (such as 405) that have no domain code of their own.
func writeErrorStatus(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("ETag")
	body, _ := json.Marshal(errorBody{Error: errorDetail{Code: code, Message: message}})
	writeJSONBytes(w, status, append(body, '\n'))
}

// writeJSON encodes v before writing anything, so an encoding failure becomes
// a clean 500 rather than half a response.
func writeJSON(w http.ResponseWriter, r *http.Request, logger *slog.Logger, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		writeError(w, r, logger, err)
		return
	}
	writeJSONBytes(w, status, buf.Bytes())
}

func writeJSONBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client has gone if this fails; nothing to tell it
}

// etagMatches reports whether an If-None-Match header names etag. Comparison
// is weak (RFC 9110 section 13.1.2): a W/ prefix on either side is ignored.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == want {
			return true
		}
	}
	return false
}
