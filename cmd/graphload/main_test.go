package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"graphload"}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestLoadExportExplain(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "g.db")
	out, _, err := runCmd(t, "-store", db, "../../examples/notes")
	if err != nil || !strings.Contains(out, "episodes (") {
		t.Fatalf("load: %v %q", err, out)
	}
	file := filepath.Join(dir, "g.json")
	if _, _, err := runCmd(t, "export", "-store", db, "-format", "node-link", "-o", file); err != nil {
		t.Fatal(err)
	}
	var nl struct {
		Directed bool             `json:"directed"`
		Nodes    []map[string]any `json:"nodes"`
		Links    []map[string]any `json:"links"`
	}
	data, _ := os.ReadFile(file)
	if err := json.Unmarshal(data, &nl); err != nil || len(nl.Nodes) == 0 || len(nl.Links) == 0 {
		t.Fatalf("export: %v, %d nodes", err, len(nl.Nodes))
	}
	out, _, err = runCmd(t, "explain", "Moloch", "../../examples/notes")
	if err != nil || !strings.Contains(out, `"Moloch" folds to key "moloch"`) || !strings.Contains(out, "kept") {
		t.Fatalf("explain: %v %q", err, out)
	}
	if _, _, err := runCmd(t, "export", "-store", db, "-format", "dot"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestBadFilesExitNonZero(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "good.txt"), []byte("Title\n- Moloch and coordination.\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.md"), []byte("---\ntitle: x\n"), 0o644)
	out, errOut, err := runCmd(t, "-store", "sqlite:"+filepath.Join(dir, "g.db"), dir)
	if err == nil {
		t.Fatal("a failed file must make graphload fail")
	}
	if !strings.Contains(errOut, "bad.md:1: front matter") || !strings.Contains(out, "1 loaded") {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
	if _, _, err := runCmd(t, "-lexicon", filepath.Join(dir, "missing.yaml"), dir); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("missing lexicon: %v", err)
	}
}
