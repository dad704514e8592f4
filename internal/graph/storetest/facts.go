// Package storetest is the conformance suite that every graph.Store
// implementation must pass, plus the hand-made facts it uses, which adapter
// tests and benchmarks may reuse.
//
// An adapter's test calls Run with a function that opens an empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) graph.Store { ... })
//	}
package storetest

import (
	"fmt"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Hostile strings that break stores which build queries by concatenation or
// mangle text on the way in or out: quotes, backslashes, markup, Cypher and SQL
// fragments, control characters, non-Latin scripts, emoji with joiners and
// combining marks, and a long line.
var Hostile = []string{
	`it's a "quoted" word`,
	`back\slash \\ and \n escape \u0041`,
	`<script>alert(1)</script>`,
	`'}) DETACH DELETE n //`,
	`"}) MATCH (n) DETACH DELETE n RETURN 1 //`,
	`'; DROP TABLE x; --`,
	`Robert'); DROP TABLE episodes;--`,
	"tab\tnew line\ncarriage\r\nreturn",
	"  leading and trailing spaces  ",
	"日本語のテキスト, Ελληνικά, العربية, עברית, русский",
	"emoji 🧠🔥 family 👩‍👩‍👧 flag 🇺🇦 e\u0301 (combining)",
	"$1 %s %d {{.}} ${x} `backtick`",
	strings.Repeat("long line ", 1000),
}

// Mention returns a mention of concept written as label on a line of notes.
func Mention(concept, label string, kind graph.Kind, line int, text string, weight float64) graph.Mention {
	return graph.Mention{Concept: concept, Label: label, Kind: kind, Line: line, Text: text, Weight: weight}
}

// Link returns a link between two concepts seen on a line of notes.
func Link(source, target, typ string, strength float64, line int, text string) graph.Link {
	return graph.Link{Source: source, Target: target, Type: typ, Strength: strength, Line: line, Text: text}
}

// Facts returns facts for an episode whose metadata is derived from id, with
// the given mentions and links. Hash is fixed so that tests replacing an
// episode can change it explicitly.
func Facts(id string, mentions []graph.Mention, links []graph.Link) graph.EpisodeFacts {
	return graph.EpisodeFacts{
		Episode: graph.Episode{
			ID:     id,
			Source: "notes/" + id + ".md",
			Title:  "Episode " + id,
			Date:   "2024-05",
			Show:   "The Test Show",
			Guests: []string{"Ada Lovelace", "Alan Turing"},
			Tags:   []string{"computing", "history"},
			Hash:   fmt.Sprintf("%064x", len(id)*7919+len(mentions)*31+len(links)),
			URL:    "https://example.com/episodes/" + id,
		},
		Mentions: mentions,
		Links:    links,
	}
}

// Corpus returns three small episodes that share concepts, so that
// aggregation across episodes has something to do. Mentions and links are
// deliberately not sorted by line or concept: stores must keep stored order.
func Corpus() []graph.EpisodeFacts {
	return []graph.EpisodeFacts{
		Facts("ep-b", []graph.Mention{
			Mention("neural network", "Neural Networks", graph.KindConcept, 12, "Neural networks learn features", 1),
			Mention("backpropagation", "backprop", graph.KindConcept, 12, "Neural networks learn features", 1),
			Mention("geoffrey hinton", "Geoffrey Hinton", graph.KindPerson, 3, "Geoffrey Hinton on backprop", 2),
			Mention("backpropagation", "Backpropagation", graph.KindConcept, 3, "Geoffrey Hinton on backprop", 2),
		}, []graph.Link{
			Link("backpropagation", "neural network", graph.RelCooccurs, 1, 12, "Neural networks learn features"),
			Link("backpropagation", "geoffrey hinton", graph.RelSection, 0.5, 3, "Geoffrey Hinton on backprop"),
		}),
		withLines(Facts("ep-a", []graph.Mention{
			Mention("neural network", "neural network", graph.KindConcept, 7, "A neural network vs. a decision tree", 1),
			Mention("decision tree", "decision tree", graph.KindConcept, 7, "A neural network vs. a decision tree", 1),
			Mention("openai", "OpenAI", graph.KindOrganization, 2, "# OpenAI and scaling", 2.5),
		}, []graph.Link{
			Link("decision tree", "neural network", graph.RelContrast, 1, 7, "A neural network vs. a decision tree"),
		}),
			// Notes: every line the parser kept, those without concepts too.
			graph.Line{Line: 1, Text: "Episode 12: trees and nets", Kind: graph.LineTitle},
			graph.Line{Line: 2, Text: "# OpenAI and scaling", Kind: graph.LineHeading},
			graph.Line{Line: 4, Text: "Nothing here names a concept.", Kind: graph.LineParagraph},
			graph.Line{Line: 7, Text: "A neural network vs. a decision tree", Kind: graph.LineBullet},
		),
		withLines(Facts("ep-c", []graph.Mention{
			Mention("decision tree", "Decision Trees", graph.KindConcept, 1, "Decision trees are a kind of model", 1),
			Mention("model", "model", graph.KindConcept, 1, "Decision trees are a kind of model", 0.25),
		}, []graph.Link{
			Link("decision tree", "model", graph.RelKindOf, 1, 1, "Decision trees are a kind of model"),
			Link("decision tree", "model", graph.RelCooccurs, 1.0/3, 1, "Decision trees are a kind of model"),
		}),
			// A transcript's turns: times and speakers, and turns nothing refers to.
			graph.Line{Line: 1, Text: "Decision trees are a kind of model", Kind: graph.LineTurn, Time: seconds(12.5), Speaker: "Host"},
			graph.Line{Line: 2, Text: "Right, and they split on one feature at a time.", Kind: graph.LineTurn, Time: seconds(15.25), Speaker: "Ada Lovelace"},
			graph.Line{Line: 3, Text: "[laughter]", Kind: graph.LineTurn, Time: seconds(0)},
		),
	}
}

// withLines sets f's lines.
func withLines(f graph.EpisodeFacts, lines ...graph.Line) graph.EpisodeFacts {
	f.Lines = lines
	return f
}

func seconds(s float64) *float64 { return &s }

// HostileFacts returns one episode with a hostile string in every text field,
// including its id, and lines with kinds, times and speakers.
func HostileFacts() graph.EpisodeFacts {
	f := graph.EpisodeFacts{
		Episode: graph.Episode{
			ID:     `ep'"; DROP TABLE episodes; --'}) DETACH DELETE n //`,
			Source: `C:\notes\"quoted"\<b>.md`,
			Title:  Hostile[2],
			Date:   "2024-01-31",
			Show:   Hostile[9],
			Guests: Hostile[:6],
			Tags:   Hostile[6:],
			Hash:   strings.Repeat("ab", 32),
			URL:    "https://example.com/ep?x=1&y='2'#" + Hostile[4],
			Audio:  Hostile[11],
		},
	}
	kinds := []string{graph.LineTurn, graph.LineBullet, graph.LineHeading, graph.LineParagraph, graph.LineTitle, ""}
	for i, s := range Hostile {
		concept := fmt.Sprintf("%s #%d", s, i)
		line := len(Hostile) - i
		f.Mentions = append(f.Mentions, Mention(concept, s, graph.KindWork, line, s, float64(i)+0.125))
		if i > 0 {
			prev := fmt.Sprintf("%s #%d", Hostile[i-1], i-1)
			f.Links = append(f.Links, Link(prev, concept, s, 1/float64(i), line, s))
		}
		l := graph.Line{Line: line, Text: s, Kind: kinds[i%len(kinds)], Speaker: Hostile[(i+3)%len(Hostile)]}
		if i%3 != 0 {
			t := 0.1 + 0.2 + float64(i)*3600.25
			l.Time = &t
		}
		f.Lines = append([]graph.Line{l}, f.Lines...)
	}
	// A line nothing refers to, as most lines of a transcript are.
	zero := 0.0
	f.Lines = append(f.Lines, graph.Line{Line: len(Hostile) + 5, Text: Hostile[3], Kind: graph.LineTurn, Time: &zero, Speaker: Hostile[0]})
	return f
}

// Generate returns deterministic synthetic facts for episode id with the given
// numbers of mentions and links, shaped like real notes: concepts drawn from a
// shared vocabulary of a few hundred, lines of ordinary length. For benchmarks.
func Generate(id string, mentions, links int) graph.EpisodeFacts {
	const vocabulary = 400
	concept := func(i int) string { return fmt.Sprintf("concept %03d", i%vocabulary) }
	seed := 0
	for _, r := range id {
		seed = seed*31 + int(r)
	}
	next := func() int { // a small linear congruential generator: deterministic, no imports
		seed = (seed*1103515245 + 12345) & 0x7fffffff
		return seed
	}
	f := Facts(id, make([]graph.Mention, 0, mentions), make([]graph.Link, 0, links))
	// Three mentions share a line and eight links share a line, after the
	// mentions' lines; a line's text depends only on its number.
	mentionLines := (mentions + 2) / 3
	linkLines := (links + 7) / 8
	for line := 1; line <= mentionLines+linkLines; line++ {
		text := fmt.Sprintf("- On line %d the host talks about %s and why it matters for the argument", line, concept(line*7))
		if line > mentionLines {
			text = fmt.Sprintf("- On line %d the guest connects %s with what came before", line, concept(line*13))
		}
		f.Lines = append(f.Lines, graph.Line{Line: line, Text: text, Kind: graph.LineBullet})
	}
	for i := range mentions {
		c := concept(next())
		line := 1 + i/3
		f.Mentions = append(f.Mentions, Mention(c, strings.ToUpper(c[:1])+c[1:], graph.KindConcept, line, f.Lines[line-1].Text, 1+float64(i%3)/2))
	}
	for i := range links {
		a, b := concept(next()), concept(next())
		if a > b {
			a, b = b, a
		}
		line := mentionLines + 1 + i/8
		f.Links = append(f.Links, Link(a, b, graph.RelCooccurs, 1/float64(1+i%5), line, f.Lines[line-1].Text))
	}
	return f
}
