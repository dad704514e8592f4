package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/neo4j"
	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
	"github.com/topicgraph/topicgraph/web"
)

// The Neo4j tests here wipe the shared dev database, so the package's tests
// run under the same lock as every other test that does.
func TestMain(m *testing.M) { neo4jtest.Main(m) }

// The Neo4j store is the console the explorer looks for.
var _ httpapi.CypherConsole = (*neo4j.Store)(nil)

// neo4jExplorer is the explorer served in-process over the Neo4j dev server.
type neo4jExplorer struct {
	url   string
	store *neo4j.Store
	snap  *httpapi.Snapshot
}

// startNeo4jExplorer wipes the dev database, loads notes into it with the
// loader graphload uses, and serves it with the real handler and page.
func startNeo4jExplorer(t *testing.T, notes string) neo4jExplorer {
	t.Helper()
	ctx := context.Background()
	store := neo4jtest.OpenEmpty(t)
	res, err := load.Run(ctx, store, []string{notes}, load.Options{})
	if err != nil {
		t.Fatalf("load %s into Neo4j: %v", notes, err)
	}
	if len(res.Failed) > 0 {
		t.Fatalf("load %s: %d files failed: %v", notes, len(res.Failed), res.Failed)
	}
	snap := httpapi.NewSnapshot(store, nil)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatalf("read the loaded graph from Neo4j: %v", err)
	}
	server := httptest.NewServer(httpapi.NewServer(snap, web.Static, nil))
	t.Cleanup(server.Close)
	return neo4jExplorer{url: server.URL, store: store, snap: snap}
}

// fetchJSON GETs url and decodes its JSON body, failing on any status but want.
func fetchJSON(t *testing.T, url string, want int) any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", url, resp.StatusCode, body, want)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return v
}

// jsonDiff describes where two decoded JSON values differ (floats within
// 1e-9), or returns "".
func jsonDiff(path string, a, b any) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: %d keys vs %v", path, len(av), b)
		}
		for k := range av {
			if d := jsonDiff(path+"."+k, av[k], bv[k]); d != "" {
				return d
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: %d items vs %v", path, len(av), len(bv))
		}
		for i := range av {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); d != "" {
				return d
			}
		}
	case float64:
		if bv, ok := b.(float64); !ok || math.Abs(av-bv) > 1e-9 {
			return fmt.Sprintf("%s: %v vs %v", path, a, b)
		}
	default:
		if a != b {
			return fmt.Sprintf("%s: %#v vs %#v", path, a, b)
		}
	}
	return ""
}

func TestExplorerOnNeo4jServesTheSameGraphAsOnSQLite(t *testing.T) {
	notes := filepath.Join(repoRoot(t), "examples", "notes")
	onSQLite := startExplorer(t)
	onNeo4j := startNeo4jExplorer(t, notes)
	for _, path := range []string{"/api/graph", "/api/graph?top=1000000", "/api/episodes", "/api/themes"} {
		want := fetchJSON(t, onSQLite+path, http.StatusOK)
		got := fetchJSON(t, onNeo4j.url+path, http.StatusOK)
		if d := jsonDiff("", got, want); d != "" {
			t.Errorf("%s on Neo4j differs from SQLite: %s", path, d)
		}
	}
	health := fetchJSON(t, onNeo4j.url+"/healthz", http.StatusOK).(map[string]any)
	if health["status"] != "ok" {
		t.Errorf("/healthz on Neo4j = %v, want ok", health)
	}
}

// hostileLines are notes lines that would break a store splicing text into
// Cypher, or a page using innerHTML. Each names a concept so it is evidence.
var hostileLines = []string{
	`Robert'); MATCH (n) DETACH DELETE n; // said Bobby Tables at Acme Corporation`,
	`Ada Lovelace wrote "quotes" and \backslashes\ and a trailing \`,
	`Grace Hopper pasted <script>alert('pwned')</script> into Acme Corporation's wiki`,
	`Acme Corporation ran ${injected} and {id: 'x'}) RETURN n // and CALL db.clearQueryCaches()`,
}

func TestHostileTextRoundTripsVerbatimOnNeo4j(t *testing.T) {
	dir := t.TempDir()
	text := "Hostile notes\n\n- " + strings.Join(hostileLines, "\n- ") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-01-01-hostile.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	explorer := startNeo4jExplorer(t, dir)

	graph := fetchJSON(t, explorer.url+"/api/graph?top=1000000", http.StatusOK).(map[string]any)
	seen := map[string]bool{}
	for _, list := range []any{graph["nodes"], graph["links"]} {
		for _, item := range list.([]any) {
			evidence, _ := item.(map[string]any)["evidence"].([]any)
			for _, ev := range evidence {
				seen[ev.(map[string]any)["text"].(string)] = true
			}
		}
	}
	for _, line := range hostileLines {
		if !seen[line] {
			t.Errorf("evidence line %q did not come back verbatim; the API has %d evidence texts", line, len(seen))
		}
	}
	// And the database still holds everything: nothing was executed.
	if n := neo4jtest.Count(t, explorer.store, `MATCH (e:Episode) RETURN count(e)`, nil); n != 1 {
		t.Errorf("%d episodes stored, want 1", n)
	}
}

