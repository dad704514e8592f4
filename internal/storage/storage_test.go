package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
	"github.com/topicgraph/topicgraph/internal/sqlite"
	"github.com/topicgraph/topicgraph/internal/storage"
)

func noEnv(string) string { return "" }

func TestOpenSQLiteForms(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		url  string
		file string // where the database must appear
	}{
		{"sqlite:" + filepath.Join(dir, "a.db"), filepath.Join(dir, "a.db")},
		{"sqlite://" + filepath.Join(dir, "b.db"), filepath.Join(dir, "b.db")}, // sqlite:///abs/path
		{"SQLite:" + filepath.Join(dir, "c.anything"), filepath.Join(dir, "c.anything")},
		{filepath.Join(dir, "d.db"), filepath.Join(dir, "d.db")},
		{filepath.Join(dir, "e.sqlite"), filepath.Join(dir, "e.sqlite")},
		{filepath.Join(dir, "f.SQLITE3"), filepath.Join(dir, "f.SQLITE3")},
		{"  " + filepath.Join(dir, "g.db") + "\n", filepath.Join(dir, "g.db")},
	} {
		s, err := storage.Open(ctx, tc.url, noEnv)
		if err != nil {
			t.Errorf("Open(%q): %v", tc.url, err)
			continue
		}
		if _, ok := s.(*sqlite.Store); !ok {
			t.Errorf("Open(%q) returned a %T, want *sqlite.Store", tc.url, s)
		}
		// The store works and is the file the URL names.
		if err := s.ReplaceEpisode(ctx, storetest.Corpus()[0]); err != nil {
			t.Errorf("Open(%q): ReplaceEpisode: %v", tc.url, err)
		}
		s.Close()
		if _, err := os.Stat(tc.file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", tc.url, tc.file, err)
		}
	}
}

func TestOpenRelativeSQLitePath(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, url := range []string{"sqlite:rel.db", "sqlite://rel2.db", "rel3.db"} {
		s, err := storage.Open(context.Background(), url, noEnv)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		s.Close()
	}
	for _, name := range []string{"rel.db", "rel2.db", "rel3.db"} {
		if _, err := os.Stat(name); err != nil {
			t.Errorf("%s not created in the working directory: %v", name, err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want []string // in the message
		hide string   // must not appear in the message
	}{
		{"", []string{"no store given", "sqlite:PATH"}, ""},
		{"   ", []string{"no store given"}, ""},
		{"sqlite:", []string{"names no database file"}, ""},
		{"sqlite://", []string{"names no database file"}, ""},
		{"graph.json", []string{`"graph.json"`, "not a store URL", "sqlite:PATH", "bolt://"}, ""},
		{"postgres://admin:hunter2@db/graph", []string{`unsupported scheme "postgres"`, "sqlite:PATH", "neo4j://", "admin:xxxxx@db"}, "hunter2"},
		{"sqlite:" + filepath.Join("no", "such", "dir", "g.db"), []string{filepath.Join("no", "such", "dir"), "does not exist"}, ""},
	} {
		s, err := storage.Open(context.Background(), tc.url, noEnv)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", tc.url)
			continue
		}
		if code := graph.ErrorCode(err); code != graph.EINVALID {
			t.Errorf("Open(%q): code %q, want %q (%v)", tc.url, code, graph.EINVALID, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Open(%q) error %q does not mention %q", tc.url, err, w)
			}
		}
		if tc.hide != "" && strings.Contains(err.Error(), tc.hide) {
			t.Errorf("Open(%q) error %q reveals the password", tc.url, err)
		}
	}
}

// A Neo4j URL reaches the Neo4j adapter: with nothing listening, the error
// says the server is unavailable, names the address and hides the password.
func TestOpenNeo4jUnreachable(t *testing.T) {
	for _, url := range []string{"bolt://neo4j:s3cret@127.0.0.1:1", "neo4j://127.0.0.1:1"} {
		s, err := storage.Open(context.Background(), url, noEnv)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded with nothing listening", url)
		}
		if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
			t.Errorf("Open(%q): code %q, want %q (%v)", url, code, graph.EUNAVAILABLE, err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q): %v", url, err)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bolt://neo4j:secret@localhost:7687", "bolt://neo4j:xxxxx@localhost:7687"},
		{"neo4j+s://user:p@ss:w/rd@x.databases.neo4j.io/db", "neo4j+s://user:xxxxx@x.databases.neo4j.io/db"},
		{"bolt://user:pa%40ss@host?db=graph", "bolt://user:xxxxx@host?db=graph"},
		{"bolt://neo4j@localhost:7687", "bolt://neo4j@localhost:7687"}, // a user alone is no secret
		{"bolt://localhost:7687", "bolt://localhost:7687"},
		{"neo4j://host?user=neo4j&password=secret&db=x#frag", "neo4j://host?user=neo4j&password=xxxxx&db=x#frag"},
		{"neo4j://host?TOKEN=abc", "neo4j://host?TOKEN=xxxxx"},
		{"sqlite:/var/lib/graph.db", "sqlite:/var/lib/graph.db"},
		{"sqlite:///var/lib/graph.db", "sqlite:///var/lib/graph.db"},
		{"graph.db", "graph.db"},
		{"", ""},
		{"://:@", "://:xxxxx@"},
	} {
		if got := storage.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// OpenExisting refuses an SQLite path with no file, says how to create one,
// and creates nothing; an existing store opens.
func TestOpenExistingRefusesToCreate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "typo.db")
	_, err := storage.OpenExisting(ctx, "sqlite:"+path, func(string) string { return "" })
	if graph.ErrorCode(err) != graph.ENOTFOUND || !strings.Contains(err.Error(), "graphload -store sqlite:"+path) {
		t.Fatalf("OpenExisting of a missing store: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the store was created: %v", err)
	}
	st, err := storage.Open(ctx, "sqlite:"+path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = storage.OpenExisting(ctx, path, func(string) string { return "" })
	if err != nil {
		t.Fatalf("OpenExisting of a store that exists: %v", err)
	}
	st.Close()
}
