package graph

import (
	"cmp"
	"slices"
	"strings"
)

// EpisodeSimilarity is an episode similar to another.
type EpisodeSimilarity struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
	// Similarity is the cosine of the two episodes' TF-IDF concept vectors; see Similar.
	Similarity float64 `json:"similarity"`
	// SharedConcepts is the number of concepts both episodes mention.
	SharedConcepts int `json:"shared_concepts"`
}

// Similar returns the episodes most similar to episode id, most similar
// first (ties by more shared concepts, then date order), at most limit, and
// only those with a similarity above zero.
//
// Each episode is a vector over concepts weighted by TF-IDF (Salton and
// Buckley, "Term-weighting approaches in automatic text retrieval", 1988):
// the weight of concept c in episode e is mentions(c, e) × ln(N / df(c)),
// where N is the number of episodes and df(c) the number of episodes that
// mention c, so a concept every episode mentions weighs nothing. Similarity
// is the cosine of two vectors, in [0, 1].
func (in *Insights) Similar(id string, limit int) ([]EpisodeSimilarity, error) {
	j, err := in.lookupEpisode("", id)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []EpisodeSimilarity{}, nil
	}
	dot := map[int]float64{}
	shared := map[int]int{}
	for _, t := range in.episodeTerms[j] {
		for _, ec := range in.conceptEpisodes[t.concept] {
			if ec.episode == j {
				continue
			}
			shared[ec.episode]++
			if t.weight != 0 {
				dot[ec.episode] += t.weight * in.termWeight(ec.episode, t.concept)
			}
		}
	}
	out := make([]EpisodeSimilarity, 0, len(dot))
	for k, d := range dot {
		s := in.cosine(d, j, k)
		if s <= 0 {
			continue
		}
		e := &in.graph.Episodes[k]
		out = append(out, EpisodeSimilarity{ID: e.ID, Title: e.Title, Date: e.Date, Similarity: s, SharedConcepts: shared[k]})
	}
	slices.SortFunc(out, func(a, b EpisodeSimilarity) int {
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), cmp.Compare(b.SharedConcepts, a.SharedConcepts),
			cmp.Compare(in.dateRank[in.episodeAt[a.ID]], in.dateRank[in.episodeAt[b.ID]]))
	})
	return head(out, limit), nil
}

// termWeight is the TF-IDF weight of concept i in episode j (0 when absent).
func (in *Insights) termWeight(j, i int) float64 {
	terms := in.episodeTerms[j]
	k, found := slices.BinarySearchFunc(terms, i, func(t episodeTerm, i int) int { return cmp.Compare(t.concept, i) })
	if !found {
		return 0
	}
	return terms[k].weight
}

func (in *Insights) cosine(dot float64, a, b int) float64 {
	na, nb := in.episodeNorm[a], in.episodeNorm[b]
	if na == 0 || nb == 0 {
		return 0
	}
	return min(1, dot/(na*nb)) // rounding can push an identical pair a hair above 1
}

// Comparison sets two episodes side by side.
type Comparison struct {
	A          EpisodeSummary    `json:"a"`
	B          EpisodeSummary    `json:"b"`
	Similarity float64           `json:"similarity"` // as in Similar
	Shared     []ComparedConcept `json:"shared"`
	OnlyA      []ComparedConcept `json:"only_a"`
	OnlyB      []ComparedConcept `json:"only_b"`
	// SharedLinks are the relations with evidence in both episodes.
	SharedLinks []SharedLink `json:"shared_links"`
}

// ComparedConcept is a concept with its mentions in each compared episode.
type ComparedConcept struct {
	ID        string `json:"id"`
	Label     string `json:"label"`
	Kind      Kind   `json:"kind"`
	MentionsA int    `json:"mentions_a"`
	MentionsB int    `json:"mentions_b"`
}

// SharedLink is a relation evidenced in both compared episodes, with the lines
// of each.
type SharedLink struct {
	Source    string     `json:"source"`
	Target    string     `json:"target"`
	Type      string     `json:"type"`
	Weight    float64    `json:"weight"`
	EvidenceA []Evidence `json:"evidence_a"`
	EvidenceB []Evidence `json:"evidence_b"`
}

