package transcript

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// turn is what a test expects of one block.
type turn struct {
	line    int
	time    float64
	speaker string
	text    string
}

func turnsOf(doc *notes.Document) []turn {
	var out []turn
	for _, b := range doc.Blocks {
		if b.Kind != notes.Turn || !b.Timed {
			continue
		}
		out = append(out, turn{b.Line, b.Time, b.Speaker, b.Text})
	}
	return out
}

func checkTurns(t *testing.T, doc *notes.Document, want []turn) {
	t.Helper()
	got := turnsOf(doc)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("turns:\n got %+v\nwant %+v", got, want)
	}
}

const sampleVTT = `WEBVTT - Harbour cranes and the ports of the north sea
Kind: captions

NOTE This file was written for the tests.
It has two lines of note.

STYLE
::cue { color: yellow }

REGION
id:left width:40%

intro-1
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v.host Liv Moreau>Welcome back. Today we talk about <i>automated cranes</i>.

00:00:04.500 --> 00:00:07.000
<v Liv Moreau>Our guest has run the Rotterdam terminal &amp; its yard.

00:00:09.250 --> 00:00:12.000
<v Tomas Eriksen>Thanks, Liv. The first <c.loud>remote crane</c> came in 2008.

00:00:07.000 --> 00:00:09.250
<v Liv Moreau>So where did it start?

00:10.000 --> 00:14.000
<v Tomas Eriksen><00:00:10.500>Overlapping with the last cue, the yard got sensors.
`

func TestVTT(t *testing.T) {
	doc, err := ParseVTT("2024-03-05-cranes.vtt", []byte(sampleVTT))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Meta.Title != "Harbour cranes and the ports of the north sea" || doc.Meta.Date != "2024-03-05" {
		t.Errorf("meta = %+v", doc.Meta)
	}
	if want := []string{"Liv Moreau", "Tomas Eriksen"}; !reflect.DeepEqual(doc.Meta.Guests, want) {
		t.Errorf("guests = %q, want %q", doc.Meta.Guests, want)
	}
	checkTurns(t, doc, []turn{
		{15, 1, "Liv Moreau", "Welcome back. Today we talk about automated cranes. Our guest has run the Rotterdam terminal & its yard. So where did it start?"},
		{21, 9.25, "Tomas Eriksen", "Thanks, Liv. The first remote crane came in 2008. Overlapping with the last cue, the yard got sensors."},
	})
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings: %v", doc.Warnings)
	}
}

func TestVTTBrokenCuesAreSkipped(t *testing.T) {
	src := "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFirst line that loads.\n\n" +
		"00:00:03.000 -> 00:00:04.000\nArrow is wrong.\n\n" +
		"00:00:05.000 --> 00:61:00.000\nMinutes out of range.\n\n" +
		"cue-without-timing\nNo timing at all.\n\n" +
		"00:00:07.000 --> 00:00:08.000\nLast line that loads.\n"
	doc, err := ParseVTT("broken.vtt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, doc, []turn{{4, 1, "", "First line that loads. Last line that loads."}})
	var lines []string
	for _, w := range doc.Warnings {
		lines = append(lines, w.Error())
	}
	want := []string{
		`broken.vtt:6: cue "00:00:03.000 -> 00:00:04.000" has no timing line (START --> END); cue skipped`,
		`broken.vtt:9: bad cue timing "00:00:05.000 --> 00:61:00.000": want HH:MM:SS.mmm --> HH:MM:SS.mmm; cue skipped`,
		`broken.vtt:12: cue "cue-without-timing" has no timing line (START --> END); cue skipped`,
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("warnings:\n got %q\nwant %q", lines, want)
	}
}

func TestVTTErrors(t *testing.T) {
	var many strings.Builder
	many.WriteString("WEBVTT\n")
	for i := range 30 {
		fmt.Fprintf(&many, "\n00:00:%02d.000 --> nonsense\nText %d\n", i, i)
	}
	cases := map[string]struct{ src, want string }{
		"no header":     {"00:00:01.000 --> 00:00:02.000\nHello\n", `f.vtt:1: not a WebVTT file`},
		"only notes":    {"WEBVTT\n\nNOTE nothing here\n", "f.vtt: no cue with text"},
		"empty":         {"\n\n", "f.vtt: empty file"},
		"all broken":    {many.String(), "f.vtt: no usable cue: 30 broken (first: f.vtt:3: bad cue timing"},
		"binary":        {"WEBVTT\n\n\x00", "f.vtt:3: binary file"},
		"header lookal": {"WEBVTTX\n", "f.vtt:1: not a WebVTT file"},
	}
	for name, c := range cases {
		_, err := ParseVTT("f.vtt", []byte(c.src))
		var ne *notes.Error
		if !errors.As(err, &ne) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want a *notes.Error containing %q", name, err, c.want)
		}
	}
}

