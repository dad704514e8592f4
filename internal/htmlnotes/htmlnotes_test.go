package htmlnotes

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/notes"
)

const showNotes = `<!doctype html>
<html><head>
<title>Ep. 7 &ndash; Tidal power</title>
<style>h1 { color: red }</style>
<script>var tracking = "Ignore this text";</script>
</head>
<body>
<h1>Tidal power on the Severn</h1>
<p>This week <a href="https://example.org/g">Gwen Harlow</a> explains
why the <strong>Severn barrage</strong> never got built.</p>
<h2>Links</h2>
<ul>
  <li><a href="https://example.org/r">Swansea lagoon report</a></li>
  <li>Tidal stream turbines
    <ul><li>Orkney test site</li></ul>
  </li>
</ul>
<p>
   Music by a friend.<br>Thanks for listening.</p>
<noscript>Enable JavaScript</noscript>
</body></html>
`

type block struct {
	kind   notes.BlockKind
	level  int
	line   int
	text   string
	marked []string
}

func TestParse(t *testing.T) {
	doc, err := Parse("2025-01-10-tidal.html", []byte(showNotes))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Meta.Title != "Ep. 7 – Tidal power" || doc.Meta.Date != "2025-01-10" {
		t.Errorf("meta = %+v", doc.Meta)
	}
	var got []block
	for _, b := range doc.Blocks {
		got = append(got, block{b.Kind, b.Level, b.Line, b.Text, b.Marked})
	}
	want := []block{
		{notes.Heading, 1, 8, "Tidal power on the Severn", nil},
		{notes.Paragraph, 0, 9, "This week Gwen Harlow explains why the Severn barrage never got built.", []string{"Gwen Harlow", "Severn barrage"}},
		{notes.Heading, 2, 11, "Links", nil},
		{notes.Bullet, 0, 13, "Swansea lagoon report", []string{"Swansea lagoon report"}},
		{notes.Bullet, 0, 14, "Tidal stream turbines", nil},
		{notes.Bullet, 1, 15, "Orkney test site", nil},
		{notes.Paragraph, 0, 19, "Music by a friend. Thanks for listening.", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("blocks:\n got %+v\nwant %+v", got, want)
	}
	for _, b := range doc.Blocks {
		if strings.Contains(b.Text, "Ignore") || strings.Contains(b.Text, "color") || strings.Contains(b.Text, "JavaScript") {
			t.Errorf("script, style or noscript text kept: %q", b.Text)
		}
	}
}

func TestFragmentLinesAreOffset(t *testing.T) {
	doc, err := ParseFragment("feed.xml", []byte("<p>First idea.</p>\n<p>Second idea about <em>kelp farming</em>.</p>"), 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) != 2 || doc.Blocks[0].Line != 40 || doc.Blocks[1].Line != 41 || doc.Meta.Title != "First idea." {
		t.Errorf("blocks = %+v, title %q", doc.Blocks, doc.Meta.Title)
	}
	if !reflect.DeepEqual(doc.Blocks[1].Marked, []string{"kelp farming"}) {
		t.Errorf("marked = %q", doc.Blocks[1].Marked)
	}
}

func TestOneLineOneBlock(t *testing.T) {
	// Show notes are often one long line: the store keeps one text per line.
	doc, err := Parse("x.html", []byte("<h2>Topics</h2><ul><li><a href=x>Peat bogs</a></li><li>Methane</li></ul>\n<p>Next line.</p>"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) != 2 || doc.Blocks[0].Text != "Topics Peat bogs Methane" || doc.Blocks[0].Kind != notes.Paragraph ||
		!reflect.DeepEqual(doc.Blocks[0].Marked, []string{"Peat bogs"}) || doc.Blocks[1].Line != 2 {
		t.Errorf("blocks = %+v", doc.Blocks)
	}
}

func TestBrokenHTMLStillReads(t *testing.T) {
	// Unclosed tags, a stray end tag, an unterminated script: what a feed's
	// description often holds.
	doc, err := Parse("x.html", []byte("<p>Open paragraph <b>bold never closed\n<li>item</ul></div>\n<script>lost"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Blocks) != 2 || doc.Blocks[0].Text != "Open paragraph bold never closed" || doc.Blocks[1].Text != "item" {
		t.Errorf("blocks = %+v", doc.Blocks)
	}
}

func TestErrors(t *testing.T) {
	for name, c := range map[string]struct{ src, want string }{
		"only script": {"<script>alert(1)</script><style>p{}</style>", "x.html:1: no text in the HTML"},
		"empty":       {"  \n", "x.html: empty file"},
		"binary":      {"<p>a\x00</p>", "x.html:1: binary file"},
	} {
		_, err := Parse("x.html", []byte(c.src))
		var ne *notes.Error
		if !errors.As(err, &ne) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestDeepNestingIsBounded(t *testing.T) {
	src := strings.Repeat("<ul><li>x", 10000)
	doc, err := Parse("deep.html", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range doc.Blocks {
		if b.Level >= maxDepth {
			t.Fatalf("bullet level %d beyond the bound %d", b.Level, maxDepth)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(showNotes), 1)
	f.Add([]byte("<p>a<a>b<a>c</p><h3>d"), 12)
	f.Add([]byte("<![CDATA[x]]><!-- c --><title>t"), 1)
	f.Fuzz(func(t *testing.T, data []byte, first int) {
		first = 1 + abs(first)%1000
		doc, err := ParseFragment("f.html", data, first)
		if err != nil {
			var ne *notes.Error
			if !errors.As(err, &ne) {
				t.Fatalf("error %v is not a *notes.Error", err)
			}
			return
		}
		last := first + strings.Count(string(data), "\n") + strings.Count(string(data), "\r")
		seen := map[int]bool{}
		for _, b := range doc.Blocks {
			if b.Line < first || b.Line > last || strings.TrimSpace(b.Text) == "" || seen[b.Line] {
				t.Fatalf("block %+v outside lines %d..%d, empty or on a line already used", b, first, last)
			}
			seen[b.Line] = true
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}
