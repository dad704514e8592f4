package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// writeVersion1 makes a schema version 1 file holding facts, the way the
// previous release wrote them: every mention and link row with its line's text.
func writeVersion1(t *testing.T, path string, facts []graph.EpisodeFacts) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(migrations[0]); err != nil {
		t.Fatal(err)
	}
	for _, f := range facts {
		e := f.Episode
		if _, err := db.Exec(`INSERT INTO episodes (id, source, title, date, show, guests, tags, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Source, e.Title, e.Date, e.Show, encodeList(e.Guests), encodeList(e.Tags), e.Hash); err != nil {
			t.Fatal(err)
		}
		for i, m := range f.Mentions {
			if _, err := db.Exec(`INSERT INTO mentions (episode_id, seq, concept, label, kind, line, text, weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				e.ID, i, m.Concept, m.Label, string(m.Kind), m.Line, m.Text, m.Weight); err != nil {
				t.Fatal(err)
			}
		}
		for i, l := range f.Links {
			if _, err := db.Exec(`INSERT INTO links (episode_id, seq, source, target, type, strength, line, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				e.ID, i, l.Source, l.Target, l.Type, l.Strength, l.Line, l.Text); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Exec(`INSERT INTO scores VALUES ('model', 3, 1.5, 0.25, 0.125, 2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE meta SET value = '41' WHERE key = 'version'; PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
}

// What a version 1 file said, version 2 says: the same facts (each line's
// text now once, with no kind, as version 1 did not record kinds), the same
// scores, and a new version string so running explorers reload.
func TestMigrationFromVersion1KeepsFacts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	var facts []graph.EpisodeFacts
	for _, f := range append(storetest.Corpus(), storetest.HostileFacts(), storetest.Generate("generated", 60, 90)) {
		f.Lines = nil // version 1 kept no lines
		f.Episode.URL, f.Episode.Audio = "", ""
		facts = append(facts, f)
	}
	writeVersion1(t, path, facts)
	var instance string
	{
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(`SELECT value FROM meta WHERE key = 'instance'`).Scan(&instance); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("opening a version 1 file: %v", err)
	}
	defer s.Close()
	got, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]graph.EpisodeFacts(nil), facts...)
	slices.SortFunc(want, func(a, b graph.EpisodeFacts) int { return strings.Compare(a.Episode.ID, b.Episode.ID) })
	storetest.CheckFacts(t, want, got)
	scores, err := s.Scores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckScores(t, map[string]graph.Scores{"model": {Degree: 3, WeightedDegree: 1.5, PageRank: 0.25, Betweenness: 0.125, Community: 2}}, scores)
	if v, err := s.Version(ctx); err != nil || v != instance+"-42" {
		t.Errorf("version after the migration = %q (err %v), want %q", v, err, instance+"-42")
	}
	var userVersion int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&userVersion); err != nil || userVersion != schemaVersion {
		t.Errorf("user_version = %d (err %v), want %d", userVersion, err, schemaVersion)
	}
	for _, table := range []string{"v1_episodes", "v1_mentions", "v1_links"} {
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = ?`, table).Scan(&n); err != nil || n != 0 {
			t.Errorf("table %s is left behind (err %v)", table, err)
		}
	}

	// The migrated store keeps working: an episode is replaced, with lines.
	changed := storetest.Corpus()[1]
	if err := s.ReplaceEpisode(ctx, changed); err != nil {
		t.Fatal(err)
	}
	got, err = s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if want[i].Episode.ID == changed.Episode.ID {
			want[i] = changed
		}
	}
	storetest.CheckFacts(t, want, got)
}