// TestExplorerSurvivesNeo4jRestart stops the dev server under a running
// explorer: /healthz must say degraded while the last graph is still served,
// and the explorer must recover by itself once the server is back. It
// restarts the shared server, so it runs only with TOPICGRAPH_NEO4J_RESTART_TEST=1.
func TestExplorerSurvivesNeo4jRestart(t *testing.T) {
	if os.Getenv("TOPICGRAPH_NEO4J_RESTART_TEST") != "1" {
		t.Skip("restarts the shared Neo4j server; set TOPICGRAPH_NEO4J_RESTART_TEST=1 to run it")
	}
	script := filepath.Join(repoRoot(t), "scripts", "neo4j")
	explorer := startNeo4jExplorer(t, filepath.Join(repoRoot(t), "examples", "notes"))
	before := fetchJSON(t, explorer.url+"/api/graph", http.StatusOK)

	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		explorer.snap.Watch(ctx, 200*time.Millisecond)
	}()
	started := false
	t.Cleanup(func() {
		cancel()
		<-watched
		if !started { // never leave the shared server down
			exec.Command(script, "start").Run()
		}
	})

	if out, err := exec.Command(script, "stop").CombinedOutput(); err != nil {
		t.Fatalf("scripts/neo4j stop: %v\n%s", err, out)
	}
	waitHealth(t, explorer.url, "degraded", 60*time.Second)
	if d := jsonDiff("", fetchJSON(t, explorer.url+"/api/graph", http.StatusOK), before); d != "" {
		t.Errorf("with Neo4j down the explorer serves a different graph: %s", d)
	}

	if out, err := exec.Command(script, "start").CombinedOutput(); err != nil {
		t.Fatalf("scripts/neo4j start: %v\n%s", err, out)
	}
	started = true
	waitHealth(t, explorer.url, "ok", 90*time.Second)
	if d := jsonDiff("", fetchJSON(t, explorer.url+"/api/graph", http.StatusOK), before); d != "" {
		t.Errorf("after Neo4j came back the explorer serves a different graph: %s", d)
	}
}

// waitHealth polls /healthz until its status is want.
func waitHealth(t *testing.T, base, want string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last any
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			var h map[string]any
			json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			last = h
			if h["status"] == want {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("/healthz never said %q within %v; last: %v", want, within, last)
}

// TestDocsCypherExamplesRun runs every Cypher example in docs/neo4j.md, as an
// analyst would paste them into Neo4j Browser, against examples/notes loaded
// into Neo4j: each must run and return rows, so the ids they name are ones
// the extractor really produces. `:param name => 'value'` lines set
// parameters for the rest of the page, as they do in Browser.
func TestDocsCypherExamplesRun(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "neo4j.md"))
	if err != nil {
		t.Fatal(err)
	}
	explorer := startNeo4jExplorer(t, filepath.Join(repoRoot(t), "examples", "notes"))
	params := map[string]any{}
	ran := 0
	for i, block := range strings.Split(string(doc), "```cypher\n")[1:] {
		block = block[:strings.Index(block, "```")]
		for _, statement := range strings.Split(block, "\n\n") {
			var query []string
			for _, line := range strings.Split(strings.TrimSpace(statement), "\n") {
				if name, value, ok := strings.Cut(strings.TrimPrefix(line, ":param "), " => "); ok && strings.HasPrefix(line, ":param ") {
					params[name] = strings.Trim(value, "'")
					continue
				}
				query = append(query, line)
			}
			q := strings.TrimSpace(strings.Join(query, "\n"))
			if q == "" {
				continue
			}
			res, err := explorer.store.ReadCypher(context.Background(), q, params)
			if err != nil {
				t.Errorf("example %d:\n%s\nfails: %v", i+1, q, err)
				continue
			}
			if len(res.Rows) == 0 {
				t.Errorf("example %d:\n%s\nreturns no rows on examples/notes (params %v)", i+1, q, params)
			}
			ran++
		}
	}
	if ran < 8 {
		t.Errorf("ran %d examples from docs/neo4j.md; the page has more", ran)
	}
}
