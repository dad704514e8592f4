package extract

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// FuzzParseLexicon: any lexicon YAML is refused with an error naming the
// file, or accepted as a lexicon that extraction can use without failing.
func FuzzParseLexicon(f *testing.F) {
	f.Add("concepts:\n  - name: universal basic income\n    aliases: [UBI, basic income]\n    label: UBI\n    kind: concept\nban: [deep dive]\n")
	f.Add("concepts:\n  - name: x\n    kind: planet\n")
	f.Add("concepts:\n  - name: a\n    aliases: [b]\n  - name: c\n    aliases: [b]\n")
	f.Add("ban: [a]\nconcepts: [{name: a}]\n")
	f.Add("concepts: {name: a}\nunknown: 1\n")
	f.Add("concepts:\n  - name: \"(.*)+[\"\n    aliases: [\"\\\\\", \"***\"]\n")
	f.Fuzz(func(t *testing.T, yaml string) {
		lex, err := ParseLexicon("concepts.yaml", []byte(yaml))
		if err != nil {
			if !strings.Contains(err.Error(), "concepts.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		x, err := New(lex)
		if err != nil {
			t.Fatal(err)
		}
		// Write the lexicon's own terms into notes, so its merges, pins and
		// bans are exercised.
		text := "Title\n- " + strings.Join(lex.terms, " and ") + " met Moloch.\n"
		doc, err := notes.Parse("ep.txt", []byte(text))
		if err != nil {
			return
		}
		checkFacts(t, x.Extract(doc, graph.Episode{ID: "ep"}))
	})
}

// FuzzExtract runs parsing and extraction on any notes and checks what every
// consumer of facts relies on.
func FuzzExtract(f *testing.F) {
	f.Add("Moloch and Coordination\nGame Theory\n- Moloch describes a race to the bottom driven by competition.\n- Universal basic income (UBI) was proposed.\n")
	f.Add("---\nguests: [Ada Lovelace]\n---\n# AI vs. Jobs\n- Ada Lovelace: automation leads to job loss, e.g. \"the Luddites\".\n  - nested [[Wiki Link]] #tag\n")
	f.Add("TITLE IN CAPS\nWHO SAID WHAT\n- J. R. R. Tolkien's *The Hobbit* (1937) vs. C.S. Lewis\n")
	x, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := notes.Parse("ep.md", []byte(text))
		if err != nil {
			return
		}
		checkFacts(t, x.Extract(doc, graph.Episode{ID: "ep"}))
	})
}

// checkFacts: ids are set, links are ordered pairs of distinct concepts,
// every stored text is bounded, and one line keeps a bounded set of concepts.
func checkFacts(t *testing.T, facts graph.EpisodeFacts) {
	t.Helper()
	perLine := map[int]map[string]bool{}
	for _, m := range facts.Mentions {
		if m.Concept == "" || m.Line < 1 {
			t.Fatalf("mention %+v", m)
		}
		if utf8.RuneCountInString(m.Text) > maxEvidenceText {
			t.Fatalf("mention text of %d characters", utf8.RuneCountInString(m.Text))
		}
		if perLine[m.Line] == nil {
			perLine[m.Line] = map[string]bool{}
		}
		perLine[m.Line][m.Concept] = true
	}
	for line, cs := range perLine {
		if len(cs) > maxConceptsPerLine {
			t.Fatalf("line %d keeps %d concepts", line, len(cs))
		}
	}
	for _, l := range facts.Links {
		if l.Source == "" || l.Source >= l.Target {
			t.Fatalf("link %+v", l)
		}
		if utf8.RuneCountInString(l.Text) > maxEvidenceText {
			t.Fatalf("link text of %d characters", utf8.RuneCountInString(l.Text))
		}
	}
}
