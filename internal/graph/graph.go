// Package graph holds the domain of the topic-graph explorer: episodes, concepts,
// the relations between concepts and the evidence lines behind them, the Store
// interface that every storage adapter implements, and the algorithms that work on
// an in-memory graph (aggregation, analytics, search and paths).
//
// Adapters (internal/sqlite, internal/neo4j, internal/httpapi) depend on this
// package and never on each other.
package graph

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Kind classifies a concept node.
type Kind string

// The kinds of node in the graph.
const (
	KindConcept      Kind = "concept"
	KindPerson       Kind = "person"
	KindOrganization Kind = "organization"
	KindWork         Kind = "work"
	KindEpisode      Kind = "episode"
)

// Relation types. Co-occurrence in one bullet or sentence is strong; in one section, weaker.
// The typed ones are read from the wording of the line ("X vs. Y", "X leads to Y" ...).
const (
	RelCooccurs = "cooccurs" // same bullet or sentence
	RelSection  = "section"  // same section (heading linked to its bullets)
	RelContrast = "contrast"
	RelCause    = "cause"
	RelExample  = "example"
	RelKindOf   = "kind_of"
)

// Episode is one notes file: one podcast or video episode.
type Episode struct {
	ID     string   `json:"id"`               // stable across runs: derived from the file's path
	Source string   `json:"source"`           // the notes file path as loaded
	Title  string   `json:"title"`            // front matter title, else the first heading or line
	Date   string   `json:"date,omitempty"`   // YYYY-MM-DD or YYYY-MM, from front matter or file name
	Show   string   `json:"show,omitempty"`   // front matter
	Guests []string `json:"guests,omitempty"` // front matter
	Tags   []string `json:"tags,omitempty"`   // front matter
	Hash   string   `json:"hash,omitempty"`   // hex SHA-256 of the file's bytes, to skip unchanged files
	URL    string   `json:"url,omitempty"`    // the episode's page, from front matter
	Audio  string   `json:"audio,omitempty"`  // the episode's audio or video file, from front matter
}

// Kinds of Line, as the notes parser classifies them; a transcript's lines are turns.
const (
	LineTitle     = "title"
	LineHeading   = "heading"
	LineBullet    = "bullet"
	LineParagraph = "paragraph"
	LineTurn      = "turn"
)

// Line is one line of an episode's source as the loader parsed it: its text is
// stored once, and mentions, links and evidence refer to it by number.
type Line struct {
	Line    int      `json:"line"`              // 1-based line number in the source file
	Text    string   `json:"text"`              // the line's text as written (minus markup)
	Kind    string   `json:"kind,omitempty"`    // LineTitle, LineHeading, LineBullet, LineParagraph or LineTurn
	Time    *float64 `json:"time,omitempty"`    // seconds from the start, for transcripts
	Speaker string   `json:"speaker,omitempty"` // who speaks, for transcripts
}

// Evidence is one line of notes that supports a concept or a relation.
type Evidence struct {
	Episode string   `json:"episode"`           // episode id
	Line    int      `json:"line"`              // 1-based line number in the notes file
	Text    string   `json:"text"`              // the line's text as written (minus list markers)
	Time    *float64 `json:"time,omitempty"`    // seconds from the start, for transcripts
	Speaker string   `json:"speaker,omitempty"` // who speaks, for transcripts
}

// Mention is one occurrence of a concept in an episode, as extraction found it.
type Mention struct {
	Concept string  `json:"concept"` // concept id (canonical key)
	Label   string  `json:"label"`   // the surface form as written
	Kind    Kind    `json:"kind"`
	Line    int     `json:"line"`
	Text    string  `json:"text"`
	Weight  float64 `json:"weight"` // salience of this mention (headings count more)
}

// Link is one piece of evidence that two concepts are related in an episode.
// Source < Target (ids compared as strings), so a pair has one orientation.
type Link struct {
	Source   string  `json:"source"`
	Target   string  `json:"target"`
	Type     string  `json:"type"`
	Strength float64 `json:"strength"`
	Line     int     `json:"line"`
	Text     string  `json:"text"`
}

