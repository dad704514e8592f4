package graph

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Insights answers the cross-episode questions of an analyst over one immutable,
// analysed Graph (its concepts carry PageRank, betweenness and community from
// Analyze or from the store): themes, the life history of concepts, bridges and
// gaps between themes, episode similarity and comparison, change between date
// windows and k shortest paths.
//
// NewInsights does once, per loaded graph, the work these questions share:
// episodes in date order, per-episode concept counts, TF-IDF vectors, themes and
// their episodes, and the rankings of recurring concepts, bridges and gaps. An
// Insights is safe for concurrent use; the graph must not be modified after
// NewInsights.
//
// Throughout, the mentions of a concept in an episode are the number of its
// evidence lines in that episode, and episodes are in date order: by Date
// (compared as text, so "2024-03" sorts before "2024-03-05"), undated episodes
// last, ties by id.
type Insights struct {
	graph     *Graph
	conceptAt map[string]int
	episodeAt map[string]int

	// byDate lists episode positions in date order; dateRank is the inverse.
	byDate   []int
	dateRank []int

	// conceptEpisodes[i] lists concept i's episodes in date order with its mentions.
	conceptEpisodes [][]episodeCount
	// episodeTerms[j] lists episode j's concepts by concept position, with
	// mentions and TF-IDF weight; episodeNorm[j] is the vector's Euclidean norm.
	episodeTerms [][]episodeTerm
	episodeNorm  []float64
	// adjacency[i] lists concept i's relations, strongest first, then by neighbour id.
	adjacency [][]adjacent
	// conceptEvidence[i][k] and relationEvidence[r][k] are the episode
	// positions of the k-th evidence line of concept i and relation r (-1 for
	// an episode the graph lacks); relationEnds[r] are the concept positions of
	// relation r's ends (-1, -1 when it cannot be walked).
	conceptEvidence  [][]int32
	relationEvidence [][]int32
	relationEnds     [][2]int

	themes        []themeInfo
	themeAt       map[int]int // community number -> position in themes
	themesResult  ThemesResult
	recurring     []RecurringConcept
	bridges       []Bridge
	gapCandidates []gapPair

	windows windowCache
}

type episodeCount struct {
	episode  int // position in graph.Episodes
	mentions int
}

type episodeTerm struct {
	concept  int
	mentions int
	weight   float64 // mentions × log(N/df)
}

// themeInfo is a theme's precomputed membership.
type themeInfo struct {
	community int
	members   []int // concept positions, most central first
	label     string
	// present is the set of episodes the theme occurs in (see Themes), one bit
	// per episode position.
	present  []uint64
	episodes int // number of bits set in present
}

// maxThemeEpisodes and maxThemeTop bound the lists of a theme.
const (
	maxThemeEpisodes = 20
	maxThemeTop      = 10
	themeLabelSize   = 3
	// maxGapCandidates bounds the gaps kept from construction; Gaps never
	// returns more.
	maxGapCandidates = 1000
	// maxClosest is the number of concepts listed as closest to bridging a gap.
	maxClosest = 5
)

// ThemesResult is the partition of the graph into themes.
type ThemesResult struct {
	// Modularity is Newman's Q of the stored communities on the weighted
	// graph at resolution 1 (see Modularity).
	Modularity float64 `json:"modularity"`
	Themes     []Theme `json:"themes"`
}

// Theme is a community of related concepts.
type Theme struct {
	ID    int    `json:"id"`    // the community number
	Label string `json:"label"` // its three most distinctive concepts' labels, joined by " · " (see themeName)
	Size  int    `json:"size"`  // number of concepts
	// EpisodeCount is the number of episodes the theme occurs in.
	EpisodeCount int            `json:"episode_count"`
	Top          []ThemeConcept `json:"top"`
	Episodes     []ThemeEpisode `json:"episodes"`
}

// ThemeConcept is one of a theme's most central concepts.
type ThemeConcept struct {
	ID       string  `json:"id"`
	Label    string  `json:"label"`
	PageRank float64 `json:"pagerank"`
}

// ThemeEpisode is an episode a theme occurs in.
type ThemeEpisode struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
	// Concepts is how many of the theme's concepts the episode mentions.
	Concepts int `json:"concepts"`
	// Share is Concepts divided by the number of concepts the episode mentions.
	Share float64 `json:"share"`
}

