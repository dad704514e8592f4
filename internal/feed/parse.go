// Package feed reads podcast feeds (RSS 2.0 with the iTunes and Podcasting 2.0
// extensions, and Atom) into episodes, and fetches feeds and transcripts over
// HTTP politely: bounded time, size and redirects, conditional requests, a few
// retries, and an on-disk cache so a rerun works offline.
//
// It parses with encoding/xml rather than a feed library: the few elements an
// episode needs (including the podcast: namespace's transcript and person
// tags) are a short list, the decoder gives the line of every element so
// evidence from show notes points into the feed file, and the parser's limits
// stay in our hands.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/topicgraph/topicgraph/internal/extract"
)

// Feed is one parsed feed.
type Feed struct {
	Title  string
	Author string // the channel's itunes:author (or Atom author)
	Hosts  []string
	Items  []Item
}

// Item is one episode of a feed.
type Item struct {
	Line        int    // line of the item in the feed
	GUID        string // the guid (Atom: id); stable across runs
	ID          string // episode id derived from the GUID
	Title       string
	Date        string // YYYY-MM-DD, or "" when the feed has no readable date
	Link        string // the episode's page
	Audio       string // the enclosure URL
	Notes       string // show notes: content:encoded, else description (HTML)
	NotesLine   int    // line of the feed where the notes start
	Transcripts []Transcript
	Hosts       []string
	Guests      []string
}

// Transcript is a <podcast:transcript> link.
type Transcript struct {
	URL  string
	Type string // MIME type as the feed says it
}

// Error is a problem with a feed, or with one of its items.
type Error struct {
	URL  string // the feed's URL or path
	Item string // the item's title or guid, when the problem is the item's
	Line int
	Msg  string
}

func (e *Error) Error() string {
	where := e.URL
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.URL, e.Line)
	}
	if e.Item != "" {
		return fmt.Sprintf("%s: item %q: %s", where, e.Item, e.Msg)
	}
	return where + ": " + e.Msg
}

// Namespaces, matched loosely: a feed that forgot to declare a prefix still
// says "podcast" or "itunes" in the element's space.
func isPodcast(space string) bool {
	return space == "podcast" || strings.Contains(space, "podcastindex.org")
}
func isITunes(space string) bool {
	return space == "itunes" || strings.Contains(space, "itunes.com")
}
func isContent(space string) bool {
	return space == "content" || strings.Contains(space, "purl.org/rss/1.0/modules/content")
}

// maxItems bounds how many items one feed may have: more is not a podcast.
const maxItems = 100000

// Parse reads an RSS 2.0 or Atom feed. source names it in errors. Items
// without a guid, link or enclosure cannot be followed across runs and are
// reported in the returned item errors while the others load.
func Parse(source string, data []byte) (*Feed, []error, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Entity = xml.HTMLEntity // &nbsp; and friends are common in descriptions
	d.CharsetReader = charsetReader
	fail := func(err error) error {
		line, _ := d.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line = se.Line
			err = errors.New(se.Msg)
		}
		if errors.Is(err, io.EOF) {
			return &Error{URL: source, Msg: "not a feed: no <rss> or <feed> element"}
		}
		return &Error{URL: source, Line: line, Msg: "not a readable feed (malformed XML): " + err.Error()}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, nil, fail(err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		p := &parser{d: d, source: source, fail: fail}
		switch se.Name.Local {
		case "rss":
			return p.rss()
		case "feed":
			return p.atom()
		case "RDF":
			return nil, nil, &Error{URL: source, Msg: "RSS 1.0 (RDF) feeds are not read: use the show's RSS 2.0 or Atom feed"}
		default:
			line, _ := d.InputPos()
			return nil, nil, &Error{URL: source, Line: line, Msg: fmt.Sprintf("not a feed: the document is <%s>, not <rss> or <feed>", se.Name.Local)}
		}
	}
}

func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		return latin1{in}, nil
	}
	return nil, fmt.Errorf("encoding %q is not supported: feeds are read as UTF-8 or Latin-1", label)
}

// latin1 decodes ISO-8859-1 into UTF-8 (windows-1252 differs only in the
// 0x80–0x9F punctuation, which reads as the Latin-1 control characters).
type latin1 struct{ r io.Reader }

