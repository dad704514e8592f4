package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// BenchmarkEndpoints measures every API call on a real store, named by
// TOPICGRAPH_BENCH_DB (a SQLite file loaded by graphload), and reports each
// call's median latency in milliseconds, and the first call's. The concepts and episodes it asks
// about are the graph's most central ones, so the answers are the largest.
//
//	TOPICGRAPH_BENCH_DB=/tmp/c2000.db go test -run '^$' -bench Endpoints -benchtime 30x ./internal/httpapi/
func BenchmarkEndpoints(b *testing.B) {
	path := os.Getenv("TOPICGRAPH_BENCH_DB")
	if path == "" {
		b.Skip("set TOPICGRAPH_BENCH_DB to a SQLite store loaded by graphload")
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	snap := httpapi.NewSnapshot(store, nil)
	start := time.Now()
	if err := snap.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("graph read and indexed (Index and Insights) in %v", time.Since(start))
	g, err := graph.Read(ctx, store)
	if err != nil {
		b.Fatal(err)
	}
	byRank := slices.Clone(g.Concepts)
	slices.SortFunc(byRank, func(x, y graph.Concept) int {
		if x.PageRank > y.PageRank {
			return -1
		}
		if x.PageRank < y.PageRank {
			return 1
		}
		return 0
	})
	hub, other := url.PathEscape(byRank[0].ID), url.QueryEscape(byRank[len(byRank)/2].ID)
	epA, epB := url.PathEscape(g.Episodes[0].ID), url.QueryEscape(g.Episodes[len(g.Episodes)/2].ID)
	strongest := strongestNeighbour(g, byRank[0].ID)
	handler := httpapi.NewServer(snap, testPage, nil)
	for _, path := range []string{
		"/api/graph?compact=1",
		"/api/graph?compact=1&members=1",
		"/api/graph?top=1500&evidence=false",
		"/api/search?q=a",
		"/api/concepts/" + hub,
		"/api/concepts/" + hub + "?neighbours=200&evidence=60",
		"/api/concepts/" + hub + "?neighbours=200&neighbour_evidence=0&evidence=60",         // as the page asks
		"/api/concepts/" + hub + "?neighbour=" + url.QueryEscape(strongest) + "&evidence=0", // a link's table
		"/api/concepts/" + hub + "/timeline",
		"/api/path?from=" + url.QueryEscape(byRank[0].ID) + "&to=" + other,
		"/api/paths?k=3&from=" + url.QueryEscape(byRank[0].ID) + "&to=" + other,
		"/api/themes",
		"/api/recurring",
		"/api/bridges",
		"/api/gaps",
		"/api/episodes",
		"/api/episodes/" + epA,
		"/api/episodes/" + epA + "?graph=1",
		"/api/compare?a=" + url.QueryEscape(g.Episodes[0].ID) + "&b=" + epB,
		"/api/window?from=2023-01&to=2023-03&evidence=false",
		"/api/changes?a_from=2023-01&a_to=2023-06&b_from=2023-07&b_to=2023-12",
		"/api/export?format=gexf&top=1500",
		"/api/export?format=csv",
		"/api/export?format=gexf",
		"/api/export?format=graphml",
		"/api/export?format=node-link",
	} {
		b.Run(path, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			bodyBytes := 0 // as sent, gzipped
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Host = "127.0.0.1"                    // a loopback name, as the server expects
				req.Header.Set("Accept-Encoding", "gzip") // as a browser asks
				rec := httptest.NewRecorder()
				t0 := time.Now()
				handler.ServeHTTP(rec, req)
				times = append(times, time.Since(t0))
				bodyBytes = rec.Body.Len()
				if rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
				}
			}
			// Whole-graph answers are built once per load and then served
			// from memory: first-ms is the one that built it.
			b.ReportMetric(float64(times[0])/1e6, "first-ms")
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2])/1e6, "median-ms")
			b.ReportMetric(float64(bodyBytes)/1e3, "sent-kB")
		})
	}
}

// strongestNeighbour returns the concept most strongly related to id.
func strongestNeighbour(g *graph.Graph, id string) string {
	best, weight := "", -1.0
	for _, r := range g.Relations {
		other := ""
		switch id {
		case r.Source:
			other = r.Target
		case r.Target:
			other = r.Source
		}
		if other != "" && r.Weight > weight {
			best, weight = other, r.Weight
		}
	}
	return best
}
