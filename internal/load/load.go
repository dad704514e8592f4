// Package load is graphload's pipeline: it finds notes files, skips the ones
// whose bytes have not changed since the last load, parses and extracts the
// others in parallel, replaces their episodes in a store one episode per
// transaction, optionally removes episodes whose files are gone, and finally
// recomputes the analytics over the whole graph and saves them.
package load

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/topicgraph/topicgraph/internal/extract"
	"github.com/topicgraph/topicgraph/internal/feed"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// Options tune a load.
type Options struct {
	Prune     bool                  // remove stored episodes whose notes files no longer exist
	Force     bool                  // re-extract files even when their bytes are unchanged
	Workers   int                   // parallel extraction workers; 0 means GOMAXPROCS
	Extractor *extract.Extractor    // nil means the built-in word lists only
	Progress  func(done, total int) // called after each file, when set
	CacheDir  string                // where fetched feeds, transcripts and feed items are kept; needed for feeds
	Fetcher   *feed.Fetcher         // nil means one with the default limits, caching under CacheDir
}

// Result summarises a load.
type Result struct {
	Files     int           // notes files found
	Loaded    int           // episodes written (new or changed)
	Unchanged int           // files skipped because their bytes had not changed
	Removed   int           // episodes pruned
	Failed    []error       // one error per file that could not be loaded
	Warnings  []error       // parts of files skipped while the rest loaded (a broken cue)
	Episodes  int           // episodes in the store after the load
	Concepts  int           // concepts in the store after the load
	Relations int           // relations in the store after the load
	Summary   graph.Summary // communities and modularity
	Resumed   bool          // an earlier load had stopped before its analytics; this one finished it
	Duration  time.Duration
}

// Summary is the one-line report graphload prints.
func (r Result) String() string {
	s := fmt.Sprintf("%d episodes (%d loaded, %d unchanged", r.Episodes, r.Loaded, r.Unchanged)
	if r.Removed > 0 {
		s += fmt.Sprintf(", %d removed", r.Removed)
	}
	if len(r.Failed) > 0 {
		s += fmt.Sprintf(", %d failed", len(r.Failed))
	}
	if r.Resumed {
		s += ", finished an interrupted load"
	}
	return s + fmt.Sprintf("), %d concepts, %d relations, %d themes in %s",
		r.Concepts, r.Relations, r.Summary.Themes, r.Duration.Round(time.Millisecond))
}

// file is one notes file to load.
type file struct {
	path string // as the user can find it: the root argument joined with the relative path
	id   string
}

// Run loads the notes under paths into st. File problems are collected in
// Result.Failed and do not stop the other files; the returned error is for
// problems with the store, or ctx ending (an interrupted load: every episode
// is then either wholly old or wholly new, and the store's analytics-due mark
// makes the next load finish the job).
//
// The corpus of a load is every episode the store will hold afterwards: the
// files named now, and the episodes stored by earlier loads from other paths
// (re-read from their stored Source). When anything changed, the whole corpus
// is extracted again, because extraction is two-pass across the corpus (see
// extract.ExtractAll): so a store loaded in any sequence of runs holds what
// one clean load of the same files would give.
func Run(ctx context.Context, st graph.Store, paths []string, opts Options) (Result, error) {
	res, err := run(ctx, st, paths, opts)
	if err != nil && ctx.Err() != nil {
		// A store may report a cancelled call in words of its own; callers
		// need to tell an interruption from a failure.
		err = fmt.Errorf("load interrupted: %w", ctx.Err())
	}
	return res, err
}

