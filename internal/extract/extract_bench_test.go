package extract

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// BenchmarkExtractSeed measures extraction alone (parse + extract, one core)
// on the seed notes; b.SetBytes makes go test report MB/s of notes.
func BenchmarkExtractSeed(b *testing.B) {
	benchmarkFiles(b, filepath.Join(sharedDir, "seeds"))
}

// BenchmarkExtractCorpus does the same on a generated corpus of 200 episodes
// (../shared/eval/gen_corpus.py, deterministic), written to a temporary folder.
func BenchmarkExtractCorpus(b *testing.B) {
	dir := b.TempDir()
	cmd := exec.Command("python3", filepath.Join(sharedDir, "eval/gen_corpus.py"), dir, "--episodes", "200")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("gen_corpus.py: %v\n%s", err, out)
	}
	benchmarkFiles(b, dir)
}

func benchmarkFiles(b *testing.B, dir string) {
	x, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	type file struct {
		path string
		data []byte
	}
	var files []file
	var size int64
	for _, p := range paths {
		if !notes.IsNotesFile(p) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, file{p, data})
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			doc, err := notes.Parse(f.path, f.data)
			if err != nil {
				b.Fatal(err)
			}
			x.Extract(doc, graph.Episode{ID: f.path})
		}
	}
}

// BenchmarkExtract1000SeedEpisodes is issue #4's speed bar: 1,000 episodes
// the size of the seed notes (here, the seed itself 1,000 times, parsed and
// extracted with ExtractAll on all cores). Reported per 1,000 episodes.
func BenchmarkExtract1000SeedEpisodes(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join(sharedDir, "seeds", "*"))
	if len(paths) == 0 {
		b.Fatal("no seed notes")
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	x, err := New(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)) * 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		srcs := make([]Source, 1000)
		for j := range srcs {
			doc, err := notes.Parse(paths[0], data)
			if err != nil {
				b.Fatal(err)
			}
			srcs[j] = Source{Doc: doc, Episode: graph.Episode{ID: strconv.Itoa(j)}}
		}
		x.ExtractAll(srcs, nil, 0, nil)
	}
}
