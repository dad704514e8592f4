package graph

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// WindowSpec selects episodes for a window. From and To bound episode dates,
// inclusive, at any precision: "2024", "2024-03" or "2024-03-05". A date and a
// bound are compared on their common prefix, so "2024-03" lies within
// From "2024-03-10" (the month overlaps the bound) and within To "2024".
// FromEpisode and ToEpisode bound the range by episode ids instead, inclusive,
// in date order (episodes by date, undated last, ties by id). Empty fields do
// not bound; when any date bound is set, undated episodes are left out.
type WindowSpec struct {
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	FromEpisode string `json:"from_episode,omitempty"`
	ToEpisode   string `json:"to_episode,omitempty"`
}

type windowKey = WindowSpec

type windowEntry struct {
	used     uint64
	graph    *Graph    // analysed with Analyze; nil until asked for
	pageRank []float64 // by concept position of the window graph; nil until asked for
	sub      *Graph    // the restricted graph before analysis, shared by both
}

// windowCacheSize is how many windows are kept: a few views' worth.
const windowCacheSize = 8

// Window returns the graph restricted to the episodes dated within [from, to]
// (see WindowSpec for how bounds compare), with concepts, relations and
// evidence rebuilt from those episodes' evidence only and analysed afresh
// with Analyze. A concept or relation keeps its label and type; its mention
// count and weight are scaled by the share of its evidence lines that fall in
// the window (the Graph keeps one weight per relation, not one per episode),
// and are unchanged when all its evidence does.
//
// The result is shared with later calls for the same window and must not be
// modified.
func (in *Insights) Window(from, to string) (*Graph, error) {
	return in.WindowOf(WindowSpec{From: from, To: to})
}

// WindowOf is Window for any WindowSpec.
func (in *Insights) WindowOf(spec WindowSpec) (*Graph, error) {
	entry, err := in.window(spec)
	if err != nil {
		return nil, err
	}
	in.windows.mu.Lock()
	defer in.windows.mu.Unlock()
	if entry.graph == nil {
		g := cloneForAnalysis(entry.sub)
		// Betweenness and Louvain take seconds on thousands of concepts: a large
		// window keeps the catalogue's communities and skips betweenness.
		small := len(g.Concepts) <= windowFullAnalysis
		AnalyzeWith(g, AnalyzeOptions{Betweenness: small, Communities: small})
		entry.graph = g
	}
	return entry.graph, nil
}

// windowFullAnalysis is the largest window (in concepts) analysed in full on request.
const windowFullAnalysis = 1500

// cloneForAnalysis copies the concept slice, the only part Analyze writes, so
// the cached restricted graph stays unanalysed.
func cloneForAnalysis(g *Graph) *Graph {
	return &Graph{Episodes: g.Episodes, Concepts: slices.Clone(g.Concepts), Relations: g.Relations}
}

// window finds or builds the cached restricted graph of spec.
func (in *Insights) window(spec WindowSpec) (*windowEntry, error) {
	keep, err := in.selectEpisodes(spec)
	if err != nil {
		return nil, err
	}
	c := &in.windows
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	if e, ok := c.entries[spec]; ok {
		e.used = c.clock
		return e, nil
	}
	if c.entries == nil {
		c.entries = map[windowKey]*windowEntry{}
	}
	if len(c.entries) >= windowCacheSize {
		var oldest windowKey
		least := uint64(math.MaxUint64)
		for k, e := range c.entries {
			if e.used < least {
				oldest, least = k, e.used
			}
		}
		delete(c.entries, oldest)
	}
	e := &windowEntry{used: c.clock, sub: in.restrict(keep)}
	c.entries[spec] = e
	return e, nil
}