// NewInsights prepares the analyses of g, which must already carry its scores
// (Analyze, or graph.Read from a store). g must not be modified afterwards.
func NewInsights(g *Graph) *Insights {
	in := &Insights{
		graph:           g,
		conceptAt:       make(map[string]int, len(g.Concepts)),
		episodeAt:       make(map[string]int, len(g.Episodes)),
		conceptEpisodes: make([][]episodeCount, len(g.Concepts)),
		conceptEvidence: make([][]int32, len(g.Concepts)),
		episodeTerms:    make([][]episodeTerm, len(g.Episodes)),
		episodeNorm:     make([]float64, len(g.Episodes)),
		adjacency:       make([][]adjacent, len(g.Concepts)),
	}
	for j, e := range g.Episodes {
		if _, dup := in.episodeAt[e.ID]; !dup {
			in.episodeAt[e.ID] = j
		}
	}
	in.byDate = make([]int, len(g.Episodes))
	for j := range in.byDate {
		in.byDate[j] = j
	}
	slices.SortStableFunc(in.byDate, func(a, b int) int {
		return compareEpisodes(&g.Episodes[a], &g.Episodes[b])
	})
	in.dateRank = make([]int, len(g.Episodes))
	for r, j := range in.byDate {
		in.dateRank[j] = r
	}

	in.indexMentions()
	in.indexRelations()
	in.buildThemes()
	in.buildRecurring()
	in.buildBridges()
	in.buildGaps()
	return in
}

// compareEpisodes orders episodes by date, undated last, then by id.
func compareEpisodes(a, b *Episode) int {
	switch {
	case a.Date == "" && b.Date != "":
		return 1
	case a.Date != "" && b.Date == "":
		return -1
	}
	return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.ID, b.ID))
}

// indexMentions counts each concept's evidence lines per episode and builds
// the TF-IDF vectors of episodes.
func (in *Insights) indexMentions() {
	g := in.graph
	counts := make([]int, len(g.Episodes))
	var touched []int
	for i, c := range g.Concepts {
		if _, dup := in.conceptAt[c.ID]; !dup {
			in.conceptAt[c.ID] = i
		}
		touched = touched[:0]
		at := make([]int32, len(c.Evidence))
		in.conceptEvidence[i] = at
		for k, ev := range c.Evidence {
			j, ok := in.episodeAt[ev.Episode]
			if !ok {
				at[k] = -1
				continue // evidence from an episode the graph does not list
			}
			at[k] = int32(j)
			if counts[j] == 0 {
				touched = append(touched, j)
			}
			counts[j]++
		}
		list := make([]episodeCount, len(touched))
		for k, j := range touched {
			list[k] = episodeCount{episode: j, mentions: counts[j]}
			counts[j] = 0
		}
		slices.SortFunc(list, func(a, b episodeCount) int { return cmp.Compare(in.dateRank[a.episode], in.dateRank[b.episode]) })
		in.conceptEpisodes[i] = list
	}
	n := float64(len(g.Episodes))
	for i, list := range in.conceptEpisodes {
		idf := math.Log(n / float64(max(len(list), 1)))
		for _, ec := range list {
			in.episodeTerms[ec.episode] = append(in.episodeTerms[ec.episode],
				episodeTerm{concept: i, mentions: ec.mentions, weight: float64(ec.mentions) * idf})
		}
	}
	for j, terms := range in.episodeTerms {
		var sum float64
		for _, t := range terms {
			sum += t.weight * t.weight
		}
		in.episodeNorm[j] = math.Sqrt(sum)
	}
}

func (in *Insights) indexRelations() {
	g := in.graph
	in.relationEvidence = make([][]int32, len(g.Relations))
	in.relationEnds = make([][2]int, len(g.Relations))
	for r, rel := range g.Relations {
		at := make([]int32, len(rel.Evidence))
		for k, ev := range rel.Evidence {
			if j, ok := in.episodeAt[ev.Episode]; ok {
				at[k] = int32(j)
			} else {
				at[k] = -1
			}
		}
		in.relationEvidence[r] = at
		in.relationEnds[r] = [2]int{-1, -1}
		s, okS := in.conceptAt[rel.Source]
		t, okT := in.conceptAt[rel.Target]
		if !okS || !okT || s == t {
			continue
		}
		in.relationEnds[r] = [2]int{s, t}
		in.adjacency[s] = append(in.adjacency[s], adjacent{concept: t, relation: r})
		in.adjacency[t] = append(in.adjacency[t], adjacent{concept: s, relation: r})
	}
	for _, adj := range in.adjacency {
		slices.SortFunc(adj, func(a, b adjacent) int {
			return cmp.Or(cmp.Compare(g.Relations[b.relation].Weight, g.Relations[a.relation].Weight),
				strings.Compare(g.Concepts[a.concept].ID, g.Concepts[b.concept].ID))
		})
	}
}

