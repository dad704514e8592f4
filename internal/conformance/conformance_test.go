package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
	"github.com/topicgraph/topicgraph/internal/load"
	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// The test wipes the shared Neo4j dev database, so it takes the same lock as
// every other test that does.
func TestMain(m *testing.M) { neo4jtest.Main(m) }

// floatTolerance absorbs the last bits of float sums that the two stores
// may round-trip differently.
const floatTolerance = 1e-9

// stores are the two adapters under test, each opened empty.
func stores(t *testing.T) map[string]graph.Store {
	t.Helper()
	return map[string]graph.Store{"sqlite": openSQLite(t), "neo4j": neo4jtest.OpenEmpty(t)}
}

// openSQLite opens an empty embedded store.
func openSQLite(t *testing.T) graph.Store {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "graph.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	return lite
}

// loadInto runs the loader as graphload does and fails the test on any error.
func loadInto(t *testing.T, name string, st graph.Store, notes string) load.Result {
	t.Helper()
	res, err := load.Run(context.Background(), st, []string{notes}, load.Options{})
	if err != nil {
		t.Fatalf("%s: load %s: %v", name, notes, err)
	}
	if len(res.Failed) > 0 {
		t.Fatalf("%s: load %s: %d files failed: %v", name, notes, len(res.Failed), res.Failed)
	}
	return res
}

// export is the store's graph in node-link form as generic JSON, the shape
// graphload export writes and NetworkX reads.
func export(t *testing.T, name string, st graph.Store) map[string]any {
	t.Helper()
	g, err := graph.Read(context.Background(), st)
	if err != nil {
		t.Fatalf("%s: reading the graph: %v", name, err)
	}
	data, err := json.Marshal(g.NodeLink())
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameExport reports how two node-link exports differ, ignoring the order of
// nodes and links and float differences up to floatTolerance; nil if they agree.
func sameExport(a, b map[string]any) []string {
	for _, nl := range []map[string]any{a, b} {
		sortBy(nl["nodes"], "kind", "id")
		sortBy(nl["links"], "source", "target", "type")
	}
	var diffs []string
	diff("", a, b, &diffs)
	return diffs
}

func sortBy(list any, keys ...string) {
	items, _ := list.([]any)
	key := func(v any) string {
		m, _ := v.(map[string]any)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprint(m[k])
		}
		return strings.Join(parts, "\x00")
	}
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
}

// diff walks two JSON values and appends a line per difference (at most 20).
func diff(path string, a, b any, diffs *[]string) {
	if len(*diffs) >= 20 {
		return
	}
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
			return
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			diff(path+"."+k, av[k], bv[k], diffs)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*diffs = append(*diffs, fmt.Sprintf("%s: %d items vs %v", path, len(av), describeLen(b)))
			return
		}
		for i := range av {
			diff(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i], diffs)
		}
	case float64:
		bv, ok := b.(float64)
		if !ok || math.Abs(av-bv) > floatTolerance {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v vs %v", path, a, b))
		}
	default:
		if a != b {
			*diffs = append(*diffs, fmt.Sprintf("%s: %#v vs %#v", path, a, b))
		}
	}
}

func describeLen(v any) string {
	if l, ok := v.([]any); ok {
		return fmt.Sprintf("%d items", len(l))
	}
	return fmt.Sprintf("%#v", v)
}

// checkSame fails the test when the exports differ.
func checkSame(t *testing.T, what string, a, b map[string]any) {
	t.Helper()
	if diffs := sameExport(a, b); len(diffs) > 0 {
		t.Errorf("%s differ:\n  %s", what, strings.Join(diffs, "\n  "))
	}
}

func examplesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../examples/notes")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBothStoresGiveTheSameGraph(t *testing.T) {
	notes := examplesDir(t)
	all := stores(t)
	exports := map[string]map[string]any{}
	for name, st := range all {
		res := loadInto(t, name, st, notes)
		if res.Loaded == 0 || res.Concepts == 0 || res.Relations == 0 {
			t.Fatalf("%s: load gave %s; want episodes, concepts and relations", name, res)
		}
		exports[name] = export(t, name, st)
	}
	nodes, _ := exports["sqlite"]["nodes"].([]any)
	links, _ := exports["sqlite"]["links"].([]any)
	t.Logf("examples/notes: %d nodes, %d links", len(nodes), len(links))
	checkSame(t, "SQLite and Neo4j exports of examples/notes", exports["sqlite"], exports["neo4j"])
	checkSameFacts(t, all)

	// Loading again changes nothing, whether files are skipped as unchanged
	// or re-extracted by force.
	for name, st := range all {
		res := loadInto(t, name, st, notes)
		if res.Loaded != 0 || res.Unchanged != res.Files {
			t.Errorf("%s: second load %s; want every file unchanged", name, res)
		}
		checkSame(t, name+": first and second load", exports[name], export(t, name, st))
		// A forced reload extracts every file again; the facts are the same, so
		// no episode is rewritten.
		forced, err := load.Run(context.Background(), st, []string{notes}, load.Options{Force: true})
		if err != nil || forced.Loaded != 0 || forced.Unchanged != forced.Files {
			t.Fatalf("%s: forced reload: %v, %s", name, err, forced)
		}
		checkSame(t, name+": first and forced load", exports[name], export(t, name, st))
	}
}

