package load

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	iofs "io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/topicgraph/topicgraph/internal/feed"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/htmlnotes"
	"github.com/topicgraph/topicgraph/internal/notes"
	"github.com/topicgraph/topicgraph/internal/transcript"
)

// A feed item is loaded like a file. Its source is "FEED#item=ID" and its
// bytes are a bundle (JSON) of what the episode is made of: the item's fields,
// its show notes and its transcript's text. Bundles are kept in the cache
// directory, so an item is hashed, skipped when unchanged and re-read later
// (even offline) exactly as a file is.
const itemMark = "#item="

func itemSource(feedArg, id string) string { return feedArg + itemMark + id }

func isItemSource(source string) bool { return strings.Contains(source, itemMark) }

// bundle is everything one feed item's episode is made of.
type bundle struct {
	Feed       string   `json:"feed"`
	Show       string   `json:"show,omitempty"`
	ID         string   `json:"id"`
	GUID       string   `json:"guid"`
	Title      string   `json:"title,omitempty"`
	Date       string   `json:"date,omitempty"`
	Link       string   `json:"link,omitempty"`
	Audio      string   `json:"audio,omitempty"`
	People     []string `json:"people,omitempty"`
	Notes      string   `json:"notes,omitempty"` // HTML
	NotesLine  int      `json:"notes_line,omitempty"`
	Transcript string   `json:"transcript,omitempty"` // URL or path
	Format     string   `json:"format,omitempty"`     // vtt, srt, json, html, text
	Text       string   `json:"text,omitempty"`       // the transcript's bytes
}

// feeds is what a load knows of the feeds it was given.
type feeds struct {
	cacheDir string
	fetcher  *feed.Fetcher
	items    map[string]map[string]bool // feed argument → ids of its items now, for feeds read this time
}

func (fs *feeds) bundlePath(source string) string {
	sum := sha256.Sum256([]byte(source))
	return filepath.Join(fs.cacheDir, "items", hex.EncodeToString(sum[:16])+".json")
}

// read returns a feed item's bundle, as readFile returns a file's bytes.
func (fs *feeds) read(source string) ([]byte, error) {
	if fs == nil || fs.cacheDir == "" {
		return nil, &notes.Error{Path: source, Msg: "a feed item, and no cache directory to read it from: name its feed again"}
	}
	data, err := os.ReadFile(fs.bundlePath(source))
	if err != nil {
		return nil, &notes.Error{Path: source, Msg: "a feed item not in the cache (" + describe(err) + "): name its feed again"}
	}
	return data, nil
}

// readSource reads a file, or a feed item's bundle, and hashes it.
func (fs *feeds) readSource(source, fingerprint string) ([]byte, string, error) {
	if !isItemSource(source) {
		return readFile(source, fingerprint)
	}
	data, err := fs.read(source)
	if err != nil {
		return nil, "", err
	}
	return data, hashBytes(fingerprint, data), nil
}

// sourceGone says whether a stored episode's source is gone: its file no
// longer exists, or its feed was read in this load without it.
func (fs *feeds) sourceGone(source string) bool {
	if isItem, gone := fs.gone(source); isItem {
		return gone
	}
	_, err := os.Stat(source)
	return errors.Is(err, iofs.ErrNotExist)
}

// gone says whether a stored episode from a feed has left it: only a feed
// read in this load can say that an item is gone.
func (fs *feeds) gone(source string) (isItem, gone bool) {
	feedArg, id, ok := strings.Cut(source, itemMark)
	if !ok {
		return false, false
	}
	if fs == nil {
		return true, false
	}
	now, read := fs.items[feedArg]
	return true, read && !now[id]
}

// prepareFeeds reads each feed (fetching it, conditionally, when it is a URL),
// fetches or reads the transcript of every item, writes the items' bundles to
// the cache and returns them as files to load. A feed that cannot be read,
// and an item whose transcript cannot be had, are reported; the rest loads.
func prepareFeeds(ctx context.Context, args []string, opts Options) ([]file, []error, *feeds) {
	fs := &feeds{cacheDir: opts.CacheDir, fetcher: opts.Fetcher, items: map[string]map[string]bool{}}
	if len(args) == 0 {
		return nil, nil, fs
	}
	if fs.cacheDir == "" {
		var errs []error
		for _, a := range args {
			errs = append(errs, &feed.Error{URL: a, Msg: "feeds need a cache directory (graphload -cache DIR)"})
		}
		return nil, errs, fs
	}
	if fs.fetcher == nil {
		fs.fetcher = feed.NewFetcher(filepath.Join(fs.cacheDir, "http"))
	}
	var files []file
	var errs []error
	owner := map[string]string{} // episode id → the source that has it
	named := map[string]bool{}
	for _, arg := range args {
		if ctx.Err() != nil {
			break
		}
		if named[arg] {
			continue
		}
		named[arg] = true
		f, ferrs := fs.prepare(ctx, arg, opts.Force)
		errs = append(errs, ferrs...)
		for _, it := range f {
			if prev, dup := owner[it.id]; dup {
				errs = append(errs, &feed.Error{URL: it.path, Msg: fmt.Sprintf("has the same guid, so the same episode id %q, as %s: skipped", it.id, prev)})
				continue
			}
			owner[it.id] = it.path
			files = append(files, it)
		}
	}
	return files, errs, fs
}

