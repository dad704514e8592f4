// Package notes reads episode notes files, plain text or Markdown with optional
// YAML front matter, into a Document: the episode's metadata and its lines as
// typed blocks (title, headings, bullets, paragraphs), each with its line number,
// its text stripped of markup, and the terms the note-taker marked on purpose
// (emphasis, quotes, links, wiki links, tags).
package notes

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// MaxFileSize is the default size above which a notes file is refused: notes are
// small, and a huge file is almost certainly not notes.
const MaxFileSize = 8 << 20

// MaxLineText bounds the text read from one line (in characters, after
// markup is removed): a longer line is cut at a word boundary and ends in
// "…". Notes lines are short; without a bound, one multi-megabyte line would
// be chunked, paired and stored many times over.
const MaxLineText = 5000

// maxMarked bounds the marked terms kept per line and maxMarkedLen their
// length: a marked term longer than that is a passage, not a concept.
const (
	maxMarked    = 64
	maxMarkedLen = 200
)

// BlockKind says what a line of notes is.
type BlockKind int

// Kinds of block.
const (
	Title BlockKind = iota
	Heading
	Bullet
	Paragraph
	// Turn is one speaker's turn in a transcript: consecutive cues of the same
	// speaker joined. It plays the role of a paragraph in extraction.
	Turn
)

func (k BlockKind) String() string {
	return [...]string{"title", "heading", "bullet", "paragraph", "turn"}[k]
}

// Block is one line of notes with its markup removed.
type Block struct {
	Kind    BlockKind
	Level   int      // heading level (1 = top) or bullet depth (0 = top)
	Line    int      // 1-based line number in the file
	Text    string   // plain text: markup, list markers and link targets removed
	Section int      // index in Document.Blocks of the heading this block sits under, or -1
	Marked  []string // terms the writer marked: emphasis, quotes, link texts, wiki links, tags

	// Transcripts only. Timed says Time is known (a turn can start at 0 s).
	Time    float64 // seconds from the start of the recording where the block starts
	Timed   bool
	Speaker string // who speaks, as the transcript names them; "" when unknown
}

// Meta is the episode metadata found in a file.
type Meta struct {
	Title  string
	Date   string
	Show   string
	Guests []string
	Tags   []string
	URL    string // the episode's page (feeds: the item's link)
	Audio  string // the episode's audio file (feeds: the enclosure)
}

// Document is one parsed notes file.
type Document struct {
	Path     string
	Markdown bool
	Meta     Meta
	Blocks   []Block
	// Warnings are problems in parts of the file that were skipped (a broken
	// cue in a transcript) while the rest loaded.
	Warnings []error
}

// Error is a problem with one notes file, at a line when one applies.
type Error struct {
	Path string
	Line int
	Msg  string
	Err  error // the underlying error (such as fs.ErrNotExist), when there is one
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", Quote(e.Path), e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", Quote(e.Path), e.Msg)
}

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist) works.
func (e *Error) Unwrap() error { return e.Err }

// Quote returns a path fit for one line of a log: as it is when every
// character is printable, else Go-quoted ("a\nb.md"), so that a file name
// holding a newline or a terminal escape cannot forge or hide log lines.
func Quote(path string) string {
	for _, r := range path {
		if !unicode.IsPrint(r) || r == utf8.RuneError {
			return strconv.Quote(path)
		}
	}
	return path
}

// CheckSize refuses a file larger than MaxFileSize, so a caller can refuse it
// before reading it.
func CheckSize(path string, size int64) error {
	if size > MaxFileSize {
		return &Error{Path: path, Msg: fmt.Sprintf("file is %d MB, larger than the %d MB limit for notes", size>>20, MaxFileSize>>20)}
	}
	return nil
}

// IsNotesFile reports whether a path has an extension that graphload reads.
func IsNotesFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".md", ".markdown":
		return true
	}
	return false
}

