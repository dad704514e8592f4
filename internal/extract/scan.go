package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hand-written scanners for the hot paths: extraction calls these for every
// sentence, where regular expressions cost a third of the time.

// wordSpans returns the byte spans of the words of s: a letter followed by
// letters, digits, apostrophes and hyphens.
func wordSpans(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-') {
				break
			}
			j += n
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// wordList returns the words of s.
func wordList(s string) []string {
	spans := wordSpans(s)
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = s[sp[0]:sp[1]]
	}
	return out
}

// sentenceBreaks returns the spans [end of sentence, start of next) in s: a run
// of . ! ? … (optionally closed by a quote or bracket), or a semicolon,
// followed by white space.
func sentenceBreaks(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !(r == '.' || r == '!' || r == '?' || r == '…' || r == ';') {
			i += n
			continue
		}
		start, j := i, i+n
		if r != ';' {
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '…' {
					break
				}
				j += n2
			}
			if j < len(s) {
				if r2, n2 := utf8.DecodeRuneInString(s[j:]); r2 == '"' || r2 == '”' || r2 == '’' || r2 == ')' {
					j += n2
				}
			}
		}
		k := j
		for k < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[k:])
			if !unicode.IsSpace(r2) {
				break
			}
			k += n2
		}
		if k > j {
			out = append(out, [2]int{start, k})
		}
		i = k
		if k == j {
			i = j
		}
	}
	return out
}

// isInitials reports whether w is written like initials: "b.f.", "j.r.r.".
func isInitials(w string) bool {
	if len(w) < 2 || !strings.HasSuffix(w, ".") {
		return false
	}
	for i, part := range strings.Split(strings.TrimSuffix(w, "."), ".") {
		if len(part) != 1 || part[0] < 'a' || part[0] > 'z' {
			return false
		}
		_ = i
	}
	return true
}

// containsPhrase reports whether padded (a lowercased text with a space at each
// end and single spaces between words) contains any of the phrases as whole words.
func containsPhrase(padded string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(padded, p) {
			return true
		}
	}
	return false
}

// padWords lowercases s and rewrites it as " word word ... " with punctuation
// other than apostrophes and full stops turned into spaces.
func padWords(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '.' {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}