// remote says whether a feed argument is a URL (else a local path).
func remote(arg string) bool {
	return strings.HasPrefix(arg, "http://") || strings.HasPrefix(arg, "https://")
}

func (fs *feeds) prepare(ctx context.Context, arg string, force bool) ([]file, []error) {
	var data []byte
	if remote(arg) {
		resp, err := fs.fetcher.Get(ctx, arg, feed.Revalidate)
		if err != nil {
			return nil, []error{err}
		}
		// When the server cannot be reached, the cached copy answers
		// (resp.Offline): following a show offline is what the cache is for.
		data = resp.Body
	} else {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, []error{&feed.Error{URL: arg, Msg: describe(err)}}
		}
		if !info.Mode().IsRegular() {
			return nil, []error{&feed.Error{URL: arg, Msg: "not a regular file"}}
		}
		if info.Size() > feed.DefaultMaxSize {
			return nil, []error{&feed.Error{URL: arg, Msg: fmt.Sprintf("file is %d MB, larger than the %d MB limit for feeds", info.Size()>>20, feed.DefaultMaxSize>>20)}}
		}
		if data, err = os.ReadFile(arg); err != nil {
			return nil, []error{&feed.Error{URL: arg, Msg: describe(err)}}
		}
	}
	parsed, errs, err := feed.Parse(arg, data)
	if err != nil {
		return nil, append(errs, err)
	}
	now := map[string]bool{}
	fs.items[arg] = now
	var files []file
	for _, it := range parsed.Items {
		if ctx.Err() != nil {
			break
		}
		now[it.ID] = true
		b := bundle{Feed: arg, Show: parsed.Title, ID: it.ID, GUID: it.GUID, Title: it.Title, Date: it.Date, Link: it.Link, Audio: it.Audio,
			People: append(append([]string{}, it.Guests...), it.Hosts...), Notes: it.Notes, NotesLine: it.NotesLine}
		name := it.Title
		if name == "" {
			name = it.GUID
		}
		if t, ok := it.Best(); ok {
			text, where, err := fs.transcript(ctx, arg, t, force)
			if err != nil {
				errs = append(errs, &feed.Error{URL: where, Item: name, Msg: "transcript: " + err.Error()})
			} else {
				b.Transcript, b.Format, b.Text = where, t.Format(), text
			}
		}
		if b.Text == "" && strings.TrimSpace(b.Notes) == "" {
			if len(it.Transcripts) == 0 {
				errs = append(errs, &feed.Error{URL: arg, Line: it.Line, Item: name, Msg: "no transcript and no show notes: nothing to load"})
			}
			continue
		}
		source := itemSource(arg, it.ID)
		data, _ := json.Marshal(b)
		if err := fs.writeBundle(source, data); err != nil {
			errs = append(errs, &feed.Error{URL: arg, Item: name, Msg: "cannot keep the item in the cache: " + err.Error()})
			continue
		}
		files = append(files, file{path: source, id: it.ID})
	}
	return files, errs
}

// transcript fetches (or, for a local feed, reads) an item's transcript. It
// returns the transcript's location as the episode's evidence refers to it.
func (fs *feeds) transcript(ctx context.Context, feedArg string, t feed.Transcript, force bool) (string, string, error) {
	ref, err := url.Parse(t.URL)
	if err != nil {
		return "", t.URL, fmt.Errorf("not a URL: %v", err)
	}
	if remote(feedArg) {
		base, _ := url.Parse(feedArg)
		u := base.ResolveReference(ref)
		if u.Scheme != "http" && u.Scheme != "https" {
			// A feed from the network must not make us read local files.
			return "", t.URL, errors.New("only http and https transcripts are fetched for a feed from the network")
		}
		return fs.fetch(ctx, u.String(), force)
	}
	switch ref.Scheme {
	case "http", "https":
		return fs.fetch(ctx, t.URL, force)
	case "file", "":
		// A local feed names local transcripts by a path relative to the
		// feed's folder, or by a file: URL.
		p := ref.Path
		if ref.Scheme == "" && !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(feedArg), filepath.FromSlash(p))
		}
		info, err := os.Stat(p)
		if err != nil {
			return "", p, errors.New(describe(err))
		}
		if !info.Mode().IsRegular() {
			return "", p, errors.New("not a regular file")
		}
		if err := notes.CheckSize(p, info.Size()); err != nil {
			return "", p, errors.New(err.(*notes.Error).Msg)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", p, errors.New(describe(err))
		}
		return string(data), p, nil
	}
	return "", t.URL, fmt.Errorf("a %s: URL cannot be read", ref.Scheme)
}

