package load

import (
	"path/filepath"
	"strings"

	"github.com/topicgraph/topicgraph/internal/htmlnotes"
	"github.com/topicgraph/topicgraph/internal/notes"
	"github.com/topicgraph/topicgraph/internal/transcript"
)

// parsers maps a file extension to the parser of that kind of episode file.
var parsers = map[string]func(path string, data []byte) (*notes.Document, error){
	".txt":      parseText,
	".md":       notes.Parse,
	".markdown": notes.Parse,
	".vtt":      transcript.ParseVTT,
	".srt":      transcript.ParseSRT,
	".json":     transcript.ParseJSON,
	".html":     htmlnotes.Parse,
	".htm":      htmlnotes.Parse,
}

// InputKinds lists the file types graphload reads, for messages.
const InputKinds = ".txt, .md, .markdown, .vtt, .srt, .json (Podcasting 2.0 transcripts), .html and .htm; feeds as .xml, .rss, .atom or http(s) URLs"

// IsInputFile reports whether a path has an extension that graphload reads
// as one episode.
func IsInputFile(path string) bool {
	_, ok := parsers[strings.ToLower(filepath.Ext(path))]
	return ok
}

// IsFeed reports whether a command-line argument names a feed: an http(s)
// URL, or a file ending in .xml, .rss or .atom. Feeds are read only when named:
// a folder walk does not pick up XML files, which are rarely feeds.
func IsFeed(arg string) bool {
	if strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://") {
		return true
	}
	switch strings.ToLower(filepath.Ext(arg)) {
	case ".xml", ".rss", ".atom":
		return true
	}
	return false
}

// ParseFile reads one episode file with the parser its extension names (a
// feed item's source reads its stored bundle).
func ParseFile(path string, data []byte) (*notes.Document, error) {
	if isItemSource(path) {
		return parseItem(path, data)
	}
	parse, ok := parsers[strings.ToLower(filepath.Ext(path))]
	if !ok {
		return nil, &notes.Error{Path: path, Msg: "not an episode file: graphload reads " + InputKinds}
	}
	return parse(path, data)
}

// parseText reads a .txt file as a timed transcript when most of its lines
// are timed speaker lines, else as notes.
func parseText(path string, data []byte) (*notes.Document, error) {
	text, err := notes.Text(path, data)
	if err != nil {
		return nil, err
	}
	if transcript.LooksTimed(text) {
		return transcript.ParseText(path, data)
	}
	return notes.Parse(path, data)
}