// moreCentral orders concept positions by PageRank, highest first, then by id.
func (in *Insights) moreCentral(a, b int) int {
	ca, cb := &in.graph.Concepts[a], &in.graph.Concepts[b]
	return cmp.Or(cmp.Compare(cb.PageRank, ca.PageRank), strings.Compare(ca.ID, cb.ID))
}

// buildThemes groups concepts by community. A theme is a community of
// concepts that have relations; an isolated concept is a community of its own
// in Analyze but not a theme.
func (in *Insights) buildThemes() {
	g := in.graph
	in.themeAt = map[int]int{}
	for i := range g.Concepts {
		if len(in.adjacency[i]) == 0 || in.conceptAt[g.Concepts[i].ID] != i {
			continue
		}
		c := g.Concepts[i].Community
		t, ok := in.themeAt[c]
		if !ok {
			t = len(in.themes)
			in.themeAt[c] = t
			in.themes = append(in.themes, themeInfo{community: c})
		}
		in.themes[t].members = append(in.themes[t].members, i)
	}
	slices.SortFunc(in.themes, func(a, b themeInfo) int { return cmp.Compare(a.community, b.community) })
	for t := range in.themes {
		in.themeAt[in.themes[t].community] = t
	}

	words := (len(g.Episodes) + 63) / 64
	inTheme := make([]int, len(g.Episodes)) // scratch: the theme's concepts per episode
	result := ThemesResult{Modularity: Modularity(g), Themes: make([]Theme, len(in.themes))}
	for t := range in.themes {
		th := &in.themes[t]
		slices.SortFunc(th.members, in.moreCentral)
		top := make([]ThemeConcept, 0, min(len(th.members), maxThemeTop))
		for k, i := range th.members {
			c := &g.Concepts[i]
			if k < maxThemeTop {
				top = append(top, ThemeConcept{ID: c.ID, Label: c.Label, PageRank: c.PageRank})
			}
		}
		th.label = in.themeName(th.members)

		var touched []int
		for _, i := range th.members {
			for _, ec := range in.conceptEpisodes[i] {
				if inTheme[ec.episode] == 0 {
					touched = append(touched, ec.episode)
				}
				inTheme[ec.episode]++
			}
		}
		// A theme occurs in an episode that mentions at least two of its
		// concepts: one shared concept is a passing mention, two are a topic.
		threshold := min(2, len(th.members))
		th.present = make([]uint64, words)
		var episodes []ThemeEpisode
		for _, j := range touched {
			if inTheme[j] >= threshold {
				th.present[j/64] |= 1 << (j % 64)
				th.episodes++
				e := &g.Episodes[j]
				episodes = append(episodes, ThemeEpisode{
					ID: e.ID, Title: e.Title, Date: e.Date, Concepts: inTheme[j],
					Share: float64(inTheme[j]) / float64(len(in.episodeTerms[j])),
				})
			}
			inTheme[j] = 0
		}
		slices.SortFunc(episodes, func(a, b ThemeEpisode) int {
			return cmp.Or(cmp.Compare(b.Concepts, a.Concepts), cmp.Compare(b.Share, a.Share),
				cmp.Compare(in.dateRank[in.episodeAt[a.ID]], in.dateRank[in.episodeAt[b.ID]]))
		})
		if len(episodes) > maxThemeEpisodes {
			episodes = episodes[:maxThemeEpisodes]
		}
		result.Themes[t] = Theme{
			ID: th.community, Label: th.label, Size: len(th.members), EpisodeCount: th.episodes,
			Top: top, Episodes: nonNil(episodes),
		}
	}
	in.themesResult = result
}

