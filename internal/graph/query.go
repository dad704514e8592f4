package graph

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Index answers the explorer's read queries (search, concept details, paths,
// episodes) over one immutable Graph. NewIndex does the work that every query
// would otherwise repeat: adjacency lists, id lookups and folded search keys.
// An Index is safe for concurrent use because nothing mutates it after NewIndex.
type Index struct {
	graph     *Graph
	conceptAt map[string]int // concept id -> position in graph.Concepts
	episodeAt map[string]int // episode id -> position in graph.Episodes
	// adjacency[i] lists the relations of concept i, strongest first, then by
	// neighbour id, which is the order Path explores them in.
	adjacency [][]adjacent
	// forms[i] are the label (first) and aliases of concept i with their folded keys.
	forms [][]searchForm
	// mentionsIn[i] counts concept i's evidence lines per episode id.
	mentionsIn []map[string]int
	// episodeConcepts[j] lists the concepts of episode j, most mentioned first.
	episodeConcepts [][]EpisodeConcept
	pathScratch     sync.Pool // of *pathSearch sized for this graph
}

type adjacent struct {
	concept  int // position of the neighbour in graph.Concepts
	relation int // position of the relation in graph.Relations
}

type searchForm struct {
	text   string // as written, returned as SearchHit.Matched
	folded string
}

// SearchHit is one concept matching a search query.
type SearchHit struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Kind     Kind     `json:"kind"`
	Aliases  []string `json:"aliases"`
	Matched  string   `json:"matched"` // the label or alias that matched the query
	Episodes int      `json:"episodes"`
	PageRank float64  `json:"pagerank"`
}

// ConceptDetail is a concept with the episodes it occurs in, its neighbours and
// the lines of notes that mention it. Concept.Evidence holds the same lines as
// Evidence (without episode titles). When ConceptParts trimmed the detail,
// NeighbourCount and EvidenceCount still give the untrimmed totals.
type ConceptDetail struct {
	Concept        Concept           `json:"concept"`
	Episodes       []ConceptEpisode  `json:"episodes"`
	Neighbours     []Neighbour       `json:"neighbours"`
	Evidence       []EpisodeEvidence `json:"evidence"`
	NeighbourCount int               `json:"neighbour_count"` // all the concept's neighbours
	EvidenceCount  int               `json:"evidence_count"`  // all the lines that mention it
}

// All, as a ConceptParts limit, keeps everything.
const All = -1

// ConceptParts says how much of a concept's detail Index.Concept builds. A
// hub of a large catalogue has thousands of neighbours and tens of thousands
// of lines, megabytes that a reader rarely wants at once. Each limit is a
// count to keep, or All; the zero value keeps the concept without neighbours
// or lines.
type ConceptParts struct {
	// Neighbours keeps the strongest neighbours (the first ones in the
	// detail's order).
	Neighbours int
	// NeighbourEvidence keeps the first lines of each neighbour's relation.
	NeighbourEvidence int
	// Evidence keeps the first lines that mention the concept itself, in
	// both Evidence and Concept.Evidence.
	Evidence int
	// Neighbour, when set, keeps only the relation to the concept with this
	// id (a link's evidence table); it is an ENOTFOUND error when the two
	// are not linked. Neighbours still applies.
	Neighbour string
}

// AllOfConcept is the untrimmed detail.
var AllOfConcept = ConceptParts{Neighbours: All, NeighbourEvidence: All, Evidence: All}

// keep returns how many of n items a limit keeps.
func keep(limit, n int) int {
	if limit < 0 || limit > n {
		return n
	}
	return limit
}

// ConceptEpisode is an episode a concept occurs in, with how many of the
// episode's lines mention it.
type ConceptEpisode struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Date     string `json:"date"`
	Source   string `json:"source"`
	Mentions int    `json:"mentions"`
}