func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nkept\n")
	for i := range 100 {
		fmt.Fprintf(&b, "\nbad %d\n", i)
	}
	doc, err := ParseVTT("f.vtt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != maxWarnings+1 || !strings.Contains(doc.Warnings[maxWarnings].Error(), "80 more broken cues skipped") {
		t.Errorf("got %d warnings, last %v", len(doc.Warnings), doc.Warnings[len(doc.Warnings)-1])
	}
}

func TestSRT(t *testing.T) {
	// Written as a Windows tool would: BOM, CRLF, one cue without its number,
	// a blank line inside a cue, tags and a position suffix on a timing line.
	src := "\ufeff1\r\n00:00:00,500 --> 00:00:03,000\r\nNADIA OKAFOR: Good morning, this is <b>Field Notes</b>.\r\n\r\n" +
		"2\r\n00:00:03,000 --> 00:00:06,200 X1:40 X2:600\r\nToday: {\\an8}soil carbon in dry farming.\r\n\r\n" +
		"00:00:06,200 --> 00:00:09,000\r\nBen Adeyemi: Thanks for having me.\r\n\r\nI worked on the Sahel trials.\r\n\r\n" +
		"4\r\n00:00:09,000 --> 00:00:11,000\r\nSpeaker 3: And I took the samples.\r\n"
	doc, err := ParseSRT("field-notes-12.srt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, doc, []turn{
		{3, 0.5, "NADIA OKAFOR", "Good morning, this is Field Notes. Today: soil carbon in dry farming."},
		{10, 6.2, "Ben Adeyemi", "Thanks for having me. I worked on the Sahel trials."},
		{16, 9, "Speaker 3", "And I took the samples."},
	})
	if want := []string{"NADIA OKAFOR", "Ben Adeyemi"}; !reflect.DeepEqual(doc.Meta.Guests, want) {
		t.Errorf("guests = %q, want %q (Speaker 3 is not a person's name)", doc.Meta.Guests, want)
	}
	if doc.Meta.Title != "field notes 12" {
		t.Errorf("title = %q", doc.Meta.Title)
	}
}

