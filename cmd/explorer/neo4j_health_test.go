package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
	"github.com/topicgraph/topicgraph/internal/neo4j"
	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
)

// cutProxy forwards TCP connections to target until cut, when it closes the
// port and every connection, as a stopped server does.
type cutProxy struct {
	listener net.Listener
	mu       sync.Mutex
	conns    []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{listener: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

func (p *cutProxy) cut() {
	p.listener.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// lockNeo4jTests holds neo4jtest's machine-wide lock until the test ends,
// as neo4jtest.Main does for a whole package.
func lockNeo4jTests(t *testing.T) {
	t.Helper()
	lock, err := os.OpenFile(neo4jtest.LockFile, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lock.Close() })
}

// TestHealthNoticesNeo4jDownInSeconds serves the Neo4j dev server through a
// proxy, cuts the proxy, and times how long /healthz takes to say
// "degraded": issue 12 measured about 55 s; it must be seconds. The shared
// server itself is never stopped.
func TestHealthNoticesNeo4jDownInSeconds(t *testing.T) {
	uri := os.Getenv("NEO4J_URI")
	if uri == "" {
		uri = "bolt://127.0.0.1:7687"
	}
	getenv := func(key string) string {
		if v := os.Getenv(key); v != "" {
			return v
		}
		if key == "NEO4J_PASSWORD" {
			return "topicgraph-dev" // scripts/neo4j's default
		}
		return ""
	}
	// The graph read must be this branch's: load a known corpus into the
	// shared database, holding the lock every wiping test takes.
	lockNeo4jTests(t)
	store := neo4jtest.OpenEmpty(t)
	corpus := storetest.Corpus()
	for _, f := range corpus {
		if err := store.ReplaceEpisode(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveAnalytics(context.Background(), graph.Build(corpus)); err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, strings.TrimPrefix(uri, "bolt://"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	finished := make(chan error, 1)
	go func() {
		finished <- run(ctx, []string{"explorer", "-addr", "127.0.0.1:0", "-refresh", "500ms",
			"-store", "bolt://" + proxy.listener.Addr().String()}, getenv, &out)
	}()
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		select {
		case err := <-finished:
			t.Fatalf("run returned early: %v\n%s", err, out.String())
		default:
		}
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening line in the log:\n%s", out.String())
		}
	}
	status := func() (string, string) {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var h struct{ Status, Error string }
		json.NewDecoder(resp.Body).Decode(&h)
		return h.Status, h.Error
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if s, _ := status(); s == "ok" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ok:\n%s", out.String())
		}
	}

	proxy.cut()
	cutAt := time.Now()
	limit := 500*time.Millisecond + neo4j.VersionTimeout + 2*time.Second
	for {
		s, why := status()
		if s == "degraded" {
			took := time.Since(cutAt)
			t.Logf("degraded %v after the cut: %s", took.Round(time.Millisecond), why)
			if !strings.Contains(why, "unreachable") && !strings.Contains(why, "closed the connection") {
				t.Errorf("the reason %q does not say the server is gone", why)
			}
			break
		}
		if time.Since(cutAt) > limit {
			t.Fatalf("/healthz still says %q %v after Neo4j went away; want degraded within %v", s, time.Since(cutAt).Round(time.Millisecond), limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}
