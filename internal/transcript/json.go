package transcript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// segment is one entry of a Podcasting 2.0 JSON transcript.
type segment struct {
	Speaker   string   `json:"speaker"`
	StartTime *float64 `json:"startTime"`
	EndTime   *float64 `json:"endTime"`
	Body      *string  `json:"body"`
}

// ParseJSON reads a Podcasting 2.0 JSON transcript: an object whose "segments"
// array holds {speaker, startTime, endTime, body}. Any other JSON is refused
// with an error naming the file: a .json file in a notes folder is not
// necessarily a transcript. Each segment's line is where it starts in the
// file, or its number in the array when the file puts segments on one line.
func ParseJSON(path string, data []byte) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	src := []byte(text)
	lineAt := lineCounter(src)
	dec := json.NewDecoder(bytes.NewReader(src))
	fail := func(err error) error {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		line := 0
		switch {
		case errors.As(err, &se):
			line = lineAt(se.Offset)
		case errors.As(err, &te):
			line = lineAt(te.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return &notes.Error{Path: path, Msg: "broken JSON: the file ends too early"}
		default:
			line = lineAt(dec.InputOffset())
		}
		return &notes.Error{Path: path, Line: line, Msg: "broken JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &notes.Error{Path: path, Line: 1, Msg: `not a Podcasting 2.0 transcript: want an object with a "segments" array`}
	}
	r := &reader{path: path}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		key, _ := tok.(string)
		if key != "segments" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fail(err)
			}
			continue
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			return nil, &notes.Error{Path: path, Line: lineAt(dec.InputOffset()), Msg: `not a Podcasting 2.0 transcript: "segments" is not an array`}
		}
		found = true
		for n := 1; dec.More(); n++ {
			at := lineAt(dec.InputOffset() + int64(countSpace(src[dec.InputOffset():])))
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, fail(err)
			}
			var s segment
			if err := json.Unmarshal(raw, &s); err != nil {
				r.skip(at, "segment %d is not {speaker, startTime, endTime, body}: %v", n, shortJSONError(err))
				continue
			}
			switch {
			case s.Body == nil:
				r.skip(at, "segment %d has no body", n)
				continue
			case s.StartTime == nil:
				r.skip(at, "segment %d has no startTime", n)
				continue
			case *s.StartTime < 0 || *s.StartTime > maxHours*3600 || math.IsNaN(*s.StartTime):
				r.skip(at, "segment %d has startTime %v, not a time in seconds", n, *s.StartTime)
				continue
			}
			r.cues = append(r.cues, cue{start: *s.StartTime, speaker: strings.TrimSpace(s.Speaker), text: plainCaption(*s.Body), line: at, n: n})
		}
		if _, err := dec.Token(); err != nil { // the closing ]
			return nil, fail(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing }
		return nil, fail(err)
	}
	if !found {
		return nil, &notes.Error{Path: path, Msg: `not a Podcasting 2.0 transcript: no "segments" array`}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &notes.Error{Path: path, Line: lineAt(dec.InputOffset()), Msg: "broken JSON: more after the transcript object"}
	}
	// A line of the source has one text. When segments share lines (JSON
	// written on one line), a segment's "line" is its number in the array.
	lines := make(map[int]bool, len(r.cues))
	for _, c := range r.cues {
		if lines[c.line] {
			for i := range r.cues {
				r.cues[i].line = r.cues[i].n
			}
			break
		}
		lines[c.line] = true
	}
	return r.document("")
}

func shortJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("%s is a %s", te.Field, te.Value)
	}
	return err.Error()
}

// countSpace counts the JSON whitespace and separating comma before the next value.
func countSpace(b []byte) int {
	n := 0
	for n < len(b) && (b[n] == ' ' || b[n] == '\t' || b[n] == '\n' || b[n] == '\r' || b[n] == ',') {
		n++
	}
	return n
}

// lineCounter returns a function from a byte offset to its 1-based line. It
// counts forward from the last offset asked, so asking in file order is linear.
func lineCounter(src []byte) func(int64) int {
	pos, line := 0, 1
	return func(off int64) int {
		o := int(min(max(off, 0), int64(len(src))))
		if o < pos {
			pos, line = 0, 1
		}
		line += bytes.Count(src[pos:o], []byte("\n"))
		pos = o
		return line
	}
}