func TestSRTBroken(t *testing.T) {
	src := "1\n00:00:01,000 --> 00:00:02,000\nKept.\n\n2\n00:00:xx,000 --> 00:00:03,000\nDropped with its cue.\n\n3\n00:00:04,000 --> 00:00:05,000\nAlso kept.\n"
	doc, err := ParseSRT("b.srt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, doc, []turn{{3, 1, "", "Kept. Also kept."}})
	if len(doc.Warnings) != 1 || !strings.HasPrefix(doc.Warnings[0].Error(), `b.srt:6: bad cue timing "00:00:xx,000 --> 00:00:03,000"`) {
		t.Errorf("warnings = %v", doc.Warnings)
	}
	for name, c := range map[string]struct{ src, want string }{
		"no timings": {"Just some text\nthat is not subtitles.\n", "b.srt: not an SRT file"},
		"no text":    {"1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:02,000 --> 00:00:03,000\n", "b.srt: no cue with text"},
		"utf8":       {"1\n00:00:01,000 --> 00:00:02,000\nbad \xff\n", "b.srt:3: invalid UTF-8"},
	} {
		if _, err := ParseSRT("b.srt", []byte(c.src)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestJSON(t *testing.T) {
	src := `{
  "version": "1.0.0",
  "segments": [
    {"speaker": "Ines Calder", "startTime": 0.4, "endTime": 2.1, "body": "Coral spawning is timed by the moon."},
    {"speaker": "Ines Calder", "startTime": 2.1, "endTime": 3.0, "body": "Mostly."},
    {
      "speaker": "Rafe Obi",
      "startTime": 3.0,
      "endTime": 6.5,
      "body": "And by water temperature &amp; day length."
    },
    {"speaker": "Rafe Obi", "startTime": "soon", "body": "skipped"},
    {"speaker": "Rafe Obi", "endTime": 9, "body": "no start"}
  ]
}`
	doc, err := ParseJSON("reef.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, doc, []turn{
		{4, 0.4, "Ines Calder", "Coral spawning is timed by the moon. Mostly."},
		{6, 3, "Rafe Obi", "And by water temperature & day length."},
	})
	if len(doc.Warnings) != 2 || !strings.HasPrefix(doc.Warnings[0].Error(), "reef.json:12: segment 4 is not") ||
		doc.Warnings[1].Error() != "reef.json:13: segment 5 has no startTime; cue skipped" {
		t.Errorf("warnings = %v", doc.Warnings)
	}
}

func TestJSONErrors(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"array":          {`[1, 2]`, "x.json:1: not a Podcasting 2.0 transcript"},
		"other object":   {`{"name": "package", "version": "1"}`, `x.json: not a Podcasting 2.0 transcript: no "segments" array`},
		"segments a map": {"{\n\"segments\": {}}", `x.json:2: not a Podcasting 2.0 transcript: "segments" is not an array`},
		"truncated":      {`{"segments": [{"speaker": "A", "startTime": 1, "body": "x"}`, "x.json: broken JSON: the file ends too early"},
		"syntax":         {"{\"segments\": [\n\n{\"body\": \"x\",, }]}", "x.json:3: broken JSON: invalid character ','"},
		"trailing":       {`{"segments": []} {}`, "x.json:1: broken JSON: more after the transcript object"},
		"empty segments": {`{"segments": []}`, "x.json: no cue with text"},
	} {
		_, err := ParseJSON("x.json", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestPlainText(t *testing.T) {
	src := `Episode 41: Night trains come back

[00:00:05] LIV: Welcome. Tonight is about sleeper trains.
Continuing the same turn on a second line.
[00:00:31] MARC DUVAL: The Vienna to Brussels line reopened.
MARC DUVAL (00:01:02): It runs three nights a week.
00:01:40 Speaker 2 – And the fares are falling.
[01:55] LIV: Short times work too.
`
	if !LooksTimed(src) {
		t.Fatal("LooksTimed = false for a timed transcript")
	}
	doc, err := ParseText("night-trains.txt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Meta.Title != "Episode 41: Night trains come back" {
		t.Errorf("title = %q", doc.Meta.Title)
	}
	checkTurns(t, doc, []turn{
		{3, 5, "LIV", "Welcome. Tonight is about sleeper trains. Continuing the same turn on a second line."},
		{5, 31, "MARC DUVAL", "The Vienna to Brussels line reopened. It runs three nights a week."},
		{7, 100, "Speaker 2", "And the fares are falling."},
		{8, 115, "LIV", "Short times work too."},
	})
}

func TestLooksTimed(t *testing.T) {
	for src, want := range map[string]bool{
		"Meeting notes\n- one\n- two\nWe met at [10:30] in the hall.\n": false,
		"Title\n[00:01] A: x\n[00:02] B: y\n":                           true,
		"Title\nintro line\n[00:01] A: x\n":                             false,
		"[00:01:05] no speaker here at all\n[00:02:00] still none\n":    true,
		"12:30 lunch with the team\n13:45 call\nnotes about the call\n": false,
	} {
		if got := LooksTimed(src); got != want {
			t.Errorf("LooksTimed(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestLongTurnsAreCutAtSentences(t *testing.T) {
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for i := range 60 {
		fmt.Fprintf(&b, "\n00:%02d:%02d.000 --> 00:%02d:%02d.500\n<v Oren Pike>Sentence number %d is about ferries and bridges.\n", i/60, i%60, i/60, i%60, i)
	}
	doc, err := ParseVTT("long.vtt", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	turns := turnsOf(doc)
	if len(turns) < 3 {
		t.Fatalf("got %d turns for a 2,700-byte monologue, want it cut into paragraphs", len(turns))
	}
	for _, tr := range turns {
		if len(tr.text) > turnSoftLimit+100 || !strings.HasSuffix(tr.text, ".") || tr.speaker != "Oren Pike" {
			t.Errorf("turn at %v s: %d bytes, speaker %q, ends %q", tr.time, len(tr.text), tr.speaker, tr.text[len(tr.text)-10:])
		}
	}
	if turns[1].time == 0 || turns[1].line <= turns[0].line {
		t.Errorf("second turn starts at %v s, line %d: want its own first cue's time and line", turns[1].time, turns[1].line)
	}
}

func TestParseClock(t *testing.T) {
	for s, want := range map[string]float64{"00:00:01.500": 1.5, "01:02:03,004": 3723.004, "12:31": 751, "1:02:03": 3723, "75:00": 4500} {
		if got, ok := parseClock(s); !ok || got != want {
			t.Errorf("parseClock(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "1", "00:60", "00:61:00", "a:bb", "1:2:3:4", "00:00:01.", "00:00:01.x", "99999:00:00", "-1:00"} {
		if _, ok := parseClock(s); ok {
			t.Errorf("parseClock(%q) accepted a bad time", s)
		}
	}
}

func TestJSONOnOneLine(t *testing.T) {
	src := `{"segments":[{"speaker":"Ines Calder","startTime":0,"body":"Reefs."},{"speaker":"Rafe Obi","startTime":1,"body":"Tides."},{"speaker":"Ines Calder","startTime":2,"body":"Moons."}]}`
	doc, err := ParseJSON("one.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	checkTurns(t, doc, []turn{{1, 0, "Ines Calder", "Reefs."}, {2, 1, "Rafe Obi", "Tides."}, {3, 2, "Ines Calder", "Moons."}})
}
