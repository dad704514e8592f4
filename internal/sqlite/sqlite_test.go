package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

func openTemp(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store { return openTemp(t) })
}

// rawDB opens the file with a plain connection, as any SQLite tool would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestFileIsPlainSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	corpus := storetest.Corpus()
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db := rawDB(t, path)
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (err %v), want wal", mode, err)
	}
	var userVersion int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&userVersion); err != nil || userVersion != 2 {
		t.Errorf("user_version = %d (err %v), want 2", userVersion, err)
	}
	var guests string
	if err := db.QueryRow(`SELECT guests FROM episodes WHERE id = 'ep-a'`).Scan(&guests); err != nil {
		t.Fatal(err)
	}
	if guests != `["Ada Lovelace","Alan Turing"]` {
		t.Errorf("guests column = %s, want a JSON array", guests)
	}
	var mentions int
	if err := db.QueryRow(`SELECT count(*) FROM mentions m JOIN concepts c ON c.num = m.concept WHERE c.id = 'decision tree'`).
		Scan(&mentions); err != nil || mentions != 2 {
		t.Errorf("mentions of 'decision tree' = %d (err %v), want 2", mentions, err)
	}
	// Each line's text is stored once: ep-c's line 1 carries two mentions and
	// two links, and the file holds its text in one row.
	var texts int
	if err := db.QueryRow(`SELECT count(*) FROM lines l JOIN episodes e ON e.num = l.episode WHERE e.id = 'ep-c' AND l.line = 1`).
		Scan(&texts); err != nil || texts != 1 {
		t.Errorf("rows holding ep-c line 1 = %d (err %v), want 1", texts, err)
	}
	for _, table := range []string{"mentions", "links"} {
		var columns int
		if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info(?) WHERE name = 'text'`, table).Scan(&columns); err != nil || columns != 0 {
			t.Errorf("table %s has a text column (err %v): line text belongs in lines", table, err)
		}
	}
}

// Facts reads through the episodes table, so rows orphaned by a missed
// cascade would go unnoticed by the conformance suite. Count them directly.
func TestRemoveLeavesNoOrphans(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := storetest.Generate("big", 150, 400)
	small := storetest.Generate("big", 3, 2)
	for _, f := range []graph.EpisodeFacts{big, storetest.Corpus()[0], small} {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	db := rawDB(t, path)
	count := func(table string) int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table + ` WHERE episode = (SELECT num FROM episodes WHERE id = 'big')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if m, l, n := count("mentions"), count("links"), count("lines"); m != 3 || l != 2 || n != 2 {
		t.Errorf("after replacing with a smaller episode: %d mention rows, %d link rows and %d lines, want 3, 2 and 2", m, l, n)
	}
	// Counted after the removal: the cascade must reach rows of the
	// episode's number even once the episode row is gone.
	var num int
	if err := db.QueryRow(`SELECT num FROM episodes WHERE id = 'big'`).Scan(&num); err != nil {
		t.Fatal(err)
	}
	count = func(table string) int {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM `+table+` WHERE episode = ?`, num).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := s.RemoveEpisodes(ctx, []string{"big"}); err != nil {
		t.Fatal(err)
	}
	if m, l, n := count("mentions"), count("links"), count("lines"); m != 0 || l != 0 || n != 0 {
		t.Errorf("after removing the episode: %d mention rows, %d link rows and %d lines remain", m, l, n)
	}
}

func TestReopenKeepsDataAndVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceEpisode(ctx, storetest.HostileFacts()); err != nil {
		t.Fatal(err)
	}
	v1, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	v2, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 != v2 {
		t.Errorf("version changed on reopen without a write: %q then %q", v1, v2)
	}
	facts, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckFacts(t, []graph.EpisodeFacts{storetest.HostileFacts()}, facts)

	// A new file at another path starts a different version sequence.
	other := openTemp(t)
	defer other.Close()
	v3, err := other.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v3 == v1 || strings.SplitN(v3, "-", 2)[0] == strings.SplitN(v1, "-", 2)[0] {
		t.Errorf("two database files share a version instance: %q and %q", v1, v3)
	}
}

func TestPathsWithURISyntax(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "odd ?#% dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "graph?mode=ro#x%20.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ReplaceEpisode(ctx, storetest.Corpus()[0]); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not created at the path given: %v", err)
	}
}

func TestOpenErrorsNameThePath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("these are notes, not a database\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	otherApp := filepath.Join(dir, "other.db")
	db := rawDB(t, otherApp)
	if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "graph.db"), []string{filepath.Join(dir, "no", "such", "dir"), "does not exist"}},
		{"not a database", notDB, []string{notDB, "not a SQLite database"}},
		{"a directory", dir, []string{dir, "is a directory"}},
		{"another application's database", otherApp, []string{otherApp, "not a topic graph store"}},
		{"empty path", "", []string{"empty database path"}},
		{"memory", ":memory:", []string{":memory:", "not a file path"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(ctx, tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tc.path)
			}
			if graph.ErrorCode(err) != graph.EINVALID {
				t.Errorf("Open(%q): code %q, want %q: %v", tc.path, graph.ErrorCode(err), graph.EINVALID, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) error %q does not mention %q", tc.path, err, w)
				}
			}
		})
	}
	// The failed open of a file that is not a database must not have changed it.
	if b, _ := os.ReadFile(notDB); !strings.HasPrefix(string(b), "these are notes") {
		t.Errorf("failed Open modified %s", notDB)
	}
}

func TestRejectsNaN(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	defer s.Close()
	f := storetest.Corpus()[0]
	f.Mentions[1].Weight = math.NaN()
	err := s.ReplaceEpisode(ctx, f)
	if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("ReplaceEpisode with a NaN weight: %v, want an invalid-input error naming NaN", err)
	}
	f = storetest.Corpus()[0]
	if err := s.ReplaceEpisode(ctx, f); err != nil {
		t.Fatal(err)
	}
	g := graph.Build([]graph.EpisodeFacts{f})
	g.Concepts[0].PageRank = math.NaN()
	if err := s.SaveAnalytics(ctx, g); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("SaveAnalytics with a NaN pagerank: %v, want an invalid-input error", err)
	}
	// Infinities are stored faithfully.
	f.Links[0].Strength = math.Inf(1)
	if err := s.ReplaceEpisode(ctx, f); err != nil {
		t.Fatal(err)
	}
	facts, err := s.Facts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckFacts(t, []graph.EpisodeFacts{f}, facts)
}

// While a writer on one Store replaces episodes, a reader on a second Store of
// the same file (as the explorer and graphload are) must see every episode
// whole: all its facts from one generation.
func TestReaderNeverSeesHalfAnEpisode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	writer, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	reader, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()

	// generation g of episode id: its hash, and every mention and link text,
	// carry g; the number of facts depends on g too.
	generation := func(id string, g int) graph.EpisodeFacts {
		f := storetest.Generate(id, 20+g%3*40, 30+g%3*60)
		f.Episode.Hash = fmt.Sprint(g)
		for i := range f.Mentions {
			f.Mentions[i].Text = fmt.Sprint(g)
		}
		for i := range f.Links {
			f.Links[i].Text = fmt.Sprint(g)
		}
		for i := range f.Lines {
			f.Lines[i].Text = fmt.Sprint(g)
		}
		return f
	}
	ids := []string{"ep-1", "ep-2", "ep-3"}
	for _, id := range ids {
		if err := writer.ReplaceEpisode(ctx, generation(id, 0)); err != nil {
			t.Fatal(err)
		}
	}

	const generations = 150
	stopWriter := make(chan struct{})
	writerDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(writerDone)
		for g := 1; g <= generations; g++ {
			for _, id := range ids {
				select {
				case <-stopWriter:
					return
				default:
				}
				if err := writer.ReplaceEpisode(ctx, generation(id, g)); err != nil {
					t.Errorf("writer: %v", err)
					return
				}
			}
		}
	}()

	// check returns how facts break the promise, and a summary of the
	// generations seen.
	check := func(facts []graph.EpisodeFacts) (string, error) {
		if len(facts) != len(ids) {
			return "", fmt.Errorf("reader saw %d episodes, want %d", len(facts), len(ids))
		}
		seen := ""
		for _, f := range facts {
			g := f.Episode.Hash
			var n int
			if _, err := fmt.Sscan(g, &n); err != nil {
				return "", fmt.Errorf("episode %s: hash %q is no generation", f.Episode.ID, g)
			}
			want := generation(f.Episode.ID, n)
			if len(f.Mentions) != len(want.Mentions) || len(f.Links) != len(want.Links) {
				return "", fmt.Errorf("episode %s generation %s: %d mentions and %d links, want %d and %d",
					f.Episode.ID, g, len(f.Mentions), len(f.Links), len(want.Mentions), len(want.Links))
			}
			for _, m := range f.Mentions {
				if m.Text != g {
					return "", fmt.Errorf("episode %s generation %s has a mention of generation %s", f.Episode.ID, g, m.Text)
				}
			}
			for _, l := range f.Links {
				if l.Text != g {
					return "", fmt.Errorf("episode %s generation %s has a link of generation %s", f.Episode.ID, g, l.Text)
				}
			}
			seen += g + ","
		}
		return seen, nil
	}

	reads, changes := 0, 0
	last := ""
	for finished := false; !finished; {
		select {
		case <-writerDone:
			finished = true // and read once more, after the last write
		default:
		}
		facts, err := reader.Facts(ctx)
		if err == nil {
			var seen string
			if seen, err = check(facts); seen != last {
				changes++
				last = seen
			}
		}
		if err != nil {
			t.Errorf("read %d: %v", reads, err)
			break
		}
		reads++
	}
	close(stopWriter)
	wg.Wait()
	if t.Failed() {
		return
	}
	if want := fmt.Sprintf("%d,%d,%d,", generations, generations, generations); last != want {
		t.Errorf("final read saw generations %s, want %s", last, want)
	}
	t.Logf("%d reads saw %d distinct states while %d episodes were replaced", reads, changes, generations*len(ids))
}

// Two Stores writing the same file queue on the write lock; neither fails.
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	var stores []*sqlite.Store
	for range 2 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	for w, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				if err := s.ReplaceEpisode(ctx, storetest.Generate(fmt.Sprintf("w%d-%02d", w, i), 30, 60)); err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	eps, err := stores[0].Episodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 80 {
		t.Errorf("%d episodes stored, want 80", len(eps))
	}
}

func BenchmarkReplaceEpisode(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	defer s.Close()
	f := storetest.Generate("episode", 150, 400)
	if err := s.ReplaceEpisode(ctx, f); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFacts500Episodes(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	defer s.Close()
	for i := range 500 {
		if err := s.ReplaceEpisode(ctx, storetest.Generate(fmt.Sprintf("episode-%03d", i), 150, 400)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		facts, err := s.Facts(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if len(facts) != 500 {
			b.Fatalf("%d episodes", len(facts))
		}
	}
}

// Stores opening a new file at the same moment must agree on one schema: the
// migration runs in a write transaction, so only the first creates it.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "graph.db")
	stores := make([]*sqlite.Store, 4)
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = sqlite.Open(ctx, path)
		}()
	}
	wg.Wait()
	versions := map[string]bool{}
	for i, s := range stores {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer s.Close()
		v, err := s.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		versions[v] = true
	}
	if len(versions) != 1 {
		t.Errorf("stores of one file report different versions: %v", versions)
	}
}