// themeName names a theme by its most distinctive concepts: those whose
// links stay inside the theme, weighted by how central they are. A concept's
// distinctiveness is its PageRank times the share of its link weight that goes
// to the theme's own members, so a hub that links every theme (often the
// biggest concept of each) gives way to the concepts that only this theme
// has; this is the within-versus-between contrast of c-TF-IDF style cluster
// labels (Grootendorst, 2022) on link weight instead of word counts.
func (in *Insights) themeName(members []int) string {
	g := in.graph
	community := g.Concepts[members[0]].Community
	type scored struct {
		at    int
		score float64
	}
	ranked := make([]scored, 0, len(members))
	for _, i := range members {
		var inside, total float64
		for _, a := range in.adjacency[i] {
			w := g.Relations[a.relation].Weight
			total += w
			if g.Concepts[a.concept].Community == community {
				inside += w
			}
		}
		share := 0.0
		if total > 0 {
			share = inside / total
		}
		ranked = append(ranked, scored{i, g.Concepts[i].PageRank * share})
	}
	slices.SortStableFunc(ranked, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), in.moreCentral(a.at, b.at))
	})
	labels := make([]string, 0, themeLabelSize)
	seen := map[string]bool{}
	for _, r := range ranked {
		label := g.Concepts[r.at].Label
		if seen[strings.ToLower(label)] {
			continue
		}
		seen[strings.ToLower(label)] = true
		labels = append(labels, label)
		if len(labels) == themeLabelSize {
			break
		}
	}
	return strings.Join(labels, " · ")
}

// Themes returns the themes of the graph, by community number (Analyze
// numbers communities by decreasing size). A theme is a community of concepts
// that have relations (Louvain, see Analyze); it is labelled by its three
// most distinctive concepts (see themeName), lists its ten most central concepts, and the
// episodes it occurs in: those that mention at least two of its concepts (all
// of them, for a theme of one concept). Episodes are listed strongest first,
// by the number of the theme's concepts they mention, then by the share of
// their concepts that belong to the theme, then in date order; at most 20.
func (in *Insights) Themes() ThemesResult {
	out := in.themesResult
	out.Themes = slices.Clone(out.Themes)
	return out
}

// ConceptTimeline is the life history of a concept across episodes.
type ConceptTimeline struct {
	Concept  PathNode          `json:"concept"`
	First    string            `json:"first"` // id of the earliest episode, "" when none
	Last     string            `json:"last"`  // id of the latest episode, "" when none
	Episodes []TimelineEpisode `json:"episodes"`
}

// TimelineEpisode is one episode in a concept's timeline.
type TimelineEpisode struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Date     string `json:"date"`
	Mentions int    `json:"mentions"` // the concept's evidence lines in the episode
}

// Timeline returns the episodes a concept occurs in, in date order, with its
// mentions in each.
func (in *Insights) Timeline(id string) (ConceptTimeline, error) {
	i, err := in.lookupConcept("", id)
	if err != nil {
		return ConceptTimeline{}, err
	}
	c := &in.graph.Concepts[i]
	out := ConceptTimeline{
		Concept:  PathNode{ID: c.ID, Label: c.Label, Kind: c.Kind},
		Episodes: make([]TimelineEpisode, len(in.conceptEpisodes[i])),
	}
	for k, ec := range in.conceptEpisodes[i] {
		e := &in.graph.Episodes[ec.episode]
		out.Episodes[k] = TimelineEpisode{ID: e.ID, Title: e.Title, Date: e.Date, Mentions: ec.mentions}
	}
	if n := len(out.Episodes); n > 0 {
		out.First, out.Last = out.Episodes[0].ID, out.Episodes[n-1].ID
	}
	return out, nil
}

// RecurringConcept is a concept with the span of episodes it occurs in.
type RecurringConcept struct {
	ID           string  `json:"id"`
	Label        string  `json:"label"`
	Kind         Kind    `json:"kind"`
	Episodes     int     `json:"episodes"` // number of episodes it occurs in
	Mentions     int     `json:"mentions"` // its evidence lines in all of them
	PageRank     float64 `json:"pagerank"`
	FirstEpisode string  `json:"first_episode"`
	FirstDate    string  `json:"first_date"`
	LastEpisode  string  `json:"last_episode"`
	LastDate     string  `json:"last_date"`
}

