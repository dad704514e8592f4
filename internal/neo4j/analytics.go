package neo4j

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// AnalyticsBatch bounds the rows one SaveAnalytics transaction writes
// (concepts, or RELATED relationships). Each batch is its own transaction, so
// the size of the catalogue never decides whether a save fits the server's
// transaction memory; 10,000 rows take a few MB of it. A variable so that
// tests can lower it.
var AnalyticsBatch = 10_000

// NPMIDecimals is the precision of RELATED's npmi. The exact value is
// computed from the facts wherever the explorer needs it; the stored one is
// for people reading the graph in Neo4j. Rounding is what lets a save skip
// most relationships after a small change: one new line changes the total
// line count and so, in the sixth decimal or beyond, every pair's NPMI.
const NPMIDecimals = 4

// SaveAnalytics stores the scores of g's concepts, refreshes their label,
// kind, aliases and mention count from the aggregation, and materialises g's
// relations as RELATED relationships carrying their aggregates (type,
// weight, npmi, episode count; the evidence stays in the episodes' lines),
// replacing those of the previous save. Concepts of g that the store does
// not hold are ignored: scores belong to stored concepts.
//
// It compares with what is stored and writes only the differences, in
// transactions of at most AnalyticsBatch rows: a concept whose properties
// changed (each keeps a digest of them, written with them), a relationship
// that is new, changed or gone. A save that was stopped half way therefore
// resumes where it stopped when it is run again.
func (s *Store) SaveAnalytics(ctx context.Context, g *graph.Graph) error {
	if err := s.saveConcepts(ctx, g); err != nil {
		return s.describe(err, "saving concept analytics", "")
	}
	if err := s.saveRelated(ctx, g); err != nil {
		return s.describe(err, "saving RELATED relationships", "")
	}
	return nil
}

// writeBatches writes rows with query ($rows), at most AnalyticsBatch per
// transaction, each with the version bump.
func (s *Store) writeBatches(ctx context.Context, query string, rows []map[string]any) error {
	for start := 0; start < len(rows); start += AnalyticsBatch {
		batch := rows[start:min(start+AnalyticsBatch, len(rows))]
		if _, err := s.write(ctx, func(tx driver.ManagedTransaction) (any, error) {
			if _, err := run(ctx, tx, query, map[string]any{"rows": batch}); err != nil {
				return nil, err
			}
			return run(ctx, tx, bumpVersion, nil)
		}); err != nil {
			return err
		}
		if batchWritten != nil {
			batchWritten()
		}
	}
	return nil
}

// batchWritten, when set (by tests), is called after each committed batch,
// so a test can stop a save half way as a killed load would.
var batchWritten func()

const setConcepts = `UNWIND $rows AS r
	MATCH (c:Concept {key: r.key})
	REMOVE c:Person:Organization:Work
	SET c += r.props
	FOREACH (_ IN CASE r.props.kind WHEN 'person' THEN [1] ELSE [] END | SET c:Person)
	FOREACH (_ IN CASE r.props.kind WHEN 'organization' THEN [1] ELSE [] END | SET c:Organization)
	FOREACH (_ IN CASE r.props.kind WHEN 'work' THEN [1] ELSE [] END | SET c:Work)`

const clearConcepts = `UNWIND $rows AS r
	MATCH (c:Concept {key: r.key})
	REMOVE c.degree, c.weighted_degree, c.pagerank, c.betweenness, c.community, c.analytics`

func (s *Store) saveConcepts(ctx context.Context, g *graph.Graph) error {
	stored, err := s.analyticsDigests(ctx)
	if err != nil {
		return err
	}
	var set, clear []map[string]any
	inGraph := make(map[string]bool, len(g.Concepts))
	for _, c := range g.Concepts {
		key := keyOf(c.ID)
		inGraph[key] = true
		digest := analyticsDigest(c)
		if old, ok := stored[key]; !ok || old == digest {
			continue // not stored (ignored), or unchanged
		}
		set = append(set, map[string]any{"key": key, "props": map[string]any{
			"label": c.Label, "kind": string(c.Kind), "aliases": nonNil(c.Aliases),
			"mentions": int64(c.Mentions), "degree": int64(c.Degree), "weighted_degree": c.WeightedDegree,
			"pagerank": c.PageRank, "betweenness": c.Betweenness, "community": int64(c.Community),
			"analytics": digest,
		}})
	}
	for key, digest := range stored {
		if !inGraph[key] && digest != "" {
			clear = append(clear, map[string]any{"key": key})
		}
	}
	if err := s.writeBatches(ctx, setConcepts, set); err != nil {
		return err
	}
	return s.writeBatches(ctx, clearConcepts, clear)
}

// analyticsDigests returns every stored concept's analytics digest by key:
// "" for a concept never saved.
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