func (l latin1) Read(p []byte) (int, error) {
	if len(p) < 2 {
		return 0, io.ErrShortBuffer // a byte may take two
	}
	buf := make([]byte, len(p)/2)
	n, err := l.r.Read(buf)
	out := p[:0]
	for _, b := range buf[:n] {
		if b < 0x80 {
			out = append(out, b)
		} else {
			out = append(out, 0xC0|b>>6, 0x80|b&0x3F)
		}
	}
	return len(out), err
}

type parser struct {
	d      *xml.Decoder
	source string
	fail   func(error) error
}

// text reads the text of the element just started (CDATA included) up to its end.
func (p *parser) text(se xml.StartElement) (string, error) {
	var s struct {
		Text string `xml:",chardata"`
	}
	if err := p.d.DecodeElement(&s, &se); err != nil {
		return "", err
	}
	return strings.TrimSpace(s.Text), nil
}

// inner reads the inner XML of the element just started: Atom's xhtml content.
func (p *parser) inner(se xml.StartElement) (string, error) {
	var s struct {
		Inner string `xml:",innerxml"`
	}
	if err := p.d.DecodeElement(&s, &se); err != nil {
		return "", err
	}
	return s.Inner, nil
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func (p *parser) rss() (*Feed, []error, error) {
	f := &Feed{}
	var itemErrs []error
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return nil, nil, &Error{URL: p.source, Msg: "not a readable feed (malformed XML): the document ends inside <rss>"}
		}
		if err != nil {
			return nil, nil, p.fail(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "rss" {
				return p.finish(f, itemErrs)
			}
		case xml.StartElement:
			switch {
			case t.Name.Local == "channel":
				// Its children are read by this loop.
			case t.Name.Local == "item" && t.Name.Space == "":
				it, err := p.rssItem(t)
				if err != nil {
					return nil, nil, p.fail(err)
				}
				if len(f.Items) >= maxItems {
					return nil, nil, &Error{URL: p.source, Msg: fmt.Sprintf("more than %d items: not read", maxItems)}
				}
				f.Items = append(f.Items, it)
			case t.Name.Local == "title" && t.Name.Space == "" && f.Title == "":
				if f.Title, err = p.text(t); err != nil {
					return nil, nil, p.fail(err)
				}
			case t.Name.Local == "author" && isITunes(t.Name.Space):
				if f.Author, err = p.text(t); err != nil {
					return nil, nil, p.fail(err)
				}
			case t.Name.Local == "person" && isPodcast(t.Name.Space):
				role := strings.ToLower(attr(t, "role"))
				name, err := p.text(t)
				if err != nil {
					return nil, nil, p.fail(err)
				}
				if name != "" && (role == "" || role == "host") {
					f.Hosts = append(f.Hosts, name)
				}
			default:
				if err := p.d.Skip(); err != nil {
					return nil, nil, p.fail(err)
				}
			}
		}
	}
}

func (p *parser) rssItem(start xml.StartElement) (Item, error) {
	line, _ := p.d.InputPos()
	it := Item{Line: line}
	var description string
	var descLine int
	for {
		tok, err := p.d.Token()
		if err != nil {
			return it, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if it.Notes == "" {
				it.Notes, it.NotesLine = description, descLine
			}
			return it, nil
		case xml.StartElement:
			l, _ := p.d.InputPos()
			switch {
			case t.Name.Local == "title" && t.Name.Space == "":
				it.Title, err = p.text(t)
			case t.Name.Local == "guid":
				it.GUID, err = p.text(t)
			case t.Name.Local == "link" && t.Name.Space == "":
				it.Link, err = p.text(t)
			case t.Name.Local == "pubDate":
				var s string
				s, err = p.text(t)
				it.Date = date(s)
			case t.Name.Local == "enclosure":
				it.Audio = attr(t, "url")
				err = p.d.Skip()
			case t.Name.Local == "encoded" && isContent(t.Name.Space):
				it.NotesLine = l
				it.Notes, err = p.text(t)
			case t.Name.Local == "description" && t.Name.Space == "":
				descLine = l
				description, err = p.text(t)
			case t.Name.Local == "transcript" && isPodcast(t.Name.Space):
				if u := attr(t, "url"); u != "" {
					it.Transcripts = append(it.Transcripts, Transcript{URL: u, Type: attr(t, "type")})
				}
				err = p.d.Skip()
			case t.Name.Local == "person" && isPodcast(t.Name.Space):
				role := strings.ToLower(attr(t, "role"))
				var name string
				name, err = p.text(t)
				switch {
				case name == "":
				case role == "guest":
					it.Guests = append(it.Guests, name)
				case role == "" || role == "host":
					it.Hosts = append(it.Hosts, name)
				}
			case t.Name.Local == "author" && isITunes(t.Name.Space):
				var name string
				if name, err = p.text(t); name != "" {
					it.Hosts = append(it.Hosts, name)
				}
			default:
				err = p.d.Skip()
			}
			if err != nil {
				return it, err
			}
		}
	}
}