// Text checks that data is a readable text file (size, no NUL bytes, valid
// UTF-8) and returns it without a byte order mark and with line endings made
// "\n". Every parser of episode files starts here, so all refuse the same way.
func Text(path string, data []byte) (string, error) {
	if err := CheckSize(path, int64(len(data))); err != nil {
		return "", err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if decoded, isUTF16, err := fromUTF16(path, data); isUTF16 {
		if err != nil {
			return "", err
		}
		data = decoded
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		if looksLikeUTF16(data) {
			return "", &Error{Path: path, Msg: "looks like UTF-16 text without a byte-order mark: save it as UTF-8 (or as UTF-16 with a byte-order mark)"}
		}
		return "", &Error{Path: path, Line: 1 + bytes.Count(data[:i], []byte("\n")), Msg: "binary file (contains NUL bytes), not text"}
	}
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			if r == '\n' {
				line++
			}
			i += size
		}
		return "", &Error{Path: path, Line: line, Msg: "invalid UTF-8: text files must be UTF-8"}
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if strings.TrimSpace(text) == "" {
		return "", &Error{Path: path, Msg: "empty file: nothing to read"}
	}
	return text, nil
}

// Parse reads one file's bytes. Markdown syntax is recognised in .md and
// .markdown files; plain-text files use the seed's conventions (first line is the
// title, short unpunctuated lines are headings, "- " starts a bullet).
func Parse(path string, data []byte) (*Document, error) {
	text, err := Text(path, data)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	ext := strings.ToLower(filepath.Ext(path))
	doc := &Document{Path: path, Markdown: ext == ".md" || ext == ".markdown"}
	start, err := doc.readFrontMatter(lines)
	if err != nil {
		return nil, err
	}
	if doc.Markdown {
		doc.parseMarkdown(lines, start)
	} else {
		doc.parsePlain(lines, start)
	}
	if doc.Meta.Title == "" {
		for _, b := range doc.Blocks {
			if b.Kind == Title || b.Kind == Heading {
				doc.Meta.Title = b.Text
				break
			}
		}
	}
	if doc.Meta.Title == "" && len(doc.Blocks) > 0 {
		doc.Meta.Title = doc.Blocks[0].Text
	}
	if doc.Meta.Date == "" {
		doc.Meta.Date = dateFromName(filepath.Base(path))
	}
	if len(doc.Blocks) == 0 {
		return nil, &Error{Path: path, Msg: "no notes after the front matter"}
	}
	return doc, nil
}

// fromUTF16 converts a file that starts with a UTF-16 byte-order mark (as
// Windows editors save "Unicode" text) to UTF-8. isUTF16 is false for any
// other file. The result is at most 1.5 times the input's size.
func fromUTF16(path string, data []byte) (utf8Data []byte, isUTF16 bool, err error) {
	var order binary.ByteOrder
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		order = binary.LittleEndian
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		order = binary.BigEndian
	default:
		return nil, false, nil
	}
	data = data[2:]
	if len(data)%2 != 0 {
		return nil, true, &Error{Path: path, Msg: "UTF-16 text (it starts with a UTF-16 byte-order mark) with an odd number of bytes: the file is cut short"}
	}
	units := make([]uint16, len(data)/2)
	for i := range units {
		units[i] = order.Uint16(data[2*i:])
	}
	return []byte(string(utf16.Decode(units))), true, nil
}

// looksLikeUTF16 reports whether data, which holds NUL bytes, reads as
// UTF-16 without a byte-order mark: mostly ASCII text with every other byte
// NUL, which a binary file rarely is.
func looksLikeUTF16(data []byte) bool {
	n := min(len(data), 1024) &^ 1
	if n < 16 {
		return false
	}
	var zeros [2]int
	for i := 0; i < n; i++ {
		if data[i] == 0 {
			zeros[i%2]++
		}
	}
	half := n / 2
	return zeros[0] >= half*9/10 && zeros[1] == 0 || zeros[1] >= half*9/10 && zeros[0] == 0
}

var yamlLine = regexp.MustCompile(`^line (\d+): `)

var fileDate = regexp.MustCompile(`^(\d{4})-(\d{2})(?:-(\d{2}))?(?:[^0-9]|$)`)

// DateFromName reads a YYYY-MM-DD or YYYY-MM prefix of a file name, or "".
func DateFromName(name string) string { return dateFromName(name) }

// dateFromName reads a YYYY-MM-DD or YYYY-MM prefix of a file name.
func dateFromName(name string) string {
	m := fileDate.FindStringSubmatch(name)
	if m == nil {
		return ""
	}
	if m[3] != "" {
		d := m[1] + "-" + m[2] + "-" + m[3]
		if _, err := time.Parse("2006-01-02", d); err == nil {
			return d
		}
		return ""
	}
	if _, err := time.Parse("2006-01", m[1]+"-"+m[2]); err == nil {
		return m[1] + "-" + m[2]
	}
	return ""
}