// fetch gets a transcript: from the cache when it was fetched before (a
// published transcript rarely changes), unless the load is forced.
func (fs *feeds) fetch(ctx context.Context, u string, force bool) (string, string, error) {
	policy := feed.PreferCache
	if force {
		policy = feed.Revalidate
	}
	resp, err := fs.fetcher.Get(ctx, u, policy)
	if err != nil {
		var fe *feed.FetchError
		if errors.As(err, &fe) {
			return "", u, errors.New(fe.Msg)
		}
		return "", u, err
	}
	return string(resp.Body), u, nil
}

// writeBundle keeps an item's bundle, leaving an unchanged one untouched.
func (fs *feeds) writeBundle(source string, data []byte) error {
	p := fs.bundlePath(source)
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp%d", p, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}

// parseItem reads a feed item's bundle into a document: its transcript when
// it has one (evidence then points into the transcript), else its show notes
// (evidence points into the feed). The item's fields fill the metadata.
func parseItem(source string, data []byte) (*notes.Document, error) {
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, &notes.Error{Path: source, Msg: "the cached feed item is unreadable (" + err.Error() + "): load its feed again with -force"}
	}
	name := b.Title
	if name == "" {
		name = b.GUID
	}
	var doc *notes.Document
	var err error
	if b.Text != "" {
		doc, err = parseTranscript(b.Transcript, b.Format, []byte(b.Text))
	} else {
		doc, err = htmlnotes.ParseFragment(b.Feed, []byte(b.Notes), max(b.NotesLine, 1))
	}
	if err != nil {
		var ne *notes.Error
		if errors.As(err, &ne) {
			return nil, &feed.Error{URL: ne.Path, Line: ne.Line, Item: name, Msg: ne.Msg}
		}
		return nil, &feed.Error{URL: b.Feed, Item: name, Msg: err.Error()}
	}
	for i, w := range doc.Warnings {
		var ne *notes.Error
		if errors.As(w, &ne) {
			doc.Warnings[i] = &feed.Error{URL: ne.Path, Line: ne.Line, Item: name, Msg: ne.Msg}
		}
	}
	if b.Title != "" {
		doc.Meta.Title = b.Title
	}
	doc.Meta.Date, doc.Meta.Show, doc.Meta.URL, doc.Meta.Audio = b.Date, b.Show, b.Link, b.Audio
	doc.Meta.Guests = unique(append(append([]string{}, b.People...), doc.Meta.Guests...))
	return doc, nil
}

// parseTranscript reads a fetched transcript in the format its link named.
func parseTranscript(where, format string, data []byte) (*notes.Document, error) {
	switch format {
	case "vtt":
		return transcript.ParseVTT(where, data)
	case "srt":
		return transcript.ParseSRT(where, data)
	case "json":
		return transcript.ParseJSON(where, data)
	case "html":
		return htmlnotes.Parse(where, data)
	}
	return parseText(where, data)
}

func unique(names []string) []string {
	seen := map[string]bool{}
	out := names[:0]
	for _, n := range names {
		k := strings.ToLower(strings.Join(strings.Fields(n), " "))
		if k != "" && !seen[k] {
			seen[k] = true
			out = append(out, n)
		}
	}
	return out
}

// episodeFromDoc fills an episode's metadata from a parsed document.
func episodeFromDoc(ep graph.Episode, doc *notes.Document) graph.Episode {
	ep.Title, ep.Date, ep.Show, ep.Guests, ep.Tags = doc.Meta.Title, doc.Meta.Date, doc.Meta.Show, doc.Meta.Guests, doc.Meta.Tags
	ep.URL, ep.Audio = doc.Meta.URL, doc.Meta.Audio
	return ep
}

// FeedDocument is one feed item read as a load reads it.
type FeedDocument struct {
	Source string // FEED#item=ID, the episode's source
	ID     string
	Doc    *notes.Document
}

// FeedDocuments reads feeds as a load does (fetching through the cache under
// cacheDir) and returns each item's document, for commands that look at what
// a load would extract without storing it.
func FeedDocuments(ctx context.Context, feedArgs []string, cacheDir string) ([]FeedDocument, []error) {
	files, errs, fds := prepareFeeds(ctx, feedArgs, Options{CacheDir: cacheDir})
	var out []FeedDocument
	for _, f := range files {
		data, err := fds.read(f.path)
		if err == nil {
			var doc *notes.Document
			if doc, err = parseItem(f.path, data); err == nil {
				out = append(out, FeedDocument{Source: f.path, ID: f.id, Doc: doc})
				continue
			}
		}
		errs = append(errs, err)
	}
	return out, errs
}
