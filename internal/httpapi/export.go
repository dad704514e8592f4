package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
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

// handleExport serves the graph, or the part the page's filters select, as a
// file download in one of the export formats. For CSV, part=nodes or
// part=links serves one table instead of the zip of both.
func handleExport(snap *Snapshot, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		q, err := readQuery(r, append([]string{"format", "part"}, viewParams...)...)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		format, err := export.ParseFormat(q.str("format"))
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		filter, err := parseView(q, lg.index)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		part := q.str("part")
		if part != "" && (format != export.CSV || (part != "nodes" && part != "links")) {
			writeError(w, r, logger, graph.Errorf(graph.EINVALID, "part: want nodes or links, with format=csv only; got %q", part))
			return
		}
		key := fmt.Sprintf("export format=%s part=%s %s", format, part, filterKey(filter))
		serveCached(w, r, lg, logger, key, func() (*cachedResponse, error) {
			return buildExport(lg.graph, filter, format, part)
		})
	})
}

// buildExport writes the part of whole that filter keeps in format (or one
// CSV table, for part nodes or links) in full, so a failure is a clean JSON
// error rather than a truncated file.
func buildExport(whole *graph.Graph, filter export.Filter, format export.Format, part string) (*cachedResponse, error) {
	g := filter.Apply(whole)
	contentType, name := format.ContentType(), format.FileName("topicgraph")
	var buf bytes.Buffer
	var err error
	switch part {
	case "nodes":
		err = export.WriteNodesCSV(&buf, g)
		contentType, name = "text/csv; charset=utf-8", "topicgraph-"+export.NodesCSV
	case "links":
		err = export.WriteLinksCSV(&buf, g)
		contentType, name = "text/csv; charset=utf-8", "topicgraph-"+export.LinksCSV
	default:
		err = export.Write(&buf, g, format)
	}
	if err != nil {
		return nil, err
	}
	return &cachedResponse{contentType: contentType, disposition: `attachment; filename="` + name + `"`, body: buf.Bytes()}, nil
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

// graphParams are the parameters of /api/graph.
var graphParams = append(append([]string{}, viewParams...), "evidence", "compact", "members", "links")

// graphView is what a request of /api/graph asks for, validated.
type graphView struct {
	filter                     export.Filter
	compact, evidence, members bool
	linksPerNode               int
}

// key names the view for the cache.
func (v graphView) key() string {
	return fmt.Sprintf("graph compact=%t evidence=%t members=%t links=%d %s", v.compact, v.evidence, v.members, v.linksPerNode, filterKey(v.filter))
}

// parseGraphView reads /api/graph's parameters: the page's filters and top,
// evidence=false to leave out the evidence lines (which are most of the
// bytes and which the page fetches per concept when it opens one), and
// compact=1 for the page's compact form (see compactGraph), with links=N
// strongest links per concept and members=1 for episode memberships.
func parseGraphView(q query, ix *graph.Index) (graphView, error) {
	v := graphView{linksPerNode: defaultLinksPerNode}
	var err error
	if v.filter, err = parseView(q, ix); err != nil {
		return v, err
	}
	if v.evidence, err = q.boolean("evidence", true); err != nil {
		return v, err
	}
	if v.compact, err = q.boolean("compact", false); err != nil {
		return v, err
	}
	if v.members, err = q.boolean("members", false); err != nil {
		return v, err
	}
	if v.linksPerNode, err = q.integer("links", defaultLinksPerNode, 0, maxLinksPerNode); err != nil {
		return v, err
	}
	if !v.compact && (q.has("links") || v.members) {
		return v, graph.Errorf(graph.EINVALID, "links and members: only with compact=1")
	}
	// Settings the form ignores are set to one value, so that every spelling
	// of the same view shares one cache entry.
	if v.compact {
		v.evidence = true
	} else {
		v.linksPerNode = 0
	}
	return v, nil
}

// graphPart encodes the part of the loaded graph that v keeps, in the
// compact form the page draws or in node-link form.
func graphPart(lg *loadedGraph, v graphView) (*cachedResponse, error) {
	g := v.filter.Apply(lg.graph)
	var out any
	switch {
	case v.compact:
		cg, err := newCompactGraph(lg, g, v.linksPerNode, v.members)
		if err != nil {
			return nil, err
		}
		out = cg
	case !v.evidence:
		out = export.WithoutEvidence(g).NodeLink()
	default:
		out = g.NodeLink()
	}
	body, err := encodeJSON(out)
	return &cachedResponse{contentType: "application/json", body: body}, err
}

// openingView is the page's first request, GET /api/graph?compact=1.
var openingView = graphView{compact: true, evidence: true, linksPerNode: defaultLinksPerNode}

// prepareOpeningView builds the answer the page asks for first, the whole
// graph in compact form, so the first visitor after a load does not wait for
// it. A failure is left for that request to report.
func (lg *loadedGraph) prepareOpeningView() {
	_, release := lg.responses.get(context.Background(), lg.etag+" "+openingView.key(), func() (*cachedResponse, error) {
		return graphPart(lg, openingView)
	})
	release()
}