// readFrontMatter parses YAML between a first line "---" and the next "---" or
// "...", returning the index of the first line after it.
func (d *Document) readFrontMatter(lines []string) (int, error) {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 0, nil
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, &Error{Path: d.Path, Line: 1, Msg: "front matter starts with --- but never ends (no closing --- line)"}
	}
	var root yaml.Node
	err := yaml.Unmarshal([]byte(strings.Join(lines[1:end], "\n")), &root)
	if err == nil && len(root.Content) == 1 {
		// Decoding into a map also refuses duplicate keys and non-mappings.
		var raw map[string]any
		err = root.Content[0].Decode(&raw)
	}
	if err != nil {
		line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line = n + 1 // the YAML starts on the file's second line
			msg = strings.TrimPrefix(msg, m[0])
		}
		return 0, &Error{Path: d.Path, Line: line, Msg: "broken front matter: " + msg}
	}
	if len(root.Content) == 0 {
		return end + 1, nil // nothing between the --- lines
	}
	fields := root.Content[0].Content // key, value, key, value ...
	for i := 0; i+1 < len(fields); i += 2 {
		key, value := fields[i], fields[i+1]
		name := strings.ToLower(key.Value)
		var want string
		switch name {
		case "title", "date", "show", "podcast", "channel", "url", "link", "audio", "enclosure":
			want = "single"
		case "guests", "guest", "tags":
			want = "list"
		default:
			continue // other fields are the writer's own
		}
		if err := checkFieldType(value, want); err != "" {
			// The YAML starts on the file's second line.
			return 0, &Error{Path: d.Path, Line: value.Line + 1, Msg: fmt.Sprintf("front matter field %q %s", key.Value, err)}
		}
		var v any
		if err := value.Decode(&v); err != nil {
			return 0, &Error{Path: d.Path, Line: value.Line + 1, Msg: fmt.Sprintf("front matter field %q: %v", key.Value, err)}
		}
		switch name {
		case "title":
			d.Meta.Title = cleanInline(scalar(v))
		case "date":
			d.Meta.Date = dateValue(v)
		case "show", "podcast", "channel":
			d.Meta.Show = scalar(v)
		case "guests", "guest":
			d.Meta.Guests = list(v)
		case "tags":
			d.Meta.Tags = list(v)
		case "url", "link":
			d.Meta.URL = scalar(v)
		case "audio", "enclosure":
			d.Meta.Audio = scalar(v)
		}
	}
	return end + 1, nil
}

// checkFieldType says what is wrong when a front matter value does not have
// the shape its field needs ("" when it does): a single value (text, a number
// or a date), or for a list field a single value or a list of them. Anything
// else used to be printed into the field as Go syntax.
func checkFieldType(n *yaml.Node, want string) string {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode {
		return ""
	}
	if want == "list" && n.Kind == yaml.SequenceNode {
		for _, e := range n.Content {
			if e.Kind == yaml.AliasNode && e.Alias != nil {
				e = e.Alias
			}
			if e.Kind != yaml.ScalarNode {
				return "must be a list of names or words, not a list holding " + shape(e)
			}
		}
		return ""
	}
	if want == "list" {
		return "must be a list or a single value, not " + shape(n)
	}
	return "must be a single value, not " + shape(n)
}

// shape names the kind of a YAML node for an error message.
func shape(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map (key: value pairs)"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a nested structure"
}

func scalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(x)
	case time.Time:
		return x.Format("2006-01-02")
	default:
		return strings.TrimSpace(fmt.Sprint(x))
	}
}

func dateValue(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format("2006-01-02")
	}
	s := scalar(v)
	if m := fileDate.FindStringSubmatch(s); m != nil {
		return dateFromName(s)
	}
	return s
}

func list(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s := scalar(e); s != "" {
				out = append(out, s)
			}
		}
	case string:
		for _, s := range strings.Split(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		if s := scalar(v); s != "" {
			out = append(out, s)
		}
	}
	return out
}

var (
	bulletMarker   = regexp.MustCompile(`^([-*+•●▪◦‣]|\d{1,3}[.)])\s+`)
	mdHeading      = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	setextUnder    = regexp.MustCompile(`^(=+|-+)\s*$`)
	horizontalRule = regexp.MustCompile(`^([-*_]\s*){3,}$`)
)