// EpisodeFacts is everything one episode says: what extraction produced from one file.
// Stores keep facts per episode so a changed file replaces exactly its own facts.
//
// Lines holds every line of the source, sorted by line number, each number
// once. A mention's or link's Text is the text of its line: stores keep the
// text once, in Lines, and fill Mention.Text and Link.Text from there. A
// store adds a line for a mention or link whose line Lines lacks (taking its
// Text), and rejects facts that give one line two texts (see LinesOf).
type EpisodeFacts struct {
	Episode  Episode   `json:"episode"`
	Mentions []Mention `json:"mentions"`
	Links    []Link    `json:"links"`
	Lines    []Line    `json:"lines,omitempty"`
}

// Concept is a node of the aggregated graph, with its analytics.
type Concept struct {
	ID             string     `json:"id"`
	Label          string     `json:"label"`
	Kind           Kind       `json:"kind"`
	Aliases        []string   `json:"aliases"`
	Episodes       []string   `json:"episodes"` // ids of the episodes it occurs in, sorted
	Mentions       int        `json:"mentions"`
	Evidence       []Evidence `json:"evidence"` // the lines that mention it, by episode and line
	Degree         int        `json:"degree"`
	WeightedDegree float64    `json:"weighted_degree"`
	PageRank       float64    `json:"pagerank"`
	Betweenness    float64    `json:"betweenness"`
	Community      int        `json:"community"`
}

// Relation is an undirected, weighted edge of the aggregated graph.
type Relation struct {
	Source   string     `json:"source"`
	Target   string     `json:"target"`
	Type     string     `json:"type"`
	Weight   float64    `json:"weight"` // sum of the strengths of its evidence (1 same sentence … 0.2 same section)
	NPMI     float64    `json:"npmi"`   // normalised PMI of the pair over evidence lines, 0 below MinPairCount
	Episodes []string   `json:"episodes"`
	Evidence []Evidence `json:"evidence"`
}

// Graph is the whole aggregated graph. Slices are sorted: episodes and concepts by id,
// relations by (source, target).
type Graph struct {
	Episodes  []Episode  `json:"episodes"`
	Concepts  []Concept  `json:"concepts"`
	Relations []Relation `json:"relations"`
}

// Scores are the analytics of one concept, as stores persist them.
type Scores struct {
	Degree         int     `json:"degree"`
	WeightedDegree float64 `json:"weighted_degree"`
	PageRank       float64 `json:"pagerank"`
	Betweenness    float64 `json:"betweenness"`
	Community      int     `json:"community"`
}

// Store persists episode facts and the analytics computed over them.
// Implementations: internal/sqlite and internal/neo4j. Both must pass the
// conformance suite in internal/graph/storetest.
type Store interface {
	// Episodes lists the stored episodes (with their Hash), sorted by id.
	Episodes(ctx context.Context) ([]Episode, error)
	// ReplaceEpisode atomically replaces everything stored for facts.Episode.ID
	// (inserting it when new). Readers never see half an episode.
	ReplaceEpisode(ctx context.Context, facts EpisodeFacts) error
	// RemoveEpisodes deletes episodes and their facts; unknown ids are ignored.
	RemoveEpisodes(ctx context.Context, ids []string) error
	// Facts returns the stored facts of every episode, sorted by episode id,
	// mentions and links in the order they were stored.
	Facts(ctx context.Context) ([]EpisodeFacts, error)
	// SaveAnalytics stores the aggregated graph's analytics (the Scores of each
	// concept; a store may also materialise concepts and relations from g).
	SaveAnalytics(ctx context.Context, g *Graph) error
	// Scores returns the last saved analytics by concept id.
	Scores(ctx context.Context) (map[string]Scores, error)
	// Version changes whenever stored data changes, so readers know when to reload.
	Version(ctx context.Context) (string, error)
	// SetAnalyticsDue sets or clears the mark that a load has begun changing
	// episodes and has not yet saved the analytics over them. A loader sets it
	// before its first write and clears it after SaveAnalytics, so a load that
	// was killed in between is finished by the next one. It is not graph data:
	// it does not change Version.
	SetAnalyticsDue(ctx context.Context, due bool) error
	// AnalyticsDue reports the mark SetAnalyticsDue left; false in a new store.
	AnalyticsDue(ctx context.Context) (bool, error)
	// Lines returns the stored lines of one episode's source, by line number,
	// read on demand so that readers need not hold every text in memory. An
	// unknown episode is an ENOTFOUND error.
	Lines(ctx context.Context, episode string) ([]Line, error)
	Close() error
}

