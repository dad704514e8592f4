package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/layout"
)

// Link budgets of the compact graph: each concept keeps its strongest links,
// and the union is what the page draws. A hub's other links are one click
// away (the concept's detail), and drawing every link of a catalogue (hundreds
// of thousands) is slower than useful.
const (
	defaultLinksPerNode = 2
	maxLinksPerNode     = 1000
)

// compactGraph is the page's form of a graph: one array per attribute, with
// concepts named by position, links as pairs of positions, and no evidence
// or episode lists. Positions come from the server's layout of the whole
// graph, so a filtered view keeps every concept where the whole map has it.
type compactGraph struct {
	Graph       compactCounts `json:"graph"`
	IDs         []string      `json:"ids"`
	Labels      []string      `json:"labels"`
	Kinds       []graph.Kind  `json:"kinds"`
	Communities []int         `json:"communities"`
	PageRank    []float64     `json:"pagerank"`
	Betweenness []float64     `json:"betweenness"`
	Degree      []int         `json:"degree"`
	EpisodeN    []int         `json:"episode_count"`
	X           []float64     `json:"x"`
	Y           []float64     `json:"y"`
	Links       compactLinks  `json:"links"`
	// Episodes and Members, with members=1: the part's episodes, and for each
	// concept the positions in Episodes of the episodes it occurs in, which
	// the page needs to draw concepts with their episodes or guests.
	Episodes []compactEpisode `json:"episodes,omitempty"`
	Members  [][]int          `json:"members,omitempty"`
}

type compactCounts struct {
	Episodes  int `json:"episodes"`  // in the whole graph
	Concepts  int `json:"concepts"`  // in the whole graph
	Relations int `json:"relations"` // in the whole graph
	Links     int `json:"links"`     // among the part's concepts
	Shown     int `json:"shown"`     // in links below
}

type compactLinks struct {
	Source []int     `json:"source"`
	Target []int     `json:"target"`
	Weight []float64 `json:"weight"`
	// Type is a position in Types, which lists each relation type once.
	Type  []int    `json:"type"`
	Types []string `json:"types"`
}

type compactEpisode struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Guests []string `json:"guests,omitempty"`
}

// layoutPositions lays out the whole graph once per load: ForceAtlas2 from
// community-seeded positions, with every relation pulling by its weight.
func (lg *loadedGraph) layoutPositions() (map[string]layout.Point, error) {
	lg.layoutOnce.Do(func() {
		g := lg.graph
		ids := make([]string, len(g.Concepts))
		groups := make([]int, len(g.Concepts))
		at := make(map[string]int, len(g.Concepts))
		for i, c := range g.Concepts {
			ids[i], groups[i], at[c.ID] = c.ID, c.Community, i
		}
		edges := make([]layout.Edge, 0, len(g.Relations))
		for _, r := range g.Relations {
			a, okA := at[r.Source]
			b, okB := at[r.Target]
			if okA && okB && a != b && r.Weight >= 0 && !math.IsInf(r.Weight, 0) {
				edges = append(edges, layout.Edge{A: a, B: b, Weight: r.Weight})
			}
		}
		pos, err := layout.DefaultForceAtlas2(len(ids)).Run(layout.Seed(ids, groups), edges)
		if err != nil {
			lg.layoutErr = fmt.Errorf("laying out the graph: %w", err)
			return
		}
		lg.layout = make(map[string]layout.Point, len(ids))
		for i, id := range ids {
			lg.layout[id] = pos[i]
		}
	})
	return lg.layout, lg.layoutErr
}