// indentDepth converts leading whitespace to a nesting depth (a tab or two spaces per level).
func indentDepth(line string) int {
	w := 0
	for _, r := range line {
		if r == ' ' {
			w++
		} else if r == '\t' {
			w += 4
		} else {
			break
		}
	}
	return w / 2
}

// Add appends a block the way the notes parsers do: it finds the heading the
// block sits under, strips inline markup (Markdown only in Markdown documents),
// adds the terms so marked to the ones the caller set, and drops a block left
// without text. Other readers of episode files (transcripts, HTML) build their
// documents with it.
func (d *Document) Add(b Block) { d.add(b) }

func (d *Document) add(b Block) {
	b.Section = -1
	for i := len(d.Blocks) - 1; i >= 0; i-- {
		if d.Blocks[i].Kind == Heading {
			b.Section = i
			break
		}
	}
	var found []string
	b.Text, found = stripMarkup(b.Text, d.Markdown)
	b.Marked = append(b.Marked, found...)
	if strings.TrimSpace(b.Text) == "" {
		return
	}
	b.Text = Truncate(b.Text, MaxLineText)
	marked := b.Marked[:0]
	for _, m := range b.Marked {
		if len(marked) < maxMarked && utf8.RuneCountInString(m) <= maxMarkedLen {
			marked = append(marked, m)
		}
	}
	b.Marked = marked
	d.Blocks = append(d.Blocks, b)
}

func (d *Document) parsePlain(lines []string, start int) {
	titleDone := false
	for i := start; i < len(lines); i++ {
		raw := lines[i]
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		line := i + 1
		if m := bulletMarker.FindString(t); m != "" && len(t) > len(m) {
			d.add(Block{Kind: Bullet, Level: indentDepth(raw) / 1, Line: line, Text: t[len(m):]})
			titleDone = true
			continue
		}
		if !titleDone {
			titleDone = true
			d.add(Block{Kind: Title, Line: line, Text: t})
			continue
		}
		if looksLikeHeading(t, nextNonEmpty(lines, i+1)) {
			d.add(Block{Kind: Heading, Level: 2, Line: line, Text: strings.TrimRight(t, ":")})
			continue
		}
		d.add(Block{Kind: Paragraph, Line: line, Text: t})
	}
}

func nextNonEmpty(lines []string, from int) string {
	for i := from; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); t != "" {
			return t
		}
	}
	return ""
}

// looksLikeHeading: in plain-text notes a heading is a short line that does not
// read as a sentence (no closing punctuation), or any short line followed by bullets.
func looksLikeHeading(t, next string) bool {
	words := len(strings.Fields(t))
	if words == 0 || words > 12 || len(t) > 90 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	if strings.ContainsRune(".!?;,…", last) {
		return false
	}
	if last == ':' {
		return bulletMarker.MatchString(next)
	}
	return true
}

func (d *Document) parseMarkdown(lines []string, start int) {
	inFence := false
	fence := ""
	for i := start; i < len(lines); i++ {
		raw := strings.TrimRight(lines[i], " \t")
		t := strings.TrimSpace(raw)
		line := i + 1
		if inFence {
			if strings.HasPrefix(t, fence) {
				inFence = false
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			inFence, fence = true, t[:3]
			continue
		}
		if t == "" || strings.HasPrefix(t, "<!--") || horizontalRule.MatchString(t) && !bulletMarker.MatchString(t+" x") {
			continue
		}
		if horizontalRule.MatchString(t) {
			continue
		}
		if m := mdHeading.FindStringSubmatch(t); m != nil {
			d.add(Block{Kind: Heading, Level: len(m[1]), Line: line, Text: m[2]})
			continue
		}
		if next := ""; i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
			if next != "" && setextUnder.MatchString(next) && !bulletMarker.MatchString(t) {
				level := 1
				if next[0] == '-' {
					level = 2
				}
				d.add(Block{Kind: Heading, Level: level, Line: line, Text: t})
				i++
				continue
			}
		}
		t = strings.TrimLeft(strings.TrimPrefix(t, ">"), " ")
		if m := bulletMarker.FindString(t); m != "" {
			d.add(Block{Kind: Bullet, Level: indentDepth(raw), Line: line, Text: t[len(m):]})
			continue
		}
		// A line that is wholly bold reads as a heading in many people's notes.
		if strings.HasPrefix(t, "**") && strings.HasSuffix(strings.TrimRight(t, ":"), "**") && strings.Count(t, "**") == 2 {
			d.add(Block{Kind: Heading, Level: 3, Line: line, Text: strings.TrimRight(t, ":")})
			continue
		}
		d.add(Block{Kind: Paragraph, Line: line, Text: t})
	}
}

