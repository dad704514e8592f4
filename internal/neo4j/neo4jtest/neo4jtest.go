// Package neo4jtest gives tests outside internal/neo4j the Neo4j dev server
// the way the store's own tests use it: the same connection defaults as
// scripts/neo4j, the same machine-wide lock around tests that wipe the shared
// database, and a wiped, freshly opened store.
//
// Tests that use it fail, never skip, when the server is not reachable: CI
// starts one, and a silently skipped store is an untested one.
package neo4jtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/neo4j"
)

// DevPassword is scripts/neo4j's default password (docs/neo4j.md).
const DevPassword = "topicgraph-dev"

// LockFile is the file whose lock serialises every test binary that wipes
// the dev database; internal/neo4j's TestMain takes the same lock.
var LockFile = filepath.Join(os.TempDir(), "topicgraph-neo4j-tests.lock")

// URI is the test server's Bolt URL: NEO4J_URI, else scripts/neo4j's.
func URI() string { return Getenv("NEO4J_URI") }

// Getenv is os.Getenv with scripts/neo4j's defaults filled in for NEO4J_URI
// and NEO4J_PASSWORD; pass it to neo4j.Open or storage.Open.
func Getenv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	switch key {
	case "NEO4J_URI":
		return "bolt://127.0.0.1:7687"
	case "NEO4J_PASSWORD":
		return DevPassword
	}
	return ""
}

// Main runs a package's tests holding the lock, so two test binaries never
// wipe the database under each other. Call it from TestMain.
func Main(m *testing.M) {
	lock, err := os.OpenFile(LockFile, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		fmt.Fprintln(os.Stderr, "neo4jtest: opening the lock file:", err)
		os.Exit(1)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		fmt.Fprintln(os.Stderr, "neo4jtest: locking:", err)
		os.Exit(1)
	}
	code := m.Run()
	lock.Close() // releases the lock
	os.Exit(code)
}

// OpenEmpty wipes the test database and opens a store on it. The store is
// closed when the test ends. Only call it from a package whose TestMain
// calls Main.
func OpenEmpty(t testing.TB) *neo4j.Store {
	t.Helper()
	ctx := context.Background()
	if err := Wipe(ctx); err != nil {
		t.Fatalf("Neo4j test server not usable: %v\n"+
			"Start it with `scripts/neo4j start` (or set NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD).", err)
	}
	s, err := neo4j.Open(ctx, URI(), Getenv)
	if err != nil {
		t.Fatalf("Neo4j test server not usable: %v\n"+
			"Start it with `scripts/neo4j start` (or set NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD).", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Wipe deletes every node of the test database, in batches so no single
// transaction needs much memory.
func Wipe(ctx context.Context) error {
	username := Getenv("NEO4J_USERNAME")
	if username == "" {
		username = "neo4j"
	}
	d, err := driver.NewDriverWithContext(URI(), driver.BasicAuth(username, Getenv("NEO4J_PASSWORD"), ""))
	if err != nil {
		return err
	}
	defer d.Close(context.Background())
	database := Getenv("NEO4J_DATABASE")
	if database == "" {
		database = neo4j.DefaultDatabase
	}
	session := d.NewSession(ctx, driver.SessionConfig{DatabaseName: database})
	defer session.Close(context.Background())
	// Relationships first: a batch of nodes to DETACH DELETE can carry
	// hundreds of thousands of relationships (a hub concept's RELATED), more
	// than the server's transaction memory allows.
	for _, q := range wipeSteps {
		result, err := session.Run(ctx, q, nil)
		if err != nil {
			return fmt.Errorf("wiping %s: %w", URI(), err)
		}
		if _, err := result.Consume(ctx); err != nil {
			return fmt.Errorf("wiping %s: %w", URI(), err)
		}
	}
	return nil
}

// wipeSteps delete everything in bounded transactions.
var wipeSteps = []string{
	`MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
	`MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
}

// Count runs a counting query (one row, one integer) on the test database,
// for tests that check what is, or is not, stored.
func Count(t testing.TB, store *neo4j.Store, query string, params map[string]any) int64 {
	t.Helper()
	res, err := store.ReadCypher(context.Background(), query, params)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		t.Fatalf("%s: %v, want one value", query, res.Rows)
	}
	n, ok := res.Rows[0][0].(int64)
	if !ok {
		t.Fatalf("%s: %v is not an integer", query, res.Rows[0][0])
	}
	return n
}
