package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// An episode larger than episodeBatch is written in stages; readers see the
// old version until the swap and the new one after, a write stopped at any
// stage leaves the old version readable, and the next write finishes the job
// with nothing left behind.
func TestLargeEpisodeIsWrittenInBoundedStages(t *testing.T) {
	ctx := context.Background()
	s := openEmpty(t)
	defer s.Close()
	saved := episodeBatch
	episodeBatch = 40
	t.Cleanup(func() { episodeBatch = saved; stagedHook = nil })

	corpus := storetest.Corpus()
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	big := storetest.Generate("big", 120, 200) // 120 mentions, 200 links, 65 lines
	big.Episode.Hash = "first"
	if err := s.ReplaceEpisode(ctx, big); err != nil {
		t.Fatalf("staged ReplaceEpisode: %v", err)
	}
	facts := func() []graph.EpisodeFacts {
		t.Helper()
		f, err := s.Facts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	withBig := func(b graph.EpisodeFacts) []graph.EpisodeFacts {
		return []graph.EpisodeFacts{b, corpus[1], corpus[0], corpus[2]} // big < ep-a < ep-b < ep-c
	}
	storetest.CheckFacts(t, withBig(big), facts())
	count := func(q string) int64 {
		t.Helper()
		out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
			result, err := tx.Run(ctx, q, nil)
			if err != nil {
				return nil, err
			}
			record, err := result.Single(ctx)
			if err != nil {
				return nil, err
			}
			return record.Values[0], nil
		})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out.(int64)
	}
	clean := func(when string) {
		t.Helper()
		for q, want := range map[string]int64{
			`MATCH (d:EpisodeDraft|EpisodeOld) RETURN count(d)`:                                  0,
			`MATCH (c:Concept) WHERE NOT EXISTS { (c)<-[:MENTIONS]-(:Episode) } RETURN count(c)`: 0,
			`MATCH (l:Line) WHERE NOT EXISTS { (l)<-[:HAS_LINE]-(:Episode) } RETURN count(l)`:    0,
		} {
			if n := count(q); n != want {
				t.Errorf("%s: %s = %d, want %d", when, q, n, want)
			}
		}
	}
	clean("after a staged write")

	// A smaller, different version, stopped before each stage in turn.
	next := storetest.Generate("big", 90, 150)
	next.Episode.Hash = "second"
	next.Mentions[0].Concept = "a concept only the second version has"
	stop := errors.New("stopped")
	for _, at := range []string{"draft", "lines", "mentions", "swap", "cleanup"} {
		before, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		stagedHook = func(stage string) error {
			if stage == at {
				return stop
			}
			return nil
		}
		if err := s.ReplaceEpisode(ctx, next); err == nil || !strings.Contains(err.Error(), stop.Error()) {
			t.Fatalf("stopped before %s: ReplaceEpisode gave %v, want the stop", at, err)
		}
		stagedHook = nil
		after, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if at == "cleanup" {
			storetest.CheckFacts(t, withBig(next), facts())
			if after == before {
				t.Errorf("stopped before cleanup: the swap did not change the version")
			}
			continue
		}
		storetest.CheckFacts(t, withBig(big), facts())
		if after != before {
			t.Errorf("stopped before %s: the version changed (%s to %s) though readers see nothing new", at, before, after)
		}
	}
	// The rerun completes it and leaves nothing behind.
	if err := s.ReplaceEpisode(ctx, next); err != nil {
		t.Fatal(err)
	}
	storetest.CheckFacts(t, withBig(next), facts())
	clean("after the rerun")

	// A small version replacing a staged one is written in stages too (the
	// stored one may be too large to delete in one go), then normally.
	small := storetest.Generate("big", 3, 2)
	for i := range 2 {
		if err := s.ReplaceEpisode(ctx, small); err != nil {
			t.Fatalf("small version, write %d: %v", i+1, err)
		}
		storetest.CheckFacts(t, withBig(small), facts())
		clean(fmt.Sprintf("after small write %d", i+1))
	}
	if n := count(`MATCH (e:Episode {id: 'big'}) WHERE e.staged RETURN count(e)`); n != 0 {
		t.Errorf("the small version is still marked as staged")
	}
}
