package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/topicgraph/topicgraph/internal/extract"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/storage"
)

// newExtractor builds the extractor, with the analyst's lexicon when one is named.
func newExtractor(lexiconPath string) (*extract.Extractor, error) {
	var lex *extract.Lexicon
	if lexiconPath != "" {
		var err error
		if lex, err = extract.LoadLexicon(lexiconPath); err != nil {
			return nil, err
		}
	}
	return extract.New(lex)
}

// runExplain shows, for every candidate whose surface or key matches TERM, how
// extraction treated it: where it was found, the key it folded to, and why it
// was kept or dropped.
func runExplain(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("graphload explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lexicon := fs.String("lexicon", getenv("TOPICGRAPH_LEXICON"), "an analyst's lexicon (YAML) (env TOPICGRAPH_LEXICON)")
	cache := fs.String("cache", envDefault(getenv, "TOPICGRAPH_CACHE", storage.CacheDir(envDefault(getenv, "TOPICGRAPH_STORE", defaultStore))),
		"where fetched feeds and transcripts are kept (env TOPICGRAPH_CACHE)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage:
  graphload explain [flags] TERM NOTES... FEEDS...

Reads the notes (nothing is stored) and shows how TERM was treated: each place a
candidate matching it was found, the concept key it folded to (merges of case,
plurals, acronyms, lexicon aliases), its kind, and why it was kept or dropped.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return errors.New("explain needs a term and at least one notes file or folder")
	}
	term, paths := fs.Arg(0), fs.Args()[1:]
	x, err := newExtractor(*lexicon)
	if err != nil {
		return err
	}
	want := x.KeyOf(term)
	if want != extract.Key(term) {
		fmt.Fprintf(stdout, "%q is an alias in the lexicon: it merges into %q\n", term, want)
	}
	var feeds []string
	for i := 0; i < len(paths); i++ {
		if load.IsFeed(paths[i]) {
			feeds = append(feeds, paths[i])
			paths = append(paths[:i:i], paths[i+1:]...)
			i--
		}
	}
	files, failed := load.NotesFiles(paths)
	items, itemErrs := load.FeedDocuments(context.Background(), feeds, *cache)
	for _, e := range append(failed, itemErrs...) {
		fmt.Fprintln(stderr, "graphload:", e)
	}
	kept, dropped := 0, 0
	forms := map[string]int{}
	episodes := map[string]bool{}
	var srcs []extract.Source
	for _, path := range files {
		data, err := load.ReadNotesFile(path)
		if err != nil {
			fmt.Fprintln(stderr, "graphload:", err)
			continue
		}
		doc, err := load.ParseFile(path, data)
		if err != nil {
			fmt.Fprintln(stderr, "graphload:", err)
			continue
		}
		srcs = append(srcs, extract.Source{Doc: doc, Episode: graph.Episode{ID: filepath.Base(path), Source: path}})
	}
	for _, it := range items {
		srcs = append(srcs, extract.Source{Doc: it.Doc, Episode: graph.Episode{ID: it.ID, Source: it.Source}})
		files = append(files, it.Source)
	}
	// The corpus vocabulary, as a load computes it, decides borderline words.
	known := map[string]bool{}
	all, _ := x.ExtractAll(srcs, nil, 0, nil)
	for _, f := range all {
		for _, m := range f.Mentions {
			known[m.Concept] = true
		}
	}
	for _, src := range srcs {
		path := src.Doc.Path // where the lines are: the file, or a feed item's transcript
		x.Explain(src.Doc, src.Episode, known, func(d extract.Decision) {
			if d.Key != want && !strings.Contains(" "+d.Key+" ", " "+want+" ") {
				return
			}
			verdict := "dropped"
			if d.Kept {
				verdict = "kept"
				kept++
				if d.Key == want {
					forms[d.Surface]++
					episodes[path] = true
				}
			} else {
				dropped++
			}
			fmt.Fprintf(stdout, "%s:%d: %q → %s (%s, id %s): %s, %s\n", path, d.Line, d.Surface, d.Key, d.Kind, extract.ID(d.Key), verdict, d.Reason)
		})
	}
	var fl []string
	for f, n := range forms {
		fl = append(fl, fmt.Sprintf("%q×%d", f, n))
	}
	sort.Strings(fl)
	fmt.Fprintf(stdout, "%q folds to key %q (id %s): %d kept and %d dropped candidates; as a concept in %d of %d files",
		term, want, extract.ID(want), kept, dropped, len(episodes), len(files))
	if len(fl) > 0 {
		fmt.Fprintf(stdout, ", written %s", strings.Join(fl, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}
