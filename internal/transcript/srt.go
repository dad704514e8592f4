package transcript

import (
	"strings"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// ParseSRT reads a SubRip file: cues of a number, a timing line
// "HH:MM:SS,mmm --> HH:MM:SS,mmm" and text, separated by blank lines. It reads
// what real tools write too: the timing line is what starts a cue, so a
// missing number or a blank line inside a cue's text does not lose text, and a
// "Name:" prefix on a caption gives the speaker.
func ParseSRT(path string, data []byte) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	r := &reader{path: path}
	timings := 0
	inCue := false // the lines since the last good timing line are its text
	var start float64
	speaker := ""
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue
		}
		if strings.Contains(t, "-->") {
			timings++
			s, _, ok := srtTiming(t)
			if !ok {
				r.skip(i+1, "bad cue timing %q: want HH:MM:SS,mmm --> HH:MM:SS,mmm", clip(t))
				inCue = false
				continue
			}
			inCue, start, speaker = true, s, ""
			continue
		}
		// A cue number: digits alone on a line before a timing line.
		if allDigits(t) && nextIsTiming(lines, i+1) {
			continue
		}
		if !inCue {
			// Text before the first cue (a tool's header, or not SRT at all,
			// decided at the end) or of a cue whose timing was reported broken.
			continue
		}
		line := strings.TrimSpace(plainCaption(t))
		if line == "" {
			continue
		}
		if s, rest := splitSpeaker(line); s != "" {
			speaker, line = s, rest
		}
		r.cues = append(r.cues, cue{start: start, speaker: speaker, text: line, line: i + 1})
	}
	if timings == 0 {
		return nil, &notes.Error{Path: path, Msg: "not an SRT file: no cue timing line (HH:MM:SS,mmm --> HH:MM:SS,mmm)"}
	}
	return r.document("")
}

// nextIsTiming says whether the next non-blank line from i holds a timing arrow.
func nextIsTiming(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return strings.Contains(t, "-->")
		}
	}
	return false
}

// srtTiming reads "START --> END" and ignores anything after END (some tools
// write positions there).
func srtTiming(s string) (start, end float64, ok bool) {
	a, b, _ := strings.Cut(s, "-->")
	fields := strings.Fields(b)
	if len(fields) == 0 {
		return 0, 0, false
	}
	start, ok1 := parseClock(a)
	end, ok2 := parseClock(fields[0])
	return start, end, ok1 && ok2
}
