package graph_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// The benchmark corpus: 2,000 episodes, one a day from 2019-01-01 (every
// hundredth undated), over 100 topics of 100 concepts. Each episode talks
// about two or three topics, drifting with time so that windows differ, in 20
// lines of two or three concepts of one topic (one line in twenty adds a
// concept of any topic). Within a topic, low-numbered concepts are common.
const (
	benchEpisodes      = 2000
	benchTopics        = 100
	benchTopicConcepts = 100
	benchLines         = 20
)

var (
	benchOnce     sync.Once
	benchCorpus   *graph.Graph
	benchInsights *graph.Insights
)

func insightBenchFacts() []graph.EpisodeFacts {
	rng := rand.New(rand.NewPCG(5, 2000))
	concept := func(topic int) string {
		u := rng.Float64()
		return fmt.Sprintf("t%02d-c%03d", topic, int(u*u*benchTopicConcepts))
	}
	start := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	facts := make([]graph.EpisodeFacts, benchEpisodes)
	for e := range facts {
		date := start.AddDate(0, 0, e).Format("2006-01-02")
		if e%100 == 99 {
			date = ""
		}
		ep := graph.Episode{ID: fmt.Sprintf("ep%04d", e), Title: fmt.Sprintf("Episode %d", e), Date: date, Source: fmt.Sprintf("ep%04d.md", e)}
		// Topics drift: an episode's main topic is near its position in time.
		main := (e*benchTopics/benchEpisodes + rng.IntN(10)) % benchTopics
		topics := []int{main, rng.IntN(benchTopics)}
		if rng.IntN(2) == 0 {
			topics = append(topics, rng.IntN(benchTopics))
		}
		f := graph.EpisodeFacts{Episode: ep}
		for line := 1; line <= benchLines; line++ {
			topic := topics[rng.IntN(len(topics))]
			ids := []string{concept(topic), concept(topic)}
			if rng.IntN(2) == 0 {
				ids = append(ids, concept(topic))
			}
			if rng.IntN(20) == 0 {
				ids = append(ids, concept(rng.IntN(benchTopics)))
			}
			text := fmt.Sprintf("line %d of episode %d", line, e)
			for _, id := range ids {
				f.Mentions = append(f.Mentions, graph.Mention{Concept: id, Label: id, Kind: graph.KindConcept, Line: line, Text: text, Weight: 1})
			}
			for a := range ids {
				for b := a + 1; b < len(ids); b++ {
					if ids[a] != ids[b] {
						f.Links = append(f.Links, graph.Link{Source: min(ids[a], ids[b]), Target: max(ids[a], ids[b]),
							Type: graph.RelCooccurs, Strength: 1, Line: line, Text: text})
					}
				}
			}
		}
		facts[e] = f
	}
	return facts
}

// insightBench builds, analyses and indexes the corpus once for all benchmarks.
func insightBench(b *testing.B) (*graph.Graph, *graph.Insights) {
	b.Helper()
	benchOnce.Do(func() {
		benchCorpus = graph.Build(insightBenchFacts())
		graph.Analyze(benchCorpus)
		benchInsights = graph.NewInsights(benchCorpus)
	})
	return benchCorpus, benchInsights
}

func BenchmarkNewInsights(b *testing.B) {
	g, _ := insightBench(b)
	for b.Loop() {
		graph.NewInsights(g)
	}
	b.ReportMetric(float64(len(g.Episodes)), "episodes")
	b.ReportMetric(float64(len(g.Concepts)), "concepts")
	b.ReportMetric(float64(len(g.Relations)), "relations")
}

func BenchmarkThemes(b *testing.B) {
	_, in := insightBench(b)
	var themes int
	for b.Loop() {
		themes = len(in.Themes().Themes)
	}
	b.ReportMetric(float64(themes), "themes")
}

func BenchmarkTimeline(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		if _, err := in.Timeline("t10-c000"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRecurring(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		in.Recurring(50)
	}
}

func BenchmarkBridges(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		in.Bridges(50)
	}
}

func BenchmarkGaps(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		in.Gaps(20)
	}
}

func BenchmarkSimilar(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		if _, err := in.Similar("ep1000", 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		if _, err := in.Compare("ep1000", "ep1001"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEpisodeGraph(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		if _, err := in.EpisodeGraph("ep1000"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchWindows are more distinct windows than the cache keeps, so that
// cycling through them measures the uncached cost.
var benchWindows = func() []graph.WindowSpec {
	var out []graph.WindowSpec
	for m := 1; m <= 12; m++ {
		out = append(out, graph.WindowSpec{From: fmt.Sprintf("2020-%02d", m), To: fmt.Sprintf("2020-%02d", m)})
	}
	return out
}()

func BenchmarkWindowMonthUncached(b *testing.B) {
	_, in := insightBench(b)
	k := 0
	for b.Loop() {
		w := benchWindows[k%len(benchWindows)]
		k++
		if _, err := in.Window(w.From, w.To); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWindowYearUncached(b *testing.B) {
	_, in := insightBench(b)
	years := []string{"2019", "2020", "2021", "2022", "2023"}
	k := 0
	for b.Loop() {
		// A year from a different day each time, so no call hits the cache.
		year := years[k%len(years)]
		from := fmt.Sprintf("%s-01-%02d", year, 1+k%28)
		k++
		if _, err := in.Window(from, year+"-12-31"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWindowCached(b *testing.B) {
	_, in := insightBench(b)
	if _, err := in.Window("2020", "2020"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := in.Window("2020", "2020"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChangesUncached(b *testing.B) {
	_, in := insightBench(b)
	k := 0
	for b.Loop() {
		a, c := benchWindows[k%len(benchWindows)], benchWindows[(k+6)%len(benchWindows)]
		k++
		if _, err := in.Changes(a, c, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChangesHalvesCached(b *testing.B) {
	_, in := insightBench(b)
	if _, err := in.Changes(graph.WindowSpec{To: "2021-09"}, graph.WindowSpec{From: "2021-10"}, 20); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := in.Changes(graph.WindowSpec{To: "2021-09"}, graph.WindowSpec{From: "2021-10"}, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChangesHalvesUncached(b *testing.B) {
	_, in := insightBench(b)
	k := 0
	for b.Loop() {
		// Each pair of halves differs by its day, so no call hits the cache.
		day := 1 + k%28
		k++
		a := graph.WindowSpec{To: fmt.Sprintf("2021-09-%02d", day)}
		c := graph.WindowSpec{From: fmt.Sprintf("2021-10-%02d", day)}
		if _, err := in.Changes(a, c, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKShortestPaths3(b *testing.B) {
	_, in := insightBench(b)
	for b.Loop() {
		if _, err := in.KShortestPaths("t05-c050", "t80-c070", 3); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKShortestPaths10(b *testing.B) {
	_, in := insightBench(b)
	var hops int
	for b.Loop() {
		paths, err := in.KShortestPaths("t05-c050", "t80-c070", 10)
		if err != nil {
			b.Fatal(err)
		}
		hops = paths[len(paths)-1].Length
	}
	b.ReportMetric(float64(hops), "hops(10th)")
}

func BenchmarkCloseness(b *testing.B) {
	g, _ := insightBench(b)
	for b.Loop() {
		graph.Closeness(g)
	}
}
