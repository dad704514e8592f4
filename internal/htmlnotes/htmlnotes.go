// Package htmlnotes reads HTML show notes (a page, or the HTML fragment of a
// feed item's description) into a notes.Document: headings h1–h6 become
// headings, list items bullets, paragraphs and other blocks paragraphs; the
// texts of links and of emphasis become marked terms; scripts, styles and
// other non-text elements are dropped. Line numbers are those of the source,
// so evidence points into the file.
package htmlnotes

import (
	"bytes"
	"path/filepath"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/topicgraph/topicgraph/internal/notes"
)

// maxDepth bounds the nesting of lists that is tracked: deeper lists are read
// as the deepest level, so a hostile page cannot grow the stack without end.
const maxDepth = 64

// Parse reads an HTML file. The <title> (or else the first heading) is the
// episode's title.
func Parse(path string, data []byte) (*notes.Document, error) {
	return ParseFragment(path, data, 1)
}

// ParseFragment reads HTML that starts at line firstLine of its source (show
// notes inside a feed start somewhere in the feed file).
func ParseFragment(path string, data []byte, firstLine int) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	p := &parser{doc: &notes.Document{Path: path}, line: firstLine, firstLine: firstLine}
	p.run(text)
	doc := p.doc
	for _, b := range p.blocks {
		doc.Add(b)
	}
	if doc.Meta.Title == "" {
		for _, b := range doc.Blocks {
			if b.Kind == notes.Heading {
				doc.Meta.Title = b.Text
				break
			}
		}
	}
	if doc.Meta.Title == "" && len(doc.Blocks) > 0 {
		doc.Meta.Title = doc.Blocks[0].Text
	}
	doc.Meta.Date = notes.DateFromName(filepath.Base(path))
	if len(doc.Blocks) == 0 {
		return nil, &notes.Error{Path: path, Line: firstLine, Msg: "no text in the HTML"}
	}
	return doc, nil
}

type parser struct {
	doc       *notes.Document
	blocks    []notes.Block // gathered; one per source line (see flush)
	line      int           // line of the token being read
	firstLine int

	// The block being gathered.
	kind      notes.BlockKind
	level     int
	text      strings.Builder
	textLine  int // line of the block's first text
	marked    []string
	markDepth int // > 0 inside a link or emphasis
	mark      strings.Builder

	skipDepth int // > 0 inside script, style and the like
	listDepth int
	inTitle   bool
	title     strings.Builder
}

func (p *parser) run(text string) {
	z := html.NewTokenizer(strings.NewReader(text))
	z.SetMaxBuf(notes.MaxFileSize)
	p.kind = notes.Paragraph
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// The end of the input (io.EOF), or the buffer limit, which the
			// size check in notes.Text keeps out of reach.
			break
		}
		raw := z.Raw()
		line := p.line
		p.line += bytes.Count(raw, []byte("\n"))
		switch tt {
		case html.TextToken:
			if p.skipDepth > 0 {
				continue
			}
			t := string(z.Text())
			if p.inTitle {
				p.title.WriteString(t)
				continue
			}
			p.addText(t, line, raw)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			p.start(atom.Lookup(name), tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			p.end(atom.Lookup(name))
		}
	}
	p.flush()
	if t := strings.Join(strings.Fields(p.title.String()), " "); t != "" {
		p.doc.Meta.Title = t
	}
}

// addText adds a text token that starts on line.
func (p *parser) addText(t string, line int, raw []byte) {
	if strings.TrimSpace(t) == "" {
		if p.text.Len() > 0 {
			p.text.WriteByte(' ')
		}
		return
	}
	if p.text.Len() == 0 || strings.TrimSpace(p.text.String()) == "" {
		// The block starts at its first non-blank text, not at the blank
		// lines before it.
		lead := len(raw) - len(bytes.TrimLeft(raw, " \t\r\n"))
		p.textLine = line + bytes.Count(raw[:lead], []byte("\n"))
	}
	p.text.WriteString(t)
	if p.markDepth > 0 {
		p.mark.WriteString(t)
	}
}

