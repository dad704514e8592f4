package neo4j

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// SaveAnalytics writes in batches of at most AnalyticsBatch rows, one
// transaction each, and afterwards only what changed: saving the same graph
// again writes nothing, and a change to one relation rewrites that one.
func TestSaveAnalyticsWritesBoundedBatchesAndOnlyChanges(t *testing.T) {
	ctx := context.Background()
	s := openEmpty(t)
	defer s.Close()
	saved := AnalyticsBatch
	AnalyticsBatch = 3
	t.Cleanup(func() { AnalyticsBatch = saved })

	var corpus []graph.EpisodeFacts
	for _, id := range []string{"g-1", "g-2", "g-3"} {
		corpus = append(corpus, storetest.Generate(id, 30, 40))
	}
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	g := graph.Build(corpus)
	graph.Analyze(g)
	counter := func() int64 {
		t.Helper()
		return s.count(t, `MATCH (m:TopicgraphMeta) RETURN m.version`)
	}
	before := counter()
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	// One transaction per batch of 3 concepts and per batch of 3 relationships.
	wantBatches := int64((len(g.Concepts)+2)/3 + (len(g.Relations)+2)/3)
	if got := counter() - before; got != wantBatches {
		t.Errorf("first save: %d write transactions for %d concepts and %d relations, want %d (batches of 3)",
			got, len(g.Concepts), len(g.Relations), wantBatches)
	}
	if n := s.count(t, `MATCH ()-[r:RELATED]->() RETURN count(r)`); n != int64(len(g.Relations)) {
		t.Fatalf("%d RELATED relationships, want %d", n, len(g.Relations))
	}

	before = counter()
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	if got := counter() - before; got != 0 {
		t.Errorf("saving the same graph again wrote %d transactions, want none", got)
	}

	// Mark every relationship; a save replaces the properties of the ones it
	// rewrites, so the marks show what was written.
	if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MATCH ()-[r:RELATED]->() SET r.mark = true`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	g.Relations[0].Weight += 1
	last := len(g.Relations) - 1
	g.Relations[last].NPMI += 1e-9 // below the stored precision: not a change
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	if n := s.count(t, `MATCH ()-[r:RELATED]->() WHERE r.mark IS NULL RETURN count(r)`); n != 1 {
		t.Errorf("after changing one relation's weight, %d relationships were rewritten, want 1", n)
	}
	weight := s.count(t, `MATCH (:Concept {id: $a})-[r:RELATED]->(:Concept {id: $b}) RETURN toInteger(r.weight * 1000)`,
		"a", g.Relations[0].Source, "b", g.Relations[0].Target)
	if want := int64(g.Relations[0].Weight * 1000); weight != want {
		t.Errorf("changed weight stored as %d/1000, want %d/1000", weight, want)
	}

	// A relation no longer in the graph goes; the others stay untouched.
	g.Relations = g.Relations[1:]
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	if n := s.count(t, `MATCH ()-[r:RELATED]->() RETURN count(r)`); n != int64(len(g.Relations)) {
		t.Errorf("%d RELATED relationships after dropping one relation, want %d", n, len(g.Relations))
	}
	if n := s.count(t, `MATCH ()-[r:RELATED]->() WHERE r.mark IS NULL RETURN count(r)`); n != 0 {
		t.Errorf("%d untouched relationships were rewritten", n)
	}
}

// count runs a query returning one integer; params are name, value pairs.
func (s *Store) count(t *testing.T, query string, params ...string) int64 {
	t.Helper()
	p := map[string]any{}
	for i := 0; i+1 < len(params); i += 2 {
		p[params[i]] = params[i+1]
	}
	ctx := context.Background()
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, query, p)
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
		t.Fatalf("%s: %v", query, err)
	}
	return asInt(out)
}

// A save stopped after some of its batches (as by a killed load) and run
// again leaves exactly what one uninterrupted save leaves.
func TestSaveAnalyticsStoppedAndRerunEqualsOneSave(t *testing.T) {
	s := openEmpty(t)
	defer s.Close()
	saved := AnalyticsBatch
	AnalyticsBatch = 3
	t.Cleanup(func() { AnalyticsBatch = saved; batchWritten = nil })

	// Three episodes on overlapping concepts, each line linking two of them.
	var corpus []graph.EpisodeFacts
	for e := range 3 {
		var mentions []graph.Mention
		var links []graph.Link
		for i := range 15 {
			a, b := fmt.Sprintf("c%02d", e*5+i), fmt.Sprintf("c%02d", e*5+(i+1+i%3))
			text := fmt.Sprintf("%s and %s", a, b)
			mentions = append(mentions,
				storetest.Mention(a, a, graph.KindConcept, i+1, text, 1), storetest.Mention(b, b, graph.KindConcept, i+1, text, 1))
			links = append(links, storetest.Link(min(a, b), max(a, b), graph.RelCooccurs, 1, i+1, text))
		}
		corpus = append(corpus, storetest.Facts(fmt.Sprintf("k-%d", e), mentions, links))
	}
	for _, f := range corpus {
		if err := s.ReplaceEpisode(context.Background(), f); err != nil {
			t.Fatal(err)
		}
	}
	g := graph.Build(corpus)
	graph.Analyze(g)
	// The first round stops among the concept batches; the later ones, with
	// the concepts saved and every relationship deleted, among the RELATED
	// batches: early, half way, and before the last.
	relationBatches := (len(g.Relations) + 2) / 3
	if relationBatches < 6 {
		t.Fatalf("only %d relations: too few batches to stop a save in between", len(g.Relations))
	}
	for _, stopAfter := range []int{2, 1, relationBatches / 2, relationBatches - 1} {
		ctx, cancel := context.WithCancel(context.Background())
		written := 0
		batchWritten = func() {
			if written++; written == stopAfter {
				cancel()
			}
		}
		if err := s.SaveAnalytics(ctx, g); err == nil {
			t.Fatalf("a save cancelled after %d batches succeeded", stopAfter)
		}
		batchWritten = nil
		cancel()
		if n := s.count(t, `MATCH ()-[r:RELATED]->() RETURN count(r)`); n == int64(len(g.Relations)) {
			t.Errorf("stopped after %d batches, yet all %d relationships are there: the stop came too late to test anything", stopAfter, n)
		}
		if err := s.SaveAnalytics(context.Background(), g); err != nil {
			t.Fatal(err)
		}
		storetest.CheckScores(t, g.ScoresOf(), mustScores(t, s))
		if n := s.count(t, `MATCH ()-[r:RELATED]->() RETURN count(r)`); n != int64(len(g.Relations)) {
			t.Errorf("after stopping after %d batches and saving again: %d RELATED, want %d", stopAfter, n, len(g.Relations))
		}
		for _, r := range g.Relations {
			if n := s.count(t, `MATCH (:Concept {id: $a})-[r:RELATED]->(:Concept {id: $b})
				WHERE r.weight = toFloat($w) AND r.type = $type RETURN count(r)`,
				"a", r.Source, "b", r.Target, "type", r.Type, "w", strconv.FormatFloat(r.Weight, 'g', -1, 64)); n != 1 {
				t.Errorf("relation %s-%s: %d matching RELATED relationships, want 1", r.Source, r.Target, n)
				break
			}
		}
		// Start the next round from a state that differs again.
		if _, err := s.write(context.Background(), func(tx driver.ManagedTransaction) (any, error) {
			return run(context.Background(), tx, `MATCH ()-[r:RELATED]->() DELETE r`, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func mustScores(t *testing.T, s *Store) map[string]graph.Scores {
	t.Helper()
	scores, err := s.Scores(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return scores
}
