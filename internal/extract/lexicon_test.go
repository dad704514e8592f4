package extract

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

func extractText(t *testing.T, lex *Lexicon, text string) graph.EpisodeFacts {
	t.Helper()
	x, err := New(lex)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := notes.Parse("ep.txt", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return x.Extract(doc, graph.Episode{ID: "ep"})
}

func concepts(f graph.EpisodeFacts) map[string]graph.Mention {
	out := map[string]graph.Mention{}
	for _, m := range f.Mentions {
		out[m.Concept] = m
	}
	return out
}

const lexiconNotes = `Basic Income Talk
Policy
- A citizen's dividend was floated as a way to share automation gains.
- Great insights everywhere, and the flywheel effect came up once.
- The hosts discussed Moloch briefly.
- Every policy has trade-offs.
`

func TestLexiconPinsMergesRenamesBans(t *testing.T) {
	lex, err := ParseLexicon("concepts.yaml", []byte(`
concepts:
  - name: universal basic income
    aliases: [citizen's dividend]
    label: Universal Basic Income
  - name: flywheel effect
    kind: concept
  - name: Moloch
    kind: work
ban: [policies]
`))
	if err != nil {
		t.Fatal(err)
	}
	without := concepts(extractText(t, nil, lexiconNotes))
	with := concepts(extractText(t, lex, lexiconNotes))
	if _, ok := without["policy"]; !ok {
		t.Fatalf("test premise: policy should be a concept without the lexicon; got %v", without)
	}
	if _, ok := with["policy"]; ok {
		t.Error("banned term was kept")
	}
	ubi, ok := with["universal-basic-income"]
	if !ok || ubi.Label != "Universal Basic Income" {
		t.Errorf("alias not merged and renamed: %+v (all: %v)", ubi, with)
	}
	if _, ok := with["citizen-s-dividend"]; ok {
		t.Error("the alias survived as its own concept")
	}
	if _, ok := with["flywheel-effect"]; !ok {
		t.Error("pinned term not kept")
	}
	if with["moloch"].Kind != graph.KindWork {
		t.Errorf("kind not set: %+v", with["moloch"])
	}
}

func TestLexiconErrors(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"syntax":      {"concepts:\n  - name: [unclosed\n", "lexicon concepts.yaml:1: did not find expected"},
		"unknown key": {"concepts:\n  - nam: x\n", "concepts.yaml:2: field nam not found"},
		"bad kind":    {"concepts:\n  - name: x\n    kind: place\n", `kind "place"`},
		"no name":     {"concepts:\n  - aliases: [y]\n", "concept 1 has no name"},
		"both":        {"concepts:\n  - name: x\nban: [x]\n", "both pinned and banned"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseLexicon("concepts.yaml", []byte(c.yaml))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// A lexicon that is a named pipe or a device is refused at once, not read
// for ever.
func TestLoadLexiconRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "concepts.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero"} {
		done := make(chan error, 1)
		go func() { _, err := LoadLexicon(path); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s: %v", path, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: LoadLexicon hangs", path)
		}
	}
}