// Compare sets episodes a and b side by side: their similarity, the concepts
// both mention (most mentioned in the two together first), those only one
// mentions (most mentioned first; ties by label, then id), and the relations
// with evidence in both (strongest first, then by source and target).
func (in *Insights) Compare(a, b string) (Comparison, error) {
	ja, err := in.lookupEpisode("a", a)
	if err != nil {
		return Comparison{}, err
	}
	jb, err := in.lookupEpisode("b", b)
	if err != nil {
		return Comparison{}, err
	}
	g := in.graph
	out := Comparison{
		A: in.summary(ja), B: in.summary(jb),
		Shared: []ComparedConcept{}, OnlyA: []ComparedConcept{}, OnlyB: []ComparedConcept{}, SharedLinks: []SharedLink{},
	}
	// Both term lists are sorted by concept position: merge them.
	ta, tb := in.episodeTerms[ja], in.episodeTerms[jb]
	var dot float64
	var shared []int
	for x, y := 0, 0; x < len(ta) || y < len(tb); {
		switch {
		case y == len(tb) || (x < len(ta) && ta[x].concept < tb[y].concept):
			out.OnlyA = append(out.OnlyA, in.compared(ta[x].concept, ta[x].mentions, 0))
			x++
		case x == len(ta) || tb[y].concept < ta[x].concept:
			out.OnlyB = append(out.OnlyB, in.compared(tb[y].concept, 0, tb[y].mentions))
			y++
		default:
			out.Shared = append(out.Shared, in.compared(ta[x].concept, ta[x].mentions, tb[y].mentions))
			shared = append(shared, ta[x].concept)
			dot += ta[x].weight * tb[y].weight
			x++
			y++
		}
	}
	out.Similarity = in.cosine(dot, ja, jb)
	byMentions := func(x, y ComparedConcept) int {
		return cmp.Or(cmp.Compare(y.MentionsA+y.MentionsB, x.MentionsA+x.MentionsB),
			strings.Compare(x.Label, y.Label), strings.Compare(x.ID, y.ID))
	}
	slices.SortFunc(out.Shared, byMentions)
	slices.SortFunc(out.OnlyA, byMentions)
	slices.SortFunc(out.OnlyB, byMentions)

	isShared := make(map[int]bool, len(shared))
	for _, i := range shared {
		isShared[i] = true
	}
	for _, i := range shared {
		for _, adj := range in.adjacency[i] {
			if adj.concept < i || !isShared[adj.concept] {
				continue // each relation once, from its lower end; both ends must be shared
			}
			r := &g.Relations[adj.relation]
			evA, evB := evidenceIn(r.Evidence, a), evidenceIn(r.Evidence, b)
			if len(evA) == 0 || len(evB) == 0 {
				continue
			}
			out.SharedLinks = append(out.SharedLinks, SharedLink{
				Source: r.Source, Target: r.Target, Type: r.Type, Weight: r.Weight, EvidenceA: evA, EvidenceB: evB,
			})
		}
	}
	slices.SortFunc(out.SharedLinks, func(x, y SharedLink) int {
		return cmp.Or(cmp.Compare(y.Weight, x.Weight), strings.Compare(x.Source, y.Source), strings.Compare(x.Target, y.Target))
	})
	return out, nil
}

func (in *Insights) compared(i, mentionsA, mentionsB int) ComparedConcept {
	c := &in.graph.Concepts[i]
	return ComparedConcept{ID: c.ID, Label: c.Label, Kind: c.Kind, MentionsA: mentionsA, MentionsB: mentionsB}
}

func (in *Insights) summary(j int) EpisodeSummary {
	e := in.graph.Episodes[j]
	return EpisodeSummary{
		ID: e.ID, Title: e.Title, Date: e.Date, Source: e.Source, Show: e.Show,
		Guests: nonNil(e.Guests), Tags: nonNil(e.Tags), Concepts: len(in.episodeTerms[j]),
	}
}

// evidenceIn returns the lines of ev from one episode, never nil.
func evidenceIn(ev []Evidence, episode string) []Evidence {
	out := []Evidence{}
	for _, e := range ev {
		if e.Episode == episode {
			out = append(out, e)
		}
	}
	return out
}

// EpisodeGraph returns the graph of one episode: the concepts it mentions and
// the relations evidenced in it, with evidence restricted to it, analysed
// afresh with Analyze. Weights and mention counts are scaled as in Window.
func (in *Insights) EpisodeGraph(id string) (*Graph, error) {
	j, err := in.lookupEpisode("", id)
	if err != nil {
		return nil, err
	}
	keep := make([]bool, len(in.graph.Episodes))
	keep[j] = true
	sub := in.restrict(keep)
	Analyze(sub)
	return sub, nil
}
