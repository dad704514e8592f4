package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/neo4j"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// The console tests run against the real Neo4j dev server (scripts/neo4j
// start, or NEO4J_URI): they only read, so they neither wipe it nor need the
// lock the store's own tests take.

var _ httpapi.CypherConsole = (*neo4j.Store)(nil)

func neo4jEnv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	switch key {
	case "NEO4J_URI":
		return "bolt://127.0.0.1:7687"
	case "NEO4J_PASSWORD":
		return "topicgraph-dev" // scripts/neo4j's default
	}
	return ""
}

// consoleServer serves the explorer over the Neo4j dev server.
func consoleServer(t *testing.T) *httptest.Server {
	t.Helper()
	store, err := neo4j.Open(context.Background(), neo4jEnv("NEO4J_URI"), neo4jEnv)
	if err != nil {
		t.Fatalf("Neo4j test server not usable: %v\nStart it with `scripts/neo4j start`.", err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(httpapi.NewServer(httpapi.NewSnapshot(store, nil), testPage, nil))
	t.Cleanup(srv.Close)
	return srv
}

func postCypher(t *testing.T, base, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(base+"/api/cypher", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("POST /api/cypher %s: %d, body %q is not JSON", body, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func errorMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

func TestCypherRunsReadQueries(t *testing.T) {
	srv := consoleServer(t)
	const text = `<script>alert("x")</script> 'q' \ "dq"`
	body, _ := json.Marshal(map[string]any{
		"query":  "UNWIND range(1, $n) AS i RETURN i, $text AS text, $ratio * 2 AS doubled",
		"params": map[string]any{"n": 3, "text": text, "ratio": 0.25},
	})
	status, out := postCypher(t, srv.URL, "application/json", string(body))
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, out)
	}
	columns, _ := json.Marshal(out["columns"])
	rows, _ := json.Marshal(out["rows"])
	wantRows, _ := json.Marshal([][]any{{1, text, 0.5}, {2, text, 0.5}, {3, text, 0.5}})
	if string(columns) != `["i","text","doubled"]` || string(rows) != string(wantRows) {
		t.Errorf("columns %s rows %s, want [i text doubled] and %s", columns, rows, wantRows)
	}
	if out["truncated"] != false {
		t.Errorf("truncated = %v, want false", out["truncated"])
	}
	if ms, ok := out["elapsed_ms"].(float64); !ok || ms < 0 {
		t.Errorf("elapsed_ms = %v, want a number", out["elapsed_ms"])
	}

	status, out = postCypher(t, srv.URL, "application/json", `{"query": "UNWIND range(1, 5000) AS i RETURN i"}`)
	if rows, _ := out["rows"].([]any); status != http.StatusOK || len(rows) != neo4j.CypherRowLimit || out["truncated"] != true {
		t.Errorf("5000 rows: status %d, %d rows, truncated %v; want 200, %d, true", status, len(rows), out["truncated"], neo4j.CypherRowLimit)
	}
}

func TestCypherRefusesWritesAndBadRequests(t *testing.T) {
	srv := consoleServer(t)
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		message                 string
	}{
		{"write", "application/json", `{"query": "CREATE (n:Injected) RETURN n"}`, 400, "only read queries run here: this query would write"},
		{"procedure", "application/json", `{"query": "CALL db.clearQueryCaches()"}`, 400, "only read queries run here"},
		{"syntax", "application/json", `{"query": "MATCH (n RETURN n"}`, 400, "Invalid input"},
		{"bad JSON", "application/json", `{"query": `, 400, "not {"},
		{"unknown field", "application/json", `{"query": "RETURN 1", "param": {}}`, 400, "unknown field"},
		{"no query", "application/json", `{"params": {"a": 1}}`, 400, `no "query"`},
		{"two values", "application/json", `{"query": "RETURN 1"} {}`, 400, "more than one"},
		{"not JSON", "text/plain", `{"query": "RETURN 1"}`, 415, "application/json"},
		{"too large", "application/json", `{"query": "RETURN 1", "params": {"x": "` + strings.Repeat("a", 2<<20) + `"}}`, 400, "larger than"},
	} {
		status, out := postCypher(t, srv.URL, tc.contentType, tc.body)
		if status != tc.status || errorCode(out) != "invalid" || !strings.Contains(errorMessage(out), tc.message) {
			t.Errorf("%s: %d %v, want %d invalid containing %q", tc.name, status, out, tc.status, tc.message)
		}
	}
	// Nothing was written.
	status, out := postCypher(t, srv.URL, "application/json", `{"query": "MATCH (n:Injected) RETURN count(n)"}`)
	if rows, _ := out["rows"].([]any); status != 200 || len(rows) != 1 || rows[0].([]any)[0] != float64(0) {
		t.Errorf("after the refused write: %d %v, want a count of 0", status, out)
	}
}

func TestCypherNeedsNeo4j(t *testing.T) {
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for name, snap := range map[string]*httpapi.Snapshot{
		"sqlite": httpapi.NewSnapshot(store, nil),
		"static": httpapi.NewStaticSnapshot(testGraph()),
	} {
		srv := httptest.NewServer(httpapi.NewServer(snap, testPage, nil))
		status, out := postCypher(t, srv.URL, "application/json", `{"query": "RETURN 1"}`)
		if status != http.StatusNotFound || errorCode(out) != "not_found" || errorMessage(out) != "the Cypher console needs a Neo4j store" {
			t.Errorf("%s store: %d %v, want 404 not_found", name, status, out)
		}
		if available := getAvailability(t, srv.URL); available {
			t.Errorf("%s store: GET /api/cypher says a console is available", name)
		}
		srv.Close()
	}
	if available := getAvailability(t, consoleServer(t).URL); !available {
		t.Error("Neo4j store: GET /api/cypher says no console is available")
	}
}

// getAvailability asks GET /api/cypher whether there is a console; it must
// answer 200 either way.
func getAvailability(t *testing.T, base string) bool {
	t.Helper()
	resp, err := http.Get(base + "/api/cypher")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Available *bool }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Available == nil {
		t.Fatalf("GET /api/cypher: %d, %v, %+v; want 200 and {available}", resp.StatusCode, err, out)
	}
	return *out.Available
}
