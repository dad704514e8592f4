package conformance

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/topicgraph/topicgraph/internal/curate"
	"github.com/topicgraph/topicgraph/internal/extract"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load"
)

// Edits made in the explorer last: after each edit (merge, rename, kind,
// ban, pin) on either store, the store's graph equals a clean load of the
// same notes with the lexicon file the edits wrote, as `graphload -lexicon
// FILE NOTES` gives it; undo brings back the graph before the edit.
func TestEditsEqualALoadWithTheLexicon(t *testing.T) {
	notes := examplesDir(t)
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			loadInto(t, name, st, notes)
			lexicon := filepath.Join(t.TempDir(), "concepts.yaml")
			cur, err := curate.New(lexicon, st, load.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := graph.Read(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			// The most central concepts make the edits: the hub absorbs the
			// second, the third is renamed, the fourth becomes a work, the fifth
			// is banned, and a phrase is pinned.
			top := append([]graph.Concept(nil), g.Concepts...)
			byRank(top)
			if len(top) < 5 {
				t.Fatalf("%d concepts; the test needs 5", len(top))
			}
			edits := []graph.Edit{
				{Op: graph.EditMerge, Into: top[0].ID, From: []string{top[1].ID}},
				{Op: graph.EditRename, ID: top[2].ID, Label: "Renamed by an analyst"},
				{Op: graph.EditKind, ID: top[3].ID, Kind: "work"},
				{Op: graph.EditBan, ID: top[4].ID},
				{Op: graph.EditPin, Term: "kitchen table"},
			}
			for _, e := range edits {
				res, err := cur.Apply(ctx, e, lookupIn(t, st))
				if err != nil {
					t.Fatalf("%s: %+v: %v", name, e, err)
				}
				after := export(t, name, st)
				checkSame(t, name+": after "+e.Op+", the store and a clean load with the lexicon", after, cleanLoadWith(t, notes, lexicon))
				switch e.Op {
				case graph.EditMerge:
					if hasNode(after, e.From[0]) || !hasNode(after, e.Into) {
						t.Errorf("%s: after merging %s into %s, the graph has %s: %v, %s: %v", name, e.From[0], e.Into, e.From[0], hasNode(after, e.From[0]), e.Into, hasNode(after, e.Into))
					}
				case graph.EditBan:
					if hasNode(after, e.ID) {
						t.Errorf("%s: %s is still a concept after its ban", name, e.ID)
					}
				case graph.EditRename:
					if label := nodeLabel(after, e.ID); label != e.Label {
						t.Errorf("%s: %s is labelled %q after the rename, want %q", name, e.ID, label, e.Label)
					}
				}
				if res.Op != e.Op {
					t.Errorf("%s: result %+v for %s", name, res, e.Op)
				}
			}
			// Undo the pin and then the ban: the graph is as before the ban.
			for range 2 {
				if _, err := cur.Apply(ctx, graph.Edit{Op: graph.EditUndo}, lookupIn(t, st)); err != nil {
					t.Fatalf("%s: undo: %v", name, err)
				}
			}
			checkSame(t, name+": after undoing the pin and the ban, the store and a clean load", export(t, name, st), cleanLoadWith(t, notes, lexicon))
			if !hasNode(export(t, name, st), top[4].ID) {
				t.Errorf("%s: %s is missing after its ban was undone", name, top[4].ID)
			}
		})
	}
}

// A lexicon file edited by hand under the explorer is not overwritten.
func TestEditRefusedWhenTheLexiconChangedUnderneath(t *testing.T) {
	ctx := context.Background()
	st := openSQLite(t)
	loadInto(t, "sqlite", st, examplesDir(t))
	lexicon := filepath.Join(t.TempDir(), "concepts.yaml")
	cur, err := curate.New(lexicon, st, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lexicon, []byte("ban: [something]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = cur.Apply(ctx, graph.Edit{Op: graph.EditPin, Term: "kitchen table"}, lookupIn(t, st))
	if graph.ErrorCode(err) != graph.ECONFLICT {
		t.Fatalf("edit over a changed lexicon: %v, want %s", err, graph.ECONFLICT)
	}
	if data, _ := os.ReadFile(lexicon); string(data) != "ban: [something]\n" {
		t.Errorf("the hand-edited lexicon was overwritten: %q", data)
	}
}

func lookupIn(t *testing.T, st graph.Store) graph.ConceptLookup {
	t.Helper()
	g, err := graph.Read(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) (graph.Concept, bool) {
		for _, c := range g.Concepts {
			if c.ID == id {
				return c, true
			}
		}
		return graph.Concept{}, false
	}
}

// cleanLoadWith loads notes into a new SQLite store with the lexicon file,
// as graphload -lexicon FILE NOTES does, and exports it.
func cleanLoadWith(t *testing.T, notes, lexicon string) map[string]any {
	t.Helper()
	lex, err := extract.LoadLexicon(lexicon)
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New(lex)
	if err != nil {
		t.Fatal(err)
	}
	st := openSQLite(t)
	res, err := load.Run(context.Background(), st, []string{notes}, load.Options{Extractor: x})
	if err != nil || len(res.Failed) > 0 {
		t.Fatalf("clean load with %s: %v %v", lexicon, err, res.Failed)
	}
	return export(t, "clean", st)
}

func byRank(cs []graph.Concept) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && (cs[j].PageRank > cs[j-1].PageRank || cs[j].PageRank == cs[j-1].PageRank && cs[j].ID < cs[j-1].ID); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func hasNode(nl map[string]any, id string) bool { return nodeLabel(nl, id) != "\x00" }

func nodeLabel(nl map[string]any, id string) string {
	nodes, _ := nl["nodes"].([]any)
	for _, n := range nodes {
		if m, ok := n.(map[string]any); ok && m["id"] == id {
			label, _ := m["label"].(string)
			return label
		}
	}
	return "\x00"
}
