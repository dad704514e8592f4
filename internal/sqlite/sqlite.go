// Package sqlite stores the topic graph in an embedded SQLite database file,
// using the pure-Go modernc.org/sqlite driver, so the explorer needs no server
// and no cgo. The file is an ordinary SQLite database: any SQLite tool can read
// it.
//
// The database runs in WAL mode so that explorer processes keep reading while
// graphload writes; every write is one transaction that also bumps a version
// counter, so a reader sees each episode whole and knows when to reload.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/topicgraph/topicgraph/internal/graph"
)

var _ graph.Store = (*Store)(nil)

// Store is a graph.Store backed by one SQLite database file.
// It is safe for concurrent use, and several Stores (in one process or many)
// may open the same file.
type Store struct {
	db   *sql.DB
	path string
}

// busyTimeout is how long a connection waits for another's lock before
// giving up with SQLITE_BUSY. A load of a large episode takes milliseconds;
// this leaves room for a slow disk.
const busyTimeout = 10_000 // milliseconds

// Open opens the store in the SQLite file at path, creating the file and its
// schema if needed. The directory must exist.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dataSourceName(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Enough connections for concurrent HTTP readers, bounded so a burst of
	// requests cannot exhaust file descriptors.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, s.openError(err)
	}
	return s, nil
}

// Path returns the database file's path as given to Open.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// checkPath rejects paths that cannot name a database file, with a message
// that names the path, before the driver reports something vaguer.
func checkPath(path string) error {
	switch {
	case path == "":
		return graph.Errorf(graph.EINVALID, "sqlite: empty database path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		// An in-memory database would be private to each pooled connection.
		return graph.Errorf(graph.EINVALID, "sqlite: %q is not a file path; give the path of a database file", path)
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return graph.Errorf(graph.EINVALID, "sqlite: cannot open %s: directory %s does not exist", path, dir)
		}
		return fmt.Errorf("sqlite: cannot open %s: %w", path, err)
	} else if !info.IsDir() {
		return graph.Errorf(graph.EINVALID, "sqlite: cannot open %s: %s is not a directory", path, dir)
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return graph.Errorf(graph.EINVALID, "sqlite: cannot open %s: it is a directory", path)
	}
	return nil
}

// dataSourceName builds the driver's DSN for path. Pragmas go in the DSN so
// that every pooled connection gets them, not only the first. Write
// transactions begin IMMEDIATE (take the write lock at BEGIN), so two writers
// queue on busy_timeout instead of one failing when it upgrades a read lock;
// read-only transactions still begin DEFERRED, which the driver arranges.
func dataSourceName(path string) string {
	// A file: URI, so that '?' or '#' in a path are not taken for the start of
	// the parameters; SQLite decodes the percent escapes.
	var uri strings.Builder
	uri.WriteString("file:")
	for _, b := range []byte(path) {
		switch b {
		case '?', '#', '%':
			fmt.Fprintf(&uri, "%%%02X", b)
		default:
			uri.WriteByte(b)
		}
	}
	uri.WriteString("?_txlock=immediate")
	for _, pragma := range []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout),
		"journal_mode(WAL)",
		"synchronous(NORMAL)", // safe in WAL mode: a crash loses no committed transaction
		"foreign_keys(1)",
	} {
		uri.WriteString("&_pragma=")
		uri.WriteString(pragma)
	}
	return uri.String()
}

// openError turns driver errors met while opening into messages naming the file.
func (s *Store) openError(err error) error {
	var e *graph.Error
	if errors.As(err, &e) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return graph.Errorf(graph.EINVALID, "sqlite: %s is not a SQLite database", s.path)
		case sqlite3.SQLITE_CANTOPEN:
			return graph.Errorf(graph.EINVALID, "sqlite: cannot open %s: %v", s.path, err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
			return graph.Errorf(graph.EINVALID, "sqlite: cannot write %s: %v", s.path, err)
		case sqlite3.SQLITE_CORRUPT:
			return graph.Errorf(graph.EINVALID, "sqlite: %s is corrupt: %v", s.path, err)
		}
	}
	return fmt.Errorf("sqlite: open %s: %w", s.path, err)
}

// schemaVersion is stored in PRAGMA user_version. Raise it and add a step to
// migrations when the schema changes.
const schemaVersion = 1

