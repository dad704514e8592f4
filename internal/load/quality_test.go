package load

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTranscriptExamplesQuality loads examples/transcripts as graphload does
// and scores the graph against examples/gold-transcripts.json with the shared
// scorer, held at the level reached so that a change that reads transcripts
// worse fails. Speakers named only as speakers (Ingrid Holm) are not yet
// concepts: extraction takes the episode's guests as people but does not add
// them as concepts.
func TestTranscriptExamplesQuality(t *testing.T) {
	scorer := filepath.Join("..", "..", "..", "shared", "eval", "score.py")
	if _, err := os.Stat(scorer); err != nil {
		t.Skipf("no shared scorer beside the repository (%v)", err)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	st := openStore(t)
	res, err := Run(context.Background(), st, []string{"../../examples/transcripts"}, Options{})
	if err != nil || len(res.Failed) > 0 || len(res.Warnings) > 0 || res.Loaded != 2 {
		t.Fatalf("load: %v, failed %v, warnings %v, loaded %d", err, res.Failed, res.Warnings, res.Loaded)
	}
	out := filepath.Join(t.TempDir(), "graph.json")
	if err := os.WriteFile(out, export(t, st), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", scorer, out, "../../examples/gold-transcripts.json",
		"--min-core", "0.6", "--min-rel", "0.4", "--min-cross", "1", "--max-junk", "1")
	report, err := cmd.CombinedOutput()
	t.Logf("score.py:\n%s", report)
	if err != nil {
		t.Fatalf("transcript extraction below the bar: %v", err)
	}
}
