package transcript

import (
	"regexp"
	"strings"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// The timed lines of plain-text transcripts, as show tools and people write them:
//
//	[00:12:31] LIV: text     (00:12:31) Liv Moreau: text     00:12:31 Speaker 2 – text
//	LIV (00:12:31): text     Liv Moreau [12:31] text
//	[00:12:31] text          (no speaker)
const (
	clockPat   = `(\d{1,3}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)`
	speakerPat = `(\p{L}[\p{L}\p{N}.'’ -]{0,38}?[\p{L}\p{N}.])`
)

var (
	timeFirst    = regexp.MustCompile(`^[\[(]?` + clockPat + `[\])]?\s+` + speakerPat + `\s*(?::|\s[-–—])\s*(.*)$`)
	speakerFirst = regexp.MustCompile(`^` + speakerPat + `\s*[\[(]` + clockPat + `[\])]\s*[:\-–—]?\s*(.*)$`)
	timeOnly     = regexp.MustCompile(`^[\[(]` + clockPat + `[\])]\s*(.*)$`)
)

// timedLine reads one line of a plain-text transcript.
func timedLine(s string) (clock, speaker, text string, ok bool) {
	if len(s) < 4 || len(s) > 1<<16 {
		return "", "", "", false
	}
	if c := s[0]; c == '[' || c == '(' || c >= '0' && c <= '9' {
		if m := timeFirst.FindStringSubmatch(s); m != nil && len(strings.Fields(m[2])) <= 4 {
			return m[1], m[2], m[3], true
		}
		if m := timeOnly.FindStringSubmatch(s); m != nil {
			return m[1], "", m[2], true
		}
		return "", "", "", false
	}
	if !strings.ContainsAny(s, "[(") {
		return "", "", "", false
	}
	if m := speakerFirst.FindStringSubmatch(s); m != nil && len(strings.Fields(m[1])) <= 4 {
		return m[2], m[1], m[3], true
	}
	return "", "", "", false
}

// LooksTimed says whether a text reads as a timed transcript: more than half
// of its non-empty lines are timed speaker lines. A .txt file is read as a
// transcript when it does, as notes otherwise.
func LooksTimed(text string) bool {
	lines, timed := 0, 0
	for line := range strings.SplitSeq(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		lines++
		if c, _, _, ok := timedLine(t); ok {
			if _, ok := parseClock(c); ok {
				timed++
			}
		}
	}
	return timed > 0 && timed*2 > lines
}

// ParseText reads a plain-text transcript. Each timed line starts a turn;
// untimed lines after it continue that turn. Untimed lines before the first
// timed one are the transcript's heading: the first is the title, the others
// are kept as paragraphs.
func ParseText(path string, data []byte) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	r := &reader{path: path}
	title := ""
	var intro []notes.Block
	current := -1 // index in r.cues of the turn being continued
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		clock, speaker, rest, ok := timedLine(t)
		if ok {
			start, good := parseClock(clock)
			if !good {
				r.skip(i+1, "bad time %q: want HH:MM:SS or MM:SS", clock)
				current = -1
				continue
			}
			r.cues = append(r.cues, cue{start: start, speaker: strings.TrimSpace(speaker), text: rest, line: i + 1})
			current = len(r.cues) - 1
			continue
		}
		switch {
		case current >= 0:
			r.cues[current].text += " " + t
		case len(r.cues) == 0 && title == "":
			title = t
		case len(r.cues) == 0:
			intro = append(intro, notes.Block{Kind: notes.Paragraph, Line: i + 1, Text: t})
		}
	}
	if len(r.cues) == 0 && r.skipped == 0 {
		return nil, &notes.Error{Path: path, Msg: "no timed line ([HH:MM:SS] NAME: text): not a timed transcript"}
	}
	doc, err := r.document(title)
	if err != nil {
		return nil, err
	}
	if len(intro) > 0 {
		rest := doc.Blocks
		doc.Blocks = nil
		for _, b := range intro {
			doc.Add(b)
		}
		doc.Blocks = append(doc.Blocks, rest...)
	}
	return doc, nil
}
