// Package transcript reads episode transcripts (WebVTT, SRT, Podcasting 2.0
// JSON and plain text with timestamps) into the same notes.Document the notes
// parsers produce, so one extraction serves every input. Each speaker turn
// becomes a notes.Turn block carrying the time it starts and who speaks;
// consecutive cues of one speaker join into one turn, which plays the role of a
// paragraph. Line numbers point at the line of the source file where a turn's
// text starts, so evidence can be found in the file.
//
// A broken cue is skipped and reported in Document.Warnings while the rest
// loads; a file with nothing usable is an error. Every error is a *notes.Error
// naming the file and, where one applies, the line.
package transcript

import (
	"fmt"
	"html"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// Turn sizes. Captions are a few words each; a turn is a paragraph. A long
// monologue (or a file without speakers) is cut at a sentence end once the turn
// holds turnSoftLimit bytes, and anywhere past turnHardLimit, so each piece of
// evidence stays a readable paragraph rather than a whole hour.
const (
	turnSoftLimit = 600
	turnHardLimit = 1500
)

// maxWarnings bounds the skipped-cue reports of one file: a file that is broken
// throughout says so once with a count instead of a line per cue.
const maxWarnings = 20

// cue is one timed piece of text as a transcript format gives it.
type cue struct {
	start   float64 // seconds
	speaker string
	text    string
	line    int // line of the source where the text starts
	n       int // the cue's number in its file (JSON segments)
}

// reader collects what every format shares: the cues, the skipped ones and the
// file's identity.
type reader struct {
	path     string
	cues     []cue
	warnings []error
	skipped  int
}

func (r *reader) skip(line int, format string, args ...any) {
	r.skipped++
	if len(r.warnings) < maxWarnings {
		r.warnings = append(r.warnings, &notes.Error{Path: r.path, Line: line, Msg: fmt.Sprintf(format, args...) + "; cue skipped"})
	}
}

// document orders the cues, joins them into turns and returns the document,
// or an error when no cue had text.
func (r *reader) document(title string) (*notes.Document, error) {
	if r.skipped > maxWarnings {
		r.warnings = append(r.warnings, &notes.Error{Path: r.path, Msg: fmt.Sprintf("%d more broken cues skipped", r.skipped-maxWarnings)})
	}
	// Out-of-order and overlapping cues are read in the order they are heard;
	// cues that start together keep the file's order.
	sort.SliceStable(r.cues, func(i, j int) bool { return r.cues[i].start < r.cues[j].start })
	base := filepath.Base(r.path)
	doc := &notes.Document{Path: r.path, Meta: notes.Meta{Title: title, Date: notes.DateFromName(base)}}
	if doc.Meta.Title == "" {
		doc.Meta.Title = titleFromName(base)
	}
	var turn *cue
	var b strings.Builder
	flush := func() {
		if turn != nil && b.Len() > 0 {
			doc.Add(notes.Block{Kind: notes.Turn, Line: turn.line, Text: b.String(), Time: turn.start, Timed: true, Speaker: turn.speaker})
		}
		turn = nil
		b.Reset()
	}
	speakers := map[string]bool{}
	prev := cue{start: -1}
	last := ""
	for _, c := range r.cues {
		// Captions name the speaker when it changes; the cues after it are
		// the same person's until another name appears.
		if c.speaker == "" {
			c.speaker = last
		}
		last = c.speaker
		c.text = strings.Join(strings.Fields(c.text), " ")
		if c.text == "" {
			continue
		}
		// Rolling captions repeat a line in the next cue: keep it once.
		if c.text == prev.text && c.speaker == prev.speaker {
			continue
		}
		prev = c
		if c.speaker != "" && !speakers[c.speaker] && isPersonName(c.speaker) {
			speakers[c.speaker] = true
			doc.Meta.Guests = append(doc.Meta.Guests, c.speaker)
		}
		if turn != nil && (c.speaker != turn.speaker || b.Len() >= turnHardLimit || b.Len() >= turnSoftLimit && endsSentence(b.String())) {
			flush()
		}
		if turn == nil {
			cc := c
			turn = &cc
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(c.text)
	}
	flush()
	if len(doc.Blocks) == 0 {
		if len(r.warnings) > 0 {
			return nil, &notes.Error{Path: r.path, Msg: fmt.Sprintf("no usable cue: %d broken (first: %v)", r.skipped, r.warnings[0])}
		}
		return nil, &notes.Error{Path: r.path, Msg: "no cue with text: nothing to load"}
	}
	doc.Warnings = r.warnings
	return doc, nil
}

func endsSentence(s string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s, `"'”’)`))
	return strings.ContainsRune(".!?…", last)
}