// Neighbour is a concept related to another, with the relation between them.
type Neighbour struct {
	ID       string     `json:"id"`
	Label    string     `json:"label"`
	Kind     Kind       `json:"kind"`
	Type     string     `json:"type"`
	Weight   float64    `json:"weight"`
	Episodes []string   `json:"episodes"`
	Evidence []Evidence `json:"evidence"`
}

// EpisodeEvidence is an evidence line with the title of its episode, so a
// reader can cite it without a second lookup.
type EpisodeEvidence struct {
	Episode      string `json:"episode"`
	EpisodeTitle string `json:"episode_title"`
	Line         int    `json:"line"`
	Text         string `json:"text"`
}

// PathResult is a shortest path between two concepts. When no path exists,
// Found is false and Nodes and Hops are empty.
type PathResult struct {
	From  string     `json:"from"`
	To    string     `json:"to"`
	Found bool       `json:"found"`
	Nodes []PathNode `json:"nodes"`
	Hops  []PathHop  `json:"hops"`
}

// PathNode is one concept on a path.
type PathNode struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Kind  Kind   `json:"kind"`
}

// PathHop is one relation on a path, oriented in the direction of travel:
// Source is the node nearer the start of the path.
type PathHop struct {
	Source   string     `json:"source"`
	Target   string     `json:"target"`
	Type     string     `json:"type"`
	Weight   float64    `json:"weight"`
	Evidence []Evidence `json:"evidence"`
}

// EpisodeSummary is an episode with the number of concepts it mentions.
type EpisodeSummary struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Date     string   `json:"date"`
	Source   string   `json:"source"`
	Show     string   `json:"show"`
	Guests   []string `json:"guests"`
	Tags     []string `json:"tags"`
	URL      string   `json:"url,omitempty"`   // the episode's page (a feed item's link)
	Audio    string   `json:"audio,omitempty"` // its audio (a feed item's enclosure)
	Concepts int      `json:"concepts"`
}

// EpisodeDetail is an episode with the concepts it mentions.
type EpisodeDetail struct {
	Episode  EpisodeSummary   `json:"episode"`
	Concepts []EpisodeConcept `json:"concepts"`
	// Speakers are a transcript's speakers, each with the concepts they
	// brought up most (mentions on their turns); absent for notes.
	Speakers []SpeakerConcepts `json:"speakers,omitempty"`
}

// SpeakerConcepts is one speaker of a transcript and what they talked about.
type SpeakerConcepts struct {
	Speaker  string           `json:"speaker"`
	Concepts []EpisodeConcept `json:"concepts"` // most mentioned first, at most maxSpeakerConcepts
}

// maxSpeakerConcepts is how many concepts an episode's detail lists per speaker.
const maxSpeakerConcepts = 10

// EpisodeConcept is a concept as it occurs in one episode.
type EpisodeConcept struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Kind     Kind   `json:"kind"`
	Mentions int    `json:"mentions"` // evidence lines in this episode
}

