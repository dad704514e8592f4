package graph

import (
	"encoding/json"
	"io"
)

// NodeLink is the graph in NetworkX node-link form
// (networkx.node_link_graph(data, edges="links") reads it back).
type NodeLink struct {
	Directed   bool           `json:"directed"`
	Multigraph bool           `json:"multigraph"`
	Graph      map[string]any `json:"graph"`
	Nodes      []any          `json:"nodes"`
	Links      []Relation     `json:"links"`
}

// EpisodeNode is an episode as a node-link node.
type EpisodeNode struct {
	Kind Kind `json:"kind"`
	Episode
}

// NodeLink converts g to node-link form: episode nodes first, then concepts,
// then the concept-concept links.
func (g *Graph) NodeLink() NodeLink {
	nl := NodeLink{
		Graph: map[string]any{
			"name":      "topicgraph",
			"episodes":  len(g.Episodes),
			"concepts":  len(g.Concepts),
			"relations": len(g.Relations),
		},
		Nodes: make([]any, 0, len(g.Episodes)+len(g.Concepts)),
		Links: g.Relations,
	}
	for _, e := range g.Episodes {
		e.Hash = ""
		nl.Nodes = append(nl.Nodes, EpisodeNode{Kind: KindEpisode, Episode: e})
	}
	for _, c := range g.Concepts {
		nl.Nodes = append(nl.Nodes, c)
	}
	if nl.Links == nil {
		nl.Links = []Relation{}
	}
	return nl
}

// WriteNodeLink writes g as indented node-link JSON.
func (g *Graph) WriteNodeLink(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(g.NodeLink())
}
