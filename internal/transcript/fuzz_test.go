package transcript

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// checkParse holds for every parser and every input: no panic, an error is a
// *notes.Error naming the file, and a document has text blocks whose lines lie
// inside the file and whose times are real.
func checkParse(t *testing.T, parse func(string, []byte) (*notes.Document, error), data []byte) {
	const path = "fuzz.in"
	doc, err := parse(path, data)
	if err != nil {
		var ne *notes.Error
		if !errors.As(err, &ne) || ne.Path != path {
			t.Fatalf("error %v (%T) is not a *notes.Error naming the file", err, err)
		}
		return
	}
	if len(doc.Blocks) == 0 {
		t.Fatal("a document without blocks was returned without an error")
	}
	lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
	if strings.HasPrefix(strings.TrimSpace(string(data)), "{") {
		lines += strings.Count(string(data), "{") // JSON on one line numbers its segments
	}
	seen := map[int]bool{}
	for _, b := range doc.Blocks {
		// The store keeps one text per line: two blocks never share one.
		if seen[b.Line] {
			t.Fatalf("two blocks on line %d", b.Line)
		}
		seen[b.Line] = true
		if b.Line < 1 || b.Line > lines {
			t.Fatalf("block line %d outside the file's %d lines", b.Line, lines)
		}
		if strings.TrimSpace(b.Text) == "" || !utf8.ValidString(b.Text) {
			t.Fatalf("block text %q is empty or not UTF-8", b.Text)
		}
		if b.Timed && (b.Time < 0 || b.Time > maxHours*3600+3600) {
			t.Fatalf("block time %v out of range", b.Time)
		}
	}
	for _, w := range doc.Warnings {
		var ne *notes.Error
		if !errors.As(w, &ne) || ne.Path != path {
			t.Fatalf("warning %v is not a *notes.Error naming the file", w)
		}
	}
}

func FuzzVTT(f *testing.F) {
	f.Add([]byte(sampleVTT))
	f.Add([]byte("WEBVTT\n\n00:01.000 --> 00:02.000\n<v A>hi &lt;there&gt;\n\nNOTE x\n\nid\n00:00:03.000 --> 00:00:01.000 line:0\nback in time\n"))
	f.Add([]byte("WEBVTT\r\n\r\n1\r\n00:00:00.000 --> \r\n"))
	f.Add([]byte("\ufeffWEBVTT\n\nLIV: a\n00:00:01.000 --> 00:00:02.000\n<v>x</v>\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, ParseVTT, data) })
}

func FuzzSRT(f *testing.F) {
	f.Add([]byte("1\r\n00:00:00,500 --> 00:00:03,000\r\nNADIA: Good <i>morning</i>.\r\n\r\n00:00:03,000 --> 00:00:04,000\r\n\r\nafter a blank\r\n"))
	f.Add([]byte("2\n00:00:xx,000 --> 00:00:03,000\nbroken\n3\n\n00:00:05,000 --> 00:00:06,000 X1:1\n{\\an8}top\n"))
	f.Add([]byte("-->\n-->\n99\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, ParseSRT, data) })
}

func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"version":"1.0.0","segments":[{"speaker":"A","startTime":0.5,"endTime":1,"body":"one"},{"speaker":"B","startTime":1,"endTime":2,"body":"two"}]}`))
	f.Add([]byte(`{"segments":[{"startTime":-1,"body":"neg"},{"startTime":"x"},{"body":null,"startTime":1e300}]}`))
	f.Add([]byte(`{"segments": {}}`))
	f.Add([]byte(`{"segments":[{"speaker":"A","startTime":0,"body":"x"},{"speaker":"B","startTime":1,"body":"y"}]}`))
	f.Add([]byte(`[{"segments": []}]`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, ParseJSON, data) })
}

func FuzzText(f *testing.F) {
	f.Add([]byte("Title\n[00:00:05] LIV: Welcome.\nmore\nMARC (00:01:02): yes\n00:01:40 Speaker 2 – fares\n"))
	f.Add([]byte("[99:99] X: bad\n(1:00:00) ok\n"))
	f.Add([]byte("A [00:01]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, ParseText, data)
		if utf8.Valid(data) {
			LooksTimed(string(data))
		}
	})
}
