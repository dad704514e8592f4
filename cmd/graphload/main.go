// Command graphload reads episode notes into a concept graph store and exports
// the graph.
//
//	graphload [-store URL] [-cache DIR] [-prune] [-force] NOTES... FEEDS...
//	graphload export [-store URL] [-format node-link] [-o FILE]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/notes"
	"github.com/topicgraph/topicgraph/internal/storage"
)

const defaultStore = "sqlite:topicgraph.db"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first Ctrl-C the load winds down; a second one kills at once.
		<-ctx.Done()
		stop()
	}()
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "graphload: interrupted: every episode in the store is either as it was or fully loaded; run graphload again to finish the load")
		os.Exit(130)
	}
	if err != nil {
		if !errors.Is(err, errReported) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "graphload:", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(1)
	}
}

// errReported means the errors were already printed, one per line.
var errReported = errors.New("some files could not be loaded")

// envDefault returns the environment's value for key, or def.
func envDefault(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 1 && args[1] == "export" {
		return runExport(ctx, args[2:], getenv, stdout, stderr)
	}
	if len(args) > 1 && args[1] == "explain" {
		return runExplain(args[2:], getenv, stdout, stderr)
	}
	fs := flag.NewFlagSet("graphload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeURL := fs.String("store", envDefault(getenv, "TOPICGRAPH_STORE", defaultStore),
		"where the graph is kept: sqlite:PATH, or neo4j://HOST:7687 / bolt://HOST:7687 with NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE (env TOPICGRAPH_STORE)")
	prune := fs.Bool("prune", getenv("TOPICGRAPH_PRUNE") == "1", "remove stored episodes whose notes files no longer exist (env TOPICGRAPH_PRUNE=1)")
	force := fs.Bool("force", false, "re-read every file even if it has not changed since the last load")
	quiet := fs.Bool("quiet", false, "no progress bar")
	cache := fs.String("cache", getenv("TOPICGRAPH_CACHE"), "where fetched feeds and transcripts are kept, so reruns ask only for changes and work offline (default: beside the store) (env TOPICGRAPH_CACHE)")
	lexicon := fs.String("lexicon", getenv("TOPICGRAPH_LEXICON"), "an analyst's lexicon (YAML) to pin, merge, rename, classify or ban concepts (env TOPICGRAPH_LEXICON)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `Usage:
  graphload [flags] NOTES... FEEDS... load notes, transcripts and feeds: files and folders (.txt, .md,
                                      .markdown, .vtt, .srt, .json, .html; folders are walked) and
                                      podcast feeds (.xml, .rss, .atom files or http(s) URLs)
  graphload export [flags]            write the graph (run "graphload export -h")
  graphload explain [flags] TERM NOTES...
                                      show how a term was treated (run "graphload explain -h")

Loads each file, and each feed item, as one episode, extracts concepts and relations with evidence,
stores them, and recomputes centrality and communities. Unchanged files are
skipped; a changed file replaces its episode. Exits 1 if any file failed.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no notes given: name files or folders to load")
	}
	// A mistyped path is an error before anything is opened, so it never
	// creates an empty store.
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); errors.Is(err, iofs.ErrNotExist) {
			return fmt.Errorf("%s: no such file or folder; nothing was loaded", notes.Quote(p))
		}
	}
	x, err := newExtractor(*lexicon)
	if err != nil {
		return err
	}
	st, err := storage.Open(ctx, *storeURL, getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := load.Options{Prune: *prune, Force: *force, Extractor: x, CacheDir: *cache}
	if opts.CacheDir == "" {
		opts.CacheDir = storage.CacheDir(*storeURL)
	}
	if f, ok := stderr.(*os.File); ok && !*quiet && term.IsTerminal(int(f.Fd())) {
		opts.Progress = load.ProgressBar(stderr)
	}
	res, err := load.Run(ctx, st, fs.Args(), opts)
	for _, e := range res.Failed {
		fmt.Fprintln(stderr, "graphload:", e)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "graphload:", w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "graphload: %s into %s\n", res, storage.Redact(*storeURL))
	if len(res.Failed) > 0 {
		fmt.Fprintf(stderr, "graphload: %d of %d files failed; the others were loaded\n", len(res.Failed), res.Files+countMissing(res))
		return errReported
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintf(stderr, "graphload: %d broken parts of files were skipped; the rest was loaded\n", len(res.Warnings))
		return errReported
	}
	return nil
}

// countMissing counts failures for paths that were not found at all (they are
// not among res.Files).
func countMissing(res load.Result) int {
	n := 0
	for _, e := range res.Failed {
		if strings.Contains(e.Error(), "no such file or directory") || strings.Contains(e.Error(), "not a notes file") {
			n++
		}
	}
	return n
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("graphload export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	storeURL := fs.String("store", envDefault(getenv, "TOPICGRAPH_STORE", defaultStore), "the store to read (env TOPICGRAPH_STORE)")
	format := fs.String("format", "node-link", "output format: node-link (NetworkX node-link JSON)")
	out := fs.String("o", "-", "output file; - writes to standard output")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage:\n  graphload export [flags]\n\nWrites the whole graph: episodes, concepts with scores, relations with evidence.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "node-link" {
		return fmt.Errorf("unknown format %q: use node-link", *format)
	}
	st, err := storage.OpenExisting(ctx, *storeURL, getenv)
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := graph.Read(ctx, st)
	if err != nil {
		return err
	}
	if *out == "-" {
		return g.WriteNodeLink(stdout)
	}
	tmp := *out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := g.WriteNodeLink(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, *out)
}