// selectEpisodes marks the episodes (by position) that spec selects.
func (in *Insights) selectEpisodes(spec WindowSpec) ([]bool, error) {
	for _, b := range []struct{ name, value string }{{"from", spec.From}, {"to", spec.To}} {
		if b.value != "" && !validDateBound(b.value) {
			return nil, Errorf(EINVALID, "%s: date %q is not YYYY, YYYY-MM or YYYY-MM-DD", b.name, b.value)
		}
	}
	if spec.From != "" && spec.To != "" && compareDatePrefix(spec.From, spec.To) > 0 {
		return nil, Errorf(EINVALID, "from %q is after to %q", spec.From, spec.To)
	}
	lowest, highest := 0, len(in.byDate)-1
	if spec.FromEpisode != "" {
		j, err := in.lookupEpisode("from_episode", spec.FromEpisode)
		if err != nil {
			return nil, err
		}
		lowest = in.dateRank[j]
	}
	if spec.ToEpisode != "" {
		j, err := in.lookupEpisode("to_episode", spec.ToEpisode)
		if err != nil {
			return nil, err
		}
		highest = in.dateRank[j]
	}
	if spec.FromEpisode != "" && spec.ToEpisode != "" && lowest > highest {
		return nil, Errorf(EINVALID, "from_episode %q comes after to_episode %q", spec.FromEpisode, spec.ToEpisode)
	}
	keep := make([]bool, len(in.graph.Episodes))
	for r := lowest; r <= highest; r++ {
		j := in.byDate[r]
		date := in.graph.Episodes[j].Date
		if spec.From != "" || spec.To != "" {
			if date == "" ||
				(spec.From != "" && compareDatePrefix(date, spec.From) < 0) ||
				(spec.To != "" && compareDatePrefix(date, spec.To) > 0) {
				continue
			}
		}
		keep[j] = true
	}
	return keep, nil
}

