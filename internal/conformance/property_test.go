package conformance

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/load/loadtest"
	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
)

// TestRandomLoadsEqualACleanLoad is the property behind "a reload always
// equals a clean load": random sequences of adding, editing and deleting
// notes files in two folders, loading one folder or both, with or without
// -prune, and loads killed between their episode writes and their analytics
// or interrupted in the middle of their writes, on both stores. Whenever a
// load of both folders with -prune completes, and at the end of every
// sequence, the store's graph must equal a clean load of the files on disk
// into a new store.
//
// The seed is printed on failure; TOPICGRAPH_PROPERTY_SEED=N replays one.
func TestRandomLoadsEqualACleanLoad(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("TOPICGRAPH_PROPERTY_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("TOPICGRAPH_PROPERTY_SEED: %v", err)
		}
	}
	for _, tc := range []struct {
		name      string
		sequences int
		open      func(t *testing.T) graph.Store
	}{
		{"sqlite", 8, openSQLite},
		{"neo4j", 3, func(t *testing.T) graph.Store { return neo4jtest.OpenEmpty(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := 0; i < tc.sequences; i++ {
				s := seed + int64(i)
				t.Run(fmt.Sprint(s), func(t *testing.T) {
					runSequence(t, tc.open(t), s)
				})
			}
		})
	}
}

// sequence is the state of one random sequence: the notes on disk and a log
// of the steps taken, printed when the property fails.
type sequence struct {
	t       *testing.T
	st      graph.Store
	r       *rand.Rand
	seed    int64
	a, b    string      // the two folders
	version map[int]int // episode number → version of its file on disk
	steps   []string
}

func runSequence(t *testing.T, st graph.Store, seed int64) {
	dir := t.TempDir()
	q := &sequence{t: t, st: st, r: rand.New(rand.NewSource(seed)), seed: seed,
		a: filepath.Join(dir, "a"), b: filepath.Join(dir, "b"), version: map[int]int{}}
	for _, d := range []string{q.a, q.b} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 6; i++ {
		q.add()
	}
	for step := 0; step < 12; step++ {
		switch n := q.r.Intn(10); {
		case n < 2:
			q.add()
		case n < 4:
			q.edit()
		case n < 5:
			q.remove()
		case n < 7:
			q.load(q.r.Intn(3), q.r.Intn(2) == 0, "")
		case n < 8:
			q.load(q.r.Intn(3), q.r.Intn(2) == 0, "killed before analytics")
		default:
			q.load(q.r.Intn(3), q.r.Intn(2) == 0, "interrupted")
		}
	}
	q.load(2, true, "")
	q.check()
}

// path is where episode i lives: even numbers in folder a, odd in b, so the
// two folders never give one episode id to two files.
func (q *sequence) path(i int) string {
	if i%2 == 0 {
		return filepath.Join(q.a, loadtest.Name(i))
	}
	return filepath.Join(q.b, loadtest.Name(i))
}

func (q *sequence) write(i int) {
	if err := os.WriteFile(q.path(i), []byte(loadtest.Episode(q.seed, i, q.version[i])), 0o644); err != nil {
		q.t.Fatal(err)
	}
}

func (q *sequence) add() {
	i := len(q.steps) + 100*len(q.version)
	q.version[i] = 0
	q.write(i)
	q.steps = append(q.steps, "add "+loadtest.Name(i))
}

func (q *sequence) pick() (int, bool) {
	if len(q.version) == 0 {
		return 0, false
	}
	ids := make([]int, 0, len(q.version))
	for i := range q.version {
		ids = append(ids, i)
	}
	// Map order is random; sort for a reproducible pick.
	for x := 1; x < len(ids); x++ {
		for y := x; y > 0 && ids[y] < ids[y-1]; y-- {
			ids[y], ids[y-1] = ids[y-1], ids[y]
		}
	}
	return ids[q.r.Intn(len(ids))], true
}

func (q *sequence) edit() {
	if i, ok := q.pick(); ok {
		q.version[i]++
		q.write(i)
		q.steps = append(q.steps, fmt.Sprintf("edit %s (version %d)", loadtest.Name(i), q.version[i]))
	}
}

func (q *sequence) remove() {
	if i, ok := q.pick(); ok {
		if err := os.Remove(q.path(i)); err != nil {
			q.t.Fatal(err)
		}
		delete(q.version, i)
		q.steps = append(q.steps, "delete "+loadtest.Name(i))
	}
}

// load runs the loader on folder a (which 0), b (1) or both (2); fault is
// "", "killed before analytics" or "interrupted" (after a random number of
// episode writes).
func (q *sequence) load(which int, prune bool, fault string) {
	paths := [][]string{{q.a}, {q.b}, {q.a, q.b}}[which]
	step := fmt.Sprintf("load %s prune=%v", []string{"a", "b", "a+b"}[which], prune)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st := q.st
	switch fault {
	case "killed before analytics":
		st = dyingStore{st}
	case "interrupted":
		n := q.r.Intn(4)
		st = &cancellingStore{Store: st, cancel: cancel, after: n}
		fault = fmt.Sprintf("interrupted after %d writes", n)
	}
	if fault != "" {
		step += ", " + fault
	}
	q.steps = append(q.steps, step)
	res, err := load.Run(ctx, st, paths, load.Options{Prune: prune})
	if err != nil && !errors.Is(err, errDied) && !errors.Is(err, context.Canceled) {
		q.fail("load failed: %v", err)
	}
	if len(res.Failed) > 0 {
		q.fail("files failed: %v", res.Failed)
	}
	if err == nil && which == 2 && prune {
		q.check()
	}
}

// check compares the store with a clean load of the files on disk.
func (q *sequence) check() {
	clean := openSQLite(q.t)
	if _, err := load.Run(context.Background(), clean, []string{q.a, q.b}, load.Options{}); err != nil {
		q.t.Fatal(err)
	}
	if diffs := sameExport(export(q.t, "store", q.st), export(q.t, "clean", clean)); len(diffs) > 0 {
		q.fail("the store differs from a clean load of the files on disk:\n  %s", strings.Join(diffs, "\n  "))
	}
}

func (q *sequence) fail(format string, args ...any) {
	q.t.Helper()
	q.t.Fatalf("seed %d (replay with TOPICGRAPH_PROPERTY_SEED=%d), after:\n  %s\n%s",
		q.seed, q.seed, strings.Join(q.steps, "\n  "), fmt.Sprintf(format, args...))
}

var errDied = errors.New("the process died before saving the analytics")

// dyingStore fails SaveAnalytics as a process killed between the episode
// writes and the analytics would leave things.
type dyingStore struct{ graph.Store }

func (dyingStore) SaveAnalytics(context.Context, *graph.Graph) error { return errDied }

// cancellingStore cancels the load (Ctrl-C) after a number of episode writes.
type cancellingStore struct {
	graph.Store
	cancel func()
	after  int
}

func (c *cancellingStore) ReplaceEpisode(ctx context.Context, f graph.EpisodeFacts) error {
	if c.after == 0 {
		c.cancel()
	}
	c.after--
	return c.Store.ReplaceEpisode(ctx, f)
}
