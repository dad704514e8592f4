// Command explorer serves the topic graph: a JSON API over the graph in a store
// and the web page that draws it. It reloads the graph whenever the store
// changes, so it can run while graphload writes.
//
//	explorer [-store URL] [-addr HOST:PORT] [-refresh DURATION] [-allowed-hosts NAMES] [-cache-mb N]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/topicgraph/topicgraph/internal/curate"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/storage"
	"github.com/topicgraph/topicgraph/web"
)

// Defaults for the flags; each can also be set by its environment variable.
const (
	defaultStore   = "sqlite:topicgraph.db"
	defaultAddr    = "127.0.0.1:8080"
	defaultRefresh = 2 * time.Second
	defaultCacheMB = httpapi.DefaultCacheBytes >> 20
	maxCacheMB     = 1 << 20 // a terabyte: anything above is a typo
)

// shutdownGrace is how long in-flight requests get to finish after a signal.
const shutdownGrace = 10 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "explorer:", err)
		os.Exit(1)
	}
}

// config is what the command line and the environment ask for.
type config struct {
	store        string
	addr         string
	refresh      time.Duration
	allowedHosts string // comma-separated, besides the loopback names
	cacheMB      int
	lexicon      string // the lexicon file edits are written to; none: read-only
	token        string // when set, edits must carry it
}

// loopbackOnly reports whether the listen address is reachable only from
// this machine: a loopback IP or localhost. ":8080" and 0.0.0.0 are not.
func (c config) loopbackOnly() bool {
	host, _, err := net.SplitHostPort(c.addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// hostNames lists the host names the server answers to besides the loopback
// names: the listen address's own host, when it names one, and -allowed-hosts.
func (c config) hostNames() []string {
	var names []string
	if host, _, err := net.SplitHostPort(c.addr); err == nil && host != "" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			names = append(names, host)
		}
	}
	for _, n := range strings.Split(c.allowedHosts, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// parseConfig reads flags from args, each defaulting to its environment
// variable, then to the built-in default. Help goes to stdout.
func parseConfig(args []string, getenv func(string) string, stdout io.Writer) (config, error) {
	name := "explorer"
	if len(args) > 0 {
		args = args[1:]
	}
	cfg := config{store: defaultStore, addr: defaultAddr, refresh: defaultRefresh, cacheMB: defaultCacheMB}
	if v := getenv("TOPICGRAPH_STORE"); v != "" {
		cfg.store = v
	}
	if v := getenv("TOPICGRAPH_ADDR"); v != "" {
		cfg.addr = v
	}
	if v := getenv("TOPICGRAPH_REFRESH"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return config{}, fmt.Errorf("TOPICGRAPH_REFRESH: %q is not a duration such as 2s or 500ms", v)
		}
		cfg.refresh = d
	}
	cfg.allowedHosts = getenv("TOPICGRAPH_ALLOWED_HOSTS")
	cfg.lexicon = getenv("TOPICGRAPH_LEXICON")
	cfg.token = getenv("TOPICGRAPH_TOKEN")
	if v := getenv("TOPICGRAPH_CACHE_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return config{}, fmt.Errorf("TOPICGRAPH_CACHE_MB: %q is not a whole number of megabytes", v)
		}
		cfg.cacheMB = n
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// Parse errors are returned as one line; only -h prints the usage.
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.store, "store", cfg.store,
		"the graph store to serve: "+storage.Forms+"; Neo4j takes NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE from the environment (env TOPICGRAPH_STORE)")
	fs.StringVar(&cfg.addr, "addr", cfg.addr,
		"the host:port to listen on; 127.0.0.1 keeps it private to this machine, :8080 opens it to the network (env TOPICGRAPH_ADDR)")
	fs.DurationVar(&cfg.refresh, "refresh", cfg.refresh,
		"how often to ask the store whether the graph changed, and reload it if so (env TOPICGRAPH_REFRESH)")
	fs.StringVar(&cfg.allowedHosts, "allowed-hosts", cfg.allowedHosts,
		"comma-separated host names the server answers to, besides localhost, 127.0.0.1, [::1] and the host of -addr; others get 421, which stops DNS rebinding; * answers any name (env TOPICGRAPH_ALLOWED_HOSTS)")
	fs.IntVar(&cfg.cacheMB, "cache-mb", cfg.cacheMB,
		"megabytes of memory for encoded graph views and exports, kept and being built (env TOPICGRAPH_CACHE_MB)")
	fs.StringVar(&cfg.lexicon, "lexicon", cfg.lexicon,
		"the lexicon file (YAML, as graphload -lexicon reads) that edits made on the page are written to; without it the explorer is read-only (env TOPICGRAPH_LEXICON)")
	fs.StringVar(&cfg.token, "token", cfg.token,
		"a secret that edits must carry (Authorization: Bearer TOKEN); without one, edits are accepted only when -addr is a loopback address (env TOPICGRAPH_TOKEN)")
	printUsage := func() {
		fmt.Fprintf(stdout, `Usage: explorer [flags]

Serves the topic graph in a store as a web page and a JSON API (see docs/api.md).
The graph is reloaded whenever the store changes, e.g. after graphload runs.
If the store stops answering, the last graph is still served and /healthz
reports "degraded" until it answers again.

Flags (a flag overrides its environment variable):
`)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage()
			return config{}, err
		}
		return config{}, fmt.Errorf("%w (see -h)", err)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q (explorer takes only flags; see -h)", fs.Arg(0))
	}
	if cfg.refresh <= 0 {
		return config{}, fmt.Errorf("-refresh: %v is not a positive duration", cfg.refresh)
	}
	if cfg.cacheMB < 1 || cfg.cacheMB > maxCacheMB {
		return config{}, fmt.Errorf("-cache-mb: %d is not from 1 to %d", cfg.cacheMB, maxCacheMB)
	}
	return cfg, nil
}

