package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// syncBuffer is a bytes.Buffer that the server's logger and the test can use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestServesAStoreAndShutsDownOnCancel(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "graph.db")
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	facts := graph.EpisodeFacts{
		Episode: graph.Episode{ID: "ep", Title: "Episode", Source: "ep.md"},
		Mentions: []graph.Mention{
			{Concept: "ai", Label: "AI", Kind: graph.KindConcept, Line: 1, Text: "AI and jobs"},
			{Concept: "jobs", Label: "Jobs", Kind: graph.KindConcept, Line: 1, Text: "AI and jobs"},
		},
		Links: []graph.Link{{Source: "ai", Target: "jobs", Type: graph.RelCooccurs, Strength: 1, Line: 1, Text: "AI and jobs"}},
	}
	if err := store.ReplaceEpisode(ctx, facts); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out syncBuffer
	finished := make(chan error, 1)
	go func() {
		// The environment supplies the store; flags override the address and refresh.
		finished <- run(runCtx, []string{"explorer", "-addr", "127.0.0.1:0", "-refresh", "10ms"},
			env(map[string]string{"TOPICGRAPH_STORE": "sqlite:" + dbPath, "TOPICGRAPH_ADDR": "127.0.0.1:1"}), &out)
	}()

	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-finished:
			t.Fatalf("run returned early: %v\n%s", err, out.String())
		default:
		}
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no listening line in the log:\n%s", out.String())
	}

	healthy := func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h struct {
			Status   string `json:"status"`
			Concepts int    `json:"concepts"`
		}
		return json.NewDecoder(resp.Body).Decode(&h) == nil && h.Status == "ok" && h.Concepts == 2
	}
	for deadline := time.Now().Add(10 * time.Second); !healthy(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never healthy:\n%s", out.String())
		}
	}
	resp, err := http.Get(base + "/api/path?from=ai&to=jobs")
	if err != nil {
		t.Fatal(err)
	}
	var p graph.PathResult
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || !p.Found || len(p.Hops) != 1 {
		t.Errorf("path ai-jobs = %+v (%v)", p, err)
	}

	// A page on another site that rebinds its name to 127.0.0.1 sends its
	// own name as Host: the server must not answer it.
	req, err := http.NewRequest(http.MethodGet, base+"/api/graph", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "rebound.example:8080"
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMisdirectedRequest {
			t.Errorf("GET /api/graph with Host rebound.example: status %d, want 421", resp.StatusCode)
		}
	}

	cancel()
	select {
	case err := <-finished:
		if err != nil {
			t.Fatalf("run after cancel = %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still answering after shutdown")
	}
}

func TestHelpNamesEveryFlagAndItsEnvironmentVariable(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"explorer", "-h"}, env(nil), &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-store", "TOPICGRAPH_STORE", "-addr", "TOPICGRAPH_ADDR", "-refresh", "TOPICGRAPH_REFRESH",
		"-allowed-hosts", "TOPICGRAPH_ALLOWED_HOSTS", "-cache-mb", "TOPICGRAPH_CACHE_MB", defaultStore, defaultAddr} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestBadConfigurationIsOneClearError(t *testing.T) {
	dir := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	ok := filepath.Join(dir, "ok.db")
	st, err := sqlite.Open(context.Background(), ok)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"-refresh", "soon"}, nil, "-refresh"},
		{[]string{"-refresh", "0s"}, nil, "-refresh"},
		{nil, map[string]string{"TOPICGRAPH_REFRESH": "often"}, "TOPICGRAPH_REFRESH"},
		{[]string{"-nope"}, nil, "-nope"},
		{[]string{"-cache-mb", "0"}, nil, "-cache-mb"},
		{[]string{"-cache-mb", "lots"}, nil, "-cache-mb"},
		{nil, map[string]string{"TOPICGRAPH_CACHE_MB": "lots"}, "TOPICGRAPH_CACHE_MB"},
		{[]string{"stray"}, nil, `"stray"`},
		{[]string{"-store", "ftp://example.com/x"}, nil, "ftp"},
		{[]string{"-store", "sqlite:" + filepath.Join(dir, "missing", "x.db")}, nil, "missing"},
		{[]string{"-store", "sqlite:" + ok, "-addr", busy.Addr().String()}, nil, busy.Addr().String()},
		// A mistyped store path is refused, not created empty.
		{[]string{"-store", "sqlite:" + filepath.Join(dir, "typo.db")}, nil, "does not exist: check the path, or create it by loading notes with graphload"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"explorer"}, tc.args...), env(tc.env), &out)
		if _, statErr := os.Stat(filepath.Join(dir, "typo.db")); statErr == nil {
			t.Fatalf("run %v created the store typo.db", tc.args)
		}
		if err == nil || errors.Is(err, flag.ErrHelp) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %v (env %v) = %v, want one line naming %q", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestHostNamesAreTheListenHostAndTheAllowedOnes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{nil, nil, []string{"127.0.0.1"}},
		{[]string{"-addr", ":8080"}, nil, nil},
		{[]string{"-addr", "0.0.0.0:8080"}, nil, nil},
		{[]string{"-addr", "[::]:8080"}, nil, nil},
		{[]string{"-addr", "topics.lan:8080"}, nil, []string{"topics.lan"}},
		{[]string{"-addr", ":80", "-allowed-hosts", " a.example , b.example,"}, nil, []string{"a.example", "b.example"}},
		{[]string{"-addr", ":80"}, map[string]string{"TOPICGRAPH_ALLOWED_HOSTS": "c.example"}, []string{"c.example"}},
		{[]string{"-addr", ":80", "-allowed-hosts", "d.example"}, map[string]string{"TOPICGRAPH_ALLOWED_HOSTS": "c.example"}, []string{"d.example"}},
	} {
		cfg, err := parseConfig(append([]string{"explorer"}, tc.args...), env(tc.env), &bytes.Buffer{})
		if err != nil {
			t.Fatalf("parseConfig %v: %v", tc.args, err)
		}
		if got := cfg.hostNames(); strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("parseConfig %v (env %v): host names %q, want %q", tc.args, tc.env, got, tc.want)
		}
	}
}

// Edits without a token are accepted only on an address no other machine
// can reach.
func TestLoopbackOnly(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "[::1]:8080": true, "127.0.0.2:80": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "192.168.1.5:8080": false, "explorer.example:80": false, "nonsense": false,
	} {
		if got := (config{addr: addr}).loopbackOnly(); got != want {
			t.Errorf("loopbackOnly(%q) = %v, want %v", addr, got, want)
		}
	}
}

// An empty store's page gives the graphload command for this explorer's
// store, with the password left out.
func TestLoadCommandNamesTheStore(t *testing.T) {
	for cfg, want := range map[config]string{
		{store: defaultStore}:                               "go run ./cmd/graphload NOTES",
		{store: "sqlite:/data/shows.db", lexicon: "c.yaml"}: "go run ./cmd/graphload -store sqlite:/data/shows.db -lexicon c.yaml NOTES",
	} {
		if got := loadCommand(cfg); got != want {
			t.Errorf("loadCommand(%+v) = %q, want %q", cfg, got, want)
		}
	}
	if got := loadCommand(config{store: "bolt://neo4j:secret@db:7687"}); strings.Contains(got, "secret") {
		t.Errorf("the load command shows the password: %q", got)
	}
}
