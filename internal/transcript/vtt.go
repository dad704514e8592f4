package transcript

import (
	"regexp"
	"strings"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// voiceTag matches a WebVTT voice span start, <v Name> or <v.class Name>.
var voiceTag = regexp.MustCompile(`<v(?:\.[^\s>]*)?\s+([^>]*)>`)

// ParseVTT reads a WebVTT file: the WEBVTT header (its text after "WEBVTT" is
// taken as the title), then blocks separated by blank lines. NOTE, STYLE and
// REGION blocks are ignored; a cue is an optional id line, a timing line
// "START --> END [settings]" (settings ignored) and its text, whose voice tags
// <v Name> give the speaker and whose other tags are dropped.
func ParseVTT(path string, data []byte) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	first := strings.TrimSpace(lines[0])
	if first != "WEBVTT" && !strings.HasPrefix(first, "WEBVTT ") && !strings.HasPrefix(first, "WEBVTT\t") {
		return nil, &notes.Error{Path: path, Line: 1, Msg: `not a WebVTT file: the first line must be "WEBVTT"`}
	}
	title := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(strings.TrimPrefix(first, "WEBVTT")), "-–—:"))
	r := &reader{path: path}
	i := 1
	// The header runs to the first blank line.
	for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
		i++
	}
	for i < len(lines) {
		if strings.TrimSpace(lines[i]) == "" {
			i++
			continue
		}
		start := i
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
			i++
		}
		r.vttBlock(lines[start:i], start+1)
	}
	return r.document(title)
}

// vttBlock reads one block of lines starting at the 1-based line first.
func (r *reader) vttBlock(block []string, first int) {
	head := strings.TrimSpace(block[0])
	for _, kw := range []string{"NOTE", "STYLE", "REGION"} {
		if head == kw || strings.HasPrefix(head, kw+" ") || strings.HasPrefix(head, kw+"\t") {
			return
		}
	}
	timing := 0
	if !strings.Contains(block[0], "-->") {
		// An id line; the timing must follow it.
		if len(block) < 2 || !strings.Contains(block[1], "-->") {
			r.skip(first, "cue %q has no timing line (START --> END)", clip(head))
			return
		}
		timing = 1
	}
	start, _, ok := vttTiming(block[timing])
	if !ok {
		r.skip(first+timing, "bad cue timing %q: want HH:MM:SS.mmm --> HH:MM:SS.mmm", clip(strings.TrimSpace(block[timing])))
		return
	}
	speaker := ""
	for k, raw := range block[timing+1:] {
		line := raw
		if m := voiceTag.FindStringSubmatch(line); m != nil {
			speaker = strings.TrimSpace(plainCaption(m[1]))
		}
		line = strings.TrimSpace(plainCaption(line))
		if line == "" {
			continue
		}
		if s, rest := splitSpeaker(line); s != "" && !strings.HasPrefix(strings.TrimSpace(raw), "<v") {
			speaker, line = s, rest
		}
		r.cues = append(r.cues, cue{start: start, speaker: speaker, text: line, line: first + timing + 1 + k})
	}
}

// vttTiming reads "START --> END [settings]".
func vttTiming(s string) (start, end float64, ok bool) {
	a, b, found := strings.Cut(s, "-->")
	if !found {
		return 0, 0, false
	}
	fields := strings.Fields(b)
	if len(fields) == 0 {
		return 0, 0, false
	}
	start, ok1 := parseClock(a)
	end, ok2 := parseClock(fields[0])
	return start, end, ok1 && ok2
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
