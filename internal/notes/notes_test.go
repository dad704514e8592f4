package notes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func kinds(d *Document) string {
	var b []string
	for _, bl := range d.Blocks {
		b = append(b, bl.Kind.String()[:1])
	}
	return strings.Join(b, "")
}

func TestPlainText(t *testing.T) {
	src := "Episode Title Here\nFirst Section\n- a bullet about Moloch.\n- another bullet\nThis is commentary, written as a sentence.\nSecond Section\n- third\n"
	for name, data := range map[string]string{
		"lf":   src,
		"crlf": strings.ReplaceAll(src, "\n", "\r\n"),
		"bom":  "\xef\xbb\xbf" + src,
	} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse("2024-05-06-show.txt", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if d.Meta.Title != "Episode Title Here" || d.Meta.Date != "2024-05-06" {
				t.Errorf("meta %+v", d.Meta)
			}
			if got := kinds(d); got != "thbbphb" {
				t.Errorf("block kinds %q, want thbbphb", got)
			}
			b := d.Blocks[2]
			if b.Line != 3 || b.Text != "a bullet about Moloch." || b.Section != 1 {
				t.Errorf("bullet %+v", b)
			}
			if d.Blocks[6].Section != 5 {
				t.Errorf("third bullet's section = %d, want 5", d.Blocks[6].Section)
			}
		})
	}
}

func TestMarkdownWithFrontMatter(t *testing.T) {
	src := `---
title: "Attention, **Addiction**"
date: 2024-03-02
show: Deep Signals
guests: [Ada Lovelace, Alan Turing]
tags:
  - attention
  - ubi
---
# Heading One
Intro paragraph with a [link text](https://example.org) and **bold term**.

## Sub *section*
- top bullet about *flow states*
  - nested bullet with [[Wiki Page|alias]] and #deep-work
1. numbered item “quoted idea” here
* star bullet

` + "```\ncode - not a bullet\n```\n"
	d, err := Parse("notes.md", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Meta{Title: "Attention, Addiction", Date: "2024-03-02", Show: "Deep Signals",
		Guests: []string{"Ada Lovelace", "Alan Turing"}, Tags: []string{"attention", "ubi"}}
	if !reflect.DeepEqual(d.Meta, want) {
		t.Errorf("meta %+v, want %+v", d.Meta, want)
	}
	if got := kinds(d); got != "hphbbbb" {
		t.Fatalf("kinds %q, want hphbbbb", got)
	}
	p := d.Blocks[1]
	if p.Line != 11 || p.Text != "Intro paragraph with a link text and bold term." {
		t.Errorf("paragraph %+v", p)
	}
	if !reflect.DeepEqual(p.Marked, []string{"link text", "bold term"}) {
		t.Errorf("marked %q", p.Marked)
	}
	nested := d.Blocks[4]
	if nested.Level != 1 || nested.Text != "nested bullet with alias and deep-work" {
		t.Errorf("nested %+v", nested)
	}
	if !reflect.DeepEqual(nested.Marked, []string{"Wiki Page", "deep work"}) {
		t.Errorf("nested marked %q", nested.Marked)
	}
	if d.Blocks[5].Marked[0] != "quoted idea" || d.Blocks[5].Text != "numbered item “quoted idea” here" {
		t.Errorf("numbered %+v", d.Blocks[5])
	}
	if d.Blocks[2].Text != "Sub section" || d.Blocks[3].Section != 2 {
		t.Errorf("heading %+v / section %d", d.Blocks[2], d.Blocks[3].Section)
	}
}

func TestMarkdownTitleFromHeading(t *testing.T) {
	d, err := Parse("x.markdown", []byte("Some intro line\n\n# The Real Title\n- b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Meta.Title != "The Real Title" {
		t.Errorf("title %q", d.Meta.Title)
	}
	if dateFromName("2024-13-01-x.md") != "" || dateFromName("2023-07-notes.txt") != "2023-07" {
		t.Error("file name dates")
	}
}

func TestBadInput(t *testing.T) {
	for name, c := range map[string]struct{ data, want string }{
		"empty":       {"\n \n", "f.md: empty file"},
		"binary":      {"a\nb\x00c", "f.md:2: binary file"},
		"utf8":        {"ok\nok\nbad \xff here", "f.md:3: invalid UTF-8"},
		"frontmatter": {"---\ntitle: a\ntags: x: y\n---\n# h\n", "f.md:3: broken front matter"},
		"unclosed":    {"---\ntitle: a\n# h\n", "f.md:1: front matter starts with --- but never ends"},
		"only-meta":   {"---\ntitle: a\n---\n\n", "f.md: no notes after the front matter"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("f.md", []byte(c.data))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v, want prefix %q", err, c.want)
			}
		})
	}
	big := make([]byte, MaxFileSize+1)
	if _, err := Parse("big.txt", big); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("big file: %v", err)
	}
}

