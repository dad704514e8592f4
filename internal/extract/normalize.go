package extract

import (
	"strings"
	"unicode"
)

// metaHeads are nouns that, as the head of a phrase, only label what comes
// before them: "the Moloch concept", "the recursion process".
var metaHeads = set(`concept concepts idea ideas notion notions problem process term terms issue issues
question questions topic topics theme themes debate debates discussion definition phenomenon
episode episodes podcast segment recap`)

// fold lowercases, folds curly quotes and dashes, and turns hyphens and
// punctuation inside a phrase into spaces, giving the form keys are made of.
func fold(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch r {
		case '\u2018', '\u2019', '\u02bc', '`', '´':
			r = '\''
		case '+':
			b.WriteString(" plus")
			space = false
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return strings.Trim(b.String(), "' ")
}

// irregular plurals and words that end in s in the singular.
var (
	irregularPlural = map[string]string{
		"children": "child", "people": "person", "men": "man", "women": "woman", "mice": "mouse",
		"feet": "foot", "teeth": "tooth", "geese": "goose", "data": "data", "media": "media",
		"criteria": "criterion", "phenomena": "phenomenon", "analyses": "analysis", "theses": "thesis",
		"crises": "crisis", "hypotheses": "hypothesis", "indices": "index", "lives": "life",
		"wives": "wife", "knives": "knife", "leaves": "leaf", "selves": "self", "halves": "half",
		"wolves": "wolf", "shelves": "shelf",
	}
	singularS = set(`news series species ethics economics physics politics mathematics statistics
		dynamics genetics linguistics aesthetics analytics logistics athletics gymnastics robotics
		basis thesis crisis analysis hypothesis diagnosis synthesis emphasis axis status bus virus
		campus census bonus chaos cosmos ethos pathos atlas canvas lens gas alias bias iris
		consensus corpus genus focus stimulus radius apparatus plus minus us this its his is was
		has does yes always perhaps whereas sometimes nevertheless`)
)

// singular returns the singular of an English noun (lowercase) by rule,
// leaving words it is unsure of unchanged.
func singular(w string) string {
	if s, ok := irregularPlural[w]; ok {
		return s
	}
	if len(w) <= 3 || singularS[w] || !strings.HasSuffix(w, "s") {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"), strings.HasSuffix(w, "'s"):
		return w
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "zes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "oes") && len(w) > 5:
		return w[:len(w)-2]
	}
	return w[:len(w)-1]
}

// Key is the canonical identity of a concept: folded, singular head, no
// leading article. Two surface forms with one key are one concept.
func Key(s string) string {
	words := strings.Fields(fold(s))
	for len(words) > 1 && (words[0] == "the" || words[0] == "a" || words[0] == "an") {
		words = words[1:]
	}
	if len(words) == 0 {
		return ""
	}
	for i, w := range words {
		words[i] = strings.TrimSuffix(w, "'s")
	}
	last := len(words) - 1
	words[last] = singular(words[last])
	return strings.Join(words, " ")
}

// ID turns a key into a URL-safe concept id.
func ID(key string) string {
	var b strings.Builder
	dash := false
	for _, r := range key {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}

// isAcronym reports whether a token is written like an acronym: two to six
// capitals (digits and a trailing s allowed), such as AI, UBI, LLMs, GPT4.
func isAcronym(t string) bool {
	t = strings.TrimSuffix(t, "s")
	if a, b, ok := strings.Cut(t, "-"); ok { // SAG-AFTRA
		return isAcronym(a) && isAcronym(b)
	}
	if len(t) < 2 || len(t) > 5 {
		return false
	}
	caps := 0
	for _, r := range t {
		switch {
		case r >= 'A' && r <= 'Z':
			caps++
		case r >= '0' && r <= '9', r == '&':
		default:
			return false
		}
	}
	return caps >= 2
}

// isCapitalised reports whether a word starts with an upper-case letter.
func isCapitalised(w string) bool {
	for _, r := range w {
		return unicode.IsUpper(r)
	}
	return false
}
