package export

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// The two CSV tables: one row per concept, one row per relation.
const (
	NodesCSV = "nodes.csv"
	LinksCSV = "links.csv"
)

// zipTime is the modification time of the files in a CSV zip. A fixed time
// keeps the archive the same bytes for the same graph.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteNodesCSV writes one row per concept: id, then the node attributes
// (label, kind, pagerank, betweenness, degree, weighted_degree, community,
// episodes, mentions), with a header row.
func WriteNodesCSV(w io.Writer, g *graph.Graph) error {
	cw := csv.NewWriter(w)
	header := []string{"id"}
	for _, a := range nodeAttributes {
		header = append(header, a.name)
	}
	if err := cw.Write(header); err != nil {
		return errWriting(NodesCSV, err)
	}
	row := make([]string, len(header))
	for i := range g.Concepts {
		c := &g.Concepts[i]
		row[0] = spreadsheetSafe(c.ID)
		for k, a := range nodeAttributes {
			row[k+1] = a.value(c)
			if a.typ == "string" {
				row[k+1] = spreadsheetSafe(row[k+1])
			}
		}
		if err := cw.Write(row); err != nil {
			return errWriting(NodesCSV, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return errWriting(NodesCSV, err)
	}
	return nil
}

// WriteLinksCSV writes one row per relation: source, target, then the link
// attributes (weight, type, episodes, evidence), with a header row.
func WriteLinksCSV(w io.Writer, g *graph.Graph) error {
	cw := csv.NewWriter(w)
	header := []string{"source", "target"}
	for _, a := range linkAttributes {
		header = append(header, a.name)
	}
	if err := cw.Write(header); err != nil {
		return errWriting(LinksCSV, err)
	}
	row := make([]string, len(header))
	for i := range g.Relations {
		r := &g.Relations[i]
		row[0], row[1] = spreadsheetSafe(r.Source), spreadsheetSafe(r.Target)
		for k, a := range linkAttributes {
			row[k+2] = a.value(r)
		}
		if err := cw.Write(row); err != nil {
			return errWriting(LinksCSV, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return errWriting(LinksCSV, err)
	}
	return nil
}

// WriteCSVZip writes a zip archive holding nodes.csv and links.csv.
func WriteCSVZip(w io.Writer, g *graph.Graph) error {
	zw := zip.NewWriter(w)
	for _, part := range []struct {
		name  string
		write func(io.Writer, *graph.Graph) error
	}{{NodesCSV, WriteNodesCSV}, {LinksCSV, WriteLinksCSV}} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: part.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return errWriting("CSV zip", err)
		}
		if err := part.write(fw, g); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return errWriting("CSV zip", err)
	}
	return nil
}

// spreadsheetSafe defuses a text cell that a spreadsheet would run as a
// formula (one starting with =, +, -, @, tab or carriage return) by putting
// an apostrophe in front, as OWASP's advice on CSV injection has it. Notes
// are other people's text; opening an export must not execute it.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