// Read builds the aggregated graph from a store: its facts, aggregated with Build,
// and the scores saved by the last load.
func Read(ctx context.Context, s Store) (*Graph, error) {
	facts, err := s.Facts(ctx)
	if err != nil {
		return nil, err
	}
	g := Build(facts)
	scores, err := s.Scores(ctx)
	if err != nil {
		return nil, err
	}
	g.ApplyScores(scores)
	return g, nil
}

// ApplyScores copies stored scores onto the graph's concepts.
func (g *Graph) ApplyScores(scores map[string]Scores) {
	for i := range g.Concepts {
		c := &g.Concepts[i]
		if s, ok := scores[c.ID]; ok {
			c.Degree, c.WeightedDegree, c.PageRank, c.Betweenness, c.Community =
				s.Degree, s.WeightedDegree, s.PageRank, s.Betweenness, s.Community
		}
	}
}

// ScoresOf extracts the analytics of every concept of g.
func (g *Graph) ScoresOf() map[string]Scores {
	out := make(map[string]Scores, len(g.Concepts))
	for _, c := range g.Concepts {
		out[c.ID] = Scores{c.Degree, c.WeightedDegree, c.PageRank, c.Betweenness, c.Community}
	}
	return out
}

// LinesOf returns the lines a store keeps for f: f.Lines plus a line for each
// mention or link whose line f.Lines lacks, sorted by line number. It fails
// with EINVALID when f gives one line number two texts (in Lines, or between
// Lines and a mention or link), because a store keeps one text per line.
func LinesOf(f EpisodeFacts) ([]Line, error) {
	byNumber := make(map[int]int, len(f.Lines)) // line number → index in out
	out := make([]Line, 0, len(f.Lines))
	for _, l := range f.Lines {
		if i, dup := byNumber[l.Line]; dup {
			if !sameLine(out[i], l) {
				return nil, Errorf(EINVALID, "episode %q: line %d is given twice, with different contents", f.Episode.ID, l.Line)
			}
			continue
		}
		byNumber[l.Line] = len(out)
		out = append(out, l)
	}
	sorted := true
	add := func(what string, line int, text string) error {
		if i, ok := byNumber[line]; ok {
			if out[i].Text != text {
				return Errorf(EINVALID, "episode %q: %s on line %d has text %q, but the line's text is %q",
					f.Episode.ID, what, line, clip(text), clip(out[i].Text))
			}
			return nil
		}
		if len(out) > 0 && out[len(out)-1].Line > line {
			sorted = false
		}
		byNumber[line] = len(out)
		out = append(out, Line{Line: line, Text: text})
		return nil
	}
	for i, m := range f.Mentions {
		if err := add(fmt.Sprintf("mention %d (%q)", i, clip(m.Label)), m.Line, m.Text); err != nil {
			return nil, err
		}
	}
	for i, l := range f.Links {
		if err := add(fmt.Sprintf("link %d", i), l.Line, l.Text); err != nil {
			return nil, err
		}
	}
	for i := 1; sorted && i < len(out); i++ {
		sorted = out[i-1].Line < out[i].Line
	}
	if !sorted {
		slices.SortFunc(out, func(a, b Line) int { return cmp.Compare(a.Line, b.Line) })
	}
	return out, nil
}

// sameLine compares two lines by value, times included.
func sameLine(a, b Line) bool {
	if (a.Time == nil) != (b.Time == nil) || a.Time != nil && *a.Time != *b.Time {
		return false
	}
	a.Time, b.Time = nil, nil
	return a == b
}

// clip shortens text for an error message.
func clip(text string) string {
	if len(text) <= 60 {
		return text
	}
	cut := 60
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "…"
}
