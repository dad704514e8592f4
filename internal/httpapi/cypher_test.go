package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
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

// TestCypherRefusesAdminCommands sends issue 12's commands, each of which
// the console used to run, and their kin: each is a 400 naming what was
// refused.
func TestCypherRefusesAdminCommands(t *testing.T) {
	srv := consoleServer(t)
	for _, tc := range []struct{ query, want string }{
		{`TERMINATE TRANSACTIONS 'neo4j-transaction-1'`, "TERMINATE TRANSACTIONS"},
		{`SHOW TRANSACTIONS YIELD *`, "SHOW TRANSACTIONS"},
		{`SHOW SETTINGS`, "SHOW SETTINGS"},
		{`CALL db.prepareForReplanning()`, "db.prepareForReplanning"},
		{`SHOW USERS`, "SHOW USERS"},
		{`SHOW DATABASES`, "SHOW DATABASES"},
		{`SHOW PROCEDURES`, "SHOW PROCEDURES"},
		{`CALL dbms.components()`, "dbms"},
		{`CALL dbms.listConfig()`, "dbms"},
		{`LOAD CSV FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row`, "LOAD CSV"},
		{`UNWIND [1] AS x CALL (x) { RETURN x AS y } IN TRANSACTIONS RETURN y`, "IN TRANSACTIONS"},
		{`MERGE (c:Concept {id: 'injected'}) RETURN c`, "would write"},
		{`MATCH (c:Concept {id: 'injected'}) SET c.label = 'x'`, "would write"},
		{`MATCH (c:Concept {id: 'injected'}) DETACH DELETE c`, "would write"},
		{`FOREACH (x IN [1] | CREATE (:Injected))`, "would write"},
	} {
		body, _ := json.Marshal(map[string]any{"query": tc.query})
		status, out := postCypher(t, srv.URL, "application/json", string(body))
		if status != http.StatusBadRequest || errorCode(out) != "invalid" ||
			!strings.HasPrefix(errorMessage(out), "only read queries run here") || !strings.Contains(errorMessage(out), tc.want) {
			t.Errorf("%s: %d %v; want 400 invalid naming %q", tc.query, status, out, tc.want)
		}
	}
}

func TestCypherAllowsSchemaDescriptions(t *testing.T) {
	srv := consoleServer(t)
	for _, query := range []string{
		`CALL db.labels()`, `CALL db.relationshipTypes()`, `CALL db.propertyKeys()`,
		`CALL db.schema.visualization()`, `CALL db.schema.nodeTypeProperties()`, `CALL db.schema.relTypeProperties()`,
		`SHOW INDEXES`, `SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties`,
		`MATCH (c:Concept) RETURN c.id LIMIT 3`,
	} {
		body, _ := json.Marshal(map[string]any{"query": query})
		if status, out := postCypher(t, srv.URL, "application/json", string(body)); status != http.StatusOK {
			t.Errorf("%s: %d %v; want 200", query, status, out)
		}
	}
}

// TestCypherReplyIsBoundedInBytes is issue 12's query that produced a 289 MB
// reply and took the explorer to 2.85 GB: now the reply stops at the byte
// limit and says so.
func TestCypherReplyIsBoundedInBytes(t *testing.T) {
	srv := consoleServer(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp, err := http.Post(srv.URL+"/api/cypher", "application/json",
		strings.NewReader(`{"query": "UNWIND range(1, 1000) AS i RETURN range(1, 50000)"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	var out struct {
		Rows        [][]any `json:"rows"`
		Truncated   bool    `json:"truncated"`
		TruncatedBy string  `json:"truncated_by"`
		Truncation  string  `json:"truncation"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("status %d, %d bytes: %v", resp.StatusCode, len(data), err)
	}
	t.Logf("status %d: %d rows in %d bytes, %d MB allocated by client and server: %s",
		resp.StatusCode, len(out.Rows), len(data), allocated>>20, out.Truncation)
	if resp.StatusCode != http.StatusOK || !out.Truncated || out.TruncatedBy != "bytes" || out.Truncation == "" {
		t.Errorf("status %d, truncated %v by %q (%q); want 200, truncated by bytes with a reason", resp.StatusCode, out.Truncated, out.TruncatedBy, out.Truncation)
	}
	if len(data) > neo4j.CypherByteLimit+4096 || len(out.Rows) == 0 {
		t.Errorf("%d bytes, %d rows; want some rows within %d bytes", len(data), len(out.Rows), neo4j.CypherByteLimit)
	}
	if allocated > 512<<20 {
		t.Errorf("%d MB allocated for a %d-byte reply; want well under 512 MB", allocated>>20, len(data))
	}
}