func (p *parser) atom() (*Feed, []error, error) {
	f := &Feed{}
	var itemErrs []error
	for {
		tok, err := p.d.Token()
		if err == io.EOF {
			return nil, nil, &Error{URL: p.source, Msg: "not a readable feed (malformed XML): the document ends inside <feed>"}
		}
		if err != nil {
			return nil, nil, p.fail(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return p.finish(f, itemErrs)
		case xml.StartElement:
			switch {
			case t.Name.Local == "entry":
				it, err := p.atomEntry()
				if err != nil {
					return nil, nil, p.fail(err)
				}
				if len(f.Items) >= maxItems {
					return nil, nil, &Error{URL: p.source, Msg: fmt.Sprintf("more than %d items: not read", maxItems)}
				}
				f.Items = append(f.Items, it)
			case t.Name.Local == "title" && f.Title == "":
				if f.Title, err = p.text(t); err != nil {
					return nil, nil, p.fail(err)
				}
			case t.Name.Local == "author":
				if f.Author, err = p.atomPerson(); err != nil {
					return nil, nil, p.fail(err)
				}
			default:
				if err := p.d.Skip(); err != nil {
					return nil, nil, p.fail(err)
				}
			}
		}
	}
}

// atomPerson reads the name of an Atom author (the start tag already read).
func (p *parser) atomPerson() (string, error) {
	name := ""
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return name, nil
		case xml.StartElement:
			if t.Name.Local == "name" {
				if name, err = p.text(t); err != nil {
					return "", err
				}
			} else if err := p.d.Skip(); err != nil {
				return "", err
			}
		}
	}
}

func (p *parser) atomEntry() (Item, error) {
	line, _ := p.d.InputPos()
	it := Item{Line: line}
	var summary string
	var summaryLine int
	var published, updated string
	for {
		tok, err := p.d.Token()
		if err != nil {
			return it, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if it.Notes == "" {
				it.Notes, it.NotesLine = summary, summaryLine
			}
			if it.Date = date(published); it.Date == "" {
				it.Date = date(updated)
			}
			return it, nil
		case xml.StartElement:
			l, _ := p.d.InputPos()
			switch {
			case t.Name.Local == "title" && !isPodcast(t.Name.Space):
				it.Title, err = p.text(t)
			case t.Name.Local == "id":
				it.GUID, err = p.text(t)
			case t.Name.Local == "published":
				published, err = p.text(t)
			case t.Name.Local == "updated":
				updated, err = p.text(t)
			case t.Name.Local == "link":
				switch attr(t, "rel") {
				case "", "alternate":
					it.Link = attr(t, "href")
				case "enclosure":
					it.Audio = attr(t, "href")
				}
				err = p.d.Skip()
			case t.Name.Local == "content" || t.Name.Local == "summary":
				var s string
				if attr(t, "type") == "xhtml" {
					s, err = p.inner(t)
				} else {
					s, err = p.text(t)
				}
				if t.Name.Local == "content" {
					it.Notes, it.NotesLine = s, l
				} else {
					summary, summaryLine = s, l
				}
			case t.Name.Local == "author":
				var name string
				if name, err = p.atomPerson(); name != "" {
					it.Hosts = append(it.Hosts, name)
				}
			case t.Name.Local == "transcript" && isPodcast(t.Name.Space):
				if u := attr(t, "url"); u != "" {
					it.Transcripts = append(it.Transcripts, Transcript{URL: u, Type: attr(t, "type")})
				}
				err = p.d.Skip()
			case t.Name.Local == "person" && isPodcast(t.Name.Space):
				role := strings.ToLower(attr(t, "role"))
				var name string
				name, err = p.text(t)
				if name != "" && role == "guest" {
					it.Guests = append(it.Guests, name)
				} else if name != "" {
					it.Hosts = append(it.Hosts, name)
				}
			default:
				err = p.d.Skip()
			}
			if err != nil {
				return it, err
			}
		}
	}
}