func run(ctx context.Context, st graph.Store, paths []string, opts Options) (Result, error) {
	start := time.Now()
	var res Result
	var feedArgs []string
	paths, feedArgs = splitFeeds(paths)
	files, errs := findFiles(paths)
	res.Failed = append(res.Failed, errs...)
	items, errs, fds := prepareFeeds(ctx, feedArgs, opts)
	res.Failed = append(res.Failed, errs...)
	files = append(files, items...)
	res.Files = len(files)
	x := opts.Extractor
	if x == nil {
		var err error
		if x, err = extract.New(nil); err != nil {
			return res, fmt.Errorf("starting the extractor: %w", err)
		}
	}
	stored, err := st.Episodes(ctx)
	if err != nil {
		return res, err
	}
	due, err := st.AnalyticsDue(ctx)
	if err != nil {
		return res, err
	}
	res.Resumed = due
	storedByID := make(map[string]graph.Episode, len(stored))
	for _, e := range stored {
		storedByID[e.ID] = e
	}

	// Read the named files and compare their bytes with what was stored. A
	// load that finds the analytics-due mark (an earlier load stopped between
	// its writes and its analytics) redoes everything.
	var corpus []member
	named := make(map[string]bool, len(files))
	changed := opts.Force || due
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		old, wasStored := storedByID[f.id]
		if wasStored && old.Source != f.path {
			if err := checkMove(old.Source, f.path, f.id); err != nil {
				res.Failed = append(res.Failed, err)
				continue // the stored episode stays, as one of the others
			}
		}
		named[f.id] = true
		m := member{ep: graph.Episode{ID: f.id, Source: f.path}, named: true}
		m.data, m.fileHash, m.err = fds.readSource(f.path, x.Fingerprint())
		corpus = append(corpus, m)
		if m.err != nil || !wasStored || fileHashOf(old.Hash) != m.fileHash || old.Source != f.path {
			changed = true
		}
	}
	// The stored episodes not named this time stay in the corpus, unless
	// -prune removes them because their files are gone.
	var gone []string
	var others []graph.Episode
	for _, e := range stored {
		if named[e.ID] {
			continue
		}
		if opts.Prune && fds.sourceGone(e.Source) {
			gone = append(gone, e.ID)
			changed = true
			continue
		}
		others = append(others, e)
	}

	if !changed {
		for _, m := range corpus {
			if m.err == nil {
				res.Unchanged++
			}
		}
	} else {
		for _, e := range others {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			m := member{ep: graph.Episode{ID: e.ID, Source: e.Source}}
			m.data, m.fileHash, m.err = fds.readSource(e.Source, x.Fingerprint())
			corpus = append(corpus, m)
		}
		if err := extractAndWrite(ctx, st, x, corpus, storedByID, &due, opts, &res); err != nil {
			return res, err
		}
	}
	if len(gone) > 0 {
		if err := markDue(ctx, st, &due); err != nil {
			return res, err
		}
		if err := st.RemoveEpisodes(ctx, gone); err != nil {
			return res, err
		}
		res.Removed = len(gone)
	}

	g, err := graph.Read(ctx, st)
	if err != nil {
		return res, err
	}
	if res.Loaded > 0 || res.Removed > 0 || due || opts.Force || len(g.Concepts) > 0 && !hasScores(g) {
		if res.Summary, err = analyze(ctx, g); err != nil {
			return res, err
		}
		if err := st.SaveAnalytics(ctx, g); err != nil {
			return res, err
		}
		if due {
			if err := st.SetAnalyticsDue(ctx, false); err != nil {
				return res, err
			}
		}
	} else {
		// Nothing changed: report the stored communities rather than recompute.
		seen := map[int]bool{}
		for _, c := range g.Concepts {
			seen[c.Community] = true
		}
		res.Summary.Communities = len(seen)
		res.Summary.Themes = graph.CountThemes(g)
	}
	res.Episodes, res.Concepts, res.Relations = len(g.Episodes), len(g.Concepts), len(g.Relations)
	res.Duration = time.Since(start)
	return res, nil
}

// member is one episode of a load's corpus with its file's bytes.
type member struct {
	ep       graph.Episode // ID and Source; the rest comes from parsing
	named    bool          // named on this run's command line (else stored earlier)
	data     []byte
	fileHash string
	err      error
}