// checkSameFacts checks that both stores hold the same facts, lines
// included, and that the lines are the parsed notes': every line of every
// episode with its kind, the lines of its mentions among them.
func checkSameFacts(t *testing.T, all map[string]graph.Store) {
	t.Helper()
	facts := map[string][]graph.EpisodeFacts{}
	for name, st := range all {
		f, err := st.Facts(context.Background())
		if err != nil {
			t.Fatalf("%s: Facts: %v", name, err)
		}
		facts[name] = f
	}
	storetest.CheckFacts(t, facts["sqlite"], facts["neo4j"])
	kinds := map[string]int{}
	for _, f := range facts["neo4j"] {
		if len(f.Lines) == 0 {
			t.Errorf("episode %s has no lines", f.Episode.ID)
		}
		for _, l := range f.Lines {
			kinds[l.Kind]++
		}
		want := len(f.Lines)
		if lines, err := graph.LinesOf(f); err != nil || len(lines) != want {
			t.Errorf("episode %s: its mentions and links name lines it does not hold (%d lines, %d with theirs; %v)", f.Episode.ID, want, len(lines), err)
		}
	}
	for _, kind := range []string{graph.LineTitle, graph.LineHeading, graph.LineBullet, graph.LineParagraph} {
		if kinds[kind] == 0 {
			t.Errorf("no line of kind %q in examples/notes (kinds: %v)", kind, kinds)
		}
	}
	if kinds[""] > 0 {
		t.Errorf("%d lines have no kind", kinds[""])
	}
}

func TestChangedFileReplacesItsEpisodeOnBothStores(t *testing.T) {
	// A copy of the notes, so one file can be edited.
	dir := t.TempDir()
	entries, err := os.ReadDir(examplesDir(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(examplesDir(t), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	all := stores(t)
	for name, st := range all {
		loadInto(t, name, st, dir)
	}
	before := export(t, "neo4j", all["neo4j"])

	// The edit: the first file loses its commentary after the first half of
	// its lines and gains a line with a concept no other file has.
	const newLine = "- Zyxwv Quorum Sensing stands in for a brand-new idea."
	edited := filepath.Join(dir, entries[0].Name())
	data, err := os.ReadFile(edited)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	kept := append(lines[:len(lines)/2:len(lines)/2], newLine)
	if err := os.WriteFile(edited, []byte(strings.Join(kept, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	exports := map[string]map[string]any{}
	for name, st := range all {
		res := loadInto(t, name, st, dir)
		// The edited file is rewritten; others only where the corpus
		// vocabulary changed what they yield.
		if res.Loaded < 1 || res.Loaded+res.Unchanged != res.Files {
			t.Errorf("%s: reload after editing one file: %s; want the edited file loaded", name, res)
		}
		exports[name] = export(t, name, st)
	}
	checkSame(t, "SQLite and Neo4j after the edit", exports["sqlite"], exports["neo4j"])
	checkSameFacts(t, all)

	// The incremental load equals a clean load of the edited folder.
	clean := openSQLite(t)
	loadInto(t, "clean sqlite", clean, dir)
	checkSame(t, "incremental and clean load", export(t, "clean sqlite", clean), exports["neo4j"])

	// Nothing of what the file no longer says survives: every evidence line
	// of its episode, on concepts and on links, is one of the lines it still
	// has.
	episode := ""
	for _, n := range exports["neo4j"]["nodes"].([]any) {
		n := n.(map[string]any)
		if n["kind"] == "episode" && filepath.Base(fmt.Sprint(n["source"])) == entries[0].Name() {
			episode = n["id"].(string)
		}
	}
	if episode == "" {
		t.Fatalf("no episode node for %s", entries[0].Name())
	}
	staleBefore := staleEvidence(before, episode, len(kept))
	if staleBefore == 0 {
		t.Fatalf("before the edit no evidence of %s came from the removed lines: the edit tests nothing", episode)
	}
	for name, nl := range exports {
		if n := staleEvidence(nl, episode, len(kept)); n > 0 {
			t.Errorf("%s: %d evidence lines of %s are from lines the file no longer has", name, n, episode)
		}
	}
	var found bool
	for _, n := range exports["neo4j"]["nodes"].([]any) {
		if label, _ := n.(map[string]any)["label"].(string); strings.Contains(strings.ToLower(label), "zyxwv") {
			found = true
		}
	}
	if !found {
		t.Error("the concept of the added line is missing from Neo4j")
	}
}

// staleEvidence counts the evidence lines of episode, on concepts and links,
// that are past lastLine.
func staleEvidence(nl map[string]any, episode string, lastLine int) int {
	stale := 0
	for _, list := range []any{nl["nodes"], nl["links"]} {
		for _, item := range list.([]any) {
			evidence, _ := item.(map[string]any)["evidence"].([]any)
			for _, ev := range evidence {
				ev := ev.(map[string]any)
				if ev["episode"] != episode {
					continue
				}
				if int(ev["line"].(float64)) > lastLine {
					stale++
				}
			}
		}
	}
	return stale
}