// NewIndex prepares g for queries. g must not be modified afterwards.
func NewIndex(g *Graph) *Index {
	ix := &Index{
		graph:           g,
		conceptAt:       make(map[string]int, len(g.Concepts)),
		episodeAt:       make(map[string]int, len(g.Episodes)),
		adjacency:       make([][]adjacent, len(g.Concepts)),
		forms:           make([][]searchForm, len(g.Concepts)),
		mentionsIn:      make([]map[string]int, len(g.Concepts)),
		episodeConcepts: make([][]EpisodeConcept, len(g.Episodes)),
	}
	ix.pathScratch.New = func() any { return newPathSearch(len(g.Concepts)) }
	for i, e := range g.Episodes {
		ix.episodeAt[e.ID] = i
	}
	for i, c := range g.Concepts {
		ix.conceptAt[c.ID] = i
		forms := []searchForm{{text: c.Label, folded: Fold(c.Label)}}
		for _, a := range c.Aliases {
			forms = append(forms, searchForm{text: a, folded: Fold(a)})
		}
		ix.forms[i] = forms
		counts := map[string]int{}
		for _, ev := range c.Evidence {
			counts[ev.Episode]++
		}
		ix.mentionsIn[i] = counts
		for _, ep := range c.Episodes {
			if j, ok := ix.episodeAt[ep]; ok {
				ix.episodeConcepts[j] = append(ix.episodeConcepts[j],
					EpisodeConcept{ID: c.ID, Label: c.Label, Kind: c.Kind, Mentions: counts[ep]})
			}
		}
	}
	for r, rel := range g.Relations {
		s, okS := ix.conceptAt[rel.Source]
		t, okT := ix.conceptAt[rel.Target]
		if !okS || !okT || s == t {
			continue // a relation to a concept the graph lacks cannot be walked
		}
		ix.adjacency[s] = append(ix.adjacency[s], adjacent{concept: t, relation: r})
		ix.adjacency[t] = append(ix.adjacency[t], adjacent{concept: s, relation: r})
	}
	for i := range ix.adjacency {
		adj := ix.adjacency[i]
		sort.Slice(adj, func(a, b int) bool {
			wa, wb := g.Relations[adj[a].relation].Weight, g.Relations[adj[b].relation].Weight
			if wa != wb {
				return wa > wb
			}
			return g.Concepts[adj[a].concept].ID < g.Concepts[adj[b].concept].ID
		})
	}
	for j := range ix.episodeConcepts {
		cs := ix.episodeConcepts[j]
		sort.Slice(cs, func(a, b int) bool {
			if cs[a].Mentions != cs[b].Mentions {
				return cs[a].Mentions > cs[b].Mentions
			}
			if cs[a].Label != cs[b].Label {
				return cs[a].Label < cs[b].Label
			}
			return cs[a].ID < cs[b].ID
		})
	}
	return ix
}

// Graph returns the graph the index was built from.
func (ix *Index) Graph() *Graph { return ix.graph }

// Match ranks, best first: how a concept's label or alias matches a query.
const (
	matchExact = iota
	matchPrefix
	matchWordPrefix
	matchSubstring
	noMatch
)

// Search finds concepts whose label or an alias contains q, ignoring case,
// accents and quote styles. Hits are ordered by how well they match (exact,
// prefix, word prefix, substring), then PageRank descending, then label, and at
// most limit are returned. A blank query finds nothing.
func (ix *Index) Search(q string, limit int) []SearchHit {
	query := Fold(q)
	if query == "" || limit <= 0 {
		return []SearchHit{}
	}
	type candidate struct {
		concept int
		rank    int
		form    int
	}
	concepts := ix.graph.Concepts
	better := func(x, y candidate) bool {
		if x.rank != y.rank {
			return x.rank < y.rank
		}
		cx, cy := &concepts[x.concept], &concepts[y.concept]
		if cx.PageRank != cy.PageRank {
			return cx.PageRank > cy.PageRank
		}
		if cx.Label != cy.Label {
			return cx.Label < cy.Label
		}
		return cx.ID < cy.ID
	}
	// Keep only the best limit candidates, in order: a short query can match
	// most of the graph, and sorting every match would dominate the cost.
	found := make([]candidate, 0, min(limit, 64))
	for i, forms := range ix.forms {
		best, bestForm := noMatch, 0
		for f, form := range forms {
			if r := matchRank(form.folded, query); r < best {
				best, bestForm = r, f
			}
		}
		if best == noMatch {
			continue
		}
		c := candidate{concept: i, rank: best, form: bestForm}
		if len(found) == limit && !better(c, found[limit-1]) {
			continue
		}
		at := sort.Search(len(found), func(k int) bool { return better(c, found[k]) })
		if len(found) < limit {
			found = append(found, candidate{})
		}
		copy(found[at+1:], found[at:])
		found[at] = c
	}
	hits := make([]SearchHit, len(found))
	for n, f := range found {
		c := &concepts[f.concept]
		hits[n] = SearchHit{
			ID: c.ID, Label: c.Label, Kind: c.Kind, Aliases: nonNil(c.Aliases),
			Matched: ix.forms[f.concept][f.form].text, Episodes: len(c.Episodes), PageRank: c.PageRank,
		}
	}
	return hits
}

