package neo4j

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Episodes lists the stored episodes sorted by id in Go's byte order (Neo4j
// orders strings by UTF-16 code units, which differs beyond the BMP).
func (s *Store) Episodes(ctx context.Context) ([]graph.Episode, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (e:Episode) RETURN `+episodeProjection+` AS episode`, nil)
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

// episodeProjection is an episode's metadata without its links and lines.
const episodeProjection = `e {.id, .source, .title, .date, .show, .guests, .tags, .hash, .url, .audio}`

// factsQuery returns each episode with all its facts in one record, so an
// episode being replaced concurrently is read whole from one query.
const factsQuery = `MATCH (e:Episode)
	CALL (e) {
		OPTIONAL MATCH (e)-[m:MENTIONS]->(c:Concept)
		RETURN collect(CASE WHEN m IS NULL THEN NULL ELSE [c.id, m.seqs, m.labels, m.kinds, m.lines, m.weights] END) AS mentions
	}
	CALL (e) {
		OPTIONAL MATCH (e)-[:HAS_LINE]->(l:Line)
		RETURN collect(CASE WHEN l IS NULL THEN NULL ELSE [l.n, l.text, l.kind, l.time, l.speaker] END) AS lines
	}
	RETURN ` + episodeProjection + ` AS episode, mentions, lines,
		[e.link_sources, e.link_targets, e.link_types, e.link_strengths, e.link_lines] AS links`

// Facts returns every episode's facts sorted by episode id, with mentions and
// links in the order ReplaceEpisode received them and their texts from the
// episode's lines.
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
	for _, row := range asList(record.Values[2]) {
		cols := asList(row)
		if len(cols) != 5 {
			return f, fmt.Errorf("episode %q: malformed Line node", f.Episode.ID)
		}
		f.Lines = append(f.Lines, lineFrom(cols))
	}
	slices.SortFunc(f.Lines, func(a, b graph.Line) int { return cmp.Compare(a.Line, b.Line) })
	text := func(what string, line int) (string, error) {
		i, ok := slices.BinarySearchFunc(f.Lines, line, func(l graph.Line, n int) int { return cmp.Compare(l.Line, n) })
		if !ok {
			return "", fmt.Errorf("episode %q: %s on line %d, which has no Line node", f.Episode.ID, what, line)
		}
		return f.Lines[i].Text, nil
	}

	type placed struct {
		seq     int64
		mention graph.Mention
	}
	var mentions []placed
	for _, row := range asList(record.Values[1]) {
		cols := asList(row)
		if len(cols) != 6 {
			return f, fmt.Errorf("episode %q: malformed MENTIONS relationship", f.Episode.ID)
		}
		concept := asString(cols[0])
		seqs, labels, kinds, lines, weights := asList(cols[1]), asList(cols[2]), asList(cols[3]), asList(cols[4]), asList(cols[5])
		n := len(seqs)
		if len(labels) != n || len(kinds) != n || len(lines) != n || len(weights) != n {
			return f, fmt.Errorf("episode %q: MENTIONS of concept %q has lists of different lengths", f.Episode.ID, concept)
		}
		for i := range n {
			m := graph.Mention{
				Concept: concept, Label: asString(labels[i]), Kind: graph.Kind(asString(kinds[i])),
				Line: int(asInt(lines[i])), Weight: asFloat(weights[i]),
			}
			var err error
			if m.Text, err = text("a mention of "+quote(concept), m.Line); err != nil {
				return f, err
			}
			mentions = append(mentions, placed{asInt(seqs[i]), m})
		}
	}
	slices.SortFunc(mentions, func(a, b placed) int { return cmp.Compare(a.seq, b.seq) })
	for _, m := range mentions {
		f.Mentions = append(f.Mentions, m.mention)
	}

	cols := asList(record.Values[3])
	if len(cols) != 5 {
		return f, fmt.Errorf("episode %q: malformed link lists", f.Episode.ID)
	}
	sources, targets, types, strengths, lines := asList(cols[0]), asList(cols[1]), asList(cols[2]), asList(cols[3]), asList(cols[4])
	n := len(sources)
	if len(targets) != n || len(types) != n || len(strengths) != n || len(lines) != n {
		return f, fmt.Errorf("episode %q: link lists of different lengths", f.Episode.ID)
	}
	for i := range n {
		l := graph.Link{
			Source: asString(sources[i]), Target: asString(targets[i]), Type: asString(types[i]),
			Strength: asFloat(strengths[i]), Line: int(asInt(lines[i])),
		}
		var err error
		if l.Text, err = text("a link", l.Line); err != nil {
			return f, err
		}
		f.Links = append(f.Links, l)
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

// VersionTimeout bounds one Version call. The explorer asks for the version
// on every refresh tick and reports "degraded" when it fails, so a stopped
// or hung server must make it fail within seconds, not after the driver's
// 30 s of retries (issue 12 measured 55 s).
const VersionTimeout = 3 * time.Second

// Version returns "<epoch>-<counter>": the counter is bumped by every write
// transaction, and the epoch is drawn when the database's meta node is
// created, so a wiped and reloaded database never repeats an old version.
//
// It is also the explorer's health check: one auto-commit query (the driver
// never retries those) with a deadline of VersionTimeout, on the server and
// on the connection alike.
func (s *Store) Version(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, VersionTimeout)
	defer cancel()
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeRead})
	defer session.Close(context.Background())
	version, err := func() (string, error) {
		result, err := session.Run(ctx, `OPTIONAL MATCH (m:TopicgraphMeta {id: 'topicgraph'})
			RETURN coalesce(m.epoch, 'none') + '-' + toString(coalesce(m.version, 0))`, nil, driver.WithTxTimeout(VersionTimeout))
		if err != nil {
			return "", err
		}
		record, err := result.Single(ctx)
		if err != nil {
			return "", err
		}
		return asString(record.Values[0]), nil
	}()
	if err != nil {
		return "", s.describe(err, "reading the version", "")
	}
	return version, nil
}

func episodeFrom(p map[string]any) graph.Episode {
	return graph.Episode{
		ID: asString(p["id"]), Source: asString(p["source"]), Title: asString(p["title"]),
		Date: asString(p["date"]), Show: asString(p["show"]), Hash: asString(p["hash"]),
		URL: asString(p["url"]), Audio: asString(p["audio"]),
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

// Lines returns one episode's stored lines by line number.
func (s *Store) Lines(ctx context.Context, episode string) ([]graph.Line, error) {
	out, err := s.read(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, `MATCH (e:Episode {key: $key})
			OPTIONAL MATCH (e)-[:HAS_LINE]->(l:Line)
			WITH e, l ORDER BY l.n
			RETURN count(DISTINCT e) AS found,
				collect(CASE WHEN l IS NULL THEN NULL ELSE [l.n, l.text, l.kind, l.time, l.speaker] END) AS lines`,
			map[string]any{"key": keyOf(episode)})
		if err != nil {
			return nil, err
		}
		if !result.Next(ctx) {
			return nil, result.Err()
		}
		if found, _ := result.Record().Get("found"); asInt(found) == 0 {
			return nil, graph.Errorf(graph.ENOTFOUND, "no episode %q", episode)
		}
		raw, _ := result.Record().Get("lines")
		lines := []graph.Line{}
		for _, item := range asList(raw) {
			cols := asList(item)
			if len(cols) != 5 {
				return nil, fmt.Errorf("episode %q: malformed Line node", episode)
			}
			lines = append(lines, lineFrom(cols))
		}
		return lines, result.Err()
	})
	if err != nil {
		if graph.ErrorCode(err) == graph.ENOTFOUND {
			return nil, err
		}
		return nil, s.describe(err, "reading the lines of episode "+quote(episode), "")
	}
	return out.([]graph.Line), nil
}

// lineFrom reads a line from [n, text, kind, time, speaker].
func lineFrom(cols []any) graph.Line {
	l := graph.Line{Line: int(asInt(cols[0])), Text: asString(cols[1]), Kind: asString(cols[2]), Speaker: asString(cols[4])}
	if t, ok := cols[3].(float64); ok {
		l.Time = &t
	}
	return l
}
