package graph

import (
	"cmp"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBetweennessSampleAgainstExact measures how well the sampled
// betweenness ranks the concepts of a real graph against exact Brandes:
// Spearman's rank correlation and the overlap of the top 100. It needs a
// node-link export of a large graph (graphload export), named by
// TOPICGRAPH_BETWEENNESS_GRAPH, e.g. of gen_corpus.py --episodes 2000; the
// figures are in BENCHMARKS.md.
func TestBetweennessSampleAgainstExact(t *testing.T) {
	path := os.Getenv("TOPICGRAPH_BETWEENNESS_GRAPH")
	if path == "" {
		t.Skip("set TOPICGRAPH_BETWEENNESS_GRAPH to a node-link export to compare sampled and exact betweenness")
	}
	g := readNodeLinkTopology(t, path)
	net := newNetwork(g)
	n := net.order()
	start := time.Now()
	exact := net.betweennessFrom(allSources(n))
	t.Logf("%d concepts, %d relations; exact Brandes %s", n, len(g.Relations), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	sampled := net.betweenness()
	t.Logf("as Analyze computes it: %s, Spearman %.4f, top-100 overlap %d", time.Since(start).Round(time.Millisecond), spearman(exact, sampled), topOverlap(exact, sampled, 100))
	for _, k := range evalPivots() {
		start = time.Now()
		est := net.betweennessFrom(evenlySpaced(n, k))
		t.Logf("%d evenly spaced pivots: %s, Spearman %.4f, top-100 overlap %d", k, time.Since(start).Round(time.Millisecond), spearman(exact, est), topOverlap(exact, est, 100))
		start = time.Now()
		est = net.betweennessScaled(evenlySpaced(n, k))
		t.Logf("%d evenly spaced pivots, linear scaling: %s, Spearman %.4f, top-100 overlap %d", k, time.Since(start).Round(time.Millisecond), spearman(exact, est), topOverlap(exact, est, 100))
	}
}

func readNodeLinkTopology(t *testing.T, path string) *Graph {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nl struct {
		Nodes []struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		} `json:"nodes"`
		Links []struct {
			Source string  `json:"source"`
			Target string  `json:"target"`
			Weight float64 `json:"weight"`
		} `json:"links"`
	}
	if err := json.Unmarshal(data, &nl); err != nil {
		t.Fatal(err)
	}
	g := &Graph{}
	for _, v := range nl.Nodes {
		if v.Kind != "episode" {
			g.Concepts = append(g.Concepts, Concept{ID: v.ID})
		}
	}
	for _, l := range nl.Links {
		g.Relations = append(g.Relations, Relation{Source: l.Source, Target: l.Target, Weight: l.Weight})
	}
	return g
}

// spearman is the Pearson correlation of the two vectors' ranks, ties
// sharing their average rank.
func spearman(a, b []float64) float64 {
	ra, rb := ranks(a), ranks(b)
	var ma, mb float64
	for i := range ra {
		ma += ra[i]
		mb += rb[i]
	}
	ma /= float64(len(ra))
	mb /= float64(len(rb))
	var sab, saa, sbb float64
	for i := range ra {
		da, db := ra[i]-ma, rb[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	return sab / math.Sqrt(saa*sbb)
}

func ranks(x []float64) []float64 {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Compare(x[i], x[j]) })
	r := make([]float64, len(x))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && x[order[j+1]] == x[order[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[order[k]] = avg
		}
		i = j + 1
	}
	return r
}

func topOverlap(a, b []float64, k int) int {
	top := func(x []float64) map[int]bool {
		order := make([]int, len(x))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(x[j], x[i]) })
		m := map[int]bool{}
		for _, i := range order[:min(k, len(order))] {
			m[i] = true
		}
		return m
	}
	ta, tb := top(a), top(b)
	n := 0
	for i := range ta {
		if tb[i] {
			n++
		}
	}
	return n
}

// evalPivots are the sample sizes compared: TOPICGRAPH_BETWEENNESS_PIVOTS
// (comma-separated) or 1000 and 2000.
func evalPivots() []int {
	var out []int
	for _, f := range strings.Split(os.Getenv("TOPICGRAPH_BETWEENNESS_PIVOTS"), ",") {
		if k, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && k > 0 {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		out = []int{1000, 2000}
	}
	return out
}