// extractAndWrite parses and extracts the corpus and writes every episode
// whose facts changed. An episode that cannot be read or parsed keeps its
// stored facts, and the concepts it holds join the vocabulary, as they would
// if it had been extracted.
func extractAndWrite(ctx context.Context, st graph.Store, x *extract.Extractor, corpus []member,
	storedByID map[string]graph.Episode, due *bool, opts Options, res *Result) error {
	var srcs []extract.Source
	var hashesOf []string
	var named []bool
	keptAsStored := map[string]bool{}
	for _, m := range corpus {
		if m.err != nil {
			// A stored episode whose file has gone (without -prune) is kept
			// quietly; every other problem is reported.
			if m.named || !errors.Is(m.err, fs.ErrNotExist) {
				res.Failed = append(res.Failed, m.err)
			}
			keptAsStored[m.ep.ID] = true
			continue
		}
		doc, err := ParseFile(m.ep.Source, m.data)
		if err != nil {
			res.Failed = append(res.Failed, err)
			keptAsStored[m.ep.ID] = true
			continue
		}
		res.Warnings = append(res.Warnings, doc.Warnings...)
		ep := episodeFromDoc(m.ep, doc)
		srcs = append(srcs, extract.Source{Doc: doc, Episode: ep})
		hashesOf = append(hashesOf, m.fileHash)
		named = append(named, m.named)
	}
	known, err := storedConcepts(ctx, st, storedByID, keptAsStored)
	if err != nil {
		return err
	}
	all, failed, err := x.ExtractAllContext(ctx, srcs, known, opts.Workers, opts.Progress)
	if err != nil {
		return err
	}
	for j, facts := range all {
		if failed[j] != nil {
			res.Failed = append(res.Failed, failed[j])
			continue
		}
		facts.Episode.Hash = hashesOf[j] + ":" + factsDigest(facts)
		if storedByID[facts.Episode.ID].Hash == facts.Episode.Hash {
			if named[j] {
				res.Unchanged++
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := markDue(ctx, st, due); err != nil {
			return err
		}
		if err := st.ReplaceEpisode(ctx, facts); err != nil {
			return fmt.Errorf("storing %s: %w", notes.Quote(facts.Episode.Source), err)
		}
		res.Loaded++
	}
	return nil
}

// storedConcepts returns the concept ids that the stored episodes in ids
// mention: the vocabulary they bring to a load that does not re-extract them.
func storedConcepts(ctx context.Context, st graph.Store, storedByID map[string]graph.Episode, ids map[string]bool) (map[string]bool, error) {
	needed := false
	for id := range ids {
		if _, ok := storedByID[id]; ok {
			needed = true
			break
		}
	}
	if !needed {
		return nil, nil
	}
	facts, err := st.Facts(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, f := range facts {
		if ids[f.Episode.ID] {
			for _, m := range f.Mentions {
				known[m.Concept] = true
			}
		}
	}
	return known, nil
}

// markDue sets the store's analytics-due mark before a load's first write.
func markDue(ctx context.Context, st graph.Store, due *bool) error {
	if *due {
		return nil
	}
	if err := st.SetAnalyticsDue(ctx, true); err != nil {
		return err
	}
	*due = true
	return nil
}

// analyze runs graph.Analyze, returning early when ctx ends: the analytics
// of a large graph take seconds, and Ctrl-C should not wait for them (the
// store's analytics-due mark is still set, so nothing is lost).
func analyze(ctx context.Context, g *graph.Graph) (graph.Summary, error) {
	done := make(chan graph.Summary, 1)
	go func() { done <- graph.Analyze(g) }()
	select {
	case s := <-done:
		return s, nil
	case <-ctx.Done():
		return graph.Summary{}, ctx.Err()
	}
}

// checkMove refuses a file whose episode id the store already holds for a
// different file that still exists (dA/notes.txt and dB/notes.txt both make
// "notes"): loading it would silently replace the other episode. When the
// stored file no longer exists, the file has moved and the episode follows it.
func checkMove(storedSource, path, id string) error {
	was, err := os.Stat(storedSource)
	if err != nil {
		return nil
	}
	if now, err := os.Stat(path); err == nil && os.SameFile(was, now) {
		return nil // the same file, named by another path
	}
	return &notes.Error{Path: path, Msg: fmt.Sprintf(
		"has the episode id %q, which the store already holds for %s; rename one of the files (or delete that one and load with -prune)",
		id, notes.Quote(storedSource))}
}

func hasScores(g *graph.Graph) bool {
	for _, c := range g.Concepts {
		if c.PageRank > 0 {
			return true
		}
	}
	return false
}

// readFile reads one notes file and hashes its bytes together with the
// extraction fingerprint (rules and lexicon): changing either re-reads files.
func readFile(path, fingerprint string) (data []byte, hash string, err error) {
	if data, err = ReadNotesFile(path); err != nil {
		return nil, "", err
	}
	return data, hashBytes(fingerprint, data), nil
}

// hashBytes hashes a file's bytes with the extraction fingerprint.
func hashBytes(fingerprint string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(fingerprint + "\x00"))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// splitFeeds separates the feeds among the arguments from the files and folders.
func splitFeeds(args []string) (paths, feeds []string) {
	for _, a := range args {
		if IsFeed(a) {
			feeds = append(feeds, a)
		} else {
			paths = append(paths, a)
		}
	}
	return paths, feeds
}

// ReadNotesFile reads one notes file the way every command must: only a
// regular file (after following symlinks), since a named pipe would block for
// ever and a device such as /dev/zero never ends. The file is opened without
// blocking and checked again once open, so a file swapped for a pipe in
// between is refused too, and no read goes past notes.MaxFileSize. Errors are
// *notes.Error naming the file.
func ReadNotesFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, &notes.Error{Path: path, Msg: describe(err), Err: err}
	}
	if err := regularFile(path, info); err != nil {
		return nil, err
	}
	if err := notes.CheckSize(path, info.Size()); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &notes.Error{Path: path, Msg: describe(err), Err: err}
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, &notes.Error{Path: path, Msg: describe(err), Err: err}
	}
	if err := regularFile(path, info); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, notes.MaxFileSize+1))
	if err != nil {
		return nil, &notes.Error{Path: path, Msg: describe(err), Err: err}
	}
	if len(data) > notes.MaxFileSize {
		return nil, &notes.Error{Path: path, Msg: fmt.Sprintf("file grew past the %d MB limit for notes while it was read", notes.MaxFileSize>>20)}
	}
	return data, nil
}

