package load

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load/loadtest"
)

// mustLoad runs the loader and fails the test on a store error or a failed file.
func mustLoad(t *testing.T, st graph.Store, paths []string, opts Options) Result {
	t.Helper()
	res, err := Run(context.Background(), st, paths, opts)
	if err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	if len(res.Failed) > 0 {
		t.Fatalf("load %v: %v", paths, res.Failed)
	}
	return res
}

// sameAsCleanLoad fails the test when st's graph differs from what a clean
// load of paths into a new store gives.
func sameAsCleanLoad(t *testing.T, st graph.Store, paths []string) {
	t.Helper()
	clean := openStore(t)
	mustLoad(t, clean, paths, Options{})
	got, want := export(t, st), export(t, clean)
	if !bytes.Equal(got, want) {
		t.Fatalf("the store differs from a clean load of %v:\n%s", paths, firstDifference(got, want))
	}
}

// firstDifference shows where two exports part, for a readable failure.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-200, 0)
	return "got:  …" + string(a[from:min(i+200, len(a))]) + "\nwant: …" + string(b[from:min(i+200, len(b))])
}

// Folder A, then folder B, then both: the same graph as one load of both.
// Before, B's episodes were extracted without A's vocabulary and the third
// load saw no changed file, so the store kept two half-corpus extractions.
func TestFoldersLoadedInTurnsEqualOneLoad(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := loadtest.Write(a, 1, 0, 12); err != nil {
		t.Fatal(err)
	}
	if err := loadtest.Write(b, 1, 12, 12); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	mustLoad(t, st, []string{a}, Options{})
	mustLoad(t, st, []string{b}, Options{})
	sameAsCleanLoad(t, st, []string{a, b})
	mustLoad(t, st, []string{a, b}, Options{})
	sameAsCleanLoad(t, st, []string{a, b})
}

// -prune changes the corpus, so the episodes that stay are extracted again.
func TestPruneEqualsCleanLoad(t *testing.T) {
	dir := t.TempDir()
	if err := loadtest.Write(dir, 2, 0, 20); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	mustLoad(t, st, []string{dir}, Options{})
	for i := 0; i < 20; i += 3 {
		if err := os.Remove(filepath.Join(dir, loadtest.Name(i))); err != nil {
			t.Fatal(err)
		}
	}
	res := mustLoad(t, st, []string{dir}, Options{Prune: true})
	if res.Removed != 7 {
		t.Fatalf("removed %d episodes, want 7", res.Removed)
	}
	sameAsCleanLoad(t, st, []string{dir})
}

// dying is a store whose SaveAnalytics fails as if the process were killed
// between the episode writes and the analytics.
type dying struct{ graph.Store }

var errKilled = errors.New("killed before the analytics were saved")

func (dying) SaveAnalytics(context.Context, *graph.Graph) error { return errKilled }

// A load that stopped after rewriting episodes but before saving analytics
// is finished by the next load, even though no file changed since.
func TestLoadAfterKilledLoadRedoesAnalytics(t *testing.T) {
	dir := t.TempDir()
	if err := loadtest.Write(dir, 3, 0, 10); err != nil {
		t.Fatal(err)
	}
	st := openStore(t)
	mustLoad(t, st, []string{dir}, Options{})
	write(t, filepath.Join(dir, loadtest.Name(4)), loadtest.Episode(3, 4, 1)+"- Edsger Dijkstra met Frances Allen.\n")
	if _, err := Run(context.Background(), dying{st}, []string{dir}, Options{}); !errors.Is(err, errKilled) {
		t.Fatalf("the dying load returned %v", err)
	}
	res := mustLoad(t, st, []string{dir}, Options{})
	if !strings.Contains(res.String(), "finished an interrupted load") {
		t.Errorf("the summary does not say the load was finished: %s", res)
	}
	sameAsCleanLoad(t, st, []string{dir})
	if res := mustLoad(t, st, []string{dir}, Options{}); res.Resumed {
		t.Error("the mark was not cleared")
	}
}

// cancelling is a store that cancels the load's context after n episode
// writes: Ctrl-C in the middle of the writes.
type cancelling struct {
	graph.Store
	cancel func()
	n      int
}

func (c *cancelling) ReplaceEpisode(ctx context.Context, f graph.EpisodeFacts) error {
	if c.n == 0 {
		c.cancel()
	}
	c.n--
	return c.Store.ReplaceEpisode(ctx, f)
}

// An interrupted load returns the context's error and leaves a store that the
// next load turns into a clean load's, wherever the interruption fell.
func TestInterruptedLoadIsFinishedByTheNext(t *testing.T) {
	dir := t.TempDir()
	if err := loadtest.Write(dir, 4, 0, 12); err != nil {
		t.Fatal(err)
	}
	for _, after := range []int{0, 1, 5} {
		st := openStore(t)
		mustLoad(t, st, []string{dir}, Options{})
		for i := 0; i < 12; i += 2 {
			write(t, filepath.Join(dir, loadtest.Name(i)), loadtest.Episode(4, i, after+1))
		}
		ctx, cancel := context.WithCancel(context.Background())
		_, err := Run(ctx, &cancelling{Store: st, cancel: cancel, n: after}, []string{dir}, Options{})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d writes: Run returned %v, want context.Canceled", after, err)
		}
		mustLoad(t, st, []string{dir}, Options{})
		sameAsCleanLoad(t, st, []string{dir})
	}
}

// Two files with one episode id, loaded in different runs: the second is
// refused with both paths named, unless the first file is gone (a move).
func TestEpisodeIDCollisionAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	first, second := filepath.Join(dir, "dA", "notes.txt"), filepath.Join(dir, "dB", "notes.txt")
	write(t, first, episodeA)
	write(t, second, "Other notes\n- Claude Shannon and information theory.\n")
	st := openStore(t)
	mustLoad(t, st, []string{first}, Options{})
	res, err := Run(context.Background(), st, []string{second}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].Error(), second) || !strings.Contains(res.Failed[0].Error(), first) {
		t.Fatalf("want one error naming both files, got %v", res.Failed)
	}
	eps, _ := st.Episodes(context.Background())
	if len(eps) != 1 || eps[0].Source != first {
		t.Fatalf("the stored episode was replaced: %+v", eps)
	}
	// The first file moves away: the episode follows the second file.
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, st, []string{second}, Options{})
	eps, _ = st.Episodes(context.Background())
	if len(eps) != 1 || eps[0].Source != second {
		t.Fatalf("after the move: %+v", eps)
	}
	sameAsCleanLoad(t, st, []string{second})
}

// A named pipe and a symlink to /dev/zero among notes: both refused as not
// regular files, promptly, and the good file loads.
func TestSpecialFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "good.txt"), episodeA)
	if err := syscall.Mkfifo(filepath.Join(dir, "p.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "z.md")); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(context.Background(), openStore(t), []string{dir}, Options{})
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			t.Fatal(o.err)
		}
		if o.res.Loaded != 1 || len(o.res.Failed) != 2 {
			t.Fatalf("loaded %d, failed %v", o.res.Loaded, o.res.Failed)
		}
		for i, want := range []string{"p.md: not a regular file (a named pipe)", "z.md: not a regular file (a device)"} {
			if !strings.Contains(o.res.Failed[i].Error(), want) {
				t.Errorf("error %q does not say %q", o.res.Failed[i], want)
			}
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the load hangs on a named pipe")
	}
}