var (
	mdLink    = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	wikiLink  = regexp.MustCompile(`\[\[([^\]|]+)(?:\|([^\]]+))?\]\]`)
	hashTag   = regexp.MustCompile(`(^|\s)#([\p{L}][\p{L}\p{N}_/-]*)`)
	bold      = regexp.MustCompile(`(\*\*|__)([^*_]+?)(\*\*|__)`)
	italic    = regexp.MustCompile(`(^|[^\p{L}\p{N}*_])[*_]([^*_\s][^*_]*?)[*_]($|[^\p{L}\p{N}*_])`)
	codeSpan  = regexp.MustCompile("`([^`]+)`")
	quoted    = regexp.MustCompile(`["“”]([^"“”]{2,80})["“”]`)
	htmlTag   = regexp.MustCompile(`</?[a-zA-Z][^>]*>`)
	autoLink  = regexp.MustCompile(`<(https?://[^>]+)>`)
	bareURL   = regexp.MustCompile(`https?://\S+`)
	spaceRuns = regexp.MustCompile(`\s+`)
)

// stripMarkup removes inline Markdown (in Markdown files) and returns the
// terms the writer marked: emphasis, link texts, wiki links, tags and quotes.
func stripMarkup(s string, markdown bool) (string, []string) {
	var marked []string
	keep := func(t string) {
		t = strings.TrimSpace(t)
		if t != "" {
			marked = append(marked, t)
		}
	}
	// Each pattern runs only where its marker occurs: most lines have none.
	if strings.Contains(s, "[[") {
		s = wikiLink.ReplaceAllStringFunc(s, func(m string) string {
			sm := wikiLink.FindStringSubmatch(m)
			keep(sm[1])
			if sm[2] != "" {
				return sm[2]
			}
			return sm[1]
		})
	}
	if markdown {
		if strings.Contains(s, "<http") {
			s = autoLink.ReplaceAllString(s, "$1")
		}
		if strings.Contains(s, "](") {
			s = mdLink.ReplaceAllStringFunc(s, func(m string) string {
				sm := mdLink.FindStringSubmatch(m)
				keep(sm[1])
				return sm[1]
			})
		}
		if strings.Contains(s, "`") {
			s = codeSpan.ReplaceAllString(s, "$1")
		}
		if strings.Contains(s, "**") || strings.Contains(s, "__") {
			s = bold.ReplaceAllStringFunc(s, func(m string) string {
				sm := bold.FindStringSubmatch(m)
				keep(sm[2])
				return sm[2]
			})
		}
		if strings.ContainsAny(s, "*_") {
			s = italic.ReplaceAllStringFunc(s, func(m string) string {
				sm := italic.FindStringSubmatch(m)
				keep(sm[2])
				return sm[1] + sm[2] + sm[3]
			})
		}
		if strings.Contains(s, "<") {
			s = htmlTag.ReplaceAllString(s, "")
		}
		if strings.Contains(s, "#") {
			s = hashTag.ReplaceAllStringFunc(s, func(m string) string {
				sm := hashTag.FindStringSubmatch(m)
				keep(strings.NewReplacer("-", " ", "_", " ").Replace(sm[2]))
				return sm[1] + sm[2]
			})
		}
	}
	if strings.Contains(s, "://") {
		s = bareURL.ReplaceAllString(s, "")
	}
	if strings.ContainsAny(s, "\"“”") {
		for _, m := range quoted.FindAllStringSubmatch(s, -1) {
			keep(m[1])
		}
	}
	return strings.TrimSpace(spaceRuns.ReplaceAllString(s, " ")), marked
}

// Truncate cuts s to at most limit characters, at a space when one is near
// the cut, and marks the cut with "…" (which counts towards the limit).
func Truncate(s string, limit int) string {
	if limit < 1 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == limit-1 {
			cut = i
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut*9/10 {
		cut = sp
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// cleanInline strips markup from a short metadata string.
func cleanInline(s string) string {
	t, _ := stripMarkup(s, true)
	return strings.TrimFunc(t, unicode.IsSpace)
}
