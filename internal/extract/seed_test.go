package extract

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// sharedDir is the project's shared material, beside the repository.
const sharedDir = "../../../shared"

// extractDir parses and extracts every notes file of dir into a graph.
func extractDir(t testing.TB, dir string) *graph.Graph {
	t.Helper()
	x, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var srcs []Source
	for _, f := range files {
		if !notes.IsNotesFile(f) {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := notes.Parse(f, data)
		if err != nil {
			t.Fatal(err)
		}
		ep := graph.Episode{ID: filepath.Base(f), Source: f, Title: doc.Meta.Title, Date: doc.Meta.Date}
		srcs = append(srcs, Source{doc, ep})
	}
	g := graph.Build(x.ExtractAll(srcs, nil, 0, nil))
	return g
}

// score runs the shared scorer on g against gold with the given thresholds.
func score(t *testing.T, g *graph.Graph, gold string, thresholds ...string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "graph.json")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.WriteNodeLink(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if p := os.Getenv("KEEP_EXPORT"); p != "" {
		data, _ := os.ReadFile(out)
		os.WriteFile(p, data, 0o644)
	}
	args := append([]string{filepath.Join(sharedDir, "eval/score.py"), out, gold}, thresholds...)
	cmd := exec.Command("python3", args...)
	res, err := cmd.CombinedOutput()
	t.Logf("score.py:\n%s", res)
	if err != nil {
		t.Fatalf("extraction below the quality bar: %v", err)
	}
}

func TestSeedQuality(t *testing.T) {
	g := extractDir(t, filepath.Join(sharedDir, "seeds"))
	score(t, g, filepath.Join(sharedDir, "eval/seed-gold.json"), "--min-core", "0.8", "--min-rel", "0.6", "--max-junk", "0")
}

func TestExamplesQuality(t *testing.T) {
	g := extractDir(t, "../../examples/notes")
	score(t, g, "../../examples/gold.json", "--min-core", "0.8", "--min-rel", "0.6", "--max-junk", "0")
}
