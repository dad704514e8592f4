package graph

import (
	"cmp"
	"encoding/binary"
	"math"
	"slices"
	"strings"
)

// MaxPaths is the largest k KShortestPaths accepts.
const MaxPaths = 10

// KPathResult is one of the k shortest paths, with its evidence grouped by episode.
type KPathResult struct {
	PathResult
	Length    int           `json:"length"` // number of hops
	ByEpisode []PathEpisode `json:"by_episode"`
}

// PathEpisode is the evidence one episode gives for the hops of a path.
type PathEpisode struct {
	Episode  string        `json:"episode"`
	Title    string        `json:"title"`
	Date     string        `json:"date"`
	Hops     int           `json:"hops"` // how many of the path's hops it has evidence for
	Evidence []HopEvidence `json:"evidence"`
}

// HopEvidence is an evidence line for hop number Hop (0-based) of a path.
type HopEvidence struct {
	Hop  int    `json:"hop"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

// candidatePath is a path as concept and relation positions.
type candidatePath struct {
	nodes []int
	rels  []int
}

// KShortestPaths returns up to k loopless paths from one concept to another
// with the fewest hops, by Yen's algorithm (Yen, "Finding the k shortest
// loopless paths in a network", Management Science 17(11), 1971) with unit
// hop costs. Paths of equal length are ordered strongest first: by the weight
// of their weakest relation, then by their total weight, then by the ids of
// their concepts; each spur path is the widest shortest one, as in Index.Path.
// Each path after the first goes through at least one intermediate concept
// the earlier ones do not (see isDistinctPath), so the k answers are k
// different routes rather than one route with reworded stops; fewer than k
// paths come back when the graph has fewer such routes.
// Each path's evidence is grouped by episode: episodes with evidence for more
// hops first, then in date order. k must be between 1 and MaxPaths; no path is
// not an error (the result is empty).
func (in *Insights) KShortestPaths(from, to string, k int) ([]KPathResult, error) {
	start, err := in.lookupConcept("from", from)
	if err != nil {
		return nil, err
	}
	goal, err := in.lookupConcept("to", to)
	if err != nil {
		return nil, err
	}
	if k < 1 || k > MaxPaths {
		return nil, Errorf(EINVALID, "k: must be between 1 and %d, not %d", MaxPaths, k)
	}
	search := newYenSearch(len(in.graph.Concepts), len(in.graph.Relations))
	first, ok := search.shortest(in, start, goal)
	if !ok {
		return []KPathResult{}, nil
	}
	found := []candidatePath{first}
	accepted := []candidatePath{first}
	seen := map[string]bool{pathKey(first): true}
	var candidates []candidatePath
	for len(accepted) < k && len(found) < k*pathsPerAnswer {
		last := found[len(found)-1]
		for i := 0; i < len(last.nodes)-1; i++ {
			search.stamp++
			root := last.nodes[:i+1]
			for _, p := range found {
				if len(p.nodes) > i+1 && slices.Equal(p.nodes[:i+1], root) {
					search.relBlocked[p.rels[i]] = search.stamp
				}
			}
			for _, u := range root[:i] {
				search.nodeBlocked[u] = search.stamp
			}
			spur, ok := search.shortest(in, root[i], goal)
			if !ok {
				continue
			}
			candidate := candidatePath{
				nodes: append(slices.Clone(root[:i]), spur.nodes...),
				rels:  append(slices.Clone(last.rels[:i]), spur.rels...),
			}
			if key := pathKey(candidate); !seen[key] {
				seen[key] = true
				candidates = append(candidates, candidate)
			}
		}
		if len(candidates) == 0 {
			break
		}
		best := 0
		for c := range candidates {
			if in.comparePaths(candidates[c], candidates[best]) < 0 {
				best = c
			}
		}
		found = append(found, candidates[best])
		if in.isDistinctPath(candidates[best], accepted) {
			accepted = append(accepted, candidates[best])
		}
		candidates = slices.Delete(candidates, best, best+1)
	}
	out := make([]KPathResult, len(accepted))
	for n, p := range accepted {
		out[n] = in.pathResult(from, to, p)
	}
	return out, nil
}

// pathsPerAnswer bounds Yen's search: at most this many paths are found for
// each path returned, so near-duplicates cannot make a query run long.
const pathsPerAnswer = 5

// isDistinctPath reports whether p goes through at least one intermediate
// concept that none of the accepted paths has, nor a near-duplicate of it
// (see nearDuplicateLabels): "Moloch → AI safety research → AI" adds nothing
// to "Moloch → AI safety → AI".
func (in *Insights) isDistinctPath(p candidatePath, accepted []candidatePath) bool {
	inner := func(c candidatePath) []int {
		if len(c.nodes) < 3 {
			return nil
		}
		return c.nodes[1 : len(c.nodes)-1]
	}
	for _, q := range accepted {
		distinct := false
		for _, u := range inner(p) {
			same := false
			for _, v := range inner(q) {
				if u == v || nearDuplicateLabels(in.graph.Concepts[u].Label, in.graph.Concepts[v].Label) {
					same = true
					break
				}
			}
			if !same {
				distinct = true
				break
			}
		}
		if !distinct {
			return false
		}
	}
	return true
}

// nearDuplicateLabels reports whether two labels name nearly the same thing:
// equal when case and punctuation are ignored, or the words of one, at least
// two of them, appear in order inside the other ("AI safety" and "AI safety
// research"). A single word inside a phrase ("AI" and "AI safety") is a
// different concept.
func nearDuplicateLabels(a, b string) bool {
	wa, wb := labelWords(a), labelWords(b)
	if len(wa) > len(wb) {
		wa, wb = wb, wa
	}
	if len(wa) == 0 {
		return false
	}
	if len(wa) == len(wb) {
		return slices.Equal(wa, wb)
	}
	if len(wa) < 2 {
		return false
	}
	for i := 0; i+len(wa) <= len(wb); i++ {
		if slices.Equal(wb[i:i+len(wa)], wa) {
			return true
		}
	}
	return false
}

func labelWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

// comparePaths orders paths: fewer hops, then stronger weakest relation, then
// larger total weight, then by concept ids.
func (in *Insights) comparePaths(a, b candidatePath) int {
	if c := cmp.Compare(len(a.rels), len(b.rels)); c != 0 {
		return c
	}
	weakest := func(p candidatePath) (float64, float64) {
		low, total := math.Inf(1), 0.0
		for _, r := range p.rels {
			w := in.graph.Relations[r].Weight
			low, total = min(low, w), total+w
		}
		return low, total
	}
	lowA, totalA := weakest(a)
	lowB, totalB := weakest(b)
	if c := cmp.Or(cmp.Compare(lowB, lowA), cmp.Compare(totalB, totalA)); c != 0 {
		return c
	}
	for k := range a.nodes {
		if c := strings.Compare(in.graph.Concepts[a.nodes[k]].ID, in.graph.Concepts[b.nodes[k]].ID); c != 0 {
			return c
		}
	}
	return 0
}

func pathKey(p candidatePath) string {
	key := make([]byte, 0, 4*len(p.nodes))
	for _, u := range p.nodes {
		key = binary.AppendUvarint(key, uint64(u))
	}
	for _, r := range p.rels {
		key = binary.AppendUvarint(key, uint64(r))
	}
	return string(key)
}

func (in *Insights) pathResult(from, to string, p candidatePath) KPathResult {
	g := in.graph
	out := KPathResult{
		PathResult: PathResult{From: from, To: to, Found: true, Nodes: make([]PathNode, len(p.nodes)), Hops: make([]PathHop, len(p.rels))},
		Length:     len(p.rels),
		ByEpisode:  []PathEpisode{},
	}
	for k, u := range p.nodes {
		c := &g.Concepts[u]
		out.Nodes[k] = PathNode{ID: c.ID, Label: c.Label, Kind: c.Kind}
	}
	episodeAt := map[string]int{}
	for h, r := range p.rels {
		rel := &g.Relations[r]
		out.Hops[h] = PathHop{
			Source: g.Concepts[p.nodes[h]].ID, Target: g.Concepts[p.nodes[h+1]].ID,
			Type: rel.Type, Weight: rel.Weight, Evidence: nonNil(rel.Evidence),
		}
		for _, ev := range rel.Evidence {
			at, ok := episodeAt[ev.Episode]
			if !ok {
				at = len(out.ByEpisode)
				episodeAt[ev.Episode] = at
				pe := PathEpisode{Episode: ev.Episode, Evidence: []HopEvidence{}}
				if j, ok := in.episodeAt[ev.Episode]; ok {
					pe.Title, pe.Date = g.Episodes[j].Title, g.Episodes[j].Date
				}
				out.ByEpisode = append(out.ByEpisode, pe)
			}
			pe := &out.ByEpisode[at]
			if n := len(pe.Evidence); n == 0 || pe.Evidence[n-1].Hop != h {
				pe.Hops++
			}
			pe.Evidence = append(pe.Evidence, HopEvidence{Hop: h, Line: ev.Line, Text: ev.Text})
		}
	}
	rank := func(id string) int {
		if j, ok := in.episodeAt[id]; ok {
			return in.dateRank[j]
		}
		return math.MaxInt
	}
	slices.SortFunc(out.ByEpisode, func(a, b PathEpisode) int {
		return cmp.Or(cmp.Compare(b.Hops, a.Hops), cmp.Compare(rank(a.Episode), rank(b.Episode)), strings.Compare(a.Episode, b.Episode))
	})
	return out
}

// yenSearch is the working memory of one KShortestPaths call: a breadth-first
// search that skips blocked concepts and relations. Blocks are marked with the
// current stamp, so lifting them all is one increment.
type yenSearch struct {
	stamp       uint32
	nodeBlocked []uint32
	relBlocked  []uint32
	depth       []int32
	width       []float64
	parent      []adjacent
	queue       []int32
}

func newYenSearch(concepts, relations int) *yenSearch {
	ys := &yenSearch{
		stamp:       1,
		nodeBlocked: make([]uint32, concepts),
		relBlocked:  make([]uint32, relations),
		depth:       make([]int32, concepts),
		width:       make([]float64, concepts),
		parent:      make([]adjacent, concepts),
	}
	for i := range ys.depth {
		ys.depth[i] = -1
	}
	return ys
}

// shortest finds the widest of the fewest-hop paths from start to goal that
// avoid blocked concepts and relations, as Index.Path does.
func (ys *yenSearch) shortest(in *Insights, start, goal int) (candidatePath, bool) {
	defer func() {
		for _, v := range ys.queue {
			ys.depth[v] = -1
		}
	}()
	ys.depth[start], ys.width[start] = 0, math.Inf(1)
	ys.queue = append(ys.queue[:0], int32(start))
	for h := 0; h < len(ys.queue); h++ {
		u := int(ys.queue[h])
		if d := ys.depth[goal]; d >= 0 && ys.depth[u] >= d {
			break
		}
		for _, adj := range in.adjacency[u] {
			v := adj.concept
			if ys.nodeBlocked[v] == ys.stamp || ys.relBlocked[adj.relation] == ys.stamp {
				continue
			}
			w := math.Min(ys.width[u], in.graph.Relations[adj.relation].Weight)
			switch {
			case ys.depth[v] < 0:
				ys.depth[v], ys.width[v] = ys.depth[u]+1, w
				ys.parent[v] = adjacent{concept: u, relation: adj.relation}
				ys.queue = append(ys.queue, int32(v))
			case ys.depth[v] == ys.depth[u]+1 && w > ys.width[v]:
				ys.width[v] = w
				ys.parent[v] = adjacent{concept: u, relation: adj.relation}
			}
		}
	}
	if ys.depth[goal] < 0 {
		return candidatePath{}, false
	}
	n := int(ys.depth[goal])
	p := candidatePath{nodes: make([]int, n+1), rels: make([]int, n)}
	for at, k := goal, n; ; k-- {
		p.nodes[k] = at
		if k == 0 {
			break
		}
		p.rels[k-1] = ys.parent[at].relation
		at = ys.parent[at].concept
	}
	return p, true
}
