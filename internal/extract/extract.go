// Package extract turns a parsed notes file into concepts and relations with
// evidence, offline and deterministically: part-of-speech tags (prose's
// averaged-perceptron tagger, embedded in the module) feed a noun-phrase
// chunker; proper names, acronyms and the terms a writer marked (emphasis,
// quotes, links, tags) are kept; filler and vague words are dropped; surface
// forms are folded into one key per concept (case, plurals, acronyms and their
// expansions); concepts that share a bullet or sentence are linked strongly,
// those that share a section more weakly.
package extract

import (
	"regexp"
	"strings"
	"sync"

	"github.com/jdkato/prose/v3/tag"
	"github.com/jdkato/prose/v3/tokenize"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// Link strengths. A bullet or sentence is the tightest unit of meaning in
// notes; a heading frames its section; siblings in a section share a topic.
const (
	strengthSentence = 1.0
	strengthParent   = 0.6 // a nested bullet and its parent
	strengthHeading  = 0.5 // a heading and a line of its section
	strengthSection  = 0.2 // two nearby lines of one section
	siblingWindow    = 2   // how many earlier lines of a section a line is linked to: far-apart lines share little

	// maxEvidenceText bounds the text stored with each mention and link (in
	// characters; a longer line is cut with "…"), and maxConceptsPerLine the
	// concepts kept from one line, so that one huge line cannot multiply
	// into megabytes of evidence and thousands of pairs.
	maxEvidenceText    = 2000
	maxConceptsPerLine = 32
)

// Extractor extracts facts from notes. It is safe for concurrent use.
type Extractor struct {
	tokenizer *tokenize.Tokenizer
	tagger    *tag.Tagger
	lexicon   *Lexicon
	trace     func(Decision) // set by Explain
}

// Decision records how one candidate was treated, for `graphload explain`.
type Decision struct {
	Line    int
	Surface string
	Key     string
	Kind    graph.Kind
	Kept    bool
	Reason  string
}

// Explain extracts doc while reporting every keep-or-drop decision to fn;
// known is the corpus vocabulary, as in ExtractKnown.
func (x *Extractor) Explain(doc *notes.Document, ep graph.Episode, known map[string]bool, fn func(Decision)) graph.EpisodeFacts {
	y := *x
	y.trace = fn
	facts, _ := y.ExtractKnown(doc, ep, known)
	return facts
}

var (
	sharedOnce   sync.Once
	sharedTagger *tag.Tagger
	sharedTok    *tokenize.Tokenizer
	sharedErr    error
)

// Version names the extraction rules. It is part of every episode's
// fingerprint, so improving the rules re-extracts files on the next load.
const Version = "2026-11-26.6"

// Fingerprint identifies what extraction depends on besides a file's bytes:
// the rules and the analyst's lexicon.
func (x *Extractor) Fingerprint() string {
	if x.lexicon == nil || x.lexicon.Digest == "" {
		return Version
	}
	return Version + "+" + x.lexicon.Digest
}

// KeyOf returns the concept key a term folds to, through the lexicon's merges.
func (x *Extractor) KeyOf(term string) string {
	return x.lexicon.canonical(Key(term))
}

// New returns an Extractor using the built-in word lists and, when lex is not
// nil, an analyst's lexicon.
func New(lex *Lexicon) (*Extractor, error) {
	sharedOnce.Do(func() {
		sharedTok = tokenize.New()
		sharedTagger, sharedErr = tag.New()
	})
	if sharedErr != nil {
		return nil, sharedErr
	}
	if lex == nil {
		lex = &Lexicon{}
	}
	return &Extractor{tokenizer: sharedTok, tagger: sharedTagger, lexicon: lex}, nil
}

// candidate is one possible concept found in a segment of a line.
type candidate struct {
	surface string
	key     string
	kind    graph.Kind
	strong  bool // a proper name, acronym, marked term or fixed phrase: kept on sight
	// modifierOf is set on a noun taken from in front of another noun ("dopamine"
	// from "dopamine hits"): the key of the phrase it came from.
	modifierOf string
	// compound marks a common phrase whose words all name things (noun + noun,
	// as in "job loss"), the shape of terms; adjective phrases are often just description.
	compound bool
	// nounCompound is a compound whose modifiers are all nouns ("job loss").
	nounCompound bool
	// part is a two-word part of a longer compound: kept only if it recurs
	// or the corpus has it.
	part bool
	// covering marks a term the writer set apart (quoted, emphasised) or an
	// acronym's expansion: the shorter phrases found inside it are not concepts.
	covering bool
	// titleWord marks a single capitalised word kept from a Title Case line,
	// where the capital says little.
	titleWord bool
}

// segment is a sentence of a block, or a bullet's "Label:" prefix.
type segment struct {
	text       string
	label      bool // a "Label:" prefix of a bullet
	candidates []candidate
}

// blockCands is a block of notes with its segments and their candidates.
type blockCands struct {
	block    notes.Block
	segments []segment
}

// episodeState is what extraction learns about one episode while reading it.
type episodeState struct {
	lower, upper map[string]int    // how often a word is written lowercase / capitalised mid-sentence
	upperFirst   map[string]int    // capitalised as the first word of a sentence
	expansions   map[string]string // acronym → expansion defined in this text
	counts       map[string]int    // key → number of blocks mentioning it
	inHeading    map[string]bool
	modHeads     map[string]map[string]bool // modifier key → keys of the phrases it modifies
	people       map[string]bool            // folded names of guests from the front matter
	labels       map[string]bool            // keys found in a bullet's "Label:" prefix
	known        map[string]bool            // concept ids kept in other episodes of the corpus
	titleLike    bool                       // the sentence being chunked is Title Case
}

// Extract reads one document into the facts of episode ep.
func (x *Extractor) Extract(doc *notes.Document, ep graph.Episode) graph.EpisodeFacts {
	facts, _ := x.ExtractKnown(doc, ep, nil)
	return facts
}

// ExtractKnown is Extract with the ids of concepts the rest of the corpus
// already has: a word dropped as too weak in one episode is kept when other
// episodes made it a concept, so one theme is one node across episodes. It
// also returns the ids of the candidates it dropped, so a loader can tell
// whether a second pass with a larger vocabulary would change anything.
func (x *Extractor) ExtractKnown(doc *notes.Document, ep graph.Episode, known map[string]bool) (graph.EpisodeFacts, []string) {
	st := &episodeState{lower: map[string]int{}, upper: map[string]int{}, upperFirst: map[string]int{}, expansions: map[string]string{},
		counts: map[string]int{}, inHeading: map[string]bool{}, modHeads: map[string]map[string]bool{},
		people: map[string]bool{}, labels: map[string]bool{}, known: known}
	for _, g := range doc.Meta.Guests {
		st.people[strings.ToLower(strings.Join(strings.Fields(g), " "))] = true
	}
	st.learnCase(doc)
	st.learnAcronyms(doc)

	blocks := make([]blockCands, len(doc.Blocks))
	for i, b := range doc.Blocks {
		blocks[i].block = b
		blocks[i].segments = x.segments(b, st)
		seen := map[string]bool{}
		for _, s := range blocks[i].segments {
			for _, c := range s.candidates {
				if c.modifierOf != "" {
					if st.modHeads[c.key] == nil {
						st.modHeads[c.key] = map[string]bool{}
					}
					st.modHeads[c.key][c.modifierOf] = true
					continue
				}
				if !seen[c.key] {
					seen[c.key] = true
					st.counts[c.key]++
				}
				if b.Kind == notes.Heading || b.Kind == notes.Title || s.label && fold(c.surface) == fold(s.text) && strings.Contains(c.key, " ") {
					st.inHeading[c.key] = true
				}
			}
		}
	}
	resolvePeople(blocks)

	facts := graph.EpisodeFacts{Episode: ep, Mentions: []graph.Mention{}, Links: []graph.Link{}, Lines: linesOf(doc)}
	var dropped []string
	kept := make([][][]candidate, len(blocks)) // block → segment → kept candidates
	for i, bc := range blocks {
		kept[i] = make([][]candidate, len(bc.segments))
		evidence := notes.Truncate(bc.block.Text, maxEvidenceText)
		blocks[i].block.Text = evidence // links quote the line too
		keptInLine := map[string]bool{}
		for j, s := range bc.segments {
			seen := map[string]bool{}
			for _, c := range s.candidates {
				if seen[c.key] || len(keptInLine) >= maxConceptsPerLine && !keptInLine[c.key] {
					continue
				}
				ok, why := st.keep(c, x.lexicon)
				if x.trace != nil {
					x.trace(Decision{Line: bc.block.Line, Surface: c.surface, Key: c.key, Kind: c.kind, Kept: ok, Reason: why})
				}
				if !ok {
					if !isFiller(c.key) && !x.lexicon.banned(c.key) {
						dropped = append(dropped, ID(c.key))
					}
					continue
				}
				seen[c.key] = true
				keptInLine[c.key] = true
				kept[i][j] = append(kept[i][j], c)
				w := 1.0
				if bc.block.Kind == notes.Heading || bc.block.Kind == notes.Title {
					w = 2.0
				}
				facts.Mentions = append(facts.Mentions, graph.Mention{
					Concept: ID(c.key), Label: c.surface, Kind: c.kind,
					Line: bc.block.Line, Text: evidence, Weight: w,
				})
			}
		}
	}

	links := &linkSet{seen: map[linkKey]bool{}}
	blockKeys := func(i int) []candidate {
		var out []candidate
		seen := map[string]bool{}
		for _, seg := range kept[i] {
			for _, c := range seg {
				if !seen[c.key] {
					seen[c.key] = true
					out = append(out, c)
				}
			}
		}
		return out
	}
	for i, bc := range blocks {
		b := bc.block
		// Same sentence (or a bullet's label and its sentence): strong.
		for j, seg := range kept[i] {
			if len(seg) > 1 {
				links.pairs(seg, seg, relationType(bc.segments[j].text), strengthSentence, b)
			}
		}
		if len(kept[i]) > 1 && bc.segments[0].label {
			// A bullet's "Label:" prefix belongs with every sentence of the bullet.
			links.pairs(kept[i][0], blockKeys(i), graph.RelCooccurs, strengthSentence, b)
		}
		if b.Kind == notes.Title {
			continue
		}
		// Nested bullet and its parent.
		if b.Kind == notes.Bullet && b.Level > 0 {
			for p := i - 1; p >= 0 && blocks[p].block.Section == b.Section; p-- {
				pb := blocks[p].block
				if pb.Kind == notes.Bullet && pb.Level < b.Level {
					links.pairs(blockKeys(p), blockKeys(i), graph.RelCooccurs, strengthParent, b)
					break
				}
			}
		}
		if b.Section >= 0 && b.Kind != notes.Heading {
			// Heading and the lines of its section.
			links.pairs(blockKeys(b.Section), blockKeys(i), graph.RelSection, strengthHeading, b)
			// Earlier lines of the same section.
			for p := i - 1; p > b.Section && p >= i-siblingWindow; p-- {
				if blocks[p].block.Section == b.Section {
					links.pairs(blockKeys(p), blockKeys(i), graph.RelSection, strengthSection, b)
				}
			}
		}
	}
	facts.Links = links.out
	// Report only what this episode dropped everywhere: a key kept in one
	// sentence and dropped in another needs no second look.
	keptHere := make(map[string]bool, len(facts.Mentions))
	for _, m := range facts.Mentions {
		keptHere[m.Concept] = true
	}
	out := dropped[:0]
	for _, id := range dropped {
		if !keptHere[id] {
			out = append(out, id)
		}
	}
	return facts, out
}

// linesOf lists the document's lines for the store, which keeps each line's
// text once and fills mentions' and links' texts from it.
func linesOf(doc *notes.Document) []graph.Line {
	lines := make([]graph.Line, 0, len(doc.Blocks))
	for _, b := range doc.Blocks {
		if n := len(lines); n > 0 && lines[n-1].Line == b.Line {
			continue // one line, one text: the parser's first reading of it
		}
		l := graph.Line{Line: b.Line, Text: b.Text, Kind: b.Kind.String(), Speaker: b.Speaker}
		if b.Timed {
			t := b.Time
			l.Time = &t
		}
		lines = append(lines, l)
	}
	return lines
}

type linkKey struct {
	a, b string
	line int
}

type linkSet struct {
	seen map[linkKey]bool
	out  []graph.Link
}

// pairs links every concept of as to every concept of bs once per line.
func (l *linkSet) pairs(as, bs []candidate, typ string, strength float64, b notes.Block) {
	for _, a := range as {
		for _, c := range bs {
			s, t := ID(a.key), ID(c.key)
			if s == t {
				continue
			}
			if s > t {
				s, t = t, s
			}
			k := linkKey{s, t, b.Line}
			if l.seen[k] {
				continue
			}
			l.seen[k] = true
			l.out = append(l.out, graph.Link{Source: s, Target: t, Type: typ, Strength: strength, Line: b.Line, Text: b.Text})
		}
	}
}

// Cue phrases that type a relation, as whole words in a padded lowercase sentence.
var (
	contrastCues = []string{" vs ", " vs. ", " versus ", " unlike ", " compared with ", " compared to ", " as opposed to ", " rather than ", " in contrast "}
	causeCues    = []string{" leads to ", " lead to ", " led to ", " cause ", " causes ", " caused ", " drive ", " drives ", " driven by ",
		" results in ", " result in ", " because of ", " due to ", " fuel ", " fuels ", " amplify ", " amplifies ", " amplifying "}
	kindOfCues  = []string{" is a kind of ", " is a type of ", " is a form of ", " is an example of ", " are a kind of ", " are a form of ", " is a ", " is an "}
	exampleCues = []string{" such as ", " for example ", " e.g. ", " for instance ", " like "}
)

// relationType reads the type of a relation from the wording of a sentence.
func relationType(s string) string {
	p := padWords(s)
	switch {
	case containsPhrase(p, contrastCues):
		return graph.RelContrast
	case containsPhrase(p, causeCues):
		return graph.RelCause
	case containsPhrase(p, kindOfCues[:6]):
		return graph.RelKindOf
	case containsPhrase(p, exampleCues):
		return graph.RelExample
	}
	return graph.RelCooccurs
}

// learnCase records how each word is written mid-sentence in ordinary lines, so
// Title Case headings can be read with their words' usual case.
func (st *episodeState) learnCase(doc *notes.Document) {
	for _, b := range doc.Blocks {
		if b.Kind == notes.Heading || b.Kind == notes.Title {
			continue
		}
		text := b.Text
		if i := labelPrefix(text); i > 0 {
			text = text[i+1:] // a "Label:" is written in Title Case as often as not
		}
		for _, sent := range splitSentences(text) {
			if isTitleCase(sent) {
				continue
			}
			words := wordList(sent)
			for i, w := range words {
				if isAcronym(w) {
					continue
				}
				lw := strings.ToLower(w)
				if i == 0 {
					if isCapitalised(w) {
						st.upperFirst[lw]++
					}
					continue
				}
				if isCapitalised(w) {
					st.upper[lw]++
				} else {
					st.lower[lw]++
					st.lower[singular(lw)]++
				}
			}
		}
	}
}

var acronymDef = regexp.MustCompile(`([\p{L}][\p{L}'’\- ]{2,80}?)\s*\(([A-Z][A-Za-z&]{1,7})\)`)

// learnAcronyms finds acronyms the text defines, as in "universal basic income
// (UBI)", by matching the acronym's letters to the initials of the words before it.
func (st *episodeState) learnAcronyms(doc *notes.Document) {
	for _, b := range doc.Blocks {
		if !strings.Contains(b.Text, "(") {
			continue // cheap test first: the pattern is costly to run on every line
		}
		for _, m := range acronymDef.FindAllStringSubmatch(b.Text, -1) {
			acr := m[2]
			if !isAcronym(acr) {
				continue
			}
			letters := strings.ToLower(strings.TrimSuffix(acr, "s"))
			words := strings.Fields(strings.NewReplacer("-", " ").Replace(m[1]))
			// Walk back from the end, consuming letters; small words may be skipped.
			li := len(letters) - 1
			start := -1
			for wi := len(words) - 1; wi >= 0 && li >= 0; wi-- {
				w := strings.ToLower(words[wi])
				if w[0] == letters[li] {
					li--
					start = wi
					continue
				}
				if stopwords[w] {
					continue
				}
				break
			}
			if li < 0 && start >= 0 {
				exp := strings.Join(strings.Fields(m[1])[len(strings.Fields(m[1]))-(len(words)-start):], " ")
				if len(strings.Fields(m[1])) != len(words) { // hyphens split words: fall back to word count
					exp = strings.Join(words[start:], " ")
				}
				st.expansions[acr] = exp
				st.expansions[strings.TrimSuffix(acr, "s")] = exp
			}
		}
	}
}

// keep decides whether a candidate is a concept of this episode.
func (st *episodeState) keep(c candidate, lex *Lexicon) (bool, string) {
	ok, why := st.keepRules(c, lex)
	if !ok && st.known[ID(c.key)] && !genericNouns[c.key] && !lex.banned(c.key) && !isFiller(c.key) {
		return true, "a concept of other episodes (here: " + why + ")"
	}
	return ok, why
}

// keepRules decides on the evidence of this episode alone.
func (st *episodeState) keepRules(c candidate, lex *Lexicon) (bool, string) {
	switch {
	case lex.banned(c.key):
		return false, "banned by the lexicon"
	case isFiller(c.key):
		return false, "note-taking filler"
	case isDate(c.key):
		return false, "a date"
	case lex.pinned(c.key):
		return true, "pinned by the lexicon"
	case c.strong:
		return true, "a name, acronym, marked term or fixed phrase"
	}
	recurs := st.counts[c.key] >= 2
	if !strings.Contains(c.surface, " ") && genericNouns[strings.ToLower(c.surface)] {
		return false, "a generic word" // hyphenated: "follow-up"
	}
	words := strings.Fields(c.key)
	if len(words) == 1 {
		w := words[0]
		switch {
		case genericNouns[w] || len(w) < 3:
			return false, "a generic word"
		case agentNoun(w):
			return false, "a role (agent noun), not a concept"
		case c.modifierOf != "":
			if len(st.modHeads[c.key]) >= 2 {
				return true, "modifies several different nouns"
			}
			return false, "only modifies one noun (" + c.modifierOf + ")"
		case c.titleWord:
			return recurs, "a capitalised word from a Title Case line; kept only if it recurs"
		case recurs:
			return true, "recurs in the episode"
		case technical(w):
			return true, "an abstract term (suffix)"
		}
		return false, "a common word mentioned once"
	}
	if c.part {
		return recurs, "part of a longer compound; kept only if it recurs"
	}
	head := words[len(words)-1]
	if (genericNouns[head] || agentNoun(head)) && !(c.nounCompound && !vagueWords[words[0]] && !genericNouns[words[0]]) {
		// "personal experience", "social impact": description, unless it recurs.
		return recurs, "a generic head described by an adjective; kept only if it recurs"
	}
	switch {
	case recurs:
		return true, "recurs in the episode"
	case st.inHeading[c.key]:
		return true, "in a heading"
	case c.compound:
		return true, "a noun compound"
	}
	return false, "an adjective phrase mentioned once"
}

// agentNoun reports whether a word names people by what they do (writers,
// actors, creators): roles, rarely the concept a note is about.
func agentNoun(w string) bool {
	w = singular(w)
	for _, suf := range []string{"er", "or", "ist", "ian"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+3 {
			return !technical(w)
		}
	}
	return false
}

var fillerKeys = func() []string {
	out := make([]string, len(fillerPhrases))
	for i, p := range fillerPhrases {
		out[i] = " " + Key(p) + " "
	}
	return out
}()

// numbered matches the parts of an outline: "part 1", "chapter iv", "section 2".
var numbered = regexp.MustCompile(`^(part|chapter|section|step|episode|ep|segment|question|q|a|round|act|day|week|session|volume|vol) ([0-9]+|[ivx]+)$`)

// isFiller reports whether a key contains a note-taking filler phrase.
func isFiller(key string) bool {
	if strings.IndexByte(key, ' ') > 0 && numbered.MatchString(key) {
		return true
	}
	k := " " + key + " "
	for _, f := range fillerKeys {
		if strings.Contains(k, f) || strings.Contains(k+"s ", f) {
			return true
		}
	}
	return false
}

// technical reports whether a single word looks like a term of art rather than
// an everyday noun: a few suffixes mark doctrines and fields (libertarianism,
// sentience, psychology). Commoner abstract endings (-tion, -ity) are left out:
// most such words in notes are description ("development", "understanding").
func technical(w string) bool {
	for _, suf := range []string{"ism", "ience", "ology", "ics", "phy"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+3 {
			return true
		}
	}
	return false
}

// resolvePeople joins a lone surname to the full name of a person mentioned in
// the same episode ("Kahneman" → "Daniel Kahneman").
func resolvePeople(blocks []blockCands) {
	// Index each person by last name and by first name; a name part shared by
	// two people is ambiguous and joins nobody.
	byPart := map[string]candidate{}
	ambiguous := map[string]bool{}
	note := func(part string, c candidate) {
		if p, ok := byPart[part]; ok && p.key != c.key {
			ambiguous[part] = true
		}
		byPart[part] = c
	}
	for _, bc := range blocks {
		for _, s := range bc.segments {
			for _, c := range s.candidates {
				if f := strings.Fields(c.key); c.kind == graph.KindPerson && len(f) >= 2 {
					note(f[len(f)-1], c)
					note(f[0], c)
				}
			}
		}
	}
	for bi := range blocks {
		for si := range blocks[bi].segments {
			cs := blocks[bi].segments[si].candidates
			for ci, c := range cs {
				if strings.Contains(c.key, " ") || !isCapitalised(c.surface) || ambiguous[c.key] {
					continue
				}
				if p, ok := byPart[c.key]; ok {
					cs[ci].key, cs[ci].kind, cs[ci].strong = p.key, graph.KindPerson, true
				}
			}
		}
	}
}