var dateInName = regexp.MustCompile(`^\d{4}-\d{2}(-\d{2})?[-_ .]*`)

// titleFromName makes a title of a file name: "2024-05-01-chip-war.vtt" →
// "chip war". A transcript says who speaks and what, rarely what it is called.
func titleFromName(base string) string {
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if t := dateInName.ReplaceAllString(name, ""); t != "" {
		name = t
	}
	return strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(name))
}

// genericSpeaker matches speaker labels that name a role or a number, not a
// person: they are kept on the turns but are not guests.
var genericSpeaker = regexp.MustCompile(`(?i)^(speaker|spk|voice|unknown|host|guest|interviewer|interviewee|narrator|announcer|caller|audience|participant|person|man|woman|male|female|moderator|[qa])\s*[#_-]?\s*\d*$`)

// isPersonName says whether a speaker label can be taken as a person's name.
func isPersonName(s string) bool {
	return s != "" && !genericSpeaker.MatchString(s)
}

// speakerPrefix matches "Name: " at the start of a caption: one to four words,
// each capitalised (or a number, as in "Speaker 2"), at most 40 bytes.
var speakerPrefix = regexp.MustCompile(`^((?:\p{Lu}[\p{L}.'’-]*|\d+)(?: (?:\p{Lu}[\p{L}.'’-]*|\d+|de|van|von|da|del|le|la)){0,3})\s?:\s+`)

// notSpeakers are words that often end in a colon at the start of a caption
// without naming anyone.
var notSpeakers = map[string]bool{"note": true, "update": true, "warning": true, "summary": true, "example": true, "chapter": true,
	"music": true, "intro": true, "outro": true, "ad": true, "sponsor": true, "question": true, "answer": true, "edit": true, "correction": true, "transcript": true,
	"today": true, "tonight": true, "now": true, "first": true, "second": true, "next": true, "also": true, "so": true, "well": true,
	"yes": true, "no": true, "ok": true, "okay": true, "and": true, "but": true, "then": true, "here": true, "there": true, "this": true,
	"that": true, "remember": true, "listen": true, "look": true, "fact": true, "tip": true, "quote": true, "source": true, "link": true,
	"reminder": true, "topic": true, "question 1": true, "part": true, "step": true}

// splitSpeaker takes a "Name: " prefix off a caption line.
func splitSpeaker(line string) (speaker, text string) {
	m := speakerPrefix.FindStringSubmatch(line)
	if m == nil || len(m[1]) > 40 || notSpeakers[strings.ToLower(m[1])] {
		return "", line
	}
	return m[1], line[len(m[0]):]
}

var (
	markupTag = regexp.MustCompile(`<[^<>]*>`)
	assTag    = regexp.MustCompile(`\{\\[^{}]*\}`)
)

// plainCaption removes styling tags (<i>, <c.x>, <00:01.000>, {\an8}) and
// decodes character references.
func plainCaption(s string) string {
	if strings.ContainsRune(s, '<') {
		s = markupTag.ReplaceAllString(s, "")
	}
	if strings.Contains(s, `{\`) {
		s = assTag.ReplaceAllString(s, "")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) { // direction marks and the like
			return -1
		}
		return r
	}, s)
}

// maxHours bounds timestamps so that no arithmetic overflows and an absurd time
// is reported rather than stored.
const maxHours = 1000

// parseClock reads [H:]MM:SS[.mmm] or [H:]MM:SS[,mmm] (SRT writes a comma) into
// seconds. strictMinutes requires two-digit minutes and seconds below 60.
func parseClock(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	frac := 0.0
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		digits := s[i+1:]
		if digits == "" || len(digits) > 9 || !allDigits(digits) {
			return 0, false
		}
		f, _ := strconv.ParseFloat("0."+digits, 64)
		frac, s = f, s[:i]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	total := 0
	for i, p := range parts {
		if p == "" || len(p) > 4 || !allDigits(p) {
			return 0, false
		}
		n, _ := strconv.Atoi(p)
		last := i == len(parts)-1
		middle := len(parts) == 3 && i == 1
		if (last || middle) && (n >= 60 || len(p) > 2) {
			return 0, false
		}
		if i == 0 && len(parts) == 3 && n > maxHours {
			return 0, false
		}
		total = total*60 + n
	}
	return float64(total) + frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