func (in *Insights) buildRecurring() {
	g := in.graph
	in.recurring = []RecurringConcept{}
	for i := range g.Concepts {
		list := in.conceptEpisodes[i]
		if len(list) == 0 || in.conceptAt[g.Concepts[i].ID] != i {
			continue
		}
		c := &g.Concepts[i]
		first, last := &g.Episodes[list[0].episode], &g.Episodes[list[len(list)-1].episode]
		rc := RecurringConcept{
			ID: c.ID, Label: c.Label, Kind: c.Kind, Episodes: len(list), PageRank: c.PageRank,
			FirstEpisode: first.ID, FirstDate: first.Date, LastEpisode: last.ID, LastDate: last.Date,
		}
		for _, ec := range list {
			rc.Mentions += ec.mentions
		}
		in.recurring = append(in.recurring, rc)
	}
	slices.SortFunc(in.recurring, func(a, b RecurringConcept) int {
		return cmp.Or(cmp.Compare(b.Episodes, a.Episodes), cmp.Compare(b.PageRank, a.PageRank), strings.Compare(a.ID, b.ID))
	})
}

// Recurring returns the concepts that occur in the most episodes, ties by
// PageRank (highest first), then by id; at most limit.
func (in *Insights) Recurring(limit int) []RecurringConcept {
	return slices.Clone(head(in.recurring, limit))
}

// Bridge is a concept that joins themes.
type Bridge struct {
	ID          string  `json:"id"`
	Label       string  `json:"label"`
	Theme       int     `json:"theme"` // its own community
	Betweenness float64 `json:"betweenness"`
	PageRank    float64 `json:"pagerank"`
	// Themes are the communities of its neighbours, ascending.
	Themes []int `json:"themes"`
	// FirstEpisode is the earliest episode (in date order) with evidence
	// relating the concept to a concept of another theme than its own.
	FirstEpisode string `json:"first_episode"`
	FirstDate    string `json:"first_date"`
}

func (in *Insights) buildBridges() {
	g := in.graph
	in.bridges = []Bridge{}
	for i := range g.Concepts {
		c := &g.Concepts[i]
		if in.conceptAt[c.ID] != i {
			continue
		}
		var themes []int
		first := -1 // date rank of the first episode linking it to another theme
		for _, adj := range in.adjacency[i] {
			other := g.Concepts[adj.concept].Community
			if !slices.Contains(themes, other) {
				themes = append(themes, other)
			}
			if other == c.Community {
				continue
			}
			for _, ep := range g.Relations[adj.relation].Episodes {
				if j, ok := in.episodeAt[ep]; ok && (first < 0 || in.dateRank[j] < first) {
					first = in.dateRank[j]
				}
			}
		}
		if len(themes) < 2 {
			continue
		}
		slices.Sort(themes)
		b := Bridge{ID: c.ID, Label: c.Label, Theme: c.Community, Betweenness: c.Betweenness, PageRank: c.PageRank, Themes: themes}
		if first >= 0 {
			e := &g.Episodes[in.byDate[first]]
			b.FirstEpisode, b.FirstDate = e.ID, e.Date
		}
		in.bridges = append(in.bridges, b)
	}
	slices.SortFunc(in.bridges, func(a, b Bridge) int {
		return cmp.Or(cmp.Compare(b.Betweenness, a.Betweenness), cmp.Compare(b.PageRank, a.PageRank), strings.Compare(a.ID, b.ID))
	})
}

// Bridges returns the concepts of highest betweenness (ties by PageRank, then
// id) among those whose neighbours belong to at least two themes; at most limit.
func (in *Insights) Bridges(limit int) []Bridge {
	out := slices.Clone(head(in.bridges, limit))
	for k := range out {
		out[k].Themes = slices.Clone(out[k].Themes)
	}
	return out
}

// Gap is a pair of themes that meet in fewer episodes than chance predicts.
type Gap struct {
	A              GapTheme `json:"a"`
	B              GapTheme `json:"b"`
	SharedEpisodes int      `json:"shared_episodes"`
	// Expected is the number of shared episodes if the themes occurred
	// independently: A.Episodes × B.Episodes / N for N episodes.
	Expected float64 `json:"expected"`
	// Score is the surprise of the gap; see Gaps.
	Score   float64           `json:"score"`
	Closest []BridgeCandidate `json:"closest"`
}

