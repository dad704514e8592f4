package neo4j

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// TestLoadSurvivesServerRestart stops and restarts the dev server (with
// scripts/neo4j) while episodes are being replaced. Each ReplaceEpisode must
// either succeed, the driver having retried across the outage, or fail with a
// clear "unavailable" error; and loading everything again afterwards must give
// exactly the facts of a clean load. It restarts the shared server, so it runs
// only when TOPICGRAPH_NEO4J_RESTART_TEST=1 (.ci/run sets it).
func TestLoadSurvivesServerRestart(t *testing.T) {
	if os.Getenv("TOPICGRAPH_NEO4J_RESTART_TEST") != "1" {
		t.Skip("restarts the shared Neo4j server; set TOPICGRAPH_NEO4J_RESTART_TEST=1 to run it")
	}
	script, err := filepath.Abs("../../scripts/neo4j")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := openEmpty(t)
	defer s.Close()

	var corpus []graph.EpisodeFacts
	for i := range 60 {
		corpus = append(corpus, storetest.Generate(fmt.Sprintf("restart-%03d", i), 40, 50))
	}
	scriptOutput := func(args ...string) (string, error) {
		out, err := exec.Command(script, args...).CombinedOutput()
		return string(out), err
	}

	restarted := make(chan error, 1)
	var failures []error
	var longest time.Duration // shows whether a call really spanned the outage
	for i, f := range corpus {
		if i == 10 {
			go func() {
				out, err := scriptOutput("stop")
				if err == nil {
					var more string
					more, err = scriptOutput("start")
					out += more
				}
				if err != nil {
					err = fmt.Errorf("%v: %s", err, out)
				}
				restarted <- err
			}()
			// Let the stop begin before the next write.
			time.Sleep(500 * time.Millisecond)
		}
		began := time.Now()
		err := s.ReplaceEpisode(ctx, f)
		longest = max(longest, time.Since(began))
		if err != nil {
			failures = append(failures, err)
			if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
				t.Errorf("ReplaceEpisode(%s) during the restart: code %q (%v), want %q", f.Episode.ID, code, err, graph.EUNAVAILABLE)
			}
			if !strings.Contains(err.Error(), "scripts/neo4j start") {
				t.Errorf("ReplaceEpisode(%s) during the restart: error %q does not say how to start the server", f.Episode.ID, err)
			}
		}
	}
	if err := <-restarted; err != nil {
		t.Fatalf("restarting the server: %v", err)
	}
	t.Logf("%d of %d ReplaceEpisode calls failed during the restart; the longest call took %v",
		len(failures), len(corpus), longest.Round(time.Millisecond))

	// Whatever happened, a second full load on the restarted server is exact.
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatalf("ReplaceEpisode(%s) after the restart: %v", f.Episode.ID, err)
		}
	}
	got, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckFacts(t, corpus, got) // ids are generated in sorted order
}
