package load

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, st graph.Store) []byte {
	t.Helper()
	g, err := graph.Read(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := g.WriteNodeLink(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const episodeA = `Moloch and Coordination
Game Theory
- Moloch describes a race to the bottom driven by competition.
- Universal basic income (UBI) was proposed as a safety net.
`

const episodeB = `---
title: Attention and Addiction
date: 2024-02-03
---
# Attention economy
- Technology addiction exploits dopamine.
- Moloch shows up again: apps compete for attention.
`

func TestLoadIsIdempotentAndReplacesChangedFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), episodeA)
	write(t, filepath.Join(dir, "sub", "2024-02-03-b.md"), episodeB)
	st := openStore(t)

	res, err := Run(ctx, st, []string{dir}, Options{})
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("first load: %v %v", err, res.Failed)
	}
	if res.Loaded != 2 || res.Episodes != 2 {
		t.Fatalf("loaded %d, episodes %d; want 2, 2", res.Loaded, res.Episodes)
	}
	first := export(t, st)
	g, _ := graph.Read(ctx, st)
	var moloch *graph.Concept
	for i, c := range g.Concepts {
		if c.ID == "moloch" {
			moloch = &g.Concepts[i]
		}
	}
	if moloch == nil || len(moloch.Episodes) != 2 {
		t.Fatalf("Moloch should be one concept in both episodes, got %+v", moloch)
	}
	if moloch.PageRank <= 0 {
		t.Errorf("scores were not saved: %+v", moloch)
	}
	ids := []string{g.Episodes[0].ID, g.Episodes[1].ID}
	if !reflect.DeepEqual(ids, []string{"a", "sub-2024-02-03-b"}) {
		t.Errorf("episode ids %v", ids)
	}
	if g.Episodes[1].Date != "2024-02-03" || g.Episodes[1].Title != "Attention and Addiction" {
		t.Errorf("metadata %+v", g.Episodes[1])
	}

	res, err = Run(ctx, st, []string{dir}, Options{})
	if err != nil || res.Loaded != 0 || res.Unchanged != 2 {
		t.Fatalf("second load: %v, %+v", err, res)
	}
	if again := export(t, st); !bytes.Equal(first, again) {
		t.Fatal("loading the same notes twice changed the graph")
	}

	// A changed file replaces its episode: what it no longer says is gone.
	write(t, filepath.Join(dir, "a.txt"), "Moloch Revisited\n- Moloch and multipolar traps.\n")
	if _, err := Run(ctx, st, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	g, _ = graph.Read(ctx, st)
	for _, c := range g.Concepts {
		if c.ID == "universal-basic-income" {
			t.Fatalf("UBI should be gone with the old text of a.txt: %+v", c)
		}
	}

	// Pruning removes episodes whose files are gone, and only with the flag.
	os.Remove(filepath.Join(dir, "a.txt"))
	res, _ = Run(ctx, st, []string{dir}, Options{})
	if res.Episodes != 2 {
		t.Fatalf("without -prune the episode must stay, have %d", res.Episodes)
	}
	res, _ = Run(ctx, st, []string{dir}, Options{Prune: true})
	if res.Removed != 1 || res.Episodes != 1 {
		t.Fatalf("prune: %+v", res)
	}
}

func TestBadFilesAreReportedAndOthersLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good.txt"), episodeA)
	write(t, filepath.Join(dir, "empty.md"), "  \n\n")
	write(t, filepath.Join(dir, "binary.txt"), "abc\x00\x01\x02")
	write(t, filepath.Join(dir, "latin1.txt"), "Title\n- caf\xe9 culture\n")
	write(t, filepath.Join(dir, "broken.md"), "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n# Heading\n- text\n")
	big := filepath.Join(dir, "big.txt")
	f, _ := os.Create(big)
	f.Truncate(50 << 20)
	f.Close()
	unreadable := filepath.Join(dir, "secret.txt")
	write(t, unreadable, episodeA)
	os.Chmod(unreadable, 0)
	st := openStore(t)

	res, err := Run(ctx, st, []string{dir, filepath.Join(dir, "missing.txt")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantLoaded := 1
	if os.Geteuid() == 0 { // root reads files whatever their mode
		wantLoaded = 2
	}
	if res.Loaded != wantLoaded {
		t.Errorf("loaded %d files, want %d", res.Loaded, wantLoaded)
	}
	msgs := map[string]string{}
	for _, e := range res.Failed {
		msgs[filepath.Base(strings.SplitN(e.Error(), ":", 2)[0])] = e.Error()
	}
	for name, want := range map[string]string{
		"empty.md":    "empty file",
		"binary.txt":  "binary file",
		"latin1.txt":  "latin1.txt:2: invalid UTF-8",
		"broken.md":   "broken.md:2: broken front matter",
		"big.txt":     "larger than",
		"missing.txt": "no such file",
	} {
		if !strings.Contains(msgs[name], want) {
			t.Errorf("%s: got %q, want it to contain %q", name, msgs[name], want)
		}
	}
	if os.Geteuid() != 0 && !strings.Contains(msgs["secret.txt"], "permission denied") {
		t.Errorf("unreadable file: %q", msgs["secret.txt"])
	}
}

// The same notes give a byte-identical export, whatever the number of workers.
func TestExportIsDeterministic(t *testing.T) {
	ctx := context.Background()
	var exports [][]byte
	for _, workers := range []int{1, 4} {
		st := openStore(t)
		if _, err := Run(ctx, st, []string{"../../examples/notes"}, Options{Workers: workers}); err != nil {
			t.Fatal(err)
		}
		exports = append(exports, export(t, st))
	}
	if !bytes.Equal(exports[0], exports[1]) {
		t.Fatal("two loads of the same notes gave different exports")
	}
}

// After a file changes, an incremental load gives exactly the graph a clean
// load of the same files gives (the corpus vocabulary included).
func TestIncrementalLoadEqualsCleanLoad(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	entries, _ := os.ReadDir("../../examples/notes")
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join("../../examples/notes", e.Name()))
		write(t, filepath.Join(dir, e.Name()), string(data))
	}
	inc := openStore(t)
	if _, err := Run(ctx, inc, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	moloch := filepath.Join(dir, "2024-03-12-moloch-and-coordination.md")
	data, _ := os.ReadFile(moloch)
	write(t, moloch, strings.Replace(string(data), "#", "# Referees and races\n- A referee can stop a race to the bottom.\n\n#", 1))
	if _, err := Run(ctx, inc, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	clean := openStore(t)
	if _, err := Run(ctx, clean, []string{dir}, Options{}); err != nil {
		t.Fatal(err)
	}
	if a, b := export(t, inc), export(t, clean); !bytes.Equal(a, b) {
		t.Fatal("an incremental load differs from a clean load of the same files")
	}
}