// matchRank says how the folded text matches the folded query.
func matchRank(text, query string) int {
	switch {
	case text == query:
		return matchExact
	case strings.HasPrefix(text, query):
		return matchPrefix
	}
	at := strings.Index(text, query)
	if at < 0 {
		return noMatch
	}
	// A later occurrence may start a word even when the first does not.
	for ; at >= 0; at = nextIndex(text, query, at) {
		if startsWord(text, at) {
			return matchWordPrefix
		}
	}
	return matchSubstring
}

// nextIndex finds query in text after position at, or returns -1.
func nextIndex(text, query string, at int) int {
	next := strings.Index(text[at+1:], query)
	if next < 0 {
		return -1
	}
	return at + 1 + next
}

// startsWord reports whether byte position at of text begins a word: the rune
// before it is neither a letter nor a digit.
func startsWord(text string, at int) bool {
	if at == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:at])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// Concept returns the concept with the given id, its episodes (by date, then
// id), its neighbours (strongest relation first, then by label, then id) and
// its evidence, as much of them as parts asks for. Only what is returned is
// built: a hub's strongest neighbours are picked from its adjacency list
// (already ordered by weight) before any of them is materialised.
func (ix *Index) Concept(id string, parts ConceptParts) (ConceptDetail, error) {
	i, err := ix.lookupConcept("", id)
	if err != nil {
		return ConceptDetail{}, err
	}
	candidates := ix.adjacency[i]
	if parts.Neighbour != "" {
		candidates = ix.linkTo(i, parts.Neighbour)
		if candidates == nil {
			return ConceptDetail{}, Errorf(ENOTFOUND, "neighbour: concept %q is not linked to %q", parts.Neighbour, id)
		}
	}
	c := ix.graph.Concepts[i]
	evidence := c.Evidence[:keep(parts.Evidence, len(c.Evidence))]
	c.Aliases, c.Episodes, c.Evidence = nonNil(c.Aliases), nonNil(c.Episodes), nonNil(evidence)
	detail := ConceptDetail{
		Concept:        c,
		Episodes:       ix.conceptEpisodes(i),
		Neighbours:     ix.strongestNeighbours(candidates, parts.Neighbours, parts.NeighbourEvidence),
		Evidence:       make([]EpisodeEvidence, 0, len(evidence)),
		NeighbourCount: len(ix.adjacency[i]),
		EvidenceCount:  len(ix.graph.Concepts[i].Evidence),
	}
	for _, ev := range evidence {
		ee := EpisodeEvidence{Episode: ev.Episode, Line: ev.Line, Text: ev.Text}
		if j, ok := ix.episodeAt[ev.Episode]; ok {
			ee.EpisodeTitle = ix.graph.Episodes[j].Title
		}
		detail.Evidence = append(detail.Evidence, ee)
	}
	return detail, nil
}

// linkTo returns concept i's adjacency entry for the neighbour with the given
// id as a one-element list, or nil when they are not linked.
func (ix *Index) linkTo(i int, neighbour string) []adjacent {
	j, ok := ix.conceptAt[neighbour]
	if !ok {
		return nil
	}
	for k, adj := range ix.adjacency[i] {
		if adj.concept == j {
			return ix.adjacency[i][k : k+1]
		}
	}
	return nil
}