// regularFile refuses anything but a regular file, naming what it is.
func regularFile(path string, info fs.FileInfo) error {
	mode := info.Mode()
	if mode.IsRegular() {
		return nil
	}
	what := "a special file"
	switch {
	case mode.IsDir():
		what = "a folder"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return &notes.Error{Path: path, Msg: "not a regular file (" + what + "): graphload reads only regular files"}
}

// An episode's stored Hash is "FILE:FACTS": the hash of the file's bytes
// (with the extraction fingerprint), then a digest of the facts extracted
// from it, so a load can tell both "this file changed" and "what this file
// yields changed".
func fileHashOf(stored string) string {
	h, _, _ := strings.Cut(stored, ":")
	return h
}

// factsDigest is a short digest of everything an episode's facts say.
func factsDigest(f graph.EpisodeFacts) string {
	f.Episode.Hash = ""
	data, _ := json.Marshal(f)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

func describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "cannot read the file: permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	}
	return "cannot read the file: " + err.Error()
}

// NotesFiles lists the notes files under paths (files and folders, walked
// recursively), with an error for each path that cannot be read.
func NotesFiles(paths []string) ([]string, []error) {
	files, errs := findFiles(paths)
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out, errs
}

// findFiles expands the paths into notes files, sorted, with stable episode ids.
func findFiles(paths []string) ([]file, []error) {
	var files []file
	var errs []error
	ids := map[string]string{}
	add := func(path, rel string) {
		id := EpisodeID(rel)
		if prev, ok := ids[id]; ok {
			if prev != path {
				errs = append(errs, &notes.Error{Path: path, Msg: fmt.Sprintf("has the same episode id %q as %s; rename one of them", id, notes.Quote(prev))})
			}
			return
		}
		ids[id] = path
		files = append(files, file{path: path, id: id})
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			errs = append(errs, &notes.Error{Path: root, Msg: describe(err), Err: err})
			continue
		}
		if !info.IsDir() {
			if !IsInputFile(root) {
				errs = append(errs, &notes.Error{Path: root, Msg: "not a notes file: graphload reads " + InputKinds})
				continue
			}
			add(root, filepath.Base(root))
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &notes.Error{Path: p, Msg: describe(err), Err: err})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if p != root && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && IsInputFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &notes.Error{Path: root, Msg: describe(err), Err: err})
		}
		sort.Strings(found)
		for _, p := range found {
			rel, _ := filepath.Rel(root, p)
			add(p, rel)
		}
	}
	return files, errs
}

// EpisodeID derives a stable, readable episode id from a file's path relative
// to the folder it was loaded from: the same file always gets the same id.
func EpisodeID(rel string) string {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), filepath.Ext(rel))
	if id := extract.ID(strings.ToLower(rel)); id != "" {
		return id
	}
	return "episode"
}

// ProgressBar returns a Progress function that draws a bar on w (a terminal).
func ProgressBar(w io.Writer) func(done, total int) {
	last := -1
	return func(done, total int) {
		pct := done * 100 / max(total, 1)
		if pct == last && done != total {
			return
		}
		last = pct
		const width = 30
		n := pct * width / 100
		fmt.Fprintf(w, "\r[%s%s] %3d%% %d/%d files", strings.Repeat("#", n), strings.Repeat(" ", width-n), pct, done, total)
		if done == total {
			fmt.Fprint(w, "\r\033[K")
		}
	}
}
