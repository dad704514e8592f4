package httpapi

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Bounds on a query string. No endpoint takes more than a dozen parameters
// or needs more than a few hundred bytes of them; the bounds are far above
// that and far below what would cost the server anything to read.
const (
	maxQueryParams = 64
	maxQueryBytes  = 16 << 10
)

// query is a request's query parameters, read once and checked against the
// names its endpoint takes. Every handler reads its parameters through one,
// so an unknown name, a name given twice, a malformed escape or too many
// parameters is a 400 naming the parameter, the same on every endpoint, and
// nothing a client adds to a URL reaches a cache key unless it changes the
// answer.
type query struct {
	values map[string]string
}

// readQuery parses r's raw query itself rather than through url.ParseQuery,
// which stops at a fixed number of parameters and drops the rest without a
// word (a later top=5 would be ignored), skips pieces it cannot decode, and
// keeps every repetition of a name while Get reads only the first.
func readQuery(r *http.Request, allowed ...string) (query, error) {
	raw := r.URL.RawQuery
	q := query{values: map[string]string{}}
	if raw == "" {
		return q, nil
	}
	if n := strings.Count(raw, "&") + 1; n > maxQueryParams {
		return q, graph.Errorf(graph.EINVALID, "the query string has %d parameters; at most %d are accepted", n, maxQueryParams)
	}
	if len(raw) > maxQueryBytes {
		return q, graph.Errorf(graph.EINVALID, "the query string is %d bytes; at most %d are accepted", len(raw), maxQueryBytes)
	}
	for piece := range strings.SplitSeq(raw, "&") {
		if piece == "" {
			continue // "a=1&&b=2" and a trailing "&" are harmless
		}
		rawName, rawValue, _ := strings.Cut(piece, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return q, graph.Errorf(graph.EINVALID, "malformed escape in the parameter name %q", rawName)
		}
		if !isAllowed(name, allowed) {
			return q, unknownParameter(r, name, allowed)
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return q, graph.Errorf(graph.EINVALID, "%s: malformed escape in %q", name, rawValue)
		}
		if _, dup := q.values[name]; dup {
			return q, graph.Errorf(graph.EINVALID, "%s: given more than once; give it once", name)
		}
		q.values[name] = value
	}
	return q, nil
}

func isAllowed(name string, allowed []string) bool {
	for _, a := range allowed {
		if a == name {
			return true
		}
	}
	return false
}

func unknownParameter(r *http.Request, name string, allowed []string) error {
	if len(allowed) == 0 {
		return graph.Errorf(graph.EINVALID, "%s: unknown parameter; %s takes no parameters", name, r.URL.Path)
	}
	return graph.Errorf(graph.EINVALID, "%s: unknown parameter; %s takes %s", name, r.URL.Path, strings.Join(allowed, ", "))
}

// has reports whether the parameter was given, even empty.
func (q query) has(name string) bool {
	_, ok := q.values[name]
	return ok
}

// str returns a parameter's value, "" when absent.
func (q query) str(name string) string { return q.values[name] }

// integer reads a whole number within [lo, hi], def when absent or empty.
func (q query) integer(name string, def, lo, hi int) (int, error) {
	raw := q.values[name]
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, graph.Errorf(graph.EINVALID, "%s: want a whole number from %d to %d, got %q", name, lo, hi, raw)
	}
	return n, nil
}

// limit reads a list length of 1 or more, def when absent; values above
// most are served as most (the documented cap), not refused.
func (q query) limit(name string, def, most int) (int, error) {
	raw := q.values[name]
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		return 0, graph.Errorf(graph.EINVALID, "%s: want a whole number from 1 to %d, got %q", name, most, raw)
	}
	return min(n, most), nil
}

// count reads a count of 0 or more, or "all" (graph.All), def when absent.
func (q query) count(name string, def int) (int, error) {
	raw := q.values[name]
	switch raw {
	case "":
		return def, nil
	case "all":
		return graph.All, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, graph.Errorf(graph.EINVALID, "%s: want a whole number of 0 or more, or all, got %q", name, raw)
	}
	return n, nil
}

// boolean reads 1, 0, true, false (and the other spellings strconv takes),
// def when absent or empty.
func (q query) boolean(name string, def bool) (bool, error) {
	raw := q.values[name]
	if raw == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, graph.Errorf(graph.EINVALID, "%s: want 1, 0, true or false, got %q", name, raw)
	}
	return b, nil
}

// datePattern accepts the dates episodes carry: YYYY, YYYY-MM or YYYY-MM-DD.
var datePattern = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// date reads an optional date, "" when absent.
func (q query) date(name string) (string, error) {
	v := strings.TrimSpace(q.values[name])
	if v != "" && !datePattern.MatchString(v) {
		return "", graph.Errorf(graph.EINVALID, "%s: want a date as YYYY, YYYY-MM or YYYY-MM-DD, got %q", name, v)
	}
	return v, nil
}
