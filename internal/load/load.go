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
	"time"

	"github.com/topicgraph/topicgraph/internal/extract"
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
}

// Result summarises a load.
type Result struct {
	Files     int           // notes files found
	Loaded    int           // episodes written (new or changed)
	Unchanged int           // files skipped because their bytes had not changed
	Removed   int           // episodes pruned
	Failed    []error       // one error per file that could not be loaded
	Episodes  int           // episodes in the store after the load
	Concepts  int           // concepts in the store after the load
	Relations int           // relations in the store after the load
	Summary   graph.Summary // communities and modularity
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
// problems with the store or the arguments (a path that does not exist).
func Run(ctx context.Context, st graph.Store, paths []string, opts Options) (Result, error) {
	start := time.Now()
	var res Result
	files, errs := findFiles(paths)
	res.Failed = append(res.Failed, errs...)
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
	hashes := make(map[string]string, len(stored))
	for _, e := range stored {
		hashes[e.ID] = e.Hash
	}

	// Read every file and compare its bytes with what was stored. When nothing
	// changed, nothing is extracted. When anything changed, every file is
	// extracted again: the corpus vocabulary (see extract.ExtractAll) can change
	// what an untouched file yields, and a load must give the graph a clean load
	// of the same files gives. Only episodes whose facts differ are written.
	type outcome struct {
		data     []byte
		fileHash string
		err      error
	}
	results := make([]outcome, len(files))
	changed := opts.Force
	seen := make(map[string]bool, len(files))
	for i, f := range files {
		seen[f.id] = true
		data, fileHash, err := readFile(f, x.Fingerprint())
		results[i] = outcome{data, fileHash, err}
		if err != nil || fileHashOf(hashes[f.id]) != fileHash {
			changed = true
		}
	}
	var gone []string
	if opts.Prune {
		for _, e := range stored {
			if seen[e.ID] {
				continue
			}
			if _, err := os.Stat(e.Source); errors.Is(err, fs.ErrNotExist) {
				gone = append(gone, e.ID)
			}
		}
	}
	if !changed {
		for _, r := range results {
			if r.err == nil {
				res.Unchanged++
			}
		}
	} else {
		var srcs []extract.Source
		var hashesOf []string
		for i, f := range files {
			r := results[i]
			if r.err != nil {
				res.Failed = append(res.Failed, r.err)
				continue
			}
			doc, err := notes.Parse(f.path, r.data)
			if err != nil {
				res.Failed = append(res.Failed, err)
				continue
			}
			ep := graph.Episode{
				ID: f.id, Source: f.path, Title: doc.Meta.Title, Date: doc.Meta.Date, Show: doc.Meta.Show,
				Guests: doc.Meta.Guests, Tags: doc.Meta.Tags,
			}
			srcs = append(srcs, extract.Source{Doc: doc, Episode: ep})
			hashesOf = append(hashesOf, r.fileHash)
		}
		all, failed := x.ExtractAll(srcs, nil, opts.Workers, opts.Progress)
		if err := ctx.Err(); err != nil {
			return res, err
		}
		for j, facts := range all {
			if failed[j] != nil {
				res.Failed = append(res.Failed, failed[j])
				continue
			}
			facts.Episode.Hash = hashesOf[j] + ":" + factsDigest(facts)
			if hashes[facts.Episode.ID] == facts.Episode.Hash {
				res.Unchanged++
				continue
			}
			if err := st.ReplaceEpisode(ctx, facts); err != nil {
				return res, fmt.Errorf("storing %s: %w", facts.Episode.Source, err)
			}
			res.Loaded++
		}
	}
	if len(gone) > 0 {
		if err := st.RemoveEpisodes(ctx, gone); err != nil {
			return res, err
		}
		res.Removed = len(gone)
	}

	g, err := graph.Read(ctx, st)
	if err != nil {
		return res, err
	}
	if res.Loaded > 0 || res.Removed > 0 || len(g.Concepts) > 0 && !hasScores(g) || opts.Force {
		res.Summary = graph.Analyze(g)
		if err := st.SaveAnalytics(ctx, g); err != nil {
			return res, err
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
func readFile(f file, fingerprint string) (data []byte, hash string, err error) {
	info, err := os.Stat(f.path)
	if err != nil {
		return nil, "", &notes.Error{Path: f.path, Msg: describe(err)}
	}
	if err := notes.CheckSize(f.path, info.Size()); err != nil {
		return nil, "", err
	}
	if data, err = os.ReadFile(f.path); err != nil {
		return nil, "", &notes.Error{Path: f.path, Msg: describe(err)}
	}
	h := sha256.New()
	h.Write([]byte(fingerprint + "\x00"))
	h.Write(data)
	return data, hex.EncodeToString(h.Sum(nil)), nil
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
				errs = append(errs, &notes.Error{Path: path, Msg: fmt.Sprintf("has the same episode id %q as %s; rename one of them", id, prev)})
			}
			return
		}
		ids[id] = path
		files = append(files, file{path: path, id: id})
	}
	for _, root := range paths {
		info, err := os.Stat(root)
		if err != nil {
			errs = append(errs, &notes.Error{Path: root, Msg: describe(err)})
			continue
		}
		if !info.IsDir() {
			if !notes.IsNotesFile(root) {
				errs = append(errs, &notes.Error{Path: root, Msg: "not a notes file: graphload reads .txt, .md and .markdown"})
				continue
			}
			add(root, filepath.Base(root))
			continue
		}
		var found []string
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &notes.Error{Path: p, Msg: describe(err)})
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
			if !d.IsDir() && notes.IsNotesFile(p) {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &notes.Error{Path: root, Msg: describe(err)})
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
