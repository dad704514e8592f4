package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// handleGraph serves the whole graph in node-link form, or with query
// parameters the part the page shows (see parseGraphView). Each is built
// once per load and kept, gzipped, for later requests (cache.go).
func handleGraph(snap *Snapshot, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg, ok := loadedGraphOr503(w, r, snap, logger)
		if !ok {
			return
		}
		q, err := readQuery(r, graphParams...)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		view, err := parseGraphView(q, lg.index)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		serveCached(w, r, lg, logger, view.key(), func() (*cachedResponse, error) { return graphPart(lg, view) })
	})
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