// GapTheme is one side of a gap.
type GapTheme struct {
	Theme    int    `json:"theme"`
	Label    string `json:"label"`
	Episodes int    `json:"episodes"` // episodes the theme occurs in
}

// BridgeCandidate is a concept near both themes of a gap. DistanceA and
// DistanceB are the hops to the nearest concept of each theme (0 for a member);
// NeighboursA and NeighboursB count its neighbours in each theme.
type BridgeCandidate struct {
	ID          string  `json:"id"`
	Label       string  `json:"label"`
	Theme       int     `json:"theme"`
	DistanceA   int     `json:"distance_a"`
	DistanceB   int     `json:"distance_b"`
	NeighboursA int     `json:"neighbours_a"`
	NeighboursB int     `json:"neighbours_b"`
	PageRank    float64 `json:"pagerank"`
}

type gapPair struct {
	a, b     int // theme positions
	shared   int
	expected float64
	score    float64
}

// buildGaps scores every pair of themes that share fewer episodes than
// expected and keeps the most surprising.
func (in *Insights) buildGaps() {
	n := len(in.graph.Episodes)
	for a := range in.themes {
		for b := a + 1; b < len(in.themes); b++ {
			ta, tb := &in.themes[a], &in.themes[b]
			if ta.episodes == 0 || tb.episodes == 0 {
				continue
			}
			shared := 0
			for w := range ta.present {
				shared += bits.OnesCount64(ta.present[w] & tb.present[w])
			}
			expected := float64(ta.episodes) * float64(tb.episodes) / float64(n)
			if float64(shared) >= expected {
				continue
			}
			score := -hypergeometricLogLowerTail(n, ta.episodes, tb.episodes, shared) / math.Ln10
			in.gapCandidates = append(in.gapCandidates, gapPair{a: a, b: b, shared: shared, expected: expected, score: score})
		}
	}
	slices.SortFunc(in.gapCandidates, func(x, y gapPair) int {
		return cmp.Or(cmp.Compare(y.score, x.score), cmp.Compare(y.expected, x.expected),
			cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b))
	})
	if len(in.gapCandidates) > maxGapCandidates {
		in.gapCandidates = slices.Clip(in.gapCandidates[:maxGapCandidates])
	}
}

// hypergeometricLogLowerTail is ln P(X ≤ k) for X the number of marked items in
// a draw of n from a population of size total holding marked marked items.
func hypergeometricLogLowerTail(total, marked, n, k int) float64 {
	logChoose := func(a, b int) float64 {
		x, _ := math.Lgamma(float64(a + 1))
		y, _ := math.Lgamma(float64(b + 1))
		z, _ := math.Lgamma(float64(a - b + 1))
		return x - y - z
	}
	denominator := logChoose(total, n)
	lowest := max(0, n+marked-total)
	if k < lowest {
		return math.Inf(-1)
	}
	// log-sum-exp over the terms x = lowest..k, scaled by the largest term.
	terms := make([]float64, 0, k-lowest+1)
	largest := math.Inf(-1)
	for x := lowest; x <= k; x++ {
		t := logChoose(marked, x) + logChoose(total-marked, n-x) - denominator
		terms = append(terms, t)
		largest = max(largest, t)
	}
	var sum float64
	for _, t := range terms {
		sum += math.Exp(t - largest)
	}
	return math.Min(0, largest+math.Log(sum))
}

