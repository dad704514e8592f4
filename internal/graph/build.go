package graph

import (
	"math"
	"sort"
	"strings"
)

// relationRank orders relation types: a pair whose evidence includes a typed
// relation (read from the wording) is shown with that type rather than as plain
// co-occurrence.
var relationRank = map[string]int{
	RelSection: 0, RelCooccurs: 1, RelExample: 2, RelKindOf: 3, RelCause: 4, RelContrast: 5,
}

// Build aggregates per-episode facts into the concept graph: one node per concept
// id across all episodes, one edge per concept pair, each with its episodes and
// evidence. Scores are left zero; see Analyze. The result is deterministic.
func Build(facts []EpisodeFacts) *Graph {
	facts = mergeSurnames(facts)
	g := &Graph{}
	type conceptAcc struct {
		forms    map[string]int
		kinds    map[Kind]int
		episodes map[string]bool
		mentions int
		evidence []Evidence
		seen     map[[2]int]bool
	}
	concepts := map[string]*conceptAcc{}
	type relAcc struct {
		rel      Relation
		episodes map[string]bool
		seen     map[[2]int]bool
		evidence []Evidence
	}
	rels := map[[2]string]*relAcc{}
	epIndex := map[string]int{}
	for _, f := range facts {
		epIndex[f.Episode.ID] = len(g.Episodes)
		g.Episodes = append(g.Episodes, f.Episode)
	}
	for _, f := range facts {
		ep := f.Episode.ID
		spoken := spokenLines(f)
		for _, m := range f.Mentions {
			c := concepts[m.Concept]
			if c == nil {
				c = &conceptAcc{forms: map[string]int{}, kinds: map[Kind]int{}, episodes: map[string]bool{}, seen: map[[2]int]bool{}}
				concepts[m.Concept] = c
			}
			c.forms[m.Label]++
			c.kinds[m.Kind]++
			c.episodes[ep] = true
			c.mentions++
			if ev := [2]int{epIndex[ep], m.Line}; !c.seen[ev] {
				c.seen[ev] = true
				c.evidence = append(c.evidence, spoken.tag(Evidence{Episode: ep, Line: m.Line, Text: m.Text}))
			}
		}
	}
	for _, f := range facts {
		ep := f.Episode.ID
		spoken := spokenLines(f)
		for _, l := range f.Links {
			a, b := l.Source, l.Target
			if a == b || concepts[a] == nil || concepts[b] == nil {
				continue
			}
			if a > b {
				a, b = b, a
			}
			key := [2]string{a, b}
			r := rels[key]
			if r == nil {
				r = &relAcc{rel: Relation{Source: a, Target: b, Type: l.Type}, episodes: map[string]bool{}, seen: map[[2]int]bool{}}
				rels[key] = r
			}
			r.rel.Weight += l.Strength
			if relationRank[l.Type] > relationRank[r.rel.Type] {
				r.rel.Type = l.Type
			}
			r.episodes[ep] = true
			ev := [2]int{epIndex[ep], l.Line}
			if !r.seen[ev] {
				r.seen[ev] = true
				r.evidence = append(r.evidence, spoken.tag(Evidence{Episode: ep, Line: l.Line, Text: l.Text}))
			}
		}
	}
	for id, c := range concepts {
		label, aliases := pickLabel(c.forms)
		g.Concepts = append(g.Concepts, Concept{
			ID: id, Label: label, Kind: pickKind(c.kinds), Aliases: aliases,
			Episodes: sortedKeys(c.episodes), Mentions: c.mentions, Evidence: sortEvidence(c.evidence),
		})
	}
	sort.Slice(g.Episodes, func(i, j int) bool { return g.Episodes[i].ID < g.Episodes[j].ID })
	sort.Slice(g.Concepts, func(i, j int) bool { return g.Concepts[i].ID < g.Concepts[j].ID })
	for _, r := range rels {
		r.rel.Episodes = sortedKeys(r.episodes)
		r.rel.Evidence = sortEvidence(r.evidence)
		g.Relations = append(g.Relations, r.rel)
	}
	setNPMI(g)
	sort.Slice(g.Relations, func(i, j int) bool {
		a, b := g.Relations[i], g.Relations[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Target < b.Target
	})
	return g
}

// pickLabel chooses the most frequent surface form as the label (ties: the form
// with more capitals, as names are usually written capitalised, then the
// shortest, then alphabetical); the other forms that differ beyond case become aliases.
func pickLabel(forms map[string]int) (string, []string) {
	all := make([]string, 0, len(forms))
	for f := range forms {
		all = append(all, f)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if forms[a] != forms[b] {
			return forms[a] > forms[b]
		}
		if ca, cb := countUpper(a), countUpper(b); ca != cb {
			return ca > cb
		}
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	})
	label := all[0]
	seen := map[string]bool{strings.ToLower(label): true}
	aliases := []string{}
	for _, f := range all[1:] {
		k := strings.ToLower(f)
		if !seen[k] {
			seen[k] = true
			aliases = append(aliases, f)
		}
	}
	sort.Strings(aliases)
	return label, aliases
}

