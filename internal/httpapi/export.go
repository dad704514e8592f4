package httpapi

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

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
