package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// datePattern accepts the dates episodes carry: YYYY, YYYY-MM or YYYY-MM-DD.
var datePattern = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)

// parseDate checks an optional date parameter.
func parseDate(params url.Values, name string) (string, error) {
	v := strings.TrimSpace(params.Get(name))
	if v != "" && !datePattern.MatchString(v) {
		return "", graph.Errorf(graph.EINVALID, "%s: want a date as YYYY, YYYY-MM or YYYY-MM-DD, got %q", name, v)
	}
	return v, nil
}

// parseFilter reads the page's filters from a query: episode, from, to, kind
// (comma-separated), theme and min_weight. An unknown episode is a 404, so a
// stale permalink says what is missing rather than exporting nothing.
func parseFilter(params url.Values, ix *graph.Index) (export.Filter, error) {
	var f export.Filter
	var err error
	if f.Episode = params.Get("episode"); f.Episode != "" {
		if _, err := ix.Episode(f.Episode); err != nil {
			return f, err
		}
	}
	if f.From, err = parseDate(params, "from"); err != nil {
		return f, err
	}
	if f.To, err = parseDate(params, "to"); err != nil {
		return f, err
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, graph.Errorf(graph.EINVALID, "from %q is after to %q", f.From, f.To)
	}
	if f.Kinds, err = export.ParseKinds(params.Get("kind")); err != nil {
		return f, err
	}
	if raw := params.Get("theme"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return f, graph.Errorf(graph.EINVALID, "theme: want a theme number (0 or more), got %q", raw)
		}
		f.Theme, f.HasTheme = n, true
	}
	if raw := params.Get("min_weight"); raw != "" {
		w, err := strconv.ParseFloat(raw, 64)
		if err != nil || w < 0 || w != w || w > 1e300 {
			return f, graph.Errorf(graph.EINVALID, "min_weight: want a number of 0 or more, got %q", raw)
		}
		f.MinWeight = w
	}
	return f, nil
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
		params := r.URL.Query()
		format, err := export.ParseFormat(params.Get("format"))
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		filter, err := parseView(params, lg.index)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		part := params.Get("part")
		if part != "" && (format != export.CSV || (part != "nodes" && part != "links")) {
			writeError(w, r, logger, graph.Errorf(graph.EINVALID, "part: want nodes or links, with format=csv only; got %q", part))
			return
		}
		if etagMatches(r.Header.Get("If-None-Match"), lg.etag) {
			setValidators(w, lg)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		resp := lg.responses.get(cacheKey(r), func() (*cachedResponse, error) {
			return buildExport(lg.graph, filter, format, part)
		})
		if resp.err != nil {
			writeError(w, r, logger, resp.err)
			return
		}
		resp.write(w, r, lg)
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
func parseView(params url.Values, ix *graph.Index) (export.Filter, error) {
	f, err := parseFilter(params, ix)
	if err != nil {
		return f, err
	}
	if raw := params.Get("top"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxTop {
			return f, graph.Errorf(graph.EINVALID, "top: want a whole number from 1 to %d, got %q", maxTop, raw)
		}
		f.Top = n
	}
	return f, nil
}

// serveGraphPart answers /api/graph with query parameters: the page's filters
// and top, evidence=false to leave out the evidence lines (which are most of
// the bytes and which the page fetches per concept when it opens one), and
// compact=1 for the page's compact form (see compactGraph), with links=N
// strongest links per concept and members=1 for episode memberships.
func serveGraphPart(w http.ResponseWriter, r *http.Request, lg *loadedGraph, logger *slog.Logger) {
	params := r.URL.Query()
	filter, err := parseView(params, lg.index)
	if err != nil {
		writeError(w, r, logger, err)
		return
	}
	flags := map[string]bool{"evidence": true, "compact": false, "members": false}
	for name := range flags {
		if raw := params.Get(name); raw != "" {
			if flags[name], err = strconv.ParseBool(raw); err != nil {
				writeError(w, r, logger, graph.Errorf(graph.EINVALID, "%s: want true or false, got %q", name, raw))
				return
			}
		}
	}
	linksPerNode := defaultLinksPerNode
	if raw := params.Get("links"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > maxLinksPerNode {
			writeError(w, r, logger, graph.Errorf(graph.EINVALID, "links: want a whole number from 0 to %d, got %q", maxLinksPerNode, raw))
			return
		}
		linksPerNode = n
	}
	if !flags["compact"] && (params.Has("links") || flags["members"]) {
		writeError(w, r, logger, graph.Errorf(graph.EINVALID, "links and members: only with compact=1"))
		return
	}
	if etagMatches(r.Header.Get("If-None-Match"), lg.etag) {
		setValidators(w, lg)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	resp := lg.responses.get(cacheKey(r), func() (*cachedResponse, error) {
		return graphPart(lg, filter, flags["compact"], flags["evidence"], flags["members"], linksPerNode)
	})
	if resp.err != nil {
		writeError(w, r, logger, resp.err)
		return
	}
	resp.write(w, r, lg)
}

// graphPart encodes the part of the loaded graph that filter keeps, in the
// compact form the page draws or in node-link form.
func graphPart(lg *loadedGraph, filter export.Filter, compact, evidence, members bool, linksPerNode int) (*cachedResponse, error) {
	g := filter.Apply(lg.graph)
	var v any
	switch {
	case compact:
		cg, err := newCompactGraph(lg, g, linksPerNode, members)
		if err != nil {
			return nil, err
		}
		v = cg
	case !evidence:
		v = export.WithoutEvidence(g).NodeLink()
	default:
		v = g.NodeLink()
	}
	body, err := encodeJSON(v)
	return &cachedResponse{contentType: "application/json", body: body}, err
}

// pageGraphKey is the cache key of the page's opening request,
// GET /api/graph?compact=1 (see cacheKey).
const pageGraphKey = "/api/graph?compact=1"

// prepareOpeningView builds the answer the page asks for first, the whole
// graph in compact form, so the first visitor after a load does not wait for
// it. A failure is left for that request to report.
func (lg *loadedGraph) prepareOpeningView() {
	lg.responses.get(pageGraphKey, func() (*cachedResponse, error) {
		return graphPart(lg, export.Filter{}, true, true, false, defaultLinksPerNode)
	})
}