// checkParse holds Parse to its promises on any input: no panic, an error
// naming the file, or a document with blocks whose text is bounded, on one
// line, and numbered within the file.
func checkParse(t *testing.T, path string, data []byte) {
	doc, err := Parse(path, data)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Path != path {
			t.Fatalf("error %v does not name %s", err, path)
		}
		return
	}
	if len(doc.Blocks) == 0 {
		t.Fatal("a document without blocks")
	}
	lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
	for _, b := range doc.Blocks {
		if n := utf8.RuneCountInString(b.Text); n > MaxLineText || n == 0 {
			t.Fatalf("block of %d characters", n)
		}
		if strings.ContainsAny(b.Text, "\n\r") {
			t.Fatalf("block text %q spans lines", b.Text)
		}
		if b.Line < 1 || b.Line > lines {
			t.Fatalf("block on line %d of %d", b.Line, lines)
		}
		if len(b.Marked) > maxMarked {
			t.Fatalf("%d marked terms", len(b.Marked))
		}
	}
	if strings.ContainsAny(doc.Meta.Title, "\n\r") {
		t.Fatalf("title %q spans lines", doc.Meta.Title)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("Title\n- bullet\n")
	f.Add("---\ntitle: x\n---\n# h\n- **b** [l](u) [[w]] #t\n")
	f.Add("Heading\r\n\r\n  - nested *em* \"quoted term\"\r\n```\ncode\n```\nSetext\n===\n")
	f.Add("\xff\xfeT\x00i\x00\n\x00-\x00 \x00b\x00")
	f.Add("a\x00b")
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, "f.md", []byte(s))
		checkParse(t, "f.txt", []byte(s))
	})
}

// FuzzFrontMatter feeds the YAML between the --- lines: any value of any
// shape is read or refused with the field named, never printed as Go syntax.
func FuzzFrontMatter(f *testing.F) {
	f.Add("title: x\ndate: 2024-05-06\ntags: [a, b]\nguests: Ada, Alan")
	f.Add("title: {nested: map}\ndate: [1,2,3]")
	f.Add("a: &x [1, 2]\nb: *x\ntitle: *x")
	f.Add("show: !!binary aGVsbG8=\ndate: 2024-02-30")
	f.Add("? [complex, key]\n: value\ntitle: ~")
	f.Add("title: " + strings.Repeat("[", 20000))                                                                         // nesting past yaml.v3's depth limit
	f.Add("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\ntitle: *c") // aliases that multiply
	f.Fuzz(func(t *testing.T, yaml string) {
		data := []byte("---\n" + yaml + "\n---\n# Heading\n- a bullet\n")
		checkParse(t, "f.md", data)
		doc, err := Parse("f.md", data)
		if err != nil {
			return
		}
		for _, v := range append([]string{doc.Meta.Title, doc.Meta.Date, doc.Meta.Show}, append(doc.Meta.Guests, doc.Meta.Tags...)...) {
			if strings.HasPrefix(v, "map[") {
				t.Fatalf("a map printed into a field: %q", v)
			}
		}
	})
}