// Gaps returns pairs of themes that occur in many episodes but meet in fewer
// than chance predicts, most surprising first; at most limit (and at most 1000).
//
// For N episodes, themes occurring in a and b of them (see Themes for when a
// theme occurs in an episode) and meeting in k, the score is
// −log10 P(X ≤ k), where X is hypergeometric: the number of shared episodes if
// the b episodes of the second theme were drawn at random from the N, a of
// which hold the first theme. A score of 3 means so few shared episodes would
// happen by chance once in a thousand catalogues. Only pairs that meet less
// often than expected (k < ab/N) are gaps. Ties go to the larger expected
// count, then to the lower theme numbers.
//
// Closest lists up to five concepts that come nearest to bridging the pair:
// those with the smallest sum of hops to the nearest concept of each theme
// (a member of one theme related to a member of the other scores 1; a concept
// related to members of both scores 2), then with more neighbours in both
// themes, then by PageRank. Concepts that reach only one theme are left out.
func (in *Insights) Gaps(limit int) []Gap {
	pairs := head(in.gapCandidates, limit)
	out := make([]Gap, len(pairs))
	if len(pairs) == 0 {
		return out
	}
	distA := make([]int32, len(in.graph.Concepts))
	distB := make([]int32, len(in.graph.Concepts))
	var queue []int32
	for k, p := range pairs {
		ta, tb := &in.themes[p.a], &in.themes[p.b]
		queue = in.themeDistances(ta, distA, queue)
		queue = in.themeDistances(tb, distB, queue)
		out[k] = Gap{
			A:              GapTheme{Theme: ta.community, Label: ta.label, Episodes: ta.episodes},
			B:              GapTheme{Theme: tb.community, Label: tb.label, Episodes: tb.episodes},
			SharedEpisodes: p.shared, Expected: p.expected, Score: p.score,
			Closest: in.closestBridges(ta.community, tb.community, distA, distB),
		}
	}
	return out
}

// themeDistances fills dist with the hops from every concept to the nearest
// member of theme t (-1 when unreachable) by a multi-source breadth-first search.
func (in *Insights) themeDistances(t *themeInfo, dist []int32, queue []int32) []int32 {
	for i := range dist {
		dist[i] = -1
	}
	queue = queue[:0]
	for _, i := range t.members {
		dist[i] = 0
		queue = append(queue, int32(i))
	}
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		for _, adj := range in.adjacency[u] {
			if dist[adj.concept] < 0 {
				dist[adj.concept] = dist[u] + 1
				queue = append(queue, int32(adj.concept))
			}
		}
	}
	return queue
}

func (in *Insights) closestBridges(communityA, communityB int, distA, distB []int32) []BridgeCandidate {
	g := in.graph
	best := int32(math.MaxInt32)
	for i := range distA {
		if distA[i] >= 0 && distB[i] >= 0 {
			best = min(best, distA[i]+distB[i])
		}
	}
	var out []BridgeCandidate
	for i := range distA {
		if distA[i] < 0 || distB[i] < 0 || distA[i]+distB[i] > best+1 {
			continue // keep the nearest two levels: enough for five candidates
		}
		c := &g.Concepts[i]
		bc := BridgeCandidate{
			ID: c.ID, Label: c.Label, Theme: c.Community,
			DistanceA: int(distA[i]), DistanceB: int(distB[i]), PageRank: c.PageRank,
		}
		for _, adj := range in.adjacency[i] {
			switch g.Concepts[adj.concept].Community {
			case communityA:
				bc.NeighboursA++
			case communityB:
				bc.NeighboursB++
			}
		}
		out = append(out, bc)
	}
	slices.SortFunc(out, func(x, y BridgeCandidate) int {
		return cmp.Or(cmp.Compare(x.DistanceA+x.DistanceB, y.DistanceA+y.DistanceB),
			cmp.Compare(min(y.NeighboursA, y.NeighboursB), min(x.NeighboursA, x.NeighboursB)),
			cmp.Compare(y.NeighboursA+y.NeighboursB, x.NeighboursA+x.NeighboursB),
			cmp.Compare(y.PageRank, x.PageRank), strings.Compare(x.ID, y.ID))
	})
	return nonNil(head(out, maxClosest))
}

// lookupConcept resolves a concept id; param names the parameter it came from, if any.
func (in *Insights) lookupConcept(param, id string) (int, error) {
	return lookupID(in.conceptAt, "a concept", param, id)
}

// lookupEpisode resolves an episode id; param names the parameter it came from, if any.
func (in *Insights) lookupEpisode(param, id string) (int, error) {
	return lookupID(in.episodeAt, "an episode", param, id)
}

// head returns at most the first limit items of s, and an empty slice for a
// limit of zero or less.
func head[T any](s []T, limit int) []T {
	if limit <= 0 {
		return []T{}
	}
	if len(s) > limit {
		return s[:limit]
	}
	return nonNil(s)
}

// windowCache keeps the last few window graphs and PageRanks, because the
// explorer asks for the same window again when a page reloads or a permalink
// is followed, and re-analysing a large window takes seconds.
type windowCache struct {
	mu      sync.Mutex
	entries map[windowKey]*windowEntry
	clock   uint64
}
