package neo4j

import (
	"context"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// writeOldSchema stores facts the way the previous schema did: a text on
// every mention, a :Link node with its text per link, and RELATED with
// evidence lists.
func writeOldSchema(t *testing.T, s *Store, facts []graph.EpisodeFacts) {
	t.Helper()
	ctx := context.Background()
	for _, f := range facts {
		type group struct {
			seqs, lines          []int64
			labels, kinds, texts []string
			weights              []float64
		}
		var order []string
		groups := map[string]*group{}
		for i, m := range f.Mentions {
			g := groups[m.Concept]
			if g == nil {
				g = &group{}
				groups[m.Concept] = g
				order = append(order, m.Concept)
			}
			g.seqs, g.lines = append(g.seqs, int64(i)), append(g.lines, int64(m.Line))
			g.labels, g.kinds, g.texts = append(g.labels, m.Label), append(g.kinds, string(m.Kind)), append(g.texts, m.Text)
			g.weights = append(g.weights, m.Weight)
		}
		var concepts []map[string]any
		for _, id := range order {
			g := groups[id]
			concepts = append(concepts, map[string]any{"key": keyOf(id), "id": id, "label": g.labels[0], "kind": g.kinds[0],
				"mentions": map[string]any{"count": int64(len(g.seqs)), "seqs": g.seqs, "labels": g.labels, "kinds": g.kinds,
					"lines": g.lines, "texts": g.texts, "weights": g.weights}})
		}
		var links []map[string]any
		for i, l := range f.Links {
			links = append(links, map[string]any{"seq": int64(i), "source": l.Source, "target": l.Target, "type": l.Type,
				"strength": l.Strength, "line": int64(l.Line), "text": l.Text})
		}
		_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			return run(ctx, tx, `CREATE (e:Episode) SET e = $episode
				WITH e
				CALL (e) {
					UNWIND $concepts AS r
					MERGE (c:Concept {key: r.key}) ON CREATE SET c.id = r.id, c.label = r.label, c.kind = r.kind
					CREATE (e)-[m:MENTIONS]->(c) SET m = r.mentions
				}
				CALL (e) {
					UNWIND $links AS r
					CREATE (e)-[:HAS_LINK]->(l:Link) SET l = r
				}`, map[string]any{"episode": episodeProps(f.Episode, nil), "concepts": concepts, "links": links})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MATCH (a:Concept {id: 'decision tree'}), (b:Concept {id: 'model'})
			CREATE (a)-[:RELATED {type: 'kind_of', weight: 1.5, episodes: ['ep-c'], evidence_episodes: ['ep-c'],
				evidence_lines: [1], evidence_texts: ['Decision trees are a kind of model']}]->(b)`, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A database written by the previous schema is converted when the store
// opens it, and reads back the same facts.
func TestOpenUpgradesTheOldSchema(t *testing.T) {
	ctx := context.Background()
	s := openEmpty(t)
	var facts []graph.EpisodeFacts
	for _, f := range append(storetest.Corpus(), storetest.HostileFacts(), storetest.Generate("generated", 60, 90)) {
		f.Lines = nil // the old schema kept no lines
		f.Episode.URL, f.Episode.Audio = "", ""
		facts = append(facts, f)
	}
	writeOldSchema(t, s, facts)
	// The previous schema's meta node had no schema number.
	if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MATCH (m:TopicgraphMeta) REMOVE m.schema`, nil)
	}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(ctx, testURI(), testEnv)
	if err != nil {
		t.Fatalf("opening a database of the old schema: %v", err)
	}
	defer s.Close()
	got, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(facts)
	slices.SortFunc(want, func(a, b graph.EpisodeFacts) int { return strings.Compare(a.Episode.ID, b.Episode.ID) })
	storetest.CheckFacts(t, want, got)
	if after, err := s.Version(ctx); err != nil || after == before {
		t.Errorf("version after the upgrade = %q (err %v); it must differ from %q so readers reload", after, err, before)
	}
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
	for q, want := range map[string]int64{
		`MATCH (l:Link) RETURN count(l)`:                                                      0,
		`MATCH ()-[m:MENTIONS]->() WHERE m.texts IS NOT NULL RETURN count(m)`:                 0,
		`MATCH ()-[r:RELATED]->() WHERE r.evidence_texts IS NOT NULL RETURN count(r)`:         0,
		`MATCH ()-[r:RELATED {episode_count: 1}]->() RETURN count(r)`:                         1,
		`MATCH (:Episode {id: 'ep-c'})-[:HAS_LINE]->(l:Line) RETURN count(l)`:                 1,
		`MATCH (:Episode {id: 'generated'})-[:HAS_LINE]->(l:Line) RETURN count(DISTINCT l.n)`: count(`MATCH (:Episode {id: 'generated'})-[:HAS_LINE]->(l:Line) RETURN count(l)`),
	} {
		if n := count(q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}

	// Opening again finds nothing to convert and changes nothing.
	v, _ := s.Version(ctx)
	again, err := Open(ctx, testURI(), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	if v2, _ := s.Version(ctx); v2 != v {
		t.Errorf("reopening an upgraded database changed the version: %q then %q", v, v2)
	}
}
