package httpapi

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// filterParams are the page's filters; viewParams adds top.
var (
	filterParams = []string{"episode", "from", "to", "kind", "theme", "min_weight"}
	viewParams   = append(append([]string{}, filterParams...), "top")
)

// parseFilter reads the page's filters from a query: episode, from, to, kind
// (comma-separated), theme and min_weight. An unknown episode is a 404, so a
// stale permalink says what is missing rather than exporting nothing.
func parseFilter(q query, ix *graph.Index) (export.Filter, error) {
	var f export.Filter
	var err error
	if f.Episode = q.str("episode"); f.Episode != "" {
		if _, err := ix.Episode(f.Episode); err != nil {
			return f, err
		}
	}
	if f.From, err = q.date("from"); err != nil {
		return f, err
	}
	if f.To, err = q.date("to"); err != nil {
		return f, err
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, graph.Errorf(graph.EINVALID, "from %q is after to %q", f.From, f.To)
	}
	if f.Kinds, err = export.ParseKinds(q.str("kind")); err != nil {
		return f, err
	}
	// The order and repetition of kinds change nothing: one spelling per
	// set, so the cache keeps one answer for it.
	slices.Sort(f.Kinds)
	f.Kinds = slices.Compact(f.Kinds)
	if q.str("theme") != "" {
		if f.Theme, err = q.integer("theme", 0, 0, math.MaxInt32); err != nil {
			return f, err
		}
		f.HasTheme = true
	}
	if raw := q.str("min_weight"); raw != "" {
		w, err := strconv.ParseFloat(raw, 64)
		if err != nil || w < 0 || w != w || w > 1e300 {
			return f, graph.Errorf(graph.EINVALID, "min_weight: want a number of 0 or more, got %q", raw)
		}
		if w == 0 {
			w = 0 // -0 too: one spelling, one cache entry
		}
		f.MinWeight = w
	}
	return f, nil
}

// filterKey names what a filter keeps, for cache keys: equal filters give
// equal keys however their parameters were spelled.
func filterKey(f export.Filter) string {
	theme := "-"
	if f.HasTheme {
		theme = strconv.Itoa(f.Theme)
	}
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	return fmt.Sprintf("episode=%q from=%q to=%q kind=%s theme=%s min_weight=%s top=%d",
		f.Episode, f.From, f.To, strings.Join(kinds, ","), theme, strconv.FormatFloat(f.MinWeight, 'g', -1, 64), f.Top)
}

// maxTop bounds the top parameter; no page draws more concepts than this.
const maxTop = 1_000_000

// parseView reads the page's filters plus top (the number of concepts of
// highest PageRank to keep).
func parseView(q query, ix *graph.Index) (export.Filter, error) {
	f, err := parseFilter(q, ix)
	if err != nil {
		return f, err
	}
	f.Top, err = q.integer("top", 0, 1, maxTop)
	return f, err
}