// Elements whose content is not text for a reader.
var skipped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Iframe: true, atom.Object: true, atom.Canvas: true, atom.Select: true, atom.Textarea: true}

// Elements that end the block before them and start a new one.
var blockish = map[atom.Atom]bool{atom.P: true, atom.Div: true, atom.Blockquote: true, atom.Pre: true, atom.Section: true,
	atom.Article: true, atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Main: true, atom.Nav: true, atom.Table: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Dt: true, atom.Dd: true, atom.Dl: true, atom.Figure: true, atom.Figcaption: true,
	atom.Hr: true, atom.Br: true, atom.Body: true, atom.Form: true, atom.Details: true, atom.Summary: true}

var headingLevel = map[atom.Atom]int{atom.H1: 1, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 5, atom.H6: 6}

// Inline elements whose text the writer marked.
var marking = map[atom.Atom]bool{atom.A: true, atom.Strong: true, atom.Em: true, atom.B: true, atom.I: true, atom.Cite: true, atom.Mark: true}

func (p *parser) start(a atom.Atom, selfClosing bool) {
	if skipped[a] {
		if !selfClosing {
			p.skipDepth++
		}
		return
	}
	if p.skipDepth > 0 {
		return
	}
	switch {
	case a == atom.Title:
		p.inTitle = !selfClosing
	case headingLevel[a] > 0:
		p.flush()
		p.kind, p.level = notes.Heading, headingLevel[a]
	case a == atom.Ul || a == atom.Ol:
		p.flush()
		if !selfClosing {
			p.listDepth = min(p.listDepth+1, maxDepth)
		}
	case a == atom.Li:
		p.flush()
		p.kind, p.level = notes.Bullet, max(p.listDepth-1, 0)
	case blockish[a]:
		p.flush()
	case marking[a] && !selfClosing:
		if p.markDepth == 0 {
			p.mark.Reset()
		}
		p.markDepth++
	}
}

func (p *parser) end(a atom.Atom) {
	if skipped[a] {
		if p.skipDepth > 0 {
			p.skipDepth--
		}
		return
	}
	if p.skipDepth > 0 {
		return
	}
	switch {
	case a == atom.Title:
		p.inTitle = false
	case headingLevel[a] > 0 || a == atom.Li:
		p.flush()
	case a == atom.Ul || a == atom.Ol:
		p.flush()
		if p.listDepth > 0 {
			p.listDepth--
		}
	case blockish[a]:
		p.flush()
	case marking[a]:
		if p.markDepth > 0 {
			p.markDepth--
			if p.markDepth == 0 {
				if t := strings.Join(strings.Fields(p.mark.String()), " "); t != "" && len(t) <= 120 {
					p.marked = append(p.marked, t)
				}
			}
		}
	}
}

// flush ends the block being gathered. What follows it is a paragraph unless
// an element says otherwise (an li inside a list keeps its bullet level).
func (p *parser) flush() {
	if t := strings.Join(strings.Fields(p.text.String()), " "); t != "" {
		b := notes.Block{Kind: p.kind, Level: p.level, Line: max(p.textLine, p.firstLine), Text: t, Marked: p.marked}
		// A line of the source has one text, as in notes: blocks that start
		// on one line (a description written on a single line) read as one
		// paragraph, so evidence for that line is the same wherever it is cited.
		if n := len(p.blocks); n > 0 && p.blocks[n-1].Line == b.Line {
			last := &p.blocks[n-1]
			if last.Kind != b.Kind || last.Level != b.Level {
				last.Kind, last.Level = notes.Paragraph, 0
			}
			last.Text += " " + b.Text
			last.Marked = append(last.Marked, b.Marked...)
		} else {
			p.blocks = append(p.blocks, b)
		}
	}
	p.text.Reset()
	p.marked = nil
	p.kind, p.level = notes.Paragraph, 0
	if p.listDepth > 0 {
		// Text after a nested list inside an li still belongs to a bullet.
		p.kind, p.level = notes.Bullet, p.listDepth-1
	}
}
