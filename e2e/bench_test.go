package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/topicgraph/topicgraph/internal/httpapi"
	"github.com/topicgraph/topicgraph/internal/sqlite"
	"github.com/topicgraph/topicgraph/web"
)

// TestPageSpeedOnALargeGraph opens the page on the store named by
// TOPICGRAPH_BENCH_DB (for example 2,000 generated episodes loaded by
// graphload) in headless Chromium and logs how long the page takes to draw
// its default view (the whole graph) and the top 1,500 concepts, and to
// answer a click on the most central concept, with the page's own marks
// (main.js) saying where the opening time went. It is a measurement, not an
// assertion: run it with -v to read the figures. Both times include the
// browser's drawing, not only the page's script.
//
//	TOPICGRAPH_BENCH_DB=/tmp/c2000.db go test -run PageSpeed -v ./e2e/
func TestPageSpeedOnALargeGraph(t *testing.T) {
	path := os.Getenv("TOPICGRAPH_BENCH_DB")
	if path == "" {
		t.Skip("set TOPICGRAPH_BENCH_DB to a SQLite store loaded by graphload")
	}
	ctx := context.Background()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	snap := httpapi.NewSnapshot(store, nil)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewServer(httpapi.NewServer(snap, web.Static, nil))
	defer server.Close()

	browser, jsErrors := startBrowser(t)
	for _, view := range []struct{ name, hash string }{{"whole graph", "#/"}, {"top=1500", "#/?top=1500"}} {
		start := time.Now()
		do(t, browser, "open the page on the "+view.name,
			chromedp.EmulateViewport(1280, 800),
			chromedp.Navigate(server.URL+"/"+view.hash),
			waitRoute(view.hash),
			waitForGPU,
		)
		opened := time.Since(start)
		t.Logf("%s: the page's marks (ms since navigation): %s", view.name, strings.Join(eval[[]string](t, browser, "read the page's marks", pageMarks), "; "))
		t.Logf("%s: the page's requests: %s", view.name, strings.Join(eval[[]string](t, browser, "time the page's requests", requestTimes), "; "))
		order := eval[int](t, browser, "count nodes", `window.__sigma.getGraph().order`)
		edges := eval[int](t, browser, "count edges", `window.__sigma.getGraph().size`)
		hub := eval[string](t, browser, "find the hub", `(() => { const g = window.__sigma.getGraph(); let best = null, rank = -1;
			g.forEachNode((n, a) => { if (a.pagerank > rank) { rank = a.pagerank; best = n; } }); return best; })()`)
		at := eval[struct{ X, Y float64 }](t, browser, "locate the hub", fmt.Sprintf(`(() => {
			const s = window.__sigma; const p = s.framedGraphToViewport(s.getNodeDisplayData(%q));
			const box = s.getContainer().getBoundingClientRect(); return {X: box.left + p.x, Y: box.top + p.y}; })()`, hub))
		do(t, browser, "forget earlier requests", chromedp.Evaluate[chromedp.Void](`performance.clearResourceTimings()`))
		start = time.Now()
		do(t, browser, "click the hub",
			chromedp.MouseClickXY(at.X, at.Y),
			waitFor(`document.body.dataset.route.startsWith("#/concept/") && !document.querySelector("#panel").hasAttribute("aria-busy")`),
			waitForGPU,
		)
		clicked := time.Since(start)
		requests := eval[[]string](t, browser, "time the click's requests", requestTimes)
		t.Logf("%s: the click's requests: %s", view.name, strings.Join(requests, "; "))
		render := eval[float64](t, browser, "time one render", `(() => { const t0 = performance.now(); window.__sigma.refresh(); return performance.now() - t0; })()`)
		t.Logf("%s: %d nodes, %d edges; page open and drawn in %v; click answered (panel filled) in %v; one full render %.0f ms", view.name, order, edges, opened.Round(time.Millisecond), clicked.Round(time.Millisecond), render)
		do(t, browser, "leave", chromedp.Navigate("about:blank"))
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

// waitForGPU returns once the browser has finished drawing what the page
// asked it to draw. WebGL calls return before the pixels exist (a software
// renderer may be seconds behind); reading one pixel back, as sigma does to
// find the node under the pointer, waits for every queued draw.
var waitForGPU = chromedp.Evaluate[chromedp.Void](`void window.__sigma.getNodeAtPosition({x: 1, y: 1})`)

// requestTimes lists the page's requests so far with their durations.
const requestTimes = `performance.getEntriesByType("resource").map(e => decodeURIComponent(new URL(e.name).pathname + new URL(e.name).search) + " " + Math.round(e.duration) + " ms")`

// pageMarks lists the page's performance marks (main.js sets them at each
// step of opening a graph) and the time they are read, just after
// waitForGPU returned, in milliseconds since the navigation began.
const pageMarks = `[...performance.getEntriesByType("navigation").map(e => "DOM ready " + Math.round(e.domContentLoadedEventEnd)),
	...performance.getEntriesByType("mark").map(e => e.name + " " + Math.round(e.startTime)),
	"GPU done " + Math.round(performance.now())]`