func countUpper(s string) int {
	n := 0
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			n++
		}
	}
	return n
}

// pickKind takes the most frequent kind, preferring a specific kind over the
// generic "concept" on ties.
func pickKind(kinds map[Kind]int) Kind {
	best, bestN := KindConcept, -1
	for _, k := range []Kind{KindPerson, KindOrganization, KindWork, KindConcept} {
		if n, ok := kinds[k]; ok && n > bestN {
			best, bestN = k, n
		}
	}
	return best
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sortEvidence orders evidence by episode id, then line.
func sortEvidence(ev []Evidence) []Evidence {
	sort.SliceStable(ev, func(i, j int) bool {
		if ev[i].Episode != ev[j].Episode {
			return ev[i].Episode < ev[j].Episode
		}
		return ev[i].Line < ev[j].Line
	})
	if ev == nil {
		ev = []Evidence{}
	}
	return ev
}

// MinPairCount is the number of evidence lines below which a pair's NPMI is
// not computed: with one or two lines, PMI rewards rare pairs for being rare.
const MinPairCount = 3

// setNPMI computes each relation's normalised pointwise mutual information
// (Bouma 2009), npmi = log(p(xy)/(p(x)p(y))) / -log p(xy), where p is the
// share of the corpus's evidence lines that mention a concept (or support the
// pair). It ranges from -1 to 1; 0 means independence (and too few lines).
func setNPMI(g *Graph) {
	lines := map[Evidence]bool{}
	count := make(map[string]int, len(g.Concepts))
	for _, c := range g.Concepts {
		count[c.ID] = len(c.Evidence)
		for _, e := range c.Evidence {
			lines[Evidence{Episode: e.Episode, Line: e.Line}] = true
		}
	}
	n := float64(len(lines))
	for i := range g.Relations {
		r := &g.Relations[i]
		k := len(r.Evidence)
		if k < MinPairCount || n == 0 {
			continue
		}
		pxy := float64(k) / n
		px, py := float64(count[r.Source])/n, float64(count[r.Target])/n
		if pxy >= 1 || px == 0 || py == 0 {
			continue
		}
		v := math.Log(pxy/(px*py)) / -math.Log(pxy)
		r.NPMI = math.Max(-1, math.Min(1, v))
	}
}

// mergeSurnames folds a concept that is a lone capitalised name ("Kahneman")
// into the one person in the corpus whose full name ends with it ("Daniel
// Kahneman"). Ambiguous surnames (two people share them) are left alone.
func mergeSurnames(facts []EpisodeFacts) []EpisodeFacts {
	people := map[string]map[string]bool{} // folded last name → person ids
	single := map[string]string{}          // concept id → folded label, for one-word capitalised labels
	for _, f := range facts {
		for _, m := range f.Mentions {
			words := strings.Fields(m.Label)
			switch {
			case m.Kind == KindPerson && len(words) >= 2:
				last := strings.ToLower(words[len(words)-1])
				if people[last] == nil {
					people[last] = map[string]bool{}
				}
				people[last][m.Concept] = true
			case len(words) == 1 && countUpper(words[0]) >= 1 && countUpper(words[0]) < len(words[0]):
				single[m.Concept] = strings.ToLower(words[0])
			}
		}
	}
	remap := map[string]string{}
	for id, name := range single {
		if ps := people[name]; len(ps) == 1 {
			for p := range ps {
				if p != id {
					remap[id] = p
				}
			}
		}
	}
	if len(remap) == 0 {
		return facts
	}
	out := make([]EpisodeFacts, len(facts))
	for i, f := range facts {
		nf := EpisodeFacts{Episode: f.Episode, Mentions: make([]Mention, len(f.Mentions)), Links: make([]Link, len(f.Links))}
		for j, m := range f.Mentions {
			if p, ok := remap[m.Concept]; ok {
				m.Concept, m.Kind = p, KindPerson
			}
			nf.Mentions[j] = m
		}
		for j, l := range f.Links {
			if p, ok := remap[l.Source]; ok {
				l.Source = p
			}
			if p, ok := remap[l.Target]; ok {
				l.Target = p
			}
			nf.Links[j] = l
		}
		out[i] = nf
	}
	return out
}

// spoken maps the lines of a transcript that carry a time or a speaker to
// them; it is nil for notes, which have neither.
type spoken map[int]*Line

func spokenLines(f EpisodeFacts) spoken {
	var m spoken
	for i := range f.Lines {
		if l := &f.Lines[i]; l.Time != nil || l.Speaker != "" {
			if m == nil {
				m = spoken{}
			}
			m[l.Line] = l
		}
	}
	return m
}

// tag gives evidence on a spoken line that line's time and speaker.
func (m spoken) tag(ev Evidence) Evidence {
	if l, ok := m[ev.Line]; ok {
		ev.Time, ev.Speaker = l.Time, l.Speaker
	}
	return ev
}
