package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Episodes lists the stored episodes sorted by id in Go's byte order (Neo4j
// orders strings by UTF-16 code units, which differs beyond the BMP).
func (s *Store) Episodes(ctx context.Context) ([]graph.Episode, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (e:Episode) RETURN e {.*} AS episode`, nil)
		if err != nil {
			return nil, err
		}
		var episodes []graph.Episode
		for result.Next(ctx) {
			props, _ := result.Record().Values[0].(map[string]any)
			episodes = append(episodes, episodeFrom(props))
		}
		return episodes, result.Err()
	})
	if err != nil {
		return nil, s.describe(err, "listing episodes", "")
	}
	episodes := out.([]graph.Episode)
	slices.SortFunc(episodes, func(a, b graph.Episode) int { return strings.Compare(a.ID, b.ID) })
	return episodes, nil
}

// factsQuery returns each episode with all its facts in one record, so an
// episode being replaced concurrently is read whole from one query.
const factsQuery = `MATCH (e:Episode)
	CALL (e) {
		OPTIONAL MATCH (e)-[m:MENTIONS]->(c:Concept)
		RETURN collect(CASE WHEN m IS NULL THEN NULL ELSE [c.id, m.seqs, m.labels, m.kinds, m.lines, m.texts, m.weights] END) AS mentions
	}
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINK]->(l:Link)
		RETURN collect(l {.*}) AS links
	}
	RETURN e {.*} AS episode, mentions, links`

// Facts returns every episode's facts sorted by episode id, with mentions and
// links in the order ReplaceEpisode received them.
func (s *Store) Facts(ctx context.Context) ([]graph.EpisodeFacts, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, factsQuery, nil)
		if err != nil {
			return nil, err
		}
		var facts []graph.EpisodeFacts
		for result.Next(ctx) {
			f, err := factsFrom(result.Record())
			if err != nil {
				return nil, err
			}
			facts = append(facts, f)
		}
		return facts, result.Err()
	})
	if err != nil {
		return nil, s.describe(err, "reading facts", "")
	}
	facts := out.([]graph.EpisodeFacts)
	slices.SortFunc(facts, func(a, b graph.EpisodeFacts) int { return strings.Compare(a.Episode.ID, b.Episode.ID) })
	return facts, nil
}

func factsFrom(record *driver.Record) (graph.EpisodeFacts, error) {
	episodeProps, _ := record.Values[0].(map[string]any)
	f := graph.EpisodeFacts{Episode: episodeFrom(episodeProps)}
	type placed struct {
		seq     int64
		mention graph.Mention
	}
	var mentions []placed
	for _, row := range asList(record.Values[1]) {
		cols := asList(row)
		if len(cols) != 7 {
			return f, fmt.Errorf("episode %q: malformed MENTIONS relationship", f.Episode.ID)
		}
		concept := asString(cols[0])
		seqs, labels, kinds, lines, texts, weights :=
			asList(cols[1]), asList(cols[2]), asList(cols[3]), asList(cols[4]), asList(cols[5]), asList(cols[6])
		n := len(seqs)
		if len(labels) != n || len(kinds) != n || len(lines) != n || len(texts) != n || len(weights) != n {
			return f, fmt.Errorf("episode %q: MENTIONS of concept %q has lists of different lengths", f.Episode.ID, concept)
		}
		for i := range n {
			mentions = append(mentions, placed{asInt(seqs[i]), graph.Mention{
				Concept: concept, Label: asString(labels[i]), Kind: graph.Kind(asString(kinds[i])),
				Line: int(asInt(lines[i])), Text: asString(texts[i]), Weight: asFloat(weights[i]),
			}})
		}
	}
	slices.SortFunc(mentions, func(a, b placed) int { return cmp.Compare(a.seq, b.seq) })
	for _, m := range mentions {
		f.Mentions = append(f.Mentions, m.mention)
	}
	type placedLink struct {
		seq  int64
		link graph.Link
	}
	var links []placedLink
	for _, row := range asList(record.Values[2]) {
		p, _ := row.(map[string]any)
		links = append(links, placedLink{asInt(p["seq"]), graph.Link{
			Source: asString(p["source"]), Target: asString(p["target"]), Type: asString(p["type"]),
			Strength: asFloat(p["strength"]), Line: int(asInt(p["line"])), Text: asString(p["text"]),
		}})
	}
	slices.SortFunc(links, func(a, b placedLink) int { return cmp.Compare(a.seq, b.seq) })
	for _, l := range links {
		f.Links = append(f.Links, l.link)
	}
	return f, nil
}

// Scores returns the scores of the last SaveAnalytics by concept id.
func (s *Store) Scores(ctx context.Context) (map[string]graph.Scores, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (c:Concept) WHERE c.pagerank IS NOT NULL
			RETURN c.id, c.degree, c.weighted_degree, c.pagerank, c.betweenness, c.community`, nil)
		if err != nil {
			return nil, err
		}
		scores := map[string]graph.Scores{}
		for result.Next(ctx) {
			v := result.Record().Values
			scores[asString(v[0])] = graph.Scores{
				Degree: int(asInt(v[1])), WeightedDegree: asFloat(v[2]), PageRank: asFloat(v[3]),
				Betweenness: asFloat(v[4]), Community: int(asInt(v[5])),
			}
		}
		return scores, result.Err()
	})
	if err != nil {
		return nil, s.describe(err, "reading scores", "")
	}
	return out.(map[string]graph.Scores), nil
}

// Version returns "<epoch>-<counter>": the counter is bumped by every write
// transaction, and the epoch is drawn when the database's meta node is
// created, so a wiped and reloaded database never repeats an old version.
func (s *Store) Version(ctx context.Context) (string, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `OPTIONAL MATCH (m:TopicgraphMeta {id: 'topicgraph'})
			RETURN coalesce(m.epoch, 'none') + '-' + toString(coalesce(m.version, 0))`, nil)
		if err != nil {
			return nil, err
		}
		record, err := result.Single(ctx)
		if err != nil {
			return nil, err
		}
		return asString(record.Values[0]), nil
	})
	if err != nil {
		return "", s.describe(err, "reading the version", "")
	}
	return out.(string), nil
}

func episodeFrom(p map[string]any) graph.Episode {
	return graph.Episode{
		ID: asString(p["id"]), Source: asString(p["source"]), Title: asString(p["title"]),
		Date: asString(p["date"]), Show: asString(p["show"]), Hash: asString(p["hash"]),
		Guests: asStrings(p["guests"]), Tags: asStrings(p["tags"]),
	}
}

// The driver returns int64, float64, string and []any; these accept a
// missing value (nil) as the zero value.

func asString(v any) string {
	s, _ := v.(string)
	return s
}

func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asStrings(v any) []string {
	l := asList(v)
	if len(l) == 0 {
		return nil
	}
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = asString(x)
	}
	return out
}

// AnalyticsDue reports whether the analytics-due mark is set.
func (s *Store) AnalyticsDue(ctx context.Context) (bool, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `OPTIONAL MATCH (m:TopicgraphMeta {id: 'topicgraph'})
			RETURN coalesce(m.analyticsDue, false)`, nil)
		if err != nil {
			return nil, err
		}
		record, err := result.Single(ctx)
		if err != nil {
			return nil, err
		}
		due, _ := record.Values[0].(bool)
		return due, nil
	})
	if err != nil {
		return false, s.describe(err, "reading the analytics-due mark", "")
	}
	return out.(bool), nil
}