// run serves until ctx is cancelled, then shuts down gracefully: it stops
// accepting, lets in-flight requests finish, stops refreshing and closes the
// store. Logs go to stdout.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseConfig(args, getenv, stdout)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))

	store, err := storage.OpenExisting(ctx, cfg.store, getenv)
	if err != nil {
		return fmt.Errorf("opening the store: %w", err) // the error names the store, redacted
	}
	defer store.Close()

	listener, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("-addr %s: %w", cfg.addr, err)
	}
	snap := httpapi.NewSnapshot(store, logger)
	snap.SetCacheLimit(int64(cfg.cacheMB) << 20)
	var curator graph.Curator
	if cfg.lexicon != "" {
		c, err := curate.New(cfg.lexicon, store, load.Options{CacheDir: storage.CacheDir(cfg.store)})
		if err != nil {
			return fmt.Errorf("-lexicon: %w", err)
		}
		curator = c
	}
	server := &http.Server{
		Handler: httpapi.NewServer(snap, web.Static, logger, httpapi.AllowHosts(cfg.hostNames()...),
			httpapi.WithCurator(curator, cfg.token, cfg.loopbackOnly()), httpapi.WithLoadCommand(loadCommand(cfg))),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10, // the API takes no cookies or long headers; a query is at most 16 KiB
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute, // the whole graph can take a while on a slow link
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}

	watchCtx, stopWatching := context.WithCancel(ctx)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		snap.Watch(watchCtx, cfg.refresh)
	}()
	// The store outlives the watcher: close it only after the last refresh.
	defer func() {
		stopWatching()
		<-watching
	}()

	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	logger.Info("listening on http://"+listener.Addr().String(),
		"store", storage.Redact(cfg.store), "refresh", cfg.refresh,
		"hosts", strings.Join(append([]string{"localhost", "127.0.0.1", "[::1]"}, cfg.hostNames()...), ","), "cache_mb", cfg.cacheMB, "edits", editsMode(cfg))

	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := server.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// editsMode says in the start-up log who may edit the graph.
func editsMode(cfg config) string {
	switch {
	case cfg.lexicon == "":
		return "read-only (no -lexicon)"
	case cfg.token != "":
		return "with the token, into " + cfg.lexicon
	case cfg.loopbackOnly():
		return "from this machine, into " + cfg.lexicon
	}
	return "read-only (-addr is not loopback and there is no -token)"
}

// loadCommand is the graphload command that fills the explorer's store, as
// the page shows it on an empty store; the store URL is redacted.
func loadCommand(cfg config) string {
	cmd := "go run ./cmd/graphload"
	if cfg.store != defaultStore {
		cmd += " -store " + storage.Redact(cfg.store)
	}
	if cfg.lexicon != "" {
		cmd += " -lexicon " + cfg.lexicon
	}
	return cmd + " NOTES"
}
