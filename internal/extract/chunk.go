package extract

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/jdkato/prose/v3/token"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

var (
	quoteChars = strings.NewReplacer("“", " ", "”", " ", "\"", " ", "‘", "'", "’", "'", "«", " ", "»", " ")
)

// splitSentences splits a line of notes into sentences, keeping abbreviations
// such as "vs." and "e.g." inside their sentence.
func splitSentences(s string) []string {
	var out []string
	start := 0
	for _, m := range sentenceBreaks(s) {
		piece := s[start:m[0]]
		lw := strings.ToLower(lastWord(piece))
		if abbreviations[lw] || len(lw) == 1 && strings.HasPrefix(s[m[0]:], ".") || isInitials(lw+".") {
			continue
		}
		if p := strings.TrimSpace(s[start:m[1]]); p != "" {
			out = append(out, p)
		}
		start = m[1]
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

var abbreviations = set(`vs e.g i.e etc mr mrs ms dr prof st inc ltd jr sr u.s no fig approx cf al`)

func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[len(f)-1], "\"“”'’(")
}

// labelPrefix returns the length of a bullet's "Label: " prefix, or 0.
func labelPrefix(s string) int {
	i := strings.Index(s, ": ")
	if i <= 0 || i > 60 {
		return 0
	}
	head := s[:i]
	if strings.ContainsAny(head, ".!?;") || len(strings.Fields(head)) > 7 {
		return 0
	}
	return i
}

// isTitleCase reports whether most longer words of s are capitalised, as in
// headings, where capitals say nothing about names.
func isTitleCase(s string) bool {
	words := wordList(s)
	long, caps := 0, 0
	for _, w := range words {
		if len(w) < 4 {
			continue
		}
		long++
		if isCapitalised(w) {
			caps++
		}
	}
	return long >= 2 && caps*10 >= long*7
}

func isShouting(s string) bool {
	words := wordList(s)
	n, caps := 0, 0
	for _, w := range words {
		if len(w) < 2 {
			continue
		}
		n++
		if strings.ToUpper(w) == w {
			caps++
		}
	}
	return n >= 2 && caps*10 >= n*7
}

// titleVerbs are words that start capitalised in episode titles but are
// never part of a name ("X and Y Talk AI").
var titleVerbs = set(`talk talks discuss discusses explain explains explore explores debate debates
on with about why how what vs versus part episode ep feat featuring interview interviews live`)