// migrations[v] takes a database from schema version v to v+1.
var migrations = []string{
	0: `
CREATE TABLE episodes (
	id     TEXT PRIMARY KEY,
	source TEXT NOT NULL,
	title  TEXT NOT NULL,
	date   TEXT NOT NULL,
	show   TEXT NOT NULL,
	guests TEXT NOT NULL, -- JSON array of strings
	tags   TEXT NOT NULL, -- JSON array of strings
	hash   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE mentions (
	episode_id TEXT NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL, -- position in the episode's facts
	concept    TEXT NOT NULL,
	label      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	line       INTEGER NOT NULL,
	text       TEXT NOT NULL,
	weight     REAL NOT NULL,
	PRIMARY KEY (episode_id, seq)
) WITHOUT ROWID;
CREATE INDEX mentions_concept ON mentions(concept);

CREATE TABLE links (
	episode_id TEXT NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	source     TEXT NOT NULL,
	target     TEXT NOT NULL,
	type       TEXT NOT NULL,
	strength   REAL NOT NULL,
	line       INTEGER NOT NULL,
	text       TEXT NOT NULL,
	PRIMARY KEY (episode_id, seq)
) WITHOUT ROWID;

CREATE TABLE scores (
	concept         TEXT PRIMARY KEY,
	degree          INTEGER NOT NULL,
	weighted_degree REAL NOT NULL,
	pagerank        REAL NOT NULL,
	betweenness     REAL NOT NULL,
	community       INTEGER NOT NULL
) WITHOUT ROWID;

-- meta holds the version counter (bumped by every write, in the write's own
-- transaction) and an id made at creation, so that a recreated file never
-- repeats an old version string.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('version', '0'), ('instance', lower(hex(randomblob(8))));
`,
}

// migrate creates or upgrades the schema, in one write transaction so that
// processes opening a new file at the same time do not both create it.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version == schemaVersion {
		return nil
	}
	if version > schemaVersion {
		return graph.Errorf(graph.EINVALID, "sqlite: %s has schema version %d; this program knows up to %d (upgrade it)",
			s.path, version, schemaVersion)
	}
	if version == 0 {
		var tables int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
			return err
		}
		if tables > 0 {
			return graph.Errorf(graph.EINVALID, "sqlite: %s is a SQLite database of something else, not a topic graph store", s.path)
		}
	}
	for v := version; v < schemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("schema migration %d to %d: %w", v, v+1, err)
		}
	}
	// PRAGMA takes no parameters; schemaVersion is a constant.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// Episodes lists the stored episodes, sorted by id.
