package neo4j

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// schema holds the constraints the store relies on: MERGE by id is only atomic
// and fast behind a uniqueness constraint (which also creates the index).
// The constraints are on key, a hash of id, not on id itself: an index entry
// is limited to about 8 KB, and ids are text from the notes, of any length.
var schema = []string{
	`CREATE CONSTRAINT topicgraph_episode_key IF NOT EXISTS FOR (e:Episode) REQUIRE e.key IS UNIQUE`,
	`CREATE CONSTRAINT topicgraph_concept_key IF NOT EXISTS FOR (c:Concept) REQUIRE c.key IS UNIQUE`,
	`CREATE CONSTRAINT topicgraph_meta_id IF NOT EXISTS FOR (m:TopicgraphMeta) REQUIRE m.id IS UNIQUE`,
}

func (s *Store) createSchema(ctx context.Context) error {
	// Schema commands cannot share a transaction with data writes, so each runs
	// in its own; IF NOT EXISTS makes them safe to repeat.
	for _, q := range schema {
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			return run(ctx, tx, q, nil)
		}); err != nil {
			return err
		}
	}
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MERGE (m:TopicgraphMeta {id: 'topicgraph'})
			ON CREATE SET m.epoch = randomUUID(), m.version = 0`, nil)
	})
	return err
}

// write runs work in one managed write transaction, which the driver retries
// on transient failures; work must therefore be idempotent and consume its results.
func (s *Store) write(ctx context.Context, work driver.ManagedTransactionWork) (any, error) {
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeWrite})
	defer session.Close(context.Background())
	return session.ExecuteWrite(ctx, work)
}

func (s *Store) read(ctx context.Context, work driver.ManagedTransactionWork) (any, error) {
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeRead})
	defer session.Close(context.Background())
	return session.ExecuteRead(ctx, work)
}

// run executes one statement and consumes its result.
func run(ctx context.Context, tx driver.ManagedTransaction, query string, params map[string]any) (any, error) {
	result, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, err
	}
	return result.Consume(ctx)
}

// bumpVersion is part of every write transaction, so Version changes exactly
// when committed data does.
const bumpVersion = `MERGE (m:TopicgraphMeta {id: 'topicgraph'})
	ON CREATE SET m.epoch = randomUUID(), m.version = 0
	SET m.version = m.version + 1`

// replaceEpisode is ReplaceEpisode's one statement (one round trip): forget
// what the episode said before, remembering which concepts it mentioned; store
// the episode, its mentions and links; delete the concepts it used to mention
// that no episode mentions any more; bump the version. It takes parameters
// only: nothing from the facts is ever spliced into Cypher text. The CALL
// blocks are unit subqueries, which run once per outer row and keep it.
const replaceEpisode = `MERGE (e:Episode {key: $key})
	WITH e
	OPTIONAL MATCH (e)-[m:MENTIONS]->(c:Concept)
	DELETE m
	WITH e, collect(c.key) AS old
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINK]->(l:Link)
		DETACH DELETE l
	}
	SET e = $episode
	WITH e, old
	CALL (e) {
		UNWIND $concepts AS r
		MERGE (c:Concept {key: r.key})
		ON CREATE SET c.id = r.id, c.label = r.label, c.kind = r.kind
		CREATE (e)-[m:MENTIONS]->(c)
		SET m = r.mentions
	}
	CALL (e) {
		UNWIND $links AS r
		CREATE (e)-[:HAS_LINK]->(l:Link)
		SET l = r
	}
	CALL (old) {
		UNWIND old AS key
		MATCH (c:Concept {key: key})
		WHERE NOT EXISTS { (c)<-[:MENTIONS]-(:Episode) }
		DETACH DELETE c
	}
	WITH count(*) AS done
	` + bumpVersion

// deleteOrphans deletes the concepts with the given keys that no episode mentions.
const deleteOrphans = `UNWIND $keys AS key
	MATCH (c:Concept {key: key})
	WHERE NOT EXISTS { (c)<-[:MENTIONS]-(:Episode) }
	DETACH DELETE c`

// ReplaceEpisode replaces everything stored for facts.Episode.ID in one
// transaction: readers see the old episode or the new one, never a mix.
func (s *Store) ReplaceEpisode(ctx context.Context, facts graph.EpisodeFacts) error {
	if facts.Episode.ID == "" {
		return graph.Errorf(graph.EINVALID, "neo4j store: episode has an empty id (source %q)", facts.Episode.Source)
	}
	key := keyOf(facts.Episode.ID)
	params := map[string]any{
		"key":      key,
		"episode":  episodeProps(facts.Episode),
		"concepts": mentionRows(facts.Mentions),
		"links":    linkRows(facts.Links),
	}
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, replaceEpisode, params)
	})
	if err != nil {
		return s.describe(err, "replacing episode "+quote(facts.Episode.ID), "")
	}
	return nil
}

// RemoveEpisodes deletes the episodes, their facts and the concepts that no
// remaining episode mentions, in one transaction. Unknown ids are ignored.
func (s *Store) RemoveEpisodes(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = keyOf(id)
	}
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `UNWIND $keys AS key
			MATCH (e:Episode {key: key})
			OPTIONAL MATCH (e)-[:MENTIONS]->(c:Concept)
			WITH e, collect(c.key) AS old
			CALL (e) {
				OPTIONAL MATCH (e)-[:HAS_LINK]->(l:Link)
				DETACH DELETE l
			}
			DETACH DELETE e
			WITH collect(old) AS olds
			RETURN reduce(all = [], keys IN olds | all + keys) AS old`, map[string]any{"keys": keys})
		if err != nil {
			return nil, err
		}
		record, err := result.Single(ctx)
		if err != nil {
			return nil, err
		}
		old, _ := record.Get("old")
		if _, err := run(ctx, tx, deleteOrphans, map[string]any{"keys": old}); err != nil {
			return nil, err
		}
		return run(ctx, tx, bumpVersion, nil)
	})
	if err != nil {
		return s.describe(err, "removing episodes", "")
	}
	return nil
}

// SaveAnalytics stores the scores of g's concepts, refreshes their label,
// kind, aliases and mention count from the aggregation, and materialises g's
// relations as RELATED relationships, replacing those of the previous save.
// Concepts of g that the store does not hold are ignored: scores belong to
// stored concepts.
func (s *Store) SaveAnalytics(ctx context.Context, g *graph.Graph) error {
	concepts := make([]map[string]any, len(g.Concepts))
	keys := make([]string, len(g.Concepts))
	for i, c := range g.Concepts {
		keys[i] = keyOf(c.ID)
		concepts[i] = map[string]any{
			"key": keys[i], "label": c.Label, "kind": string(c.Kind), "aliases": nonNil(c.Aliases),
			"mentions": c.Mentions, "degree": c.Degree, "weighted_degree": c.WeightedDegree,
			"pagerank": c.PageRank, "betweenness": c.Betweenness, "community": c.Community,
		}
	}
	relations := make([]map[string]any, len(g.Relations))
	for i, r := range g.Relations {
		evEpisodes := make([]string, len(r.Evidence))
		evLines := make([]int64, len(r.Evidence))
		evTexts := make([]string, len(r.Evidence))
		for j, ev := range r.Evidence {
			evEpisodes[j], evLines[j], evTexts[j] = ev.Episode, int64(ev.Line), ev.Text
		}
		relations[i] = map[string]any{
			"source": keyOf(r.Source), "target": keyOf(r.Target),
			"props": map[string]any{
				"type": r.Type, "weight": r.Weight, "episodes": nonNil(r.Episodes),
				"evidence_episodes": evEpisodes, "evidence_lines": evLines, "evidence_texts": evTexts,
			},
		}
	}
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		steps := []struct {
			query  string
			params map[string]any
		}{
			{`MATCH ()-[r:RELATED]->() DELETE r`, nil},
			{`MATCH (c:Concept) WHERE c.pagerank IS NOT NULL AND NOT c.key IN $keys
				REMOVE c.degree, c.weighted_degree, c.pagerank, c.betweenness, c.community`,
				map[string]any{"keys": keys}},
			{`UNWIND $concepts AS r
				MATCH (c:Concept {key: r.key})
				REMOVE c:Person:Organization:Work
				SET c += r
				FOREACH (_ IN CASE r.kind WHEN 'person' THEN [1] ELSE [] END | SET c:Person)
				FOREACH (_ IN CASE r.kind WHEN 'organization' THEN [1] ELSE [] END | SET c:Organization)
				FOREACH (_ IN CASE r.kind WHEN 'work' THEN [1] ELSE [] END | SET c:Work)`,
				map[string]any{"concepts": concepts}},
			{`UNWIND $relations AS r
				MATCH (a:Concept {key: r.source}), (b:Concept {key: r.target})
				CREATE (a)-[rel:RELATED]->(b)
				SET rel = r.props`,
				map[string]any{"relations": relations}},
			{bumpVersion, nil},
		}
		for _, step := range steps {
			if _, err := run(ctx, tx, step.query, step.params); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return s.describe(err, "saving analytics", "")
	}
	return nil
}

// mentionRows groups an episode's mentions by concept: one MENTIONS
// relationship per concept, with parallel lists in stored order and the
// position of each mention in seqs.
func mentionRows(mentions []graph.Mention) []map[string]any {
	type group struct {
		seqs, lines          []int64
		labels, kinds, texts []string
		weights              []float64
	}
	var order []string
	groups := map[string]*group{}
	for i, m := range mentions {
		g := groups[m.Concept]
		if g == nil {
			g = &group{}
			groups[m.Concept] = g
			order = append(order, m.Concept)
		}
		g.seqs = append(g.seqs, int64(i))
		g.lines = append(g.lines, int64(m.Line))
		g.labels = append(g.labels, m.Label)
		g.kinds = append(g.kinds, string(m.Kind))
		g.texts = append(g.texts, m.Text)
		g.weights = append(g.weights, m.Weight)
	}
	rows := make([]map[string]any, len(order))
	for i, id := range order {
		g := groups[id]
		rows[i] = map[string]any{
			"key": keyOf(id), "id": id, "label": g.labels[0], "kind": g.kinds[0],
			"mentions": map[string]any{
				"count": int64(len(g.seqs)), "seqs": g.seqs, "labels": g.labels, "kinds": g.kinds,
				"lines": g.lines, "texts": g.texts, "weights": g.weights,
			},
		}
	}
	return rows
}

func linkRows(links []graph.Link) []map[string]any {
	rows := make([]map[string]any, len(links))
	for i, l := range links {
		rows[i] = map[string]any{
			"seq": int64(i), "source": l.Source, "target": l.Target, "type": l.Type,
			"strength": l.Strength, "line": int64(l.Line), "text": l.Text,
		}
	}
	return rows
}

func episodeProps(e graph.Episode) map[string]any {
	props := map[string]any{
		"key": keyOf(e.ID), "id": e.ID, "source": e.Source, "title": e.Title, "date": e.Date, "show": e.Show, "hash": e.Hash,
	}
	// Absent rather than empty lists: Neo4j cannot tell an empty list's element type.
	if len(e.Guests) > 0 {
		props["guests"] = e.Guests
	}
	if len(e.Tags) > 0 {
		props["tags"] = e.Tags
	}
	return props
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// keyOf is the indexed key of an episode or concept id: its SHA-256 in hex.
func keyOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// SetAnalyticsDue sets or clears the analytics-due mark, a property of the
// meta node that leaves its version alone (it is not graph data).
func (s *Store) SetAnalyticsDue(ctx context.Context, due bool) error {
	_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MERGE (m:TopicgraphMeta {id: 'topicgraph'})
			ON CREATE SET m.epoch = randomUUID(), m.version = 0
			SET m.analyticsDue = $due`, map[string]any{"due": due})
	})
	if err != nil {
		return s.describe(err, "marking analytics due", "")
	}
	return nil
}