// recase rewrites the words of a Title Case or shouted line in the case they
// usually have in this episode, so that capitals again mark names.
func (st *episodeState) recase(s string, title bool) string {
	shout := isShouting(s)
	keep := map[int]bool{} // byte offsets of words inside name-like runs
	if !shout {
		for _, r := range st.nameRuns(s) {
			for _, off := range r {
				keep[off] = true
			}
		}
	}
	var b strings.Builder
	last := 0
	for _, sp := range wordSpans(s) {
		b.WriteString(s[last:sp[0]])
		b.WriteString(st.recaseWord(s, sp[0], sp[1], title, shout, keep))
		last = sp[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// recaseWord is recase for the word s[off:end].
func (st *episodeState) recaseWord(s string, off, end int, title, shout bool, keep map[int]bool) string {
	w := s[off:end]
	if keep[off] {
		return w
	}
	if rest := s[off+len(w):]; len(rest) > 1 && rest[0] == ' ' && rest[1] >= '0' && rest[1] <= '9' && isCapitalised(w) {
		return w // "System 1", "Web 2"
	}
	if isAcronym(w) && !shout {
		return w
	}
	if shout {
		if _, ok := acronyms[w]; ok {
			return w
		}
		if _, ok := st.expansions[w]; ok {
			return w
		}
		return strings.ToLower(w)
	}
	if !isCapitalised(w) {
		return w
	}
	lw := strings.ToLower(w)
	switch {
	case title && titleVerbs[lw]:
		return ";" // "X and Y Talk AI": the verb ends the names
	case stopwords[lw], titleVerbs[lw], genericNouns[lw], weakModifiers[lw]:
		return lw
	case st.upper[lw] > 0 && st.upper[lw] >= st.lower[lw]:
		return w
	case st.lower[lw] > 0 || st.lower[singular(lw)] > 0:
		return lw
	case st.upperFirst[lw] > 0:
		return w
	case title:
		return w
	}
	return lw
}

// lowerFirst lowercases the first word of a sentence when it is an ordinary
// word, so the tagger does not read "Describes" or "Doctors" as names.
func (st *episodeState) lowerFirst(s string) string {
	spans := wordSpans(s)
	if len(spans) == 0 || spans[0][0] > 2 {
		return s
	}
	loc := spans[0]
	w := s[loc[0]:loc[1]]
	lw := strings.ToLower(w)
	if !isCapitalised(w) || isAcronym(w) || st.upper[lw] > 0 && st.upper[lw] >= st.lower[lw] || firstNames[lw] {
		return s
	}
	next := ""
	if len(spans) > 1 {
		next = s[spans[1][0]:spans[1][1]]
	}
	if next != "" && isCapitalised(next) && !isAcronym(next) && st.lower[lw] == 0 {
		return s // "Adam Smith's ...": a name
	}
	return s[:loc[0]] + lw + s[loc[1]:]
}

// nameRuns finds runs of capitalised words (with small connectors) in Title
// Case text that still read as names: an organisation ("Center for Humane
// Technology"), or a given name followed by a surname. Each run is returned as
// the byte offsets of its words.
func (st *episodeState) nameRuns(s string) [][]int {
	idx := wordSpans(s)
	var runs [][]int
	for i := 0; i < len(idx); {
		w := s[idx[i][0]:idx[i][1]]
		if !isCapitalised(w) {
			i++
			continue
		}
		j := i + 1
		for j < len(idx) {
			wj := s[idx[j][0]:idx[j][1]]
			if isCapitalised(wj) || connectors[strings.ToLower(wj)] && j+1 < len(idx) && isCapitalised(s[idx[j+1][0]:idx[j+1][1]]) {
				j++
				continue
			}
			break
		}
		titleAt := i > 0 && j-i >= 3 && (s[idx[i][0]:idx[i][1]] == "The" || s[idx[i][0]:idx[i][1]] == "A")
		// A run does not start with a verb or a small word ("Co-founded the Center ...").
		for i < j && !titleAt {
			lw := strings.ToLower(s[idx[i][0]:idx[i][1]])
			if stopwords[lw] || connectors[lw] || titleVerbs[lw] || strings.HasSuffix(lw, "ed") || strings.HasSuffix(lw, "ing") {
				i++
				continue
			}
			break
		}
		var words []string
		var offs []int
		for k := i; k < j; k++ {
			words = append(words, strings.ToLower(s[idx[k][0]:idx[k][1]]))
			offs = append(offs, idx[k][0])
		}
		// "Zuboff's The Age of Surveillance Capitalism": a capitalised article
		// inside a line starts a title.
		if titleAt {
			runs = append(runs, offs)
			i = j
			continue
		}
		org := false
		for _, lw := range words {
			if orgWords[lw] && !titleVerbs[lw] {
				org = true
			}
		}
		person := len(words) >= 2 && firstNames[words[0]] && !titleVerbs[words[1]]
		if person {
			words, offs = words[:2], offs[:2]
			if len(idx) > i+2 && j > i+2 && !titleVerbs[strings.ToLower(s[idx[i+2][0]:idx[i+2][1]])] && st.lower[strings.ToLower(s[idx[i+2][0]:idx[i+2][1]])] == 0 {
				offs = append(offs, idx[i+2][0])
			}
		}
		if (org && len(words) >= 2) || person {
			runs = append(runs, offs)
		}
		i = j
	}
	return runs
}

// segments splits a block into sentences (and a bullet's label) and finds the
// candidates of each.
func (x *Extractor) segments(b notes.Block, st *episodeState) []segment {
	text := b.Text
	var segs []segment
	if b.Kind == notes.Bullet || b.Kind == notes.Paragraph {
		if i := labelPrefix(text); i > 0 {
			if !isSpeaker(text[:i], st) {
				segs = append(segs, segment{text: text[:i], label: true})
			}
			text = text[i+1:]
		}
	}
	if b.Kind == notes.Heading || b.Kind == notes.Title {
		segs = append(segs, segment{text: text})
	} else {
		for _, s := range splitSentences(text) {
			segs = append(segs, segment{text: s})
		}
	}
	for i := range segs {
		s := segs[i].text
		titleLike := b.Kind == notes.Heading || b.Kind == notes.Title || isTitleCase(s) || isShouting(s)
		if titleLike {
			s = st.recase(s, b.Kind == notes.Title)
		} else {
			s = st.lowerFirst(s)
		}
		st.titleLike = titleLike
		segs[i].candidates = x.candidates(s, st)
		st.titleLike = false
		if segs[i].label && len(segs[i].candidates) == 0 && len(strings.Fields(s)) == 1 && strings.HasSuffix(s, "ing") && !genericNouns[strings.ToLower(s)] {
			// "Anchoring: ..." — a one-word label names the bullet's topic, whatever its tag.
			segs[i].candidates = []candidate{{surface: strings.ToLower(s), key: Key(s), kind: graph.KindConcept}}
		}
		if titleLike {
			for j, c := range segs[i].candidates {
				if c.strong && c.kind == graph.KindConcept && !strings.Contains(c.surface, " ") && !isAcronym(c.surface) && st.upper[strings.ToLower(c.surface)] == 0 {
					segs[i].candidates[j].strong, segs[i].candidates[j].titleWord = false, true
				}
			}
		}
	}
	// Terms the writer marked go with the sentence they occur in.
	for _, m := range b.Marked {
		c, ok := x.markedCandidate(m, b.Text, st)
		if !ok {
			continue
		}
		at := 0
		for i, s := range segs {
			if strings.Contains(s.text, m) {
				at = i
				break
			}
		}
		if len(strings.Fields(c.surface)) > 1 && !caseName.MatchString(c.surface) {
			c.covering = true // but "Getty Images v. Stability AI" names two parties
		}
		segs[at].candidates = append(segs[at].candidates, x.lexicon.apply(c))
	}
	// A capitalised title followed by a year, "Noise (2021)", is a work.
	for i := range segs {
		for _, t := range datedTitles(segs[i].text) {
			c := candidate{surface: t, key: Key(t), kind: graph.KindWork, strong: true, covering: strings.Contains(t, " ")}
			segs[i].candidates = append(segs[i].candidates, x.lexicon.apply(c))
		}
	}
	// An acronym's expansion written out in full is one concept.
	for acr, exp := range st.expansions {
		if len(exp) < 8 {
			continue
		}
		for i := range segs {
			if strings.Contains(strings.ToLower(segs[i].text), strings.ToLower(exp)) {
				c := st.acronymCandidate(acr)
				c.surface, c.covering = exp, true
				segs[i].candidates = append(segs[i].candidates, x.lexicon.apply(c))
			}
		}
	}
	for i := range segs {
		segs[i].candidates = dropCovered(segs[i].candidates)
	}
	return segs
}

var connectors = set(`of for & on the de von van der la du`)

func isNounTag(t string) bool { return strings.HasPrefix(t, "NN") }

// candidates chunks one sentence into noun phrases and names.
func (x *Extractor) candidates(s string, st *episodeState) []candidate {
	clean := quoteChars.Replace(s)
	toks := x.tokenizer.Tokenize(clean)
	x.tagger.TagTokens(toks)
	var out []candidate
	n := len(toks)
	for i := 0; i < n; {
		if !chunkable(toks, i) {
			i++
			continue
		}
		j := i
		hasOf := false
		for j < n {
			if chunkable(toks, j) {
				j++
				continue
			}
			// Bridge small words inside a proper name: "Center for Humane Technology".
			w := strings.ToLower(toks[j].Text)
			if j > i && j+1 < n && isCapitalised(toks[j-1].Text) && isCapitalised(toks[j+1].Text) && chunkable(toks, j+1) &&
				(connectors[w] || w == "and" && hasOf) {
				if w == "of" {
					hasOf = true
				}
				j++
				continue
			}
			break
		}
		after := i > 0 && (toks[i-1].Tag == "IN" || toks[i-1].Tag == "DT" || toks[i-1].Tag == "PRP$" || toks[i-1].Tag == "POS")
		afterDet := i > 0 && (toks[i-1].Tag == "DT" || toks[i-1].Tag == "PRP$" || toks[i-1].Tag == "POS")
		out = append(out, x.fromRun(toks[i:j], after, afterDet, st)...)
		if j == i {
			j++
		}
		i = j
	}
	// Acronyms glued to words by hyphens ("AI-driven") still mention the acronym.
	for _, t := range toks {
		if k := strings.Index(t.Text, "-"); k > 0 && isAcronym(t.Text[:k]) && !isAcronym(t.Text) {
			out = append(out, st.acronymCandidate(t.Text[:k]))
		}
	}
	folded := " " + fold(s) + " "
	for _, p := range phrases {
		if strings.Contains(folded, " "+fold(p)+" ") {
			out = append(out, candidate{surface: p, key: Key(p), kind: graph.KindConcept, strong: true})
		}
	}
	// The analyst's pinned terms are found wherever they occur.
	for _, p := range x.lexicon.terms {
		if f := fold(p); strings.Contains(folded, " "+f+" ") || strings.Contains(folded, " "+f+"s ") {
			out = append(out, candidate{surface: p, key: Key(p), kind: graph.KindConcept, strong: true})
		}
	}
	for i := range out {
		out[i] = x.lexicon.apply(out[i])
	}
	return out
}

// chunkable reports whether token i can be part of a noun phrase.
func chunkable(toks []token.Token, i int) bool {
	t := toks[i]
	if !hasLetter(t.Text) && !(t.Tag == "CD" && i > 0 && toks[i-1].Tag == "NNP") {
		return false
	}
	switch {
	case isNounTag(t.Tag), t.Tag == "JJ", t.Tag == "VBG", t.Tag == "VBN":
		return true
	case t.Tag == "CD":
		return i > 0 && isNounTag(toks[i-1].Tag) && isCapitalised(toks[i-1].Text)
	}
	// The tagger is unsure of unseen capitalised words and acronyms; treat them as names.
	return isAcronym(t.Text) || i > 0 && isCapitalised(t.Text) && !stopwords[strings.ToLower(t.Text)]
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func (st *episodeState) acronymCandidate(a string) candidate {
	exp, ok := st.expansions[a]
	if !ok {
		exp, ok = acronyms[a]
	}
	if !ok && strings.HasSuffix(a, "s") {
		if exp, ok = st.expansions[a[:len(a)-1]]; !ok {
			exp, ok = acronyms[a[:len(a)-1]]
		}
	}
	kind := graph.KindOrganization
	if conceptAcronyms[a] || conceptAcronyms[strings.TrimSuffix(a, "s")] {
		kind = graph.KindConcept
	}
	if ok {
		return candidate{surface: a, key: Key(exp), kind: kind, strong: true}
	}
	return candidate{surface: a, key: Key(a), kind: kind, strong: true}
}

// fromRun turns a run of chunkable tokens into candidates: the trimmed phrase,
// its proper-name part, and noun modifiers that may be concepts on their own.
func (x *Extractor) fromRun(run []token.Token, afterFunctionWord, afterDeterminer bool, st *episodeState) []candidate {
	// Trim leading modifiers that add nothing, and trailing non-nouns.
	for len(run) > 0 {
		w := strings.ToLower(run[0].Text)
		if stopwords[w] || weakModifiers[w] && !isCapitalised(run[0].Text) || (run[0].Tag == "VBN" || run[0].Tag == "VBG") && !isCapitalised(run[0].Text) && len(run) > 1 && !isNounTag(run[1].Tag) {
			run = run[1:]
			continue
		}
		break
	}
	for len(run) > 0 && stopwords[strings.ToLower(run[len(run)-1].Text)] {
		run = run[:len(run)-1] // "vs." tagged as a noun
	}
	// A leading -ing word followed by its object is a verb ("teaching kids",
	// "generating junk food content"), unless a determiner makes it a noun.
	if len(run) > 1 && run[0].Tag == "VBG" && !afterDeterminer && (len(run) > 2 || genericNouns[strings.ToLower(run[1].Text)] || agentNoun(strings.ToLower(run[1].Text)) || isCapitalised(run[1].Text)) {
		run = run[1:]
	}
	for len(run) > 0 {
		t := run[len(run)-1]
		if isNounTag(t.Tag) || t.Tag == "CD" || isAcronym(t.Text) || isCapitalised(t.Text) && len(run) > 1 || t.Tag == "VBG" && gerundHead(run, afterFunctionWord) ||
			len(run) == 1 && afterFunctionWord && st.known[ID(Key(t.Text))] { // "a residual for ...": the tagger's adjective is a known noun
			break
		}
		run = run[:len(run)-1]
	}
	if len(run) == 0 {
		return nil
	}
	var out []candidate
	if len(run) == 1 && isAcronym(run[0].Text) {
		return []candidate{st.acronymCandidate(run[0].Text)}
	}
	// Split at the boundary between a proper name and common words.
	properEnd := 0
	for properEnd < len(run) && (isCapitalised(run[properEnd].Text) && !acronymAdjective(run[properEnd].Text) || connectors[strings.ToLower(run[properEnd].Text)] && properEnd > 0 || run[properEnd].Tag == "CD" && properEnd > 0) {
		properEnd++
	}
	for properEnd > 0 && connectors[strings.ToLower(run[properEnd-1].Text)] {
		properEnd--
	}
	if properEnd == len(run) {
		return append(out, st.properOrAcronym(run))
	}
	if properEnd > 0 {
		out = append(out, st.properOrAcronym(run[:properEnd]))
		if !(properEnd == 1 && isAcronym(run[0].Text)) {
			// "Hollywood strikes": the name, the common words, and the whole
			// phrase when it recurs or heads a section ("Nash equilibrium").
			whole := make([]string, len(run))
			for i, t := range run {
				whole[i] = t.Text
			}
			if w := strings.Join(whole, " "); !properModifiersOnly(whole) {
				// A name in front of a noun often makes an eponymous term
				// ("Nash equilibrium", "Turing test"): shaped like a compound.
				out = append(out, candidate{surface: w, key: Key(w), kind: graph.KindConcept, compound: true})
			}
			run = run[properEnd:]
		}
	} else if k := properTail(run); k > 0 {
		// "production company Hit Record": a common phrase, then a name.
		out = append(out, st.properOrAcronym(run[k:]))
		if k == len(run)-1 && isAcronym(run[k].Text) && run[k-1].Tag == "JJ" {
			// "generative AI": an adjective narrowing an acronym is a concept of its own.
			words := make([]string, 0, len(run))
			for _, t := range run {
				words = append(words, t.Text)
			}
			out = append(out, candidate{surface: strings.Join(words, " "), key: Key(strings.Join(words, " ")), kind: graph.KindConcept, strong: true})
		}
		run = run[:k]
		for len(run) > 0 && !isNounTag(run[len(run)-1].Tag) {
			run = run[:len(run)-1]
		}
		if len(run) == 0 {
			return out
		}
	}
	// A common phrase: at most four words, ending in a noun.
	if len(run) > 4 {
		run = run[len(run)-4:]
	}
	words := make([]string, len(run))
	for i, t := range run {
		words[i] = t.Text
	}
	if len(words) > 1 && metaHeads[strings.ToLower(words[len(words)-1])] {
		words = words[:len(words)-1]
		run = run[:len(run)-1]
	}
	if len(words) > 1 && metaHeads[strings.ToLower(words[0])] {
		words, run = words[1:], run[1:] // "the term porn"
	}
	if len(words) == 1 && isAcronym(words[0]) {
		return append(out, st.acronymCandidate(words[0]))
	}
	surface := strings.Join(words, " ")
	c := candidate{surface: surface, key: Key(surface), kind: graph.KindConcept, compound: true, nounCompound: true}
	for _, t := range run[:len(run)-1] {
		if !isNounTag(t.Tag) && t.Tag != "VBG" {
			c.nounCompound = false
			if !classifying(t.Text) {
				c.compound = false
			}
		}
	}
	if allVague(c.key) || properModifiersOnly(words) {
		return out
	}
	out = append(out, c)
	if c.nounCompound && len(run) >= 3 {
		// "slot machine lever": its two-word parts may be the terms.
		for _, part := range [][]token.Token{run[:2], run[len(run)-2:]} {
			p := part[0].Text + " " + part[1].Text
			out = append(out, candidate{surface: p, key: Key(p), kind: graph.KindConcept, part: true})
		}
	}
	// Noun modifiers may be concepts in their own right ("dopamine" in "dopamine hits").
	if len(run) > 1 {
		for _, t := range run[:len(run)-1] {
			lw := strings.ToLower(t.Text)
			if isNounTag(t.Tag) && !isCapitalised(t.Text) && !strings.HasSuffix(lw, "ing") && !genericNouns[lw] && !weakModifiers[lw] {
				out = append(out, candidate{surface: t.Text, key: Key(t.Text), kind: graph.KindConcept, modifierOf: c.key})
			}
		}
	}
	return out
}

// gerundHead reports whether a run ending in an -ing word reads as a noun
// phrase ("authentic storytelling", "embodied learning") rather than a verb.
func gerundHead(run []token.Token, afterFunctionWord bool) bool {
	if len(run) == 1 {
		return afterFunctionWord
	}
	p := run[len(run)-2].Tag
	return p == "JJ" || p == "VBN"
}

var caseName = regexp.MustCompile(`\s(v|vs|versus)\.?\s`)

// speakerWords label the turns of an interview.
var speakerWords = set(`q a host hosts guest interviewer interviewee me us them narrator`)

// isSpeaker reports whether a line's "Label:" names who speaks ("Q:", "Host:",
// "Helen:") rather than a topic.
func isSpeaker(label string, st *episodeState) bool {
	label = strings.Trim(label, "*_ ")
	if strings.ContainsAny(label, " ,") {
		return false
	}
	lw := strings.ToLower(label)
	if speakerWords[lw] {
		return true
	}
	if !isCapitalised(label) {
		return false
	}
	if firstNames[lw] {
		return true
	}
	for g := range st.people {
		if f := strings.Fields(g); len(f) > 0 && (f[0] == lw || f[len(f)-1] == lw) {
			return true
		}
	}
	return false
}

// calendarWords name months and days: a date is not a concept.
var calendarWords = set(`january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
spring summer autumn fall winter`)

// isDate reports whether every word of a name is a calendar word or a number.
func isDate(key string) bool {
	for _, w := range strings.Fields(key) {
		if !calendarWords[w] && !allDigits(w) {
			return false
		}
	}
	return true
}

// titleWords may stand lowercase inside a title.
var titleWords = set(`of the a an and to in on for is at by with from`)

// datedTitles finds titles written as "Title (YYYY)": the capitalised words
// (and small title words) right before a parenthesised year.
func datedTitles(s string) []string {
	var out []string
	for from := 0; ; {
		k := strings.Index(s[from:], " (")
		if k < 0 {
			return out
		}
		k += from
		from = k + 2
		if len(s) < k+7 || !allDigits(s[k+2:k+6]) || s[k+6] != ')' {
			continue
		}
		words := strings.Fields(s[:k])
		start := len(words)
		for start > 0 {
			w := strings.TrimSuffix(words[start-1], ",")
			if isCapitalised(w) && !isAcronym(w) || titleWords[w] && start < len(words) {
				start--
				continue
			}
			break
		}
		for start < len(words) && titleWords[words[start]] {
			start++
		}
		if start == len(words) {
			continue
		}
		title := strings.Trim(strings.Join(words[start:], " "), `"“”'’,*_`)
		lw := strings.ToLower(title)
		if strings.HasSuffix(lw, "'s") || orgWords[lw] || len(title) < 3 {
			continue
		}
		out = append(out, title)
	}
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// dropCovered removes candidates found inside a covering term of the same
// sentence ("coal mine" inside "canary in the coal mine").
func dropCovered(cs []candidate) []candidate {
	var cover []string
	for _, c := range cs {
		if c.covering {
			cover = append(cover, " "+fold(c.surface)+" ")
		}
	}
	if len(cover) == 0 {
		return cs
	}
	out := cs[:0]
	for _, c := range cs {
		inside := false
		if !c.covering {
			f := " " + fold(c.surface) + " "
			for _, cv := range cover {
				if f != cv && strings.Contains(cv, f) {
					inside = true
					break
				}
			}
		}
		if !inside {
			out = append(out, c)
		}
	}
	return out
}

// acronymAdjective reports whether a token is an acronym glued to a lowercase
// word, as in "AI-enhanced": an adjective, not a name.
func acronymAdjective(t string) bool {
	a, b, ok := strings.Cut(t, "-")
	return ok && isAcronym(a) && b != "" && !isCapitalised(b)
}

// properModifiersOnly reports whether a phrase is names followed by a generic
// noun ("the Moloch episode", "Hollywood people"): the name is the concept.
func properModifiersOnly(words []string) bool {
	if len(words) < 2 || !genericNouns[strings.ToLower(words[len(words)-1])] {
		return false
	}
	for _, w := range words[:len(words)-1] {
		if !isCapitalised(w) {
			return false
		}
	}
	return true
}

// classifying reports whether an adjective sorts things into kinds
// ("medical records", "central planning", "economic policy") rather than
// judging them: relational adjectives mostly end in -al or -ic.
func classifying(adj string) bool {
	a := strings.ToLower(adj)
	return !weakModifiers[a] && len(a) > 5 && (strings.HasSuffix(a, "al") || strings.HasSuffix(a, "ic"))
}

// properTail returns where a trailing run of capitalised words starts, or 0.
func properTail(run []token.Token) int {
	k := len(run)
	for k > 0 && (isCapitalised(run[k-1].Text) || run[k-1].Tag == "CD" && k > 1 && isCapitalised(run[k-2].Text)) {
		k--
	}
	if k == len(run) || k == 0 {
		return 0
	}
	return k
}

// allVague reports whether every word of a key is vague, weak or a stopword.
func allVague(key string) bool {
	for _, w := range strings.Fields(key) {
		if !vagueWords[w] && !weakModifiers[w] && !stopwords[w] {
			return false
		}
	}
	return true
}

// properOrAcronym makes a candidate of a name, or of a lone acronym with its expansion.
func (st *episodeState) properOrAcronym(run []token.Token) candidate {
	if len(run) == 1 && isAcronym(run[0].Text) {
		return st.acronymCandidate(run[0].Text)
	}
	return properCandidate(run, st)
}

// properCandidate makes a candidate of a capitalised run, guessing its kind.
func properCandidate(run []token.Token, st *episodeState) candidate {
	if len(run) > 0 && strings.EqualFold(run[0].Text, "the") {
		run = run[1:]
	}
	words := make([]string, len(run))
	org, connector, alpha := false, false, true
	for i, t := range run {
		words[i] = t.Text
		lw := strings.ToLower(t.Text)
		if orgWords[lw] {
			org = true
		}
		if connectors[lw] {
			connector = true
		}
		for _, r := range t.Text {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '.' {
				alpha = false
			}
		}
	}
	if last := words[len(words)-1]; len(last) > 3 && strings.HasSuffix(last, ".") {
		words[len(words)-1] = strings.TrimSuffix(last, ".") // the tokenizer keeps a sentence's full stop on some names
	}
	surface := strings.Join(words, " ")
	c := candidate{surface: surface, key: Key(surface), kind: graph.KindConcept, strong: true}
	if len(run) == 1 && !isAcronym(run[0].Text) {
		// A lone capitalised word is a name only if it is not an everyday word.
		lw := strings.ToLower(run[0].Text)
		if genericNouns[lw] || weakModifiers[lw] || st.lower[lw] > st.upper[lw] || agentNoun(lw) ||
			strings.HasSuffix(lw, "s") && singular(lw) != lw && !st.known[ID(Key(lw))] {
			c.strong = false
		}
	}
	switch {
	case org:
		c.kind = graph.KindOrganization
	case len(run) >= 2 && len(run) <= 3 && !connector && alpha && !anyAcronym(run) &&
		(firstNames[strings.ToLower(run[0].Text)] || st.people[strings.ToLower(surface)] || !st.titleLike && nameLike(run, st)):
		c.kind = graph.KindPerson
	}
	return c
}

// nameLike reports whether capitalised words in running text read as a
// person's name: none of them is an ordinary word of the episode or the lists.
func nameLike(run []token.Token, st *episodeState) bool {
	for _, t := range run {
		lw := strings.ToLower(t.Text)
		if st.lower[lw] > 0 || stopwords[lw] || genericNouns[lw] || weakModifiers[lw] || orgWords[lw] || titleVerbs[lw] || len(lw) < 2 {
			return false
		}
	}
	return true
}

func anyAcronym(run []token.Token) bool {
	for _, t := range run {
		if isAcronym(t.Text) {
			return true
		}
	}
	return false
}

var trailingPunct = "\"“”'’.,;:!?()[]"

// markedCandidate turns a term the writer marked into a candidate, when it
// reads as a concept, name or title rather than an adjective or a clause.
func (x *Extractor) markedCandidate(m, line string, st *episodeState) (candidate, bool) {
	m = strings.Trim(strings.TrimSpace(m), trailingPunct)
	words := strings.Fields(m)
	if len(words) == 0 || len(words) > 6 {
		return candidate{}, false
	}
	first, last := strings.ToLower(words[0]), strings.ToLower(words[len(words)-1])
	if stopwords[last] || stopwords[first] && first != "the" {
		return candidate{}, false
	}
	toks := x.tokenizer.Tokenize(m)
	x.tagger.TagTokens(toks)
	if len(toks) == 0 {
		return candidate{}, false
	}
	titleCase := isCapitalised(words[0]) && isCapitalised(words[len(words)-1]) && len(words) >= 2
	if len(words) == 1 {
		if isAcronym(m) {
			return st.acronymCandidate(m), true
		}
		if !isNounTag(toks[0].Tag) || genericNouns[strings.ToLower(m)] {
			return candidate{}, false
		}
		surface := m
		if st.lower[strings.ToLower(m)] > 0 && !(st.upper[strings.ToLower(m)] > st.lower[strings.ToLower(m)]) {
			surface = strings.ToLower(m)
		}
		return candidate{surface: surface, key: Key(m), kind: graph.KindConcept, strong: true}, true
	}
	if titleCase {
		c := properCandidate(toks, st)
		c.surface, c.key = m, Key(m)
		if c.kind == graph.KindConcept {
			c.kind = graph.KindWork // a capitalised title the writer set apart: a book, paper, film
		}
		return c, true
	}
	if !isNounTag(toks[len(toks)-1].Tag) {
		return candidate{}, false
	}
	if metaHeads[last] {
		m = strings.Join(words[:len(words)-1], " ")
	}
	if allVague(Key(m)) {
		return candidate{}, false
	}
	return candidate{surface: m, key: Key(m), kind: graph.KindConcept, strong: true}, true
}