// analyticsDigest hashes the properties SaveAnalytics writes on c. Floats
// are hashed by their bits, so any change is a change.
func analyticsDigest(c graph.Concept) string {
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
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func writeUint(h hash.Hash, v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	h.Write(b[:])
}

// related is what a RELATED relationship carries.
type related struct {
	typ          string
	weight, npmi float64
	episodes     int64
}

// pair is a RELATED relationship's ends, as numbers of interned concept ids
// (millions of pairs would otherwise each hold two strings).
type pair struct{ source, target int32 }

// interner numbers concept ids.
type interner struct {
	ids    []string
	number map[string]int32
}

func (in *interner) of(id string) int32 {
	if n, ok := in.number[id]; ok {
		return n
	}
	n := int32(len(in.ids))
	in.ids = append(in.ids, id)
	in.number[id] = n
	return n
}

const (
	createRelated = `UNWIND $rows AS r
		MATCH (a:Concept {key: r.source}), (b:Concept {key: r.target})
		CREATE (a)-[rel:RELATED]->(b)
		SET rel = r.props`
	// Both ends are found by key first, so the relationship is found by
	// expanding into the pair (from whichever end has fewer relationships)
	// rather than by reading the key of every neighbour of a hub.
	updateRelated = `UNWIND $rows AS r
		MATCH (a:Concept {key: r.source})
		MATCH (b:Concept {key: r.target})
		MATCH (a)-[rel:RELATED]->(b)
		SET rel = r.props`
	deleteRelated = `UNWIND $rows AS r
		MATCH (a:Concept {key: r.source})
		MATCH (b:Concept {key: r.target})
		MATCH (a)-[rel:RELATED]->(b)
		DELETE rel`
)

func (s *Store) saveRelated(ctx context.Context, g *graph.Graph) error {
	in := &interner{number: make(map[string]int32, len(g.Concepts))}
	stored, duplicated, err := s.storedRelated(ctx, in)
	if err != nil {
		return err
	}
	row := func(p pair, props map[string]any) map[string]any {
		r := map[string]any{"source": keyOf(in.ids[p.source]), "target": keyOf(in.ids[p.target])}
		if props != nil {
			r["props"] = props
		}
		return r
	}
	var creates, updates, deletes []map[string]any
	// A pair stored twice (only by hand) is deleted and created again.
	for _, p := range duplicated {
		deletes = append(deletes, row(p, nil))
		delete(stored, p)
	}
	scale := math.Pow(10, NPMIDecimals)
	for _, r := range g.Relations {
		p := pair{in.of(r.Source), in.of(r.Target)}
		want := related{typ: r.Type, weight: r.Weight, npmi: math.Round(r.NPMI*scale) / scale, episodes: int64(len(r.Episodes))}
		props := map[string]any{"type": want.typ, "weight": want.weight, "npmi": want.npmi, "episode_count": want.episodes}
		old, ok := stored[p]
		switch {
		case !ok:
			creates = append(creates, row(p, props))
		case old != want:
			updates = append(updates, row(p, props))
		}
		delete(stored, p)
	}
	for p := range stored { // stored, no longer in g
		deletes = append(deletes, row(p, nil))
	}
	for _, step := range []struct {
		query string
		rows  []map[string]any
	}{{deleteRelated, deletes}, {updateRelated, updates}, {createRelated, creates}} {
		if err := s.writeBatches(ctx, step.query, step.rows); err != nil {
			return err
		}
	}
	return nil
}

// storedRelated reads every RELATED relationship's ends and aggregates, and
// the pairs stored more than once.
func (s *Store) storedRelated(ctx context.Context, in *interner) (map[pair]related, []pair, error) {
	type result struct {
		stored     map[pair]related
		duplicated []pair
	}
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, `MATCH (a:Concept)-[r:RELATED]->(b:Concept)
			RETURN a.id, b.id, r.type, r.weight, r.npmi, r.episode_count`, nil)
		if err != nil {
			return nil, err
		}
		out := result{stored: map[pair]related{}}
		types := map[string]string{} // one string per type, not one per row
		for res.Next(ctx) {
			v := res.Record().Values
			p := pair{in.of(asString(v[0])), in.of(asString(v[1]))}
			typ := asString(v[2])
			if t, ok := types[typ]; ok {
				typ = t
			} else {
				types[typ] = typ
			}
			if _, dup := out.stored[p]; dup {
				out.duplicated = append(out.duplicated, p)
			}
			out.stored[p] = related{typ: typ, weight: asFloat(v[3]), npmi: asFloat(v[4]), episodes: asInt(v[5])}
		}
		return out, res.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	r := out.(result)
	return r.stored, r.duplicated, nil
}
