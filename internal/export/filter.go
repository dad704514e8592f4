package export

import (
	"cmp"
	"slices"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Filter selects the part of a graph the page shows, so an export holds what
// is on screen. The zero Filter keeps everything.
type Filter struct {
	// Episode keeps the concepts and relations of one episode (its id).
	Episode string
	// From and To keep episodes dated within [From, To], inclusive. Dates are
	// YYYY, YYYY-MM or YYYY-MM-DD; a shorter bound covers its whole period
	// (To "2024-05" includes 2024-05-31). Undated episodes are left out
	// whenever a bound is set.
	From, To string
	// Kinds keeps concepts of these kinds; empty keeps all.
	Kinds []graph.Kind
	// Theme keeps the concepts of one community (graph.Concept.Community) when
	// HasTheme is set.
	Theme    int
	HasTheme bool
	// MinWeight drops relations lighter than this.
	MinWeight float64
	// Top, when above zero, keeps only the Top concepts of highest PageRank
	// (ties by id) among those the other filters keep: what the page shows
	// of a graph too large to draw whole.
	Top int
}

// IsZero reports whether f keeps the whole graph.
func (f Filter) IsZero() bool {
	return f.Episode == "" && f.From == "" && f.To == "" && len(f.Kinds) == 0 && !f.HasTheme && f.MinWeight == 0 && f.Top <= 0
}

// InRange reports whether an episode date falls within [from, to], with the
// rules of Filter.From and Filter.To. Empty bounds are open.
func InRange(date, from, to string) bool {
	if from == "" && to == "" {
		return true
	}
	if date == "" {
		return false
	}
	// Compare on the common precision: "2024-05" is within from "2024-05-10"
	// only in the sense that the month overlaps the range, which is the
	// reading an analyst picking dates expects.
	if from != "" && date < from[:min(len(from), len(date))] {
		return false
	}
	if to != "" && date[:min(len(date), len(to))] > to {
		return false
	}
	return true
}

// Apply returns the part of g that f keeps: the episodes it selects, the
// concepts occurring in them that pass the kind and theme filters, and the
// relations among those concepts with evidence in a kept episode and at least
// MinWeight, keeping the Top concepts by PageRank when Top is set. A relation's weight, episodes and evidence are its whole-graph
// ones; concepts keep their whole-graph scores, as the page shows them. g is
// not modified; when f keeps everything, g itself is returned.
func (f Filter) Apply(g *graph.Graph) *graph.Graph {
	if f.IsZero() {
		return g
	}
	out := &graph.Graph{Episodes: []graph.Episode{}, Concepts: []graph.Concept{}, Relations: []graph.Relation{}}
	keptEpisode := map[string]bool{}
	byEpisodes := f.Episode != "" || f.From != "" || f.To != ""
	for _, e := range g.Episodes {
		if f.Episode != "" && e.ID != f.Episode {
			continue
		}
		if !InRange(e.Date, f.From, f.To) {
			continue
		}
		keptEpisode[e.ID] = true
		out.Episodes = append(out.Episodes, e)
	}
	inKeptEpisode := func(episodes []string) bool {
		if !byEpisodes {
			return true
		}
		for _, id := range episodes {
			if keptEpisode[id] {
				return true
			}
		}
		return false
	}
	kinds := map[graph.Kind]bool{}
	for _, k := range f.Kinds {
		kinds[k] = true
	}
	keptConcept := map[string]bool{}
	for _, c := range g.Concepts {
		if len(kinds) > 0 && !kinds[c.Kind] {
			continue
		}
		if f.HasTheme && c.Community != f.Theme {
			continue
		}
		if !inKeptEpisode(c.Episodes) {
			continue
		}
		out.Concepts = append(out.Concepts, c)
	}
	if f.Top > 0 && len(out.Concepts) > f.Top {
		ranked := slices.Clone(out.Concepts)
		slices.SortStableFunc(ranked, func(a, b graph.Concept) int {
			return cmp.Or(cmp.Compare(b.PageRank, a.PageRank), strings.Compare(a.ID, b.ID))
		})
		out.Concepts = ranked[:f.Top]
		slices.SortFunc(out.Concepts, func(a, b graph.Concept) int { return strings.Compare(a.ID, b.ID) })
	}
	for _, c := range out.Concepts {
		keptConcept[c.ID] = true
	}
	for _, r := range g.Relations {
		if !keptConcept[r.Source] || !keptConcept[r.Target] || r.Weight < f.MinWeight || !inKeptEpisode(r.Episodes) {
			continue
		}
		out.Relations = append(out.Relations, r)
	}
	return out
}

// ParseKinds reads a comma-separated list of concept kinds.
func ParseKinds(list string) ([]graph.Kind, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var kinds []graph.Kind
	for _, name := range strings.Split(list, ",") {
		k := graph.Kind(strings.TrimSpace(name))
		switch k {
		case graph.KindConcept, graph.KindPerson, graph.KindOrganization, graph.KindWork:
			kinds = append(kinds, k)
		default:
			return nil, graph.Errorf(graph.EINVALID, "kind: %q is not one of concept, person, organization, work", name)
		}
	}
	return kinds, nil
}