// validDateBound accepts YYYY, YYYY-MM and YYYY-MM-DD with digits in place.
func validDateBound(s string) bool {
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return false
	}
	for i, r := range s {
		if i == 4 || i == 7 {
			if r != '-' {
				return false
			}
		} else if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// compareDatePrefix compares two dates of any precision on their common prefix.
func compareDatePrefix(a, b string) int {
	n := min(len(a), len(b))
	return strings.Compare(a[:n], b[:n])
}

// restrict returns a copy of the graph keeping only the episodes marked in
// keep (by position) and the evidence, concepts and relations that remain.
// Scores are left zero. Relation weights and concept mention counts are scaled
// by the share of their evidence lines kept. Slices that keep all their items
// are shared with the full graph rather than copied.
func (in *Insights) restrict(keep []bool) *Graph {
	g := in.graph
	sub := &Graph{Episodes: []Episode{}, Concepts: []Concept{}, Relations: []Relation{}}
	for j, e := range g.Episodes {
		if keep[j] {
			sub.Episodes = append(sub.Episodes, e)
		}
	}
	present := make([]bool, len(g.Concepts))
	for i := range g.Concepts {
		c := &g.Concepts[i]
		ev, episodes, all := in.keptEvidence(c.Evidence, c.Episodes, in.conceptEvidence[i], keep)
		if len(ev) == 0 {
			continue
		}
		present[i] = true
		mentions := c.Mentions
		if !all {
			mentions = max(1, int(math.Round(float64(c.Mentions)*float64(len(ev))/float64(len(c.Evidence)))))
		}
		sub.Concepts = append(sub.Concepts, Concept{
			ID: c.ID, Label: c.Label, Kind: c.Kind, Aliases: nonNil(c.Aliases),
			Episodes: episodes, Mentions: mentions, Evidence: ev,
		})
	}
	for r := range g.Relations {
		ends := in.relationEnds[r]
		if ends[0] < 0 || !present[ends[0]] || !present[ends[1]] {
			continue
		}
		rel := &g.Relations[r]
		ev, episodes, all := in.keptEvidence(rel.Evidence, rel.Episodes, in.relationEvidence[r], keep)
		if len(ev) == 0 {
			continue
		}
		weight := rel.Weight
		if !all {
			weight *= float64(len(ev)) / float64(len(rel.Evidence))
		}
		sub.Relations = append(sub.Relations, Relation{
			Source: rel.Source, Target: rel.Target, Type: rel.Type, Weight: weight,
			Episodes: episodes, Evidence: ev,
		})
	}
	return sub
}

// keptEvidence filters evidence to the kept episodes; at[k] is the episode
// position of ev[k] (-1 when unknown). It returns the kept lines, their
// episodes (distinct, in evidence order, which Build sorts by id) and whether
// everything was kept, in which case ev and episodes themselves are returned.
func (in *Insights) keptEvidence(ev []Evidence, episodes []string, at []int32, keep []bool) ([]Evidence, []string, bool) {
	kept := 0
	for _, j := range at {
		if j >= 0 && keep[j] {
			kept++
		}
	}
	switch {
	case kept == 0:
		return nil, nil, false
	case kept == len(ev):
		return ev, nonNil(episodes), true
	}
	outEv := make([]Evidence, 0, kept)
	outEp := []string{}
	for k, j := range at {
		if j < 0 || !keep[j] {
			continue
		}
		outEv = append(outEv, ev[k])
		if n := len(outEp); n == 0 || outEp[n-1] != ev[k].Episode {
			outEp = append(outEp, ev[k].Episode)
		}
	}
	return outEv, outEp, false
}

// ChangeResult compares concept PageRank between two windows.
type ChangeResult struct {
	A    WindowSummary   `json:"a"`
	B    WindowSummary   `json:"b"`
	Rose []ConceptChange `json:"rose"` // largest increase first
	Fell []ConceptChange `json:"fell"` // largest decrease first
}

// WindowSummary describes one window of a comparison.
type WindowSummary struct {
	WindowSpec
	Episodes int `json:"episodes"`
	Concepts int `json:"concepts"`
}

// ConceptChange is a concept's PageRank in two windows. A concept absent from a
// window has PageRank 0 there; New marks a concept absent from A, Gone one
// absent from B.
type ConceptChange struct {
	ID        string  `json:"id"`
	Label     string  `json:"label"`
	PageRankA float64 `json:"pagerank_a"`
	PageRankB float64 `json:"pagerank_b"`
	Change    float64 `json:"change"` // PageRankB − PageRankA
	New       bool    `json:"new"`
	Gone      bool    `json:"gone"`
}

// Changes computes PageRank (as in Analyze) within window a and within window
// b and returns the concepts whose PageRank rose and fell most from a to b, by
// absolute change, at most limit of each (ties by id). Concepts new in b count
// as rising from 0. PageRank sums to 1 within each window, so a concept
// holding its share of a larger window shows no change.
func (in *Insights) Changes(a, b WindowSpec, limit int) (ChangeResult, error) {
	rankA, subA, err := in.windowPageRank(a)
	if err != nil {
		return ChangeResult{}, prefixError("a", err)
	}
	rankB, subB, err := in.windowPageRank(b)
	if err != nil {
		return ChangeResult{}, prefixError("b", err)
	}
	out := ChangeResult{
		A:    WindowSummary{WindowSpec: a, Episodes: len(subA.Episodes), Concepts: len(subA.Concepts)},
		B:    WindowSummary{WindowSpec: b, Episodes: len(subB.Episodes), Concepts: len(subB.Concepts)},
		Rose: []ConceptChange{}, Fell: []ConceptChange{},
	}
	changes := map[string]*ConceptChange{}
	for k, c := range subA.Concepts {
		changes[c.ID] = &ConceptChange{ID: c.ID, Label: c.Label, PageRankA: rankA[k], Gone: true}
	}
	for k, c := range subB.Concepts {
		ch, ok := changes[c.ID]
		if !ok {
			ch = &ConceptChange{ID: c.ID, Label: c.Label, New: true}
			changes[c.ID] = ch
		}
		ch.PageRankB, ch.Gone = rankB[k], false
	}
	for _, ch := range changes {
		ch.Change = ch.PageRankB - ch.PageRankA
		switch {
		case ch.Change > 0:
			out.Rose = append(out.Rose, *ch)
		case ch.Change < 0:
			out.Fell = append(out.Fell, *ch)
		}
	}
	slices.SortFunc(out.Rose, func(x, y ConceptChange) int {
		return cmp.Or(cmp.Compare(y.Change, x.Change), strings.Compare(x.ID, y.ID))
	})
	slices.SortFunc(out.Fell, func(x, y ConceptChange) int {
		return cmp.Or(cmp.Compare(x.Change, y.Change), strings.Compare(x.ID, y.ID))
	})
	out.Rose, out.Fell = slices.Clone(head(out.Rose, limit)), slices.Clone(head(out.Fell, limit))
	return out, nil
}

// windowPageRank returns the PageRank of every concept of a window (by
// position in the window graph) without the cost of a full Analyze.
func (in *Insights) windowPageRank(spec WindowSpec) ([]float64, *Graph, error) {
	entry, err := in.window(spec)
	if err != nil {
		return nil, nil, err
	}
	in.windows.mu.Lock()
	defer in.windows.mu.Unlock()
	if entry.pageRank == nil {
		if entry.graph != nil {
			entry.pageRank = make([]float64, len(entry.graph.Concepts))
			for k, c := range entry.graph.Concepts {
				entry.pageRank[k] = c.PageRank
			}
		} else {
			net := newNetwork(entry.sub)
			rank := net.pageRank()
			entry.pageRank = make([]float64, len(entry.sub.Concepts))
			for k, c := range entry.sub.Concepts {
				entry.pageRank[k] = rank[net.index[c.ID]]
			}
		}
	}
	return entry.pageRank, entry.sub, nil
}

// prefixError names which window an error is about, keeping its code.
func prefixError(name string, err error) error {
	return Errorf(ErrorCode(err), "window %s: %s", name, ErrorMessage(err))
}
