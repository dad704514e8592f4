package extract

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
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
	facts, _ := x.ExtractAll(srcs, nil, 0, nil)
	g := graph.Build(facts)
	return g
}

// score runs the shared scorer on g against gold with the given thresholds.
func score(t *testing.T, g *graph.Graph, gold string, minSecondary float64, thresholds ...string) {
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
	if minSecondary > 0 {
		// score.py reports secondary recall but has no threshold flag for it.
		m := secondaryRe.FindSubmatch(res)
		if m == nil {
			t.Fatal("no secondary figure in score.py's summary")
		}
		if v, _ := strconv.ParseFloat(string(m[1]), 64); v/100 < minSecondary {
			t.Fatalf("secondary %.1f%% below %.0f%%", v, minSecondary*100)
		}
	}
}

var secondaryRe = regexp.MustCompile(`(?m)^(?:FAIL [a-z,]+: )?core [0-9.]+% secondary ([0-9.]+)%`)

func TestSeedQuality(t *testing.T) {
	g := extractDir(t, filepath.Join(sharedDir, "seeds"))
	// The bar of issue #4: core ≥ 95%, secondary ≥ 70%, relations ≥ 80%, density ≥ 40%, no junk.
	score(t, g, filepath.Join(sharedDir, "eval/seed-gold.json"), 0.70,
		"--min-core", "0.95", "--min-rel", "0.8", "--min-density", "0.4", "--max-junk", "0")
}

func TestExamplesQuality(t *testing.T) {
	g := extractDir(t, "../../examples/notes")
	// Our own notes in other styles, against our own gold (examples/gold.json):
	// held at the level reached, so a change that generalises worse fails.
	score(t, g, "../../examples/gold.json", 0.70,
		"--min-core", "0.92", "--min-rel", "0.72", "--min-density", "0.37", "--min-cross", "0.8", "--max-junk", "0")
}