// conceptEpisodes lists the episodes of concept i by date, then id.
func (ix *Index) conceptEpisodes(i int) []ConceptEpisode {
	c := &ix.graph.Concepts[i]
	out := make([]ConceptEpisode, 0, len(c.Episodes))
	for _, epID := range c.Episodes {
		ce := ConceptEpisode{ID: epID, Mentions: ix.mentionsIn[i][epID]}
		if j, ok := ix.episodeAt[epID]; ok {
			e := &ix.graph.Episodes[j]
			ce.Title, ce.Date, ce.Source = e.Title, e.Date, e.Source
		}
		out = append(out, ce)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Date != out[b].Date {
			return out[a].Date < out[b].Date
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// strongestNeighbours materialises the first limit of adj (an adjacency list,
// weight descending) in the detail's order: weight descending, then label,
// then id, each with at most evidence lines.
//
// The adjacency list breaks weight ties by id, the detail by label, so the
// first limit entries by label are not always the first limit of the list.
// They are always among the list's prefix that ends with the last relation as
// strong as the limit-th, so only that prefix is sorted: a partial sort
// whose cost grows with the limit, not with the hub's degree.
func (ix *Index) strongestNeighbours(adj []adjacent, limit, evidence int) []Neighbour {
	n := keep(limit, len(adj))
	end := n
	if n > 0 {
		boundary := ix.graph.Relations[adj[n-1].relation].Weight
		for end < len(adj) && ix.graph.Relations[adj[end].relation].Weight == boundary {
			end++
		}
	}
	prefix := slices.Clone(adj[:end])
	concepts, relations := ix.graph.Concepts, ix.graph.Relations
	slices.SortFunc(prefix, func(x, y adjacent) int {
		wx, wy := relations[x.relation].Weight, relations[y.relation].Weight
		if wx != wy {
			return cmp.Compare(wy, wx)
		}
		cx, cy := &concepts[x.concept], &concepts[y.concept]
		if c := strings.Compare(cx.Label, cy.Label); c != 0 {
			return c
		}
		if c := strings.Compare(cx.ID, cy.ID); c != 0 {
			return c
		}
		return cmp.Compare(x.relation, y.relation) // two relations of different types
	})
	out := make([]Neighbour, n)
	for k, a := range prefix[:n] {
		nb, r := &concepts[a.concept], &relations[a.relation]
		out[k] = Neighbour{
			ID: nb.ID, Label: nb.Label, Kind: nb.Kind, Type: r.Type, Weight: r.Weight,
			Episodes: nonNil(r.Episodes), Evidence: nonNil(r.Evidence[:keep(evidence, len(r.Evidence))]),
		}
	}
	return out
}

// Path finds a shortest path (fewest relations) from one concept to another.
// Among the shortest paths it picks the widest: the one whose weakest relation
// is strongest (a bottleneck criterion, see Pollack 1960, "The maximum capacity
// through a network"); remaining ties go to the path found first when
// neighbours are explored strongest first, then by id, so results are
// deterministic. No path is not an error: Found is false.
func (ix *Index) Path(from, to string) (PathResult, error) {
	start, err := ix.lookupConcept("from", from)
	if err != nil {
		return PathResult{}, err
	}
	goal, err := ix.lookupConcept("to", to)
	if err != nil {
		return PathResult{}, err
	}
	result := PathResult{From: from, To: to, Nodes: []PathNode{}, Hops: []PathHop{}}
	search := ix.pathScratch.Get().(*pathSearch)
	defer ix.pathScratch.Put(search)
	if !search.run(ix, start, goal) {
		return result, nil
	}
	// Walk back from the goal, then reverse into travel order.
	var nodes []int
	var rels []int
	for at := goal; ; {
		nodes = append(nodes, at)
		if at == start {
			break
		}
		p := search.parent[at]
		rels = append(rels, p.relation)
		at = p.concept
	}
	result.Found = true
	for k := len(nodes) - 1; k >= 0; k-- {
		c := &ix.graph.Concepts[nodes[k]]
		result.Nodes = append(result.Nodes, PathNode{ID: c.ID, Label: c.Label, Kind: c.Kind})
	}
	for k := len(rels) - 1; k >= 0; k-- {
		r := &ix.graph.Relations[rels[k]]
		result.Hops = append(result.Hops, PathHop{
			Source: ix.graph.Concepts[nodes[k+1]].ID, Target: ix.graph.Concepts[nodes[k]].ID,
			Type: r.Type, Weight: r.Weight, Evidence: nonNil(r.Evidence),
		})
	}
	return result, nil
}

// pathSearch is the working memory of one Path query, pooled because a query
// on a large graph would otherwise allocate per-node tables every time.
// Only the entries a search touched are reset afterwards.
type pathSearch struct {
	depth  []int32 // hops from the start; -1 when not reached
	width  []float64
	parent []adjacent
	queue  []int32 // also the list of touched nodes, for the reset
}

func newPathSearch(n int) *pathSearch {
	ps := &pathSearch{depth: make([]int32, n), width: make([]float64, n), parent: make([]adjacent, n)}
	for i := range ps.depth {
		ps.depth[i] = -1
	}
	return ps
}

// run is a breadth-first search from start that stops once goal's level is
// complete, recording for each reached node the neighbour it is reached from
// on the widest shortest path. It reports whether goal was reached.
//
// Breadth-first search finishes every node of level d before any of level d+1
// is expanded, so when a node is dequeued its width (the weakest relation on
// its best path) is final and can be offered to the next level.
func (ps *pathSearch) run(ix *Index, start, goal int) bool {
	defer ps.reset()
	ps.depth[start], ps.width[start] = 0, math.Inf(1)
	ps.parent[start] = adjacent{concept: -1, relation: -1}
	ps.queue = append(ps.queue[:0], int32(start))
	for head := 0; head < len(ps.queue); head++ {
		u := int(ps.queue[head])
		if d := ps.depth[goal]; d >= 0 && ps.depth[u] >= d {
			break // every possible parent of goal has been expanded
		}
		for _, adj := range ix.adjacency[u] {
			v := adj.concept
			w := math.Min(ps.width[u], ix.graph.Relations[adj.relation].Weight)
			switch {
			case ps.depth[v] < 0:
				ps.depth[v] = ps.depth[u] + 1
				ps.width[v] = w
				ps.parent[v] = adjacent{concept: u, relation: adj.relation}
				ps.queue = append(ps.queue, int32(v))
			case ps.depth[v] == ps.depth[u]+1 && w > ps.width[v]:
				ps.width[v] = w
				ps.parent[v] = adjacent{concept: u, relation: adj.relation}
			}
		}
	}
	return ps.depth[goal] >= 0
}

// reset forgets the last search. The parent links stay readable until the
// next run: Path reads them after run returns, before handing ps back.
func (ps *pathSearch) reset() {
	for _, v := range ps.queue {
		ps.depth[v] = -1
	}
}

// Episodes lists every episode, sorted by date then id, with its concept count.
func (ix *Index) Episodes() []EpisodeSummary {
	out := make([]EpisodeSummary, len(ix.graph.Episodes))
	for j := range ix.graph.Episodes {
		out[j] = ix.episodeSummary(j)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Date != out[b].Date {
			return out[a].Date < out[b].Date
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// Episode returns one episode and its concepts, most mentioned first.
func (ix *Index) Episode(id string) (EpisodeDetail, error) {
	if strings.TrimSpace(id) == "" {
		return EpisodeDetail{}, Errorf(EINVALID, "episode id is required")
	}
	j, ok := ix.episodeAt[id]
	if !ok {
		return EpisodeDetail{}, Errorf(ENOTFOUND, "episode %q not found", id)
	}
	return EpisodeDetail{
		Episode:  ix.episodeSummary(j),
		Concepts: append([]EpisodeConcept{}, ix.episodeConcepts[j]...),
		Speakers: ix.speakers(id, ix.episodeConcepts[j]),
	}, nil
}

// speakers counts, for each speaker of an episode, the lines of their turns
// that mention each of the episode's concepts.
func (ix *Index) speakers(episode string, concepts []EpisodeConcept) []SpeakerConcepts {
	counts := map[string]map[int]int{} // speaker -> concept position -> lines
	for _, ec := range concepts {
		i := ix.conceptAt[ec.ID]
		for _, ev := range ix.graph.Concepts[i].Evidence {
			if ev.Episode != episode || ev.Speaker == "" {
				continue
			}
			if counts[ev.Speaker] == nil {
				counts[ev.Speaker] = map[int]int{}
			}
			counts[ev.Speaker][i]++
		}
	}
	if len(counts) == 0 {
		return nil
	}
	out := make([]SpeakerConcepts, 0, len(counts))
	for speaker, byConcept := range counts {
		list := make([]EpisodeConcept, 0, len(byConcept))
		for i, n := range byConcept {
			c := &ix.graph.Concepts[i]
			list = append(list, EpisodeConcept{ID: c.ID, Label: c.Label, Kind: c.Kind, Mentions: n})
		}
		slices.SortFunc(list, func(a, b EpisodeConcept) int {
			return cmp.Or(cmp.Compare(b.Mentions, a.Mentions), strings.Compare(a.Label, b.Label), strings.Compare(a.ID, b.ID))
		})
		out = append(out, SpeakerConcepts{Speaker: speaker, Concepts: list[:min(len(list), maxSpeakerConcepts)]})
	}
	slices.SortFunc(out, func(a, b SpeakerConcepts) int { return strings.Compare(a.Speaker, b.Speaker) })
	return out
}

func (ix *Index) episodeSummary(j int) EpisodeSummary {
	e := ix.graph.Episodes[j]
	return EpisodeSummary{
		ID: e.ID, Title: e.Title, Date: e.Date, Source: e.Source, Show: e.Show,
		Guests: nonNil(e.Guests), Tags: nonNil(e.Tags), URL: e.URL, Audio: e.Audio, Concepts: len(ix.episodeConcepts[j]),
	}
}

// lookupConcept resolves a concept id. param names the query parameter the id
// came from, if any, so errors say which of several ids was wrong.
func (ix *Index) lookupConcept(param, id string) (int, error) {
	return lookupID(ix.conceptAt, "a concept", param, id)
}

// lookupID resolves id in at. what is the kind of id with its article ("a
// concept", "an episode"); param names the query parameter it came from, if any.
func lookupID(at map[string]int, what, param, id string) (int, error) {
	prefix := ""
	if param != "" {
		prefix = param + ": "
	}
	if strings.TrimSpace(id) == "" {
		return 0, Errorf(EINVALID, "%s%s id is required", prefix, what)
	}
	i, ok := at[id]
	if !ok {
		return 0, Errorf(ENOTFOUND, "%s%s %q not found", prefix, strings.SplitN(what, " ", 2)[1], id)
	}
	return i, nil
}

// nonNil turns a nil slice into an empty one so it encodes as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Fold reduces text to a search key: lower case, Latin accents removed,
// typographic quotes and dashes made plain, runs of spaces collapsed and the
// ends trimmed. "Café “Noir”" and "cafe \"noir\"" fold to the same key.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent written as its own rune
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		r = unicode.ToLower(r)
		if plain, ok := foldTable[r]; ok {
			b.WriteString(plain)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// foldTable maps lower-case accented Latin letters, ligatures and typographic
// punctuation to plain ASCII. The standard library has no Unicode
// decomposition, and this short table covers the names notes are written with.
var foldTable = func() map[rune]string {
	groups := map[string]string{
		"a": "àáâãäåāăą", "c": "çćĉċč", "d": "ďđð", "e": "èéêëēĕėęě",
		"g": "ĝğġģ", "h": "ĥħ", "i": "ìíîïĩīĭįı", "j": "ĵ", "k": "ķ",
		"l": "ĺļľŀł", "n": "ñńņňŉ", "o": "òóôõöøōŏő", "r": "ŕŗř",
		"s": "śŝşšș", "t": "ţťŧț", "u": "ùúûüũūŭůűų", "w": "ŵ", "y": "ýÿŷ",
		"z": "źżž", "ae": "æ", "oe": "œ", "ss": "ß", "th": "þ",
		"'": "‘’‚‛′`´", "\"": "“”„‟″«»", "-": "‐‑‒–—―−",
	}
	table := map[rune]string{}
	for plain, runes := range groups {
		for _, r := range runes {
			table[r] = plain
		}
	}
	return table
}()
