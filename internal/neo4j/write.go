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
			ON CREATE SET m.epoch = randomUUID(), m.version = 0, m.schema = $schema`, map[string]any{"schema": schemaVersion})
	})
	if err != nil {
		return err
	}
	return s.upgrade(ctx)
}

// schemaVersion is kept in TopicgraphMeta.schema. A database whose meta node
// lacks it was written by the previous schema (or is empty) and is upgraded
// once; the check costs one read of the meta node, not a scan.
const schemaVersion = 2

// upgradeSteps convert a database written by the previous schema (a :Link
// node per link and a text per mention and link, RELATED with evidence
// lists) into this one, in batches, each its own transaction: every line's
// text once in a :Line node, links as list properties of their episode,
// RELATED without evidence. Each step only matches what is still in the old
// form, so an upgrade that was interrupted resumes when the store is opened
// again. The last step bumps the version so readers reload.
var upgradeSteps = []string{
	`MATCH (e:Episode)
	WHERE EXISTS { (e)-[:HAS_LINK]->(:Link) } OR EXISTS { (e)-[m:MENTIONS]->() WHERE m.texts IS NOT NULL }
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINK]->(l:Link)
		WITH e, l ORDER BY l.seq
		WITH e, collect(l) AS links
		CALL (e, links) {
			WITH e, links WHERE size(links) > 0
			SET e.link_sources = [l IN links | l.source], e.link_targets = [l IN links | l.target],
				e.link_types = [l IN links | l.type], e.link_strengths = [l IN links | l.strength],
				e.link_lines = [l IN links | l.line]
		}
		OPTIONAL MATCH (e)-[m:MENTIONS]->()
		WITH e, links, collect(m) AS mentions
		CALL (e, links, mentions) {
			UNWIND [l IN links | [l.line, l.text]] +
				reduce(all = [], m IN mentions | all + [i IN range(0, size(coalesce(m.texts, [])) - 1) | [m.lines[i], m.texts[i]]]) AS p
			WITH e, p[0] AS n, collect(p[1])[0] AS text
			MERGE (e)-[:HAS_LINE]->(line:Line {n: n})
			ON CREATE SET line.text = text
		}
		FOREACH (m IN mentions | REMOVE m.texts)
		FOREACH (l IN links | DETACH DELETE l)
	} IN TRANSACTIONS OF 200 ROWS`,
	`MATCH ()-[r:RELATED]->() WHERE r.evidence_texts IS NOT NULL
	CALL (r) {
		SET r.episode_count = size(r.episodes)
		REMOVE r.evidence_episodes, r.evidence_lines, r.evidence_texts, r.episodes
	} IN TRANSACTIONS OF 10000 ROWS`,
}

// upgrade runs upgradeSteps unless the meta node says the schema is current,
// then records that it is.
func (s *Store) upgrade(ctx context.Context) error {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (m:TopicgraphMeta {id: 'topicgraph'}) RETURN coalesce(m.schema, 1) AS schema`, nil)
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
		return err
	}
	if schema := asInt(out); schema >= schemaVersion {
		if schema > schemaVersion {
			return graph.Errorf(graph.EINVALID, "neo4j %s: database %q has topicgraph schema %d; this program knows up to %d (upgrade it)",
				s.address, s.database, schema, schemaVersion)
		}
		return nil
	}
	// CALL { } IN TRANSACTIONS needs an implicit (auto-commit) transaction.
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeWrite})
	defer session.Close(context.Background())
	for _, step := range upgradeSteps {
		result, err := session.Run(ctx, step, nil)
		if err != nil {
			return err
		}
		if _, err := result.Consume(ctx); err != nil {
			return err
		}
	}
	_, err = s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		if _, err := run(ctx, tx, `MATCH (m:TopicgraphMeta {id: 'topicgraph'}) SET m.schema = $schema`,
			map[string]any{"schema": schemaVersion}); err != nil {
			return nil, err
		}
		return run(ctx, tx, bumpVersion, nil)
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
// the episode (its links are list properties of it), its lines and mentions;
// delete the concepts it used to mention that no episode mentions any more;
// bump the version. It takes parameters only: nothing from the facts is ever
// spliced into Cypher text. The CALL blocks are unit subqueries, which run
// once per outer row and keep it.
//
// An episode last written in stages (replaceStaged) may be too large to
// delete in one transaction: then the statement writes nothing, and
// ReplaceEpisode writes in stages too.
const replaceEpisode = `OPTIONAL MATCH (staged:Episode {key: $key}) WHERE staged.staged
	WITH staged WHERE staged IS NULL
	MERGE (e:Episode {key: $key})
	WITH e
	OPTIONAL MATCH (e)-[m:MENTIONS]->(c:Concept)
	DELETE m
	WITH e, collect(c.key) AS old
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINE]->(l:Line)
		DETACH DELETE l
	}
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINK]->(l:Link)
		DETACH DELETE l
	}
	SET e = $episode
	WITH e, old
	CALL (e) {
		UNWIND $lines AS r
		CREATE (e)-[:HAS_LINE]->(l:Line)
		SET l = r
	}
	CALL (e) {
		UNWIND $concepts AS r
		MERGE (c:Concept {key: r.key})
		ON CREATE SET c.id = r.id, c.label = r.label, c.kind = r.kind
		CREATE (e)-[m:MENTIONS]->(c)
		SET m = r.mentions
	}
	CALL (old) {
		UNWIND old AS key
		MATCH (c:Concept {key: key})
		WHERE NOT EXISTS { (c)<-[:MENTIONS]-(:Episode) }
		DETACH DELETE c
	}
	WITH count(*) AS done WHERE done > 0
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
	lines, err := graph.LinesOf(facts)
	if err != nil {
		return err
	}
	if len(lines)+len(facts.Mentions)+len(facts.Links) > episodeBatch {
		if err := s.replaceStaged(ctx, facts, lines); err != nil {
			return s.describe(err, "replacing episode "+quote(facts.Episode.ID), "")
		}
		return nil
	}
	key := keyOf(facts.Episode.ID)
	params := map[string]any{
		"key":      key,
		"episode":  episodeProps(facts.Episode, facts.Links),
		"lines":    lineRows(lines),
		"concepts": mentionRows(facts.Mentions),
	}
	out, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, replaceEpisode, params)
	})
	if err == nil && out.(driver.ResultSummary).Counters().PropertiesSet() == 0 {
		err = s.replaceStaged(ctx, facts, lines) // the stored version is large
	}
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
				OPTIONAL MATCH (e)-[:HAS_LINE|HAS_LINK]->(l)
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

// lineRows are the properties of an episode's Line nodes. Absent, not null,
// where a line has no kind, time or speaker.
func lineRows(lines []graph.Line) []map[string]any {
	rows := make([]map[string]any, len(lines))
	for i, l := range lines {
		row := map[string]any{"n": int64(l.Line), "text": l.Text}
		if l.Kind != "" {
			row["kind"] = l.Kind
		}
		if l.Time != nil {
			row["time"] = *l.Time
		}
		if l.Speaker != "" {
			row["speaker"] = l.Speaker
		}
		rows[i] = row
	}
	return rows
}

// mentionRows groups an episode's mentions by concept: one MENTIONS
// relationship per concept, with parallel lists in stored order and the
// position of each mention in seqs. The texts are the lines'.
func mentionRows(mentions []graph.Mention) []map[string]any {
	type group struct {
		seqs, lines   []int64
		labels, kinds []string
		weights       []float64
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
		g.weights = append(g.weights, m.Weight)
	}
	rows := make([]map[string]any, len(order))
	for i, id := range order {
		g := groups[id]
		rows[i] = map[string]any{
			"key": keyOf(id), "id": id, "label": g.labels[0], "kind": g.kinds[0],
			"mentions": map[string]any{
				"count": int64(len(g.seqs)), "seqs": g.seqs, "labels": g.labels, "kinds": g.kinds,
				"lines": g.lines, "weights": g.weights,
			},
		}
	}
	return rows
}

// episodeProps are the Episode node's properties: its metadata and its links
// as parallel lists in stored order (a link's text is its line's).
func episodeProps(e graph.Episode, links []graph.Link) map[string]any {
	props := map[string]any{
		"key": keyOf(e.ID), "id": e.ID, "source": e.Source, "title": e.Title, "date": e.Date, "show": e.Show, "hash": e.Hash,
	}
	// Absent rather than empty: Neo4j cannot tell an empty list's element type.
	if len(e.Guests) > 0 {
		props["guests"] = e.Guests
	}
	if len(e.Tags) > 0 {
		props["tags"] = e.Tags
	}
	if e.URL != "" {
		props["url"] = e.URL
	}
	if e.Audio != "" {
		props["audio"] = e.Audio
	}
	if len(links) > 0 {
		sources, targets, types := make([]string, len(links)), make([]string, len(links)), make([]string, len(links))
		strengths, lines := make([]float64, len(links)), make([]int64, len(links))
		for i, l := range links {
			sources[i], targets[i], types[i], strengths[i], lines[i] = l.Source, l.Target, l.Type, l.Strength, int64(l.Line)
		}
		props["link_sources"], props["link_targets"], props["link_types"] = sources, targets, types
		props["link_strengths"], props["link_lines"] = strengths, lines
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