// newCompactGraph builds the compact form of part (a filtered view of lg's
// graph), keeping each concept's linksPerNode strongest links.
func newCompactGraph(lg *loadedGraph, part *graph.Graph, linksPerNode int, withMembers bool) (*compactGraph, error) {
	positions, err := lg.layoutPositions()
	if err != nil {
		return nil, err
	}
	whole := lg.graph
	n := len(part.Concepts)
	cg := &compactGraph{
		Graph: compactCounts{Episodes: len(whole.Episodes), Concepts: len(whole.Concepts), Relations: len(whole.Relations), Links: len(part.Relations)},
		IDs:   make([]string, n), Labels: make([]string, n), Kinds: make([]graph.Kind, n),
		Communities: make([]int, n), PageRank: make([]float64, n), Betweenness: make([]float64, n),
		Degree: make([]int, n), EpisodeN: make([]int, n), X: make([]float64, n), Y: make([]float64, n),
	}
	at := make(map[string]int, n)
	for i, c := range part.Concepts {
		at[c.ID] = i
		cg.IDs[i], cg.Labels[i], cg.Kinds[i] = c.ID, c.Label, c.Kind
		cg.Communities[i], cg.Degree[i], cg.EpisodeN[i] = c.Community, c.Degree, len(c.Episodes)
		cg.PageRank[i], cg.Betweenness[i] = significant(c.PageRank), significant(c.Betweenness)
		p := positions[c.ID]
		// A tenth of a unit is far below a pixel on any zoom the page allows.
		cg.X[i], cg.Y[i] = math.Round(p.X*10)/10, math.Round(p.Y*10)/10
	}
	cg.Links = strongestLinks(part, at, linksPerNode)
	cg.Graph.Shown = len(cg.Links.Source)
	if withMembers {
		episodeAt := make(map[string]int, len(part.Episodes))
		cg.Episodes = make([]compactEpisode, len(part.Episodes))
		for j, e := range part.Episodes {
			episodeAt[e.ID] = j
			cg.Episodes[j] = compactEpisode{ID: e.ID, Title: e.Title, Guests: e.Guests}
		}
		cg.Members = make([][]int, n)
		for i, c := range part.Concepts {
			cg.Members[i] = []int{}
			for _, e := range c.Episodes {
				if j, ok := episodeAt[e]; ok {
					cg.Members[i] = append(cg.Members[i], j)
				}
			}
		}
	}
	return cg, nil
}

// strongestLinks keeps, for every concept, its perNode strongest relations
// (heaviest first, then by position in the graph), and returns their union
// in the graph's relation order.
func strongestLinks(part *graph.Graph, at map[string]int, perNode int) compactLinks {
	incident := make([][]int32, len(part.Concepts))
	for r, rel := range part.Relations {
		a, okA := at[rel.Source]
		b, okB := at[rel.Target]
		if !okA || !okB || a == b {
			continue
		}
		incident[a] = append(incident[a], int32(r))
		incident[b] = append(incident[b], int32(r))
	}
	keep := make([]bool, len(part.Relations))
	for _, rs := range incident {
		if len(rs) > perNode {
			slices.SortFunc(rs, func(x, y int32) int {
				return cmp.Or(cmp.Compare(part.Relations[y].Weight, part.Relations[x].Weight), cmp.Compare(x, y))
			})
			rs = rs[:perNode]
		}
		for _, r := range rs {
			keep[r] = true
		}
	}
	links := compactLinks{Source: []int{}, Target: []int{}, Weight: []float64{}, Type: []int{}, Types: []string{}}
	typeAt := map[string]int{}
	for r, rel := range part.Relations {
		if !keep[r] {
			continue
		}
		t, ok := typeAt[rel.Type]
		if !ok {
			t = len(links.Types)
			typeAt[rel.Type] = t
			links.Types = append(links.Types, rel.Type)
		}
		links.Source = append(links.Source, at[rel.Source])
		links.Target = append(links.Target, at[rel.Target])
		links.Weight = append(links.Weight, significant(rel.Weight))
		links.Type = append(links.Type, t)
	}
	return links
}

// significant rounds v to six significant digits: all a picture or a
// tooltip needs, and a third of the bytes of a full float64.
func significant(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 6, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// encodeJSON encodes v as one line of JSON.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the answer: %w", err)
	}
	return buf.Bytes(), nil
}
