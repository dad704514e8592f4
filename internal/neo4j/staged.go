package neo4j

import (
	"context"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// episodeBatch bounds the rows (lines, mentions and links) one transaction
// writes for an episode. A larger episode, such as a long transcript, is
// written in stages (replaceStaged), so no single transaction grows with the
// size of an episode. A variable so that tests can lower it.
var episodeBatch = 20_000

// stagedHook, when set (by tests), is called before each stage of a staged
// write; an error stops the write there, as a killed process would.
var stagedHook func(stage string) error

// replaceStaged replaces a large episode in bounded transactions while
// readers still see it whole. The new version is built under an
// :EpisodeDraft node, which no reader matches, in batches; one small
// transaction then swaps the labels (the old node becomes :EpisodeOld and
// the draft becomes the :Episode); the old version is then deleted in
// batches. A write stopped at any point leaves the old episode visible, or
// the new one, and leftovers that only :EpisodeDraft or :EpisodeOld nodes
// reach; the next staged write of the episode deletes them first.
func (s *Store) replaceStaged(ctx context.Context, facts graph.EpisodeFacts, lines []graph.Line) error {
	key := keyOf(facts.Episode.ID)
	stage := func(name string) error {
		if stagedHook != nil {
			return stagedHook(name)
		}
		return nil
	}
	if err := s.deleteStaged(ctx, key); err != nil {
		return err
	}
	if err := stage("draft"); err != nil {
		return err
	}
	// The draft: metadata first, then the link lists in chunks, each appended
	// in its own transaction.
	props := episodeProps(facts.Episode, nil)
	if len(lines)+len(facts.Mentions)+len(facts.Links) > episodeBatch {
		props["staged"] = true // so that ReplaceEpisode replaces it in stages too
	}
	if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `CREATE (d:EpisodeDraft) SET d = $props`, map[string]any{"props": props})
	}); err != nil {
		return err
	}
	for start := 0; start < len(facts.Links); start += episodeBatch {
		chunk := episodeProps(graph.Episode{}, facts.Links[start:min(start+episodeBatch, len(facts.Links))])
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			return run(ctx, tx, `MATCH (d:EpisodeDraft {key: $key})
				SET d.link_sources = coalesce(d.link_sources, []) + $chunk.link_sources,
					d.link_targets = coalesce(d.link_targets, []) + $chunk.link_targets,
					d.link_types = coalesce(d.link_types, []) + $chunk.link_types,
					d.link_strengths = coalesce(d.link_strengths, []) + $chunk.link_strengths,
					d.link_lines = coalesce(d.link_lines, []) + $chunk.link_lines`,
				map[string]any{"key": key, "chunk": chunk})
		}); err != nil {
			return err
		}
	}
	if err := stage("lines"); err != nil {
		return err
	}
	rows := lineRows(lines)
	for start := 0; start < len(rows); start += episodeBatch {
		batch := rows[start:min(start+episodeBatch, len(rows))]
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			return run(ctx, tx, `MATCH (d:EpisodeDraft {key: $key})
				UNWIND $lines AS r
				CREATE (d)-[:HAS_LINE]->(l:Line)
				SET l = r`, map[string]any{"key": key, "lines": batch})
		}); err != nil {
			return err
		}
	}
	if err := stage("mentions"); err != nil {
		return err
	}
	// Mentions go in groups of whole concepts (one MENTIONS relationship
	// each), about episodeBatch mentions per transaction.
	concepts := mentionRows(facts.Mentions)
	for start := 0; start < len(concepts); {
		end, n := start, 0
		for end < len(concepts) && (end == start || n+conceptMentions(concepts[end]) <= episodeBatch) {
			n += conceptMentions(concepts[end])
			end++
		}
		batch := concepts[start:end]
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			return run(ctx, tx, `MATCH (d:EpisodeDraft {key: $key})
				UNWIND $concepts AS r
				MERGE (c:Concept {key: r.key})
				ON CREATE SET c.id = r.id, c.label = r.label, c.kind = r.kind
				CREATE (d)-[m:MENTIONS]->(c)
				SET m = r.mentions`, map[string]any{"key": key, "concepts": batch})
		}); err != nil {
			return err
		}
		start = end
	}
	if err := stage("swap"); err != nil {
		return err
	}
	if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		if _, err := run(ctx, tx, `MATCH (old:Episode {key: $key})
			REMOVE old:Episode
			SET old:EpisodeOld`, map[string]any{"key": key}); err != nil {
			return nil, err
		}
		if _, err := run(ctx, tx, `MATCH (d:EpisodeDraft {key: $key})
			REMOVE d:EpisodeDraft
			SET d:Episode`, map[string]any{"key": key}); err != nil {
			return nil, err
		}
		return run(ctx, tx, bumpVersion, nil)
	}); err != nil {
		return err
	}
	if err := stage("cleanup"); err != nil {
		return err
	}
	return s.deleteStaged(ctx, key)
}

func conceptMentions(row map[string]any) int {
	return int(row["mentions"].(map[string]any)["count"].(int64))
}

// deleteStaged deletes, in bounded transactions, the :EpisodeDraft and
// :EpisodeOld nodes of an episode with their lines and mentions, and the
// concepts that only they mentioned. Readers never see these nodes, so
// nothing here changes the version.
func (s *Store) deleteStaged(ctx context.Context, key string) error {
	params := map[string]any{"key": key, "batch": int64(episodeBatch)}
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (d:EpisodeDraft|EpisodeOld {key: $key})-[:MENTIONS]->(c:Concept)
			RETURN collect(DISTINCT c.key) AS keys`, params)
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
	old := asList(out)
	for _, step := range []string{
		`MATCH (:EpisodeDraft|EpisodeOld {key: $key})-[:HAS_LINE]->(l:Line)
			WITH l LIMIT $batch
			DETACH DELETE l
			RETURN count(*)`,
		`MATCH (:EpisodeDraft|EpisodeOld {key: $key})-[m:MENTIONS]->()
			WITH m LIMIT $batch
			DELETE m
			RETURN count(*)`,
	} {
		for {
			out, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
				result, err := tx.Run(ctx, step, params)
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
			if asInt(out) == 0 {
				break
			}
		}
	}
	if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
		return run(ctx, tx, `MATCH (d:EpisodeDraft|EpisodeOld {key: $key}) DETACH DELETE d`, params)
	}); err != nil {
		return err
	}
	for start := 0; start < len(old); start += episodeBatch {
		keys := old[start:min(start+episodeBatch, len(old))]
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			summary, err := run(ctx, tx, deleteOrphans, map[string]any{"keys": keys})
			if err != nil || summary.(driver.ResultSummary).Counters().NodesDeleted() == 0 {
				return nil, err
			}
			return run(ctx, tx, bumpVersion, nil) // the scores of deleted concepts are gone
		}); err != nil {
			return err
		}
	}
	return nil
}
