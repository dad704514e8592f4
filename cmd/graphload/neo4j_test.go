package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
)

// These tests load into the Neo4j dev server (scripts/neo4j start), wiping
// it, so the package's tests run under the lock every such test takes.
func TestMain(m *testing.M) { neo4jtest.Main(m) }

// buildGraphload builds the command, so the tests see what a user sees: the
// exit status and exactly what is printed.
func buildGraphload(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "graphload")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestLoadIntoNeo4jAndFailCleanly(t *testing.T) {
	ctx := context.Background()
	store := neo4jtest.OpenEmpty(t)
	uri := neo4jtest.URI()

	// A first load through the command, with the right credentials.
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"graphload", "-store", uri, "../../examples/notes"}, neo4jtest.Getenv, &out, &errOut); err != nil {
		t.Fatalf("load into Neo4j: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "into "+uri) {
		t.Errorf("load output %q does not name the store", out.String())
	}
	version, err := store.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int64 { return neo4jtest.Count(t, store, `MATCH (n) RETURN count(n)`, nil) }
	nodes := count()

	// More notes that would change the graph, if anything were written.
	more := t.TempDir()
	if err := os.WriteFile(filepath.Join(more, "2025-01-01-new.txt"), []byte("New episode\n\n- Zyxwv Quorum at Acme Corporation.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := buildGraphload(t)
	const wrongPassword = "wrong-password-4711"
	env := func(overrides ...string) []string {
		e := os.Environ()
		for _, key := range []string{"NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE", "TOPICGRAPH_STORE"} {
			e = append(e, key+"="+neo4jtest.Getenv(key))
		}
		return append(e, overrides...)
	}
	for _, tc := range []struct {
		name  string
		store string
		env   []string
		want  []string // in the error line
	}{
		{"wrong password", uri, env("NEO4J_PASSWORD=" + wrongPassword), []string{"wrong username or password", strings.TrimPrefix(uri, "bolt://")}},
		{"wrong password in the URL", strings.Replace(uri, "://", "://neo4j:"+wrongPassword+"@", 1), env(), []string{"wrong username or password"}},
		{"unreachable port", "bolt://127.0.0.1:1", env(), []string{"unreachable", "127.0.0.1:1", "scripts/neo4j start"}},
	} {
		cmd := exec.Command(bin, "-store", tc.store, more)
		cmd.Env = tc.env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("%s: exit %v, want status 1", tc.name, err)
		}
		lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "graphload: ") || stdout.Len() != 0 {
			t.Errorf("%s: stderr %q, stdout %q; want one graphload: line on stderr and nothing on stdout", tc.name, stderr.String(), stdout.String())
		}
		for _, want := range tc.want {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%s: error %q does not say %q", tc.name, strings.TrimSpace(stderr.String()), want)
			}
		}
		if strings.Contains(stderr.String(), wrongPassword) {
			t.Errorf("%s: error %q shows the password", tc.name, stderr.String())
		}
	}

	after, err := store.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != version || count() != nodes {
		t.Errorf("failed loads wrote to the database: version %s → %s, %d → %d nodes", version, after, nodes, count())
	}
}