// Front matter values of the wrong shape are errors naming the field and
// its line, not Go syntax printed into the title.
func TestFrontMatterFieldTypes(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"title-map":   {"title: {nested: map}", `f.md:2: front matter field "title" must be a single value, not a map`},
		"date-list":   {"date: [1,2,3]", `f.md:2: front matter field "date" must be a single value, not a list`},
		"show-list":   {"x: 1\nshow:\n  - a\n  - b", `f.md:4: front matter field "show" must be a single value, not a list`},
		"tags-map":    {"tags: {a: b}", `f.md:2: front matter field "tags" must be a list or a single value, not a map`},
		"guests-deep": {"guests: [[a, b]]", `f.md:2: front matter field "guests" must be a list of names or words, not a list holding a list`},
		"alias-map":   {"base: &m {a: b}\ntitle: *m", `f.md:3: front matter field "title" must be a single value, not a map`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("f.md", []byte("---\n"+c.yaml+"\n---\n# h\n- b\n"))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v, want prefix %q", err, c.want)
			}
		})
	}
	d, err := Parse("f.md", []byte("---\ntitle: 42\ndate: 2024-05-06\ntags: [a, 7]\nguest: Ada\nextra: {any: thing}\n---\n# h\n- b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Meta{Title: "42", Date: "2024-05-06", Tags: []string{"a", "7"}, Guests: []string{"Ada"}}); !reflect.DeepEqual(d.Meta, want) {
		t.Errorf("meta %+v, want %+v", d.Meta, want)
	}
}

// UTF-16 with a byte-order mark is read; without one it is named, not
// called binary.
func TestUTF16(t *testing.T) {
	text := "---\ntitle: Café\n---\n# Überblick\n- Moloch and 🦀 crabs\n"
	units := utf16.Encode([]rune(text))
	le, be := []byte{0xff, 0xfe}, []byte{0xfe, 0xff}
	bare := []byte{}
	for _, u := range units {
		le = binary.LittleEndian.AppendUint16(le, u)
		be = binary.BigEndian.AppendUint16(be, u)
		bare = binary.LittleEndian.AppendUint16(bare, u)
	}
	for name, data := range map[string][]byte{"le": le, "be": be} {
		d, err := Parse("f.md", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Meta.Title != "Café" || d.Blocks[1].Text != "Moloch and 🦀 crabs" || d.Blocks[1].Line != 5 {
			t.Errorf("%s: %+v %+v", name, d.Meta, d.Blocks)
		}
	}
	if _, err := Parse("f.md", bare); err == nil || !strings.Contains(err.Error(), "UTF-16 text without a byte-order mark") {
		t.Errorf("bare UTF-16: %v", err)
	}
	if _, err := Parse("f.md", le[:len(le)-1]); err == nil || !strings.Contains(err.Error(), "odd number of bytes") {
		t.Errorf("cut UTF-16: %v", err)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"notes/a b.md":       "notes/a b.md",
		"notes/é.md":         "notes/é.md",
		"a\nb.md":            `"a\nb.md"`,
		"a\x1b[31mred.md":    `"a\x1b[31mred.md"`,
		"bad\xffbyte.md":     `"bad\xffbyte.md"`,
		"tab\there.md":       `"tab\there.md"`,
		"zero\u200bwidth.md": `"zero\u200bwidth.md"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestFrontMatterURLAndAudio(t *testing.T) {
	doc, err := Parse("e.md", []byte("---\ntitle: Kelp\nurl: https://show.example/kelp\naudio: https://show.example/kelp.mp3\n---\n# Kelp\nKelp forests grow fast.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Meta.URL != "https://show.example/kelp" || doc.Meta.Audio != "https://show.example/kelp.mp3" {
		t.Errorf("meta = %+v", doc.Meta)
	}
}
