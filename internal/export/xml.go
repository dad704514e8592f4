package export

import (
	"encoding/xml"
	"io"
	"strconv"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// The XML formats are written through encoding/xml, which escapes markup in
// labels and replaces characters XML 1.0 cannot carry (such as NUL) with
// U+FFFD, so any line of notes gives a well-formed file.

type gexfDoc struct {
	XMLName        xml.Name  `xml:"gexf"`
	Xmlns          string    `xml:"xmlns,attr"`
	XmlnsXSI       string    `xml:"xmlns:xsi,attr"`
	SchemaLocation string    `xml:"xsi:schemaLocation,attr"`
	Version        string    `xml:"version,attr"`
	Meta           gexfMeta  `xml:"meta"`
	Graph          gexfGraph `xml:"graph"`
}

type gexfMeta struct {
	Creator     string `xml:"creator"`
	Description string `xml:"description"`
}

type gexfGraph struct {
	DefaultEdgeType string           `xml:"defaultedgetype,attr"`
	Mode            string           `xml:"mode,attr"`
	Attributes      []gexfAttributes `xml:"attributes"`
	Nodes           []gexfNode       `xml:"nodes>node"`
	Edges           []gexfEdge       `xml:"edges>edge"`
}

type gexfAttributes struct {
	Class      string          `xml:"class,attr"`
	Attributes []gexfAttribute `xml:"attribute"`
}

type gexfAttribute struct {
	ID    string `xml:"id,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type gexfNode struct {
	ID        string         `xml:"id,attr"`
	Label     string         `xml:"label,attr"`
	AttValues []gexfAttValue `xml:"attvalues>attvalue"`
}

type gexfEdge struct {
	ID        string         `xml:"id,attr"`
	Source    string         `xml:"source,attr"`
	Target    string         `xml:"target,attr"`
	Weight    string         `xml:"weight,attr"`
	Label     string         `xml:"label,attr"`
	AttValues []gexfAttValue `xml:"attvalues>attvalue"`
}

type gexfAttValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

// WriteGEXF writes g's concepts and relations as a GEXF 1.3 document
// (https://gexf.net/), the format Gephi opens natively. Node attributes: kind,
// pagerank, betweenness, degree, weighted_degree, community, episodes (count)
// and mentions; the label is the node's own label. Edges are undirected with
// their weight, the relation type as label, and attributes type, episodes and
// evidence (counts).
func WriteGEXF(w io.Writer, g *graph.Graph) error {
	doc := gexfDoc{
		Xmlns:          "http://gexf.net/1.3",
		XmlnsXSI:       "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
		Version:        "1.3",
		Meta:           gexfMeta{Creator: "topicgraph", Description: "concept graph of episode notes"},
		Graph:          gexfGraph{DefaultEdgeType: "undirected", Mode: "static"},
	}
	nodeDecl := gexfAttributes{Class: "node"}
	for _, a := range nodeAttributes[1:] { // the label is the node's own attribute
		nodeDecl.Attributes = append(nodeDecl.Attributes, gexfAttribute{ID: a.name, Title: a.name, Type: gexfType(a.typ)})
	}
	edgeDecl := gexfAttributes{Class: "edge"}
	for _, a := range linkAttributes[1:] { // the weight is the edge's own attribute
		edgeDecl.Attributes = append(edgeDecl.Attributes, gexfAttribute{ID: a.name, Title: a.name, Type: gexfType(a.typ)})
	}
	doc.Graph.Attributes = []gexfAttributes{nodeDecl, edgeDecl}
	doc.Graph.Nodes = make([]gexfNode, len(g.Concepts))
	for i := range g.Concepts {
		c := &g.Concepts[i]
		n := gexfNode{ID: c.ID, Label: c.Label, AttValues: make([]gexfAttValue, 0, len(nodeAttributes)-1)}
		for _, a := range nodeAttributes[1:] {
			n.AttValues = append(n.AttValues, gexfAttValue{For: a.name, Value: a.value(c)})
		}
		doc.Graph.Nodes[i] = n
	}
	doc.Graph.Edges = make([]gexfEdge, len(g.Relations))
	for i := range g.Relations {
		r := &g.Relations[i]
		e := gexfEdge{ID: strconv.Itoa(i), Source: r.Source, Target: r.Target, Weight: formatFloat(r.Weight), Label: r.Type,
			AttValues: make([]gexfAttValue, 0, len(linkAttributes)-1)}
		for _, a := range linkAttributes[1:] {
			e.AttValues = append(e.AttValues, gexfAttValue{For: a.name, Value: a.value(r)})
		}
		doc.Graph.Edges[i] = e
	}
	return encodeXML(w, "GEXF", doc)
}

type graphmlDoc struct {
	XMLName        xml.Name     `xml:"graphml"`
	Xmlns          string       `xml:"xmlns,attr"`
	XmlnsXSI       string       `xml:"xmlns:xsi,attr"`
	SchemaLocation string       `xml:"xsi:schemaLocation,attr"`
	Keys           []graphmlKey `xml:"key"`
	Graph          graphmlGraph `xml:"graph"`
}

type graphmlKey struct {
	ID       string `xml:"id,attr"`
	For      string `xml:"for,attr"`
	AttrName string `xml:"attr.name,attr"`
	AttrType string `xml:"attr.type,attr"`
}

type graphmlGraph struct {
	ID          string        `xml:"id,attr"`
	EdgeDefault string        `xml:"edgedefault,attr"`
	Nodes       []graphmlNode `xml:"node"`
	Edges       []graphmlEdge `xml:"edge"`
}

type graphmlNode struct {
	ID   string        `xml:"id,attr"`
	Data []graphmlData `xml:"data"`
}

type graphmlEdge struct {
	ID     string        `xml:"id,attr"`
	Source string        `xml:"source,attr"`
	Target string        `xml:"target,attr"`
	Data   []graphmlData `xml:"data"`
}

type graphmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

// WriteGraphML writes g's concepts and relations as an undirected GraphML
// graph (http://graphml.graphdrawing.org/), declaring a key for every
// attribute: node keys are named n_<attribute>, edge keys e_<attribute>, with
// attr.name the plain attribute name (label, kind, pagerank, ... and weight,
// type, episodes, evidence), which is what NetworkX's read_graphml uses.
func WriteGraphML(w io.Writer, g *graph.Graph) error {
	doc := graphmlDoc{
		Xmlns:          "http://graphml.graphdrawing.org/xmlns",
		XmlnsXSI:       "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
		Graph:          graphmlGraph{ID: "topicgraph", EdgeDefault: "undirected"},
	}
	for _, a := range nodeAttributes {
		doc.Keys = append(doc.Keys, graphmlKey{ID: "n_" + a.name, For: "node", AttrName: a.name, AttrType: a.typ})
	}
	for _, a := range linkAttributes {
		doc.Keys = append(doc.Keys, graphmlKey{ID: "e_" + a.name, For: "edge", AttrName: a.name, AttrType: a.typ})
	}
	doc.Graph.Nodes = make([]graphmlNode, len(g.Concepts))
	for i := range g.Concepts {
		c := &g.Concepts[i]
		n := graphmlNode{ID: c.ID, Data: make([]graphmlData, len(nodeAttributes))}
		for k, a := range nodeAttributes {
			n.Data[k] = graphmlData{Key: "n_" + a.name, Value: a.value(c)}
		}
		doc.Graph.Nodes[i] = n
	}
	doc.Graph.Edges = make([]graphmlEdge, len(g.Relations))
	for i := range g.Relations {
		r := &g.Relations[i]
		e := graphmlEdge{ID: "e" + strconv.Itoa(i), Source: r.Source, Target: r.Target, Data: make([]graphmlData, len(linkAttributes))}
		for k, a := range linkAttributes {
			e.Data[k] = graphmlData{Key: "e_" + a.name, Value: a.value(r)}
		}
		doc.Graph.Edges[i] = e
	}
	return encodeXML(w, "GraphML", doc)
}

func encodeXML(w io.Writer, format string, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return errWriting(format, err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return errWriting(format, err)
	}
	if err := enc.Close(); err != nil {
		return errWriting(format, err)
	}
	_, err := io.WriteString(w, "\n")
	if err != nil {
		return errWriting(format, err)
	}
	return nil
}
