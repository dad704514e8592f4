package extract

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// One huge line yields bounded evidence: each stored text is cut, the
// concepts kept from the line are capped, so the facts stay far smaller than
// the line instead of repeating it once per mention and link.
func TestHugeLineIsBounded(t *testing.T) {
	x, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"Moloch", "coordination", "Alan Turing", "game theory", "entropy", "Grace Hopper",
		"information theory", "the", "and", "of", "a", "race", "Claude Shannon", "UBI", "lantern"}
	r := rand.New(rand.NewSource(1))
	for _, size := range []int{100_000, 7_900_000} {
		var b strings.Builder
		b.WriteString("Long line\n- ")
		for b.Len() < size {
			b.WriteString(words[r.Intn(len(words))])
			if r.Intn(40) == 0 {
				b.WriteString(". ")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString("\n")
		doc, err := notes.Parse("long.txt", []byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		facts := x.Extract(doc, graph.Episode{ID: "long"})
		stored, lineConcepts := 0, map[string]bool{}
		for _, m := range facts.Mentions {
			if n := utf8.RuneCountInString(m.Text); n > maxEvidenceText {
				t.Fatalf("%d bytes: a mention stores %d characters", size, n)
			}
			if m.Line == 2 {
				lineConcepts[m.Concept] = true
			}
			stored += len(m.Text)
		}
		for _, l := range facts.Links {
			if n := utf8.RuneCountInString(l.Text); n > maxEvidenceText {
				t.Fatalf("%d bytes: a link stores %d characters", size, n)
			}
			stored += len(l.Text)
		}
		if len(lineConcepts) > maxConceptsPerLine {
			t.Fatalf("%d bytes: %d concepts from one line", size, len(lineConcepts))
		}
		if stored > 2<<20 {
			t.Fatalf("%d bytes: the facts hold %d bytes of text", size, stored)
		}
	}
}

func TestTruncate(t *testing.T) {
	long := strings.Repeat("word ", 1000)
	got := notes.Truncate(long, 100)
	if n := utf8.RuneCountInString(got); n > 100 || !strings.HasSuffix(got, "word…") {
		t.Fatalf("%d characters: %q", n, got)
	}
	if notes.Truncate("short", 100) != "short" {
		t.Fatal("a short text changed")
	}
	if got := notes.Truncate(strings.Repeat("é", 50), 10); got != strings.Repeat("é", 9)+"…" {
		t.Fatalf("%q", got)
	}
}
