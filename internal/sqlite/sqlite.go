// Package sqlite stores the topic graph in an embedded SQLite database file,
// using the pure-Go modernc.org/sqlite driver, so the explorer needs no server
// and no cgo. The file is an ordinary SQLite database: any SQLite tool can read
// it.
//
// The database runs in WAL mode so that explorer processes keep reading while
// graphload writes; every write is one transaction that also bumps a version
// counter, so a reader sees each episode whole and knows when to reload.
//
// Each line of an episode is stored once, in lines; mentions and links name
// their line, and take its text when read. Episodes, concepts and link kinds
// (type and strength) are numbered, so the millions of mention and link rows
// of a large catalogue hold small integers rather than repeated strings.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

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

	mu    sync.RWMutex
	known dictionary // numbers of concepts and link kinds committed so far
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
	s := &Store{db: db, path: path, known: newDictionary()}
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
const schemaVersion = 2

// migrations[v] takes a database from schema version v to v+1. A new file
// runs them all, so every step is exercised by every test that opens a store.
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
	// Version 2 keeps each line's text once, in lines, and numbers episodes,
	// concepts and (type, strength) pairs, so the millions of mention and link
	// rows hold small integers instead of repeated strings (at 10,000
	// episodes the version 1 file was 830 MB, mostly repeated line text).
	// Lines are rebuilt from the version 1 rows; their kinds stay empty until
	// the episode is loaded again.
	1: `
ALTER TABLE episodes RENAME TO v1_episodes;
ALTER TABLE mentions RENAME TO v1_mentions;
ALTER TABLE links RENAME TO v1_links;
DROP INDEX mentions_concept;

CREATE TABLE episodes (
	num    INTEGER PRIMARY KEY, -- the episode's key in lines, mentions and links
	id     TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,
	title  TEXT NOT NULL,
	date   TEXT NOT NULL,
	show   TEXT NOT NULL,
	guests TEXT NOT NULL, -- JSON array of strings
	tags   TEXT NOT NULL, -- JSON array of strings
	hash   TEXT NOT NULL,
	url    TEXT NOT NULL DEFAULT '',
	audio  TEXT NOT NULL DEFAULT ''
);

-- Dictionaries: rows are added as ids are first met and never deleted, so a
-- number once read stays valid.
CREATE TABLE concepts (
	num INTEGER PRIMARY KEY,
	id  TEXT NOT NULL UNIQUE
);
CREATE TABLE link_kinds (
	num      INTEGER PRIMARY KEY,
	type     TEXT NOT NULL,
	strength REAL NOT NULL,
	UNIQUE (type, strength)
);

CREATE TABLE lines (
	episode INTEGER NOT NULL REFERENCES episodes(num) ON DELETE CASCADE,
	line    INTEGER NOT NULL,
	text    TEXT NOT NULL,
	kind    TEXT NOT NULL DEFAULT '',
	time    REAL,                      -- seconds, transcripts only
	speaker TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (episode, line)
) WITHOUT ROWID;

CREATE TABLE mentions (
	episode INTEGER NOT NULL REFERENCES episodes(num) ON DELETE CASCADE,
	seq     INTEGER NOT NULL, -- position in the episode's facts
	concept INTEGER NOT NULL, -- concepts.num
	label   TEXT NOT NULL,
	kind    TEXT NOT NULL,
	line    INTEGER NOT NULL, -- the text is in lines
	weight  REAL NOT NULL,
	PRIMARY KEY (episode, seq)
) WITHOUT ROWID;
CREATE INDEX mentions_concept ON mentions(concept);

CREATE TABLE links (
	episode INTEGER NOT NULL REFERENCES episodes(num) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	source  INTEGER NOT NULL, -- concepts.num
	target  INTEGER NOT NULL, -- concepts.num
	kind    INTEGER NOT NULL, -- link_kinds.num: type and strength
	line    INTEGER NOT NULL, -- the text is in lines
	PRIMARY KEY (episode, seq)
) WITHOUT ROWID;

INSERT INTO episodes (id, source, title, date, show, guests, tags, hash)
	SELECT id, source, title, date, show, guests, tags, hash FROM v1_episodes ORDER BY id;
INSERT OR IGNORE INTO concepts (id)
	SELECT concept FROM v1_mentions UNION SELECT source FROM v1_links UNION SELECT target FROM v1_links;
INSERT OR IGNORE INTO link_kinds (type, strength) SELECT DISTINCT type, strength FROM v1_links;
INSERT OR IGNORE INTO lines (episode, line, text)
	SELECT e.num, m.line, m.text FROM v1_mentions m JOIN episodes e ON e.id = m.episode_id ORDER BY m.episode_id, m.seq;
INSERT OR IGNORE INTO lines (episode, line, text)
	SELECT e.num, l.line, l.text FROM v1_links l JOIN episodes e ON e.id = l.episode_id ORDER BY l.episode_id, l.seq;
INSERT INTO mentions (episode, seq, concept, label, kind, line, weight)
	SELECT e.num, m.seq, c.num, m.label, m.kind, m.line, m.weight
	FROM v1_mentions m JOIN episodes e ON e.id = m.episode_id JOIN concepts c ON c.id = m.concept;
INSERT INTO links (episode, seq, source, target, kind, line)
	SELECT e.num, l.seq, s.num, t.num, k.num, l.line
	FROM v1_links l JOIN episodes e ON e.id = l.episode_id
	JOIN concepts s ON s.id = l.source JOIN concepts t ON t.id = l.target
	JOIN link_kinds k ON k.type = l.type AND k.strength = l.strength;

DROP TABLE v1_links;
DROP TABLE v1_mentions;
DROP TABLE v1_episodes;
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
	if version > 0 {
		// A migration changes data; readers must reload.
		if _, err := tx.ExecContext(ctx, bumpVersion); err != nil {
			return err
		}
	}
	return tx.Commit()
}

const episodeColumns = `num, id, source, title, date, show, guests, tags, hash, url, audio`

// Episodes lists the stored episodes, sorted by id.
func (s *Store) Episodes(ctx context.Context) ([]graph.Episode, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+episodeColumns+` FROM episodes ORDER BY id`)
	if err != nil {
		return nil, s.wrap("list episodes", err)
	}
	eps, _, err := scanEpisodes(rows)
	if err != nil {
		return nil, s.wrap("list episodes", err)
	}
	return eps, nil
}

// scanEpisodes reads rows of episodeColumns, returning the episodes and their numbers.
func scanEpisodes(rows *sql.Rows) ([]graph.Episode, []int64, error) {
	defer rows.Close()
	var eps []graph.Episode
	var nums []int64
	for rows.Next() {
		var e graph.Episode
		var num int64
		var guests, tags string
		if err := rows.Scan(&num, &e.ID, &e.Source, &e.Title, &e.Date, &e.Show, &guests, &tags, &e.Hash, &e.URL, &e.Audio); err != nil {
			return nil, nil, err
		}
		var err error
		if e.Guests, err = decodeList(guests); err != nil {
			return nil, nil, fmt.Errorf("episode %q guests: %w", e.ID, err)
		}
		if e.Tags, err = decodeList(tags); err != nil {
			return nil, nil, fmt.Errorf("episode %q tags: %w", e.ID, err)
		}
		eps = append(eps, e)
		nums = append(nums, num)
	}
	return eps, nums, rows.Err()
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
	for _, l := range f.Lines {
		if l.Time != nil && math.IsNaN(*l.Time) {
			return graph.Errorf(graph.EINVALID, "episode %q: line %d has time NaN", f.Episode.ID, l.Line)
		}
	}
	return nil
}

// linkKind is a link's type and strength, stored once in link_kinds.
type linkKind struct {
	typ      string
	strength float64
}

// dictionary maps concept ids and link kinds to their numbers.
type dictionary struct {
	concepts map[string]int64
	kinds    map[linkKind]int64
}

func newDictionary() dictionary {
	return dictionary{concepts: map[string]int64{}, kinds: map[linkKind]int64{}}
}

// numberer finds or adds the numbers of concepts and link kinds within one
// write transaction. What it adds joins the Store's cache only when the
// transaction commits, so a rolled-back number is never reused.
type numberer struct {
	s                    *Store
	tx                   *sql.Tx
	learned              dictionary
	conceptStmt, kindStm *sql.Stmt
}

func (n *numberer) concept(ctx context.Context, id string) (int64, error) {
	if num, ok := n.learned.concepts[id]; ok {
		return num, nil
	}
	n.s.mu.RLock()
	num, ok := n.s.known.concepts[id]
	n.s.mu.RUnlock()
	if ok {
		return num, nil
	}
	if n.conceptStmt == nil {
		var err error
		// DO UPDATE (a no-op) rather than DO NOTHING, so RETURNING always gives the number.
		if n.conceptStmt, err = n.tx.PrepareContext(ctx,
			`INSERT INTO concepts (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING num`); err != nil {
			return 0, err
		}
	}
	if err := n.conceptStmt.QueryRowContext(ctx, id).Scan(&num); err != nil {
		return 0, fmt.Errorf("numbering concept %q: %w", id, err)
	}
	n.learned.concepts[id] = num
	return num, nil
}

func (n *numberer) kind(ctx context.Context, k linkKind) (int64, error) {
	if num, ok := n.learned.kinds[k]; ok {
		return num, nil
	}
	n.s.mu.RLock()
	num, ok := n.s.known.kinds[k]
	n.s.mu.RUnlock()
	if ok {
		return num, nil
	}
	if n.kindStm == nil {
		var err error
		if n.kindStm, err = n.tx.PrepareContext(ctx,
			`INSERT INTO link_kinds (type, strength) VALUES (?, ?) ON CONFLICT (type, strength) DO UPDATE SET type = excluded.type RETURNING num`); err != nil {
			return 0, err
		}
	}
	if err := n.kindStm.QueryRowContext(ctx, k.typ, k.strength).Scan(&num); err != nil {
		return 0, fmt.Errorf("numbering link type %q: %w", k.typ, err)
	}
	n.learned.kinds[k] = num
	return num, nil
}

func (n *numberer) close() {
	for _, stmt := range []*sql.Stmt{n.conceptStmt, n.kindStm} {
		if stmt != nil {
			stmt.Close()
		}
	}
}

// remember adds committed numbers to the cache.
func (s *Store) remember(d dictionary) {
	if len(d.concepts) == 0 && len(d.kinds) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, num := range d.concepts {
		s.known.concepts[id] = num
	}
	for k, num := range d.kinds {
		s.known.kinds[k] = num
	}
}

// ReplaceEpisode replaces everything stored for facts.Episode.ID in one
// transaction: readers see the old facts or the new, never a mix.
func (s *Store) ReplaceEpisode(ctx context.Context, facts graph.EpisodeFacts) error {
	if err := validate(facts); err != nil {
		return err
	}
	lines, err := graph.LinesOf(facts)
	if err != nil {
		return err
	}
	var learned dictionary
	err = s.write(ctx, func(tx *sql.Tx) error {
		n := &numberer{s: s, tx: tx, learned: newDictionary()}
		defer n.close()
		if err := s.replaceEpisode(ctx, tx, n, facts, lines); err != nil {
			return err
		}
		learned = n.learned
		return nil
	})
	if err != nil {
		return s.wrap(fmt.Sprintf("replace episode %q", facts.Episode.ID), err)
	}
	s.remember(learned)
	return nil
}

func (s *Store) replaceEpisode(ctx context.Context, tx *sql.Tx, n *numberer, facts graph.EpisodeFacts, lines []graph.Line) error {
	ep := facts.Episode
	var num int64
	err := tx.QueryRowContext(ctx, `SELECT num FROM episodes WHERE id = ?`, ep.ID).Scan(&num)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.ExecContext(ctx,
			`INSERT INTO episodes (id, source, title, date, show, guests, tags, hash, url, audio) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ep.ID, ep.Source, ep.Title, ep.Date, ep.Show, encodeList(ep.Guests), encodeList(ep.Tags), ep.Hash, ep.URL, ep.Audio)
		if err != nil {
			return err
		}
		if num, err = res.LastInsertId(); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		// The episode keeps its number; its old facts go.
		if _, err := tx.ExecContext(ctx,
			`UPDATE episodes SET source = ?, title = ?, date = ?, show = ?, guests = ?, tags = ?, hash = ?, url = ?, audio = ? WHERE num = ?`,
			ep.Source, ep.Title, ep.Date, ep.Show, encodeList(ep.Guests), encodeList(ep.Tags), ep.Hash, ep.URL, ep.Audio, num); err != nil {
			return err
		}
		for _, del := range []string{`DELETE FROM lines WHERE episode = ?`, `DELETE FROM mentions WHERE episode = ?`, `DELETE FROM links WHERE episode = ?`} {
			if _, err := tx.ExecContext(ctx, del, num); err != nil {
				return err
			}
		}
	}
	if len(lines) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO lines (episode, line, text, kind, time, speaker) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, l := range lines {
			var t any // NULL when the line has no time
			if l.Time != nil {
				t = *l.Time
			}
			if _, err := stmt.ExecContext(ctx, num, l.Line, l.Text, l.Kind, t, l.Speaker); err != nil {
				return fmt.Errorf("line %d: %w", l.Line, err)
			}
		}
	}
	if len(facts.Mentions) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO mentions (episode, seq, concept, label, kind, line, weight) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, m := range facts.Mentions {
			concept, err := n.concept(ctx, m.Concept)
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, num, i, concept, m.Label, string(m.Kind), m.Line, m.Weight); err != nil {
				return fmt.Errorf("mention %d: %w", i, err)
			}
		}
	}
	if len(facts.Links) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO links (episode, seq, source, target, kind, line) VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, l := range facts.Links {
			source, err := n.concept(ctx, l.Source)
			if err != nil {
				return err
			}
			target, err := n.concept(ctx, l.Target)
			if err != nil {
				return err
			}
			kind, err := n.kind(ctx, linkKind{l.Type, l.Strength})
			if err != nil {
				return err
			}
			if _, err := stmt.ExecContext(ctx, num, i, source, target, kind, l.Line); err != nil {
				return fmt.Errorf("link %d: %w", i, err)
			}
		}
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
// links in stored order, their texts from the episode's lines. The reads
// share one read transaction, so they see one snapshot even while another
// connection writes.
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

	rows, err := tx.QueryContext(ctx, `SELECT `+episodeColumns+` FROM episodes ORDER BY id`)
	if err != nil {
		return nil, err
	}
	eps, nums, err := scanEpisodes(rows)
	if err != nil {
		return nil, err
	}
	facts := make([]graph.EpisodeFacts, len(eps))
	index := make(map[int64]int, len(eps)) // episode number → position in facts
	for i, e := range eps {
		facts[i] = graph.EpisodeFacts{Episode: e, Mentions: []graph.Mention{}, Links: []graph.Link{}}
		index[nums[i]] = i
	}
	concepts, err := readConcepts(ctx, tx)
	if err != nil {
		return nil, err
	}
	kinds, err := readKinds(ctx, tx)
	if err != nil {
		return nil, err
	}
	// Rows of each table come grouped by episode, so the map is consulted
	// once per episode and not once per row.
	group := groupByEpisode(index)

	rows, err = tx.QueryContext(ctx, `SELECT episode, line, text, kind, time, speaker FROM lines ORDER BY episode, line`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l graph.Line
		var episode int64
		var t sql.NullFloat64
		if err := rows.Scan(&episode, &l.Line, &l.Text, &l.Kind, &t, &l.Speaker); err != nil {
			return nil, err
		}
		if t.Valid {
			l.Time = &t.Float64
		}
		i, err := group(episode, "line")
		if err != nil {
			return nil, err
		}
		facts[i].Lines = append(facts[i].Lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT episode, concept, label, kind, line, weight FROM mentions ORDER BY episode, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m graph.Mention
		var episode, concept int64
		if err := rows.Scan(&episode, &concept, &m.Label, &m.Kind, &m.Line, &m.Weight); err != nil {
			return nil, err
		}
		i, err := group(episode, "mention")
		if err != nil {
			return nil, err
		}
		var ok bool
		if m.Concept, ok = concepts[concept]; !ok {
			return nil, fmt.Errorf("episode %q: mention of unknown concept number %d", facts[i].Episode.ID, concept)
		}
		if m.Text, ok = textOf(facts[i].Lines, m.Line); !ok {
			return nil, fmt.Errorf("episode %q: mention on line %d, which is not stored", facts[i].Episode.ID, m.Line)
		}
		facts[i].Mentions = append(facts[i].Mentions, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT episode, source, target, kind, line FROM links ORDER BY episode, seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var l graph.Link
		var episode, source, target, kind int64
		if err := rows.Scan(&episode, &source, &target, &kind, &l.Line); err != nil {
			return nil, err
		}
		i, err := group(episode, "link")
		if err != nil {
			return nil, err
		}
		var okSource, okTarget, okKind, okText bool
		l.Source, okSource = concepts[source]
		l.Target, okTarget = concepts[target]
		k, okKind := kinds[kind]
		l.Type, l.Strength = k.typ, k.strength
		l.Text, okText = textOf(facts[i].Lines, l.Line)
		if !okSource || !okTarget || !okKind || !okText {
			return nil, fmt.Errorf("episode %q: link %d-%d of kind %d on line %d refers to a row that is not stored",
				facts[i].Episode.ID, source, target, kind, l.Line)
		}
		facts[i].Links = append(facts[i].Links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return facts, nil
}

// groupByEpisode returns a function that maps an episode number to its
// position in facts, remembering the last one looked up.
func groupByEpisode(index map[int64]int) func(episode int64, what string) (int, error) {
	last, at := int64(-1), -1
	return func(episode int64, what string) (int, error) {
		if episode == last && at >= 0 {
			return at, nil
		}
		i, ok := index[episode]
		if !ok {
			return 0, fmt.Errorf("%s of unknown episode number %d", what, episode)
		}
		last, at = episode, i
		return i, nil
	}
}

// textOf finds line n's text in lines, which are sorted by line number.
func textOf(lines []graph.Line, n int) (string, bool) {
	i, ok := slices.BinarySearchFunc(lines, n, func(l graph.Line, n int) int { return cmp.Compare(l.Line, n) })
	if !ok {
		return "", false
	}
	return lines[i].Text, true
}

func readConcepts(ctx context.Context, tx *sql.Tx) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT num, id FROM concepts`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	concepts := map[int64]string{}
	for rows.Next() {
		var num int64
		var id string
		if err := rows.Scan(&num, &id); err != nil {
			return nil, err
		}
		concepts[num] = id
	}
	return concepts, rows.Err()
}

func readKinds(ctx context.Context, tx *sql.Tx) (map[int64]linkKind, error) {
	rows, err := tx.QueryContext(ctx, `SELECT num, type, strength FROM link_kinds`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	kinds := map[int64]linkKind{}
	for rows.Next() {
		var num int64
		var k linkKind
		if err := rows.Scan(&num, &k.typ, &k.strength); err != nil {
			return nil, err
		}
		kinds[num] = k
	}
	return kinds, rows.Err()
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

// Lines returns one episode's stored lines by line number.
func (s *Store) Lines(ctx context.Context, episode string) ([]graph.Line, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var num int64
	switch err := tx.QueryRowContext(ctx, `SELECT num FROM episodes WHERE id = ?`, episode).Scan(&num); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, graph.Errorf(graph.ENOTFOUND, "no episode %q", episode)
	case err != nil:
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT line, text, kind, time, speaker FROM lines WHERE episode = ? ORDER BY line`, num)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	lines := []graph.Line{}
	for rows.Next() {
		var l graph.Line
		var t sql.NullFloat64
		if err := rows.Scan(&l.Line, &l.Text, &l.Kind, &t, &l.Speaker); err != nil {
			return nil, err
		}
		if t.Valid {
			l.Time = &t.Float64
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
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

const bumpVersion = `UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'version'`

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
	if _, err := tx.ExecContext(ctx, bumpVersion); err != nil {
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