// finish gives items their ids and the channel's people, and reports the items
// that cannot be followed.
func (p *parser) finish(f *Feed, itemErrs []error) (*Feed, []error, error) {
	kept := f.Items[:0]
	ids := map[string]bool{}
	for _, it := range f.Items {
		key := it.GUID
		if key == "" {
			key = it.Link
		}
		if key == "" {
			key = it.Audio
		}
		name := it.Title
		if name == "" {
			name = key
		}
		if key == "" {
			itemErrs = append(itemErrs, &Error{URL: p.source, Line: it.Line, Item: name, Msg: "no guid, link or enclosure to know it by across runs: skipped"})
			continue
		}
		it.ID = ItemID(key)
		if ids[it.ID] {
			itemErrs = append(itemErrs, &Error{URL: p.source, Line: it.Line, Item: name, Msg: fmt.Sprintf("guid %q repeats an earlier item: skipped", key)})
			continue
		}
		ids[it.ID] = true
		if len(it.Hosts) == 0 {
			it.Hosts = append(it.Hosts, f.Hosts...)
			if f.Author != "" && len(f.Hosts) == 0 {
				it.Hosts = append(it.Hosts, f.Author)
			}
		}
		kept = append(kept, it)
	}
	f.Items = kept
	if len(f.Items) == 0 && len(itemErrs) == 0 {
		return nil, nil, &Error{URL: p.source, Msg: "the feed has no items"}
	}
	return f, itemErrs, nil
}

// ItemID makes an episode id of a guid that stays the same across runs: a
// readable slug of the guid's last part and a short hash of the whole guid,
// since guids are often URLs or UUIDs that only differ at the end.
func ItemID(guid string) string {
	tail := guid
	if u, err := url.Parse(guid); err == nil && u.Host != "" {
		tail = strings.Trim(u.Path, "/")
		if tail == "" {
			tail = u.Host
		}
		tail = path.Base(tail)
		tail = strings.TrimSuffix(tail, path.Ext(tail))
	}
	slug := extract.ID(strings.ToLower(tail))
	if len(slug) > 32 {
		slug = strings.Trim(slug[:32], "-")
	}
	sum := sha256.Sum256([]byte(guid))
	h := hex.EncodeToString(sum[:4])
	if slug == "" {
		return "ep-" + h
	}
	return slug + "-" + h
}

// date reads RSS (RFC 822 and its many variants) and Atom (RFC 3339) dates.
func date(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.RFC3339, time.RFC3339Nano,
		"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST",
		"Mon, 02 Jan 2006 15:04 -0700", "Mon, 2 Jan 2006 15:04 MST", "Mon, 02 Jan 06 15:04:05 -0700", "Mon, 2 January 2006 15:04:05 -0700",
		"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

// Best picks the transcript to fetch: VTT, then SRT, then JSON, then HTML or
// plain text; a link with an unknown type is tried last.
func (it Item) Best() (Transcript, bool) {
	best, rank := Transcript{}, 0
	for _, t := range it.Transcripts {
		if r := rankOf(t); r > rank {
			best, rank = t, r
		}
	}
	return best, rank > 0
}

func rankOf(t Transcript) int {
	switch ext := strings.ToLower(path.Ext(urlPath(t.URL))); {
	case strings.Contains(t.Type, "vtt") || ext == ".vtt":
		return 6
	case strings.Contains(t.Type, "subrip") || strings.Contains(t.Type, "srt") || ext == ".srt":
		return 5
	case strings.Contains(t.Type, "json") || ext == ".json":
		return 4
	case strings.Contains(t.Type, "html") || ext == ".html" || ext == ".htm":
		return 3
	case strings.Contains(t.Type, "text/plain") || ext == ".txt":
		return 2
	}
	return 1
}

func urlPath(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Path
	}
	return s
}

// Format says how to read a fetched transcript: "vtt", "srt", "json", "html"
// or "text".
func (t Transcript) Format() string {
	switch rankOf(t) {
	case 6:
		return "vtt"
	case 5:
		return "srt"
	case 4:
		return "json"
	case 3:
		return "html"
	}
	return "text"
}