func (s *Store) Episodes(ctx context.Context) ([]graph.Episode, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, title, date, show, guests, tags, hash FROM episodes ORDER BY id`)
	if err != nil {
		return nil, s.wrap("list episodes", err)
	}
	eps, err := scanEpisodes(rows)
	if err != nil {
		return nil, s.wrap("list episodes", err)
	}
	return eps, nil
}

func scanEpisodes(rows *sql.Rows) ([]graph.Episode, error) {
	defer rows.Close()
	var eps []graph.Episode
	for rows.Next() {
		var e graph.Episode
		var guests, tags string
		if err := rows.Scan(&e.ID, &e.Source, &e.Title, &e.Date, &e.Show, &guests, &tags, &e.Hash); err != nil {
			return nil, err
		}
		var err error
		if e.Guests, err = decodeList(guests); err != nil {
			return nil, fmt.Errorf("episode %q guests: %w", e.ID, err)
		}
		if e.Tags, err = decodeList(tags); err != nil {
			return nil, fmt.Errorf("episode %q tags: %w", e.ID, err)
		}
		eps = append(eps, e)
	}
	return eps, rows.Err()
}

// Lists of strings are stored as JSON arrays: readable in any SQLite tool and
// queryable with json_each.
func encodeList(list []string) string {
	if len(list) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(list) // a []string always marshals
	return string(b)
}

func decodeList(text string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// validate rejects facts the schema cannot hold faithfully.
func validate(f graph.EpisodeFacts) error {
	if f.Episode.ID == "" {
		return graph.Errorf(graph.EINVALID, "episode from %q has an empty id", f.Episode.Source)
	}
	// SQLite stores NaN as NULL, so it would not come back.
	for i, m := range f.Mentions {
		if math.IsNaN(m.Weight) {
			return graph.Errorf(graph.EINVALID, "episode %q: mention %d (%q, line %d) has weight NaN", f.Episode.ID, i, m.Label, m.Line)
		}
	}
	for i, l := range f.Links {
		if math.IsNaN(l.Strength) {
			return graph.Errorf(graph.EINVALID, "episode %q: link %d (%q-%q, line %d) has strength NaN", f.Episode.ID, i, l.Source, l.Target, l.Line)
		}
	}
	return nil
}

// ReplaceEpisode replaces everything stored for facts.Episode.ID in one
// transaction: readers see the old facts or the new, never a mix.
func (s *Store) ReplaceEpisode(ctx context.Context, facts graph.EpisodeFacts) error {
	if err := validate(facts); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		ep := facts.Episode
		// The cascade deletes the episode's mentions and links.
		if _, err := tx.ExecContext(ctx, `DELETE FROM episodes WHERE id = ?`, ep.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO episodes (id, source, title, date, show, guests, tags, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			ep.ID, ep.Source, ep.Title, ep.Date, ep.Show, encodeList(ep.Guests), encodeList(ep.Tags), ep.Hash); err != nil {
			return err
		}
		if len(facts.Mentions) > 0 {
			stmt, err := tx.PrepareContext(ctx,
				`INSERT INTO mentions (episode_id, seq, concept, label, kind, line, text, weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i, m := range facts.Mentions {
				if _, err := stmt.ExecContext(ctx, ep.ID, i, m.Concept, m.Label, string(m.Kind), m.Line, m.Text, m.Weight); err != nil {
					return fmt.Errorf("mention %d: %w", i, err)
				}
			}
		}
		if len(facts.Links) > 0 {
			stmt, err := tx.PrepareContext(ctx,
				`INSERT INTO links (episode_id, seq, source, target, type, strength, line, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for i, l := range facts.Links {
				if _, err := stmt.ExecContext(ctx, ep.ID, i, l.Source, l.Target, l.Type, l.Strength, l.Line, l.Text); err != nil {
					return fmt.Errorf("link %d: %w", i, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap(fmt.Sprintf("replace episode %q", facts.Episode.ID), err)
	}
	return nil
}

// RemoveEpisodes deletes episodes and, by cascade, their facts. Unknown ids
// are ignored.
func (s *Store) RemoveEpisodes(ctx context.Context, ids []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `DELETE FROM episodes WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			if _, err := stmt.ExecContext(ctx, id); err != nil {
				return fmt.Errorf("episode %q: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap("remove episodes", err)
	}
	return nil
}

// Facts returns every episode's facts, sorted by episode id, mentions and
// links in stored order. The three reads share one read transaction, so they
// see one snapshot even while another connection writes.
func (s *Store) Facts(ctx context.Context) ([]graph.EpisodeFacts, error) {
	facts, err := s.facts(ctx)
	if err != nil {
		return nil, s.wrap("read facts", err)
	}
	return facts, nil
}

func (s *Store) facts(ctx context.Context) ([]graph.EpisodeFacts, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT id, source, title, date, show, guests, tags, hash FROM episodes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	eps, err := scanEpisodes(rows)
	if err != nil {
		return nil, err
	}
	facts := make([]graph.EpisodeFacts, len(eps))
	index := make(map[string]int, len(eps))
	for i, e := range eps {
		facts[i] = graph.EpisodeFacts{Episode: e, Mentions: []graph.Mention{}, Links: []graph.Link{}}
		index[e.ID] = i
	}

	// Rows come grouped by episode, so the map is consulted once per episode.
	rows, err = tx.QueryContext(ctx, `SELECT episode_id, concept, label, kind, line, text, weight FROM mentions ORDER BY episode_id, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var episodeID string
	current := -1
	for rows.Next() {
		var m graph.Mention
		var id string
		if err := rows.Scan(&id, &m.Concept, &m.Label, &m.Kind, &m.Line, &m.Text, &m.Weight); err != nil {
			return nil, err
		}
		if current < 0 || id != episodeID {
			i, ok := index[id]
			if !ok {
				return nil, fmt.Errorf("mention of unknown episode %q", id)
			}
			current, episodeID = i, id
		}
		facts[current].Mentions = append(facts[current].Mentions, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT episode_id, source, target, type, strength, line, text FROM links ORDER BY episode_id, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	current = -1
	for rows.Next() {
		var l graph.Link
		var id string
		if err := rows.Scan(&id, &l.Source, &l.Target, &l.Type, &l.Strength, &l.Line, &l.Text); err != nil {
			return nil, err
		}
		if current < 0 || id != episodeID {
			i, ok := index[id]
			if !ok {
				return nil, fmt.Errorf("link of unknown episode %q", id)
			}
			current, episodeID = i, id
		}
		facts[current].Links = append(facts[current].Links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return facts, nil
}

// SaveAnalytics replaces the stored scores with those of g's concepts.
func (s *Store) SaveAnalytics(ctx context.Context, g *graph.Graph) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM scores`); err != nil {
			return err
		}
		if len(g.Concepts) == 0 {
			return nil
		}
		stmt, err := tx.PrepareContext(ctx,
			`INSERT INTO scores (concept, degree, weighted_degree, pagerank, betweenness, community) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range g.Concepts {
			for name, v := range map[string]float64{"weighted degree": c.WeightedDegree, "pagerank": c.PageRank, "betweenness": c.Betweenness} {
				if math.IsNaN(v) {
					return graph.Errorf(graph.EINVALID, "concept %q has %s NaN", c.ID, name)
				}
			}
			if _, err := stmt.ExecContext(ctx, c.ID, c.Degree, c.WeightedDegree, c.PageRank, c.Betweenness, c.Community); err != nil {
				return fmt.Errorf("concept %q: %w", c.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap("save analytics", err)
	}
	return nil
}

// Scores returns the last saved analytics by concept id.
func (s *Store) Scores(ctx context.Context) (map[string]graph.Scores, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT concept, degree, weighted_degree, pagerank, betweenness, community FROM scores`)
	if err != nil {
		return nil, s.wrap("read scores", err)
	}
	defer rows.Close()
	scores := map[string]graph.Scores{}
	for rows.Next() {
		var id string
		var sc graph.Scores
		if err := rows.Scan(&id, &sc.Degree, &sc.WeightedDegree, &sc.PageRank, &sc.Betweenness, &sc.Community); err != nil {
			return nil, s.wrap("read scores", err)
		}
		scores[id] = sc
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("read scores", err)
	}
	return scores, nil
}

// Version returns "<instance>-<counter>": the counter rises with every write,
// and the instance id differs between database files.
func (s *Store) Version(ctx context.Context) (string, error) {
	var instance, counter string
	err := s.db.QueryRowContext(ctx,
		`SELECT (SELECT value FROM meta WHERE key = 'instance'), (SELECT value FROM meta WHERE key = 'version')`).
		Scan(&instance, &counter)
	if err != nil {
		return "", s.wrap("read version", err)
	}
	return instance + "-" + counter, nil
}

// write runs fn in a write transaction that also bumps the version counter.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'`); err != nil {
		return err
	}
	return tx.Commit()
}

// wrap names the operation and the file in errors; graph.Errors and context
// errors pass through unchanged so callers can tell them apart.
func (s *Store) wrap(op string, err error) error {
	var e *graph.Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return graph.Errorf(graph.EUNAVAILABLE, "sqlite: %s: %s is locked by another writer; try again", op, s.path)
	}
	return fmt.Errorf("sqlite: %s in %s: %w", op, s.path, err)
}

// SetAnalyticsDue sets or clears the analytics-due mark: a row in meta,
// written outside the version counter because it is not graph data.
func (s *Store) SetAnalyticsDue(ctx context.Context, due bool) error {
	query := `DELETE FROM meta WHERE key = 'analytics_due'`
	if due {
		query = `INSERT OR REPLACE INTO meta (key, value) VALUES ('analytics_due', '1')`
	}
	if _, err := s.db.ExecContext(ctx, query); err != nil {
		return s.wrap("mark analytics due", err)
	}
	return nil
}

// AnalyticsDue reports whether the analytics-due mark is set.
func (s *Store) AnalyticsDue(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM meta WHERE key = 'analytics_due'`).Scan(&n); err != nil {
		return false, s.wrap("read the analytics-due mark", err)
	}
	return n > 0, nil
}
