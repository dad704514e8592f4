// Package export writes the concept graph in the file formats that graph tools
// read: GEXF 1.3 for Gephi, GraphML for yEd, Cytoscape and NetworkX, CSV node
// and link tables for spreadsheets, and NetworkX node-link JSON. It also cuts
// the graph down to what the page shows (Filter), so "export what is on
// screen" and "export the whole graph" are the same writers.
package export

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Format is an export file format.
type Format string

// The export formats.
const (
	GEXF     Format = "gexf"
	GraphML  Format = "graphml"
	CSV      Format = "csv" // a zip of nodes.csv and links.csv
	NodeLink Format = "node-link"
)

// Formats lists every format, in the order the page offers them.
var Formats = []Format{GEXF, GraphML, CSV, NodeLink}

// ParseFormat checks a format name.
func ParseFormat(name string) (Format, error) {
	for _, f := range Formats {
		if string(f) == name {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	if name == "" {
		return "", graph.Errorf(graph.EINVALID, "format: required, one of %s", strings.Join(names, ", "))
	}
	return "", graph.Errorf(graph.EINVALID, "format: %q is not one of %s", name, strings.Join(names, ", "))
}

// ContentType is the media type of a file in format f.
func (f Format) ContentType() string {
	switch f {
	case GEXF:
		return "application/gexf+xml"
	case GraphML:
		return "application/graphml+xml"
	case CSV:
		return "application/zip"
	default:
		return "application/json"
	}
}

// FileName is the name a download in format f gets, from a base name.
func (f Format) FileName(base string) string {
	switch f {
	case GEXF:
		return base + ".gexf"
	case GraphML:
		return base + ".graphml"
	case CSV:
		return base + "-csv.zip"
	default:
		return base + ".json"
	}
}

// Write writes g to w in format f.
func Write(w io.Writer, g *graph.Graph, f Format) error {
	switch f {
	case GEXF:
		return WriteGEXF(w, g)
	case GraphML:
		return WriteGraphML(w, g)
	case CSV:
		return WriteCSVZip(w, g)
	case NodeLink:
		return g.WriteNodeLink(w)
	}
	_, err := ParseFormat(string(f))
	return err
}

// formatFloat writes a score with as many digits as it takes to read back the
// same float64, so an export loses no precision.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// attribute is one column of the node or link tables, shared by every format
// so GEXF, GraphML and CSV describe a node with the same names.
type attribute[T any] struct {
	name  string
	typ   string // GraphML attr.type: string, int or double
	value func(T) string
}

var nodeAttributes = []attribute[*graph.Concept]{
	{"label", "string", func(c *graph.Concept) string { return c.Label }},
	{"kind", "string", func(c *graph.Concept) string { return string(c.Kind) }},
	{"pagerank", "double", func(c *graph.Concept) string { return formatFloat(c.PageRank) }},
	{"betweenness", "double", func(c *graph.Concept) string { return formatFloat(c.Betweenness) }},
	{"degree", "int", func(c *graph.Concept) string { return strconv.Itoa(c.Degree) }},
	{"weighted_degree", "double", func(c *graph.Concept) string { return formatFloat(c.WeightedDegree) }},
	{"community", "int", func(c *graph.Concept) string { return strconv.Itoa(c.Community) }},
	{"episodes", "int", func(c *graph.Concept) string { return strconv.Itoa(len(c.Episodes)) }},
	{"mentions", "int", func(c *graph.Concept) string { return strconv.Itoa(c.Mentions) }},
}

var linkAttributes = []attribute[*graph.Relation]{
	{"weight", "double", func(r *graph.Relation) string { return formatFloat(r.Weight) }},
	{"type", "string", func(r *graph.Relation) string { return r.Type }},
	{"episodes", "int", func(r *graph.Relation) string { return strconv.Itoa(len(r.Episodes)) }},
	{"evidence", "int", func(r *graph.Relation) string { return strconv.Itoa(len(r.Evidence)) }},
}

// gexfType maps a GraphML attribute type to GEXF's name for it.
func gexfType(typ string) string {
	if typ == "int" {
		return "integer"
	}
	return typ
}

func errWriting(format string, err error) error {
	return fmt.Errorf("writing %s: %w", format, err)
}

// WithoutEvidence returns a copy of g whose concepts and relations carry no
// evidence lines: what the page needs to draw the graph, a fraction of the
// bytes. Evidence is fetched per concept when one is opened.
func WithoutEvidence(g *graph.Graph) *graph.Graph {
	out := &graph.Graph{Episodes: g.Episodes, Concepts: make([]graph.Concept, len(g.Concepts)), Relations: make([]graph.Relation, len(g.Relations))}
	for i, c := range g.Concepts {
		c.Evidence = []graph.Evidence{}
		out.Concepts[i] = c
	}
	for i, r := range g.Relations {
		r.Evidence = []graph.Evidence{}
		out.Relations[i] = r
	}
	return out
}
