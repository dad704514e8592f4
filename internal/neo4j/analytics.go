package neo4j

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"
	"slices"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// AnalyticsBatch bounds the rows one SaveAnalytics transaction writes: concepts
// plus the RELATED relationships they own. Each batch is its own transaction,
// so the size of the catalogue never decides whether a save fits the server's
// transaction memory; 10,000 rows take a few MB of it.
const AnalyticsBatch = 10_000

// A concept owns the RELATED relationships it is the source of (relations run
// from the smaller id to the larger). Each concept stores a digest of its
// analytics properties and the relationships it owns, written in the same
// transaction as they are, so a save compares digests and rewrites only the
// concepts whose part changed, and a save that was killed half way resumes
// where it stopped when it is run again.

// SaveAnalytics stores the scores of g's concepts, refreshes their label,
// kind, aliases and mention count from the aggregation, and materialises g's
// relations as RELATED relationships carrying their aggregates (type, weight,
// npmi, episode count; the evidence stays in the episodes' lines), replacing
// those of the previous save. Concepts of g that the store does not hold are
// ignored: scores belong to stored concepts. It writes in transactions of at
// most AnalyticsBatch rows, and only the concepts whose part changed.
func (s *Store) SaveAnalytics(ctx context.Context, g *graph.Graph) error {
	stored, err := s.analyticsDigests(ctx)
	if err != nil {
		return s.describe(err, "reading the stored analytics", "")
	}
	owned := make(map[string][]graph.Relation, len(g.Concepts))
	for _, r := range g.Relations {
		owned[r.Source] = append(owned[r.Source], r)
	}

	var batch []map[string]any
	rows := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			if _, err := run(ctx, tx, saveConcepts, map[string]any{"concepts": batch}); err != nil {
				return nil, err
			}
			return run(ctx, tx, bumpVersion, nil)
		})
		batch, rows = batch[:0], 0
		return err
	}
	inGraph := make(map[string]bool, len(g.Concepts))
	for _, c := range g.Concepts {
		key := keyOf(c.ID)
		inGraph[key] = true
		relations := owned[c.ID]
		digest := analyticsDigest(c, relations)
		old, ok := stored[key]
		if !ok || old == digest {
			continue // not stored (ignored), or unchanged
		}
		if rows > 0 && rows+1+len(relations) > AnalyticsBatch {
			if err := flush(); err != nil {
				return s.describe(err, "saving analytics", "")
			}
		}
		batch = append(batch, conceptRow(key, c, relations, digest))
		rows += 1 + len(relations)
	}
	// Concepts that hold analytics but are not in g lose them.
	for key, digest := range stored {
		if inGraph[key] || digest == "" {
			continue
		}
		if rows+1 > AnalyticsBatch {
			if err := flush(); err != nil {
				return s.describe(err, "saving analytics", "")
			}
		}
		batch = append(batch, map[string]any{"key": key, "clear": true})
		rows++
	}
	if err := flush(); err != nil {
		return s.describe(err, "saving analytics", "")
	}
	return nil
}

// saveConcepts writes one batch: each row sets (or, with clear, removes) a
// concept's analytics and replaces the RELATED relationships it owns.
const saveConcepts = `UNWIND $concepts AS r
	MATCH (c:Concept {key: r.key})
	CALL (c) {
		OPTIONAL MATCH (c)-[old:RELATED]->()
		DELETE old
	}
	CALL (c, r) {
		WITH c, r WHERE r.clear
		REMOVE c.degree, c.weighted_degree, c.pagerank, c.betweenness, c.community, c.analytics
	}
	CALL (c, r) {
		WITH c, r WHERE r.clear IS NULL
		REMOVE c:Person:Organization:Work
		SET c += r.props
		FOREACH (_ IN CASE r.props.kind WHEN 'person' THEN [1] ELSE [] END | SET c:Person)
		FOREACH (_ IN CASE r.props.kind WHEN 'organization' THEN [1] ELSE [] END | SET c:Organization)
		FOREACH (_ IN CASE r.props.kind WHEN 'work' THEN [1] ELSE [] END | SET c:Work)
		WITH c, r
		UNWIND r.relations AS rel
		MATCH (b:Concept {key: rel.target})
		CREATE (c)-[related:RELATED]->(b)
		SET related = rel.props
	}`

func conceptRow(key string, c graph.Concept, relations []graph.Relation, digest string) map[string]any {
	rels := make([]map[string]any, len(relations))
	for i, r := range relations {
		rels[i] = map[string]any{
			"target": keyOf(r.Target),
			"props": map[string]any{
				"type": r.Type, "weight": r.Weight, "npmi": r.NPMI, "episode_count": int64(len(r.Episodes)),
			},
		}
	}
	return map[string]any{
		"key": key,
		"props": map[string]any{
			"label": c.Label, "kind": string(c.Kind), "aliases": nonNil(c.Aliases),
			"mentions": int64(c.Mentions), "degree": int64(c.Degree), "weighted_degree": c.WeightedDegree,
			"pagerank": c.PageRank, "betweenness": c.Betweenness, "community": int64(c.Community),
			"analytics": digest,
		},
		"relations": rels,
	}
}

// analyticsDigests returns every stored concept's analytics digest by key:
// "" for a concept never saved (or saved before digests were kept, which a
// save therefore rewrites).
func (s *Store) analyticsDigests(ctx context.Context) (map[string]string, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (c:Concept) RETURN c.key, coalesce(c.analytics, '')`, nil)
		if err != nil {
			return nil, err
		}
		digests := map[string]string{}
		for result.Next(ctx) {
			v := result.Record().Values
			digests[asString(v[0])] = asString(v[1])
		}
		return digests, result.Err()
	})
	if err != nil {
		return nil, err
	}
	return out.(map[string]string), nil
}

// analyticsDigest hashes everything SaveAnalytics writes for c: its
// properties and the relations it owns, in target order. Floats are hashed by
// their bits, so any change is a change.
func analyticsDigest(c graph.Concept, relations []graph.Relation) string {
	h := sha256.New()
	str := func(s string) {
		writeUint(h, uint64(len(s)))
		h.Write([]byte(s))
	}
	num := func(f float64) { writeUint(h, math.Float64bits(f)) }
	str(c.Label)
	str(string(c.Kind))
	writeUint(h, uint64(len(c.Aliases)))
	for _, a := range c.Aliases {
		str(a)
	}
	writeUint(h, uint64(c.Mentions))
	writeUint(h, uint64(c.Degree))
	num(c.WeightedDegree)
	num(c.PageRank)
	num(c.Betweenness)
	writeUint(h, uint64(c.Community))
	sorted := slices.Clone(relations)
	slices.SortFunc(sorted, func(a, b graph.Relation) int {
		return cmp.Or(strings.Compare(a.Target, b.Target), strings.Compare(a.Type, b.Type))
	})
	writeUint(h, uint64(len(sorted)))
	for _, r := range sorted {
		str(r.Target)
		str(r.Type)
		num(r.Weight)
		num(r.NPMI)
		writeUint(h, uint64(len(r.Episodes)))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeUint(h hash.Hash, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	h.Write(b[:])
}
