package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The test drives the page the way an analyst would: click a node, search,
// open a link's evidence, go back, find paths, compare two episodes, filter,
// follow permalinks and export. Which concepts it uses is worked out from the
// API first, so the test follows the example notes as they change instead of
// hard-coding their vocabulary. Any JavaScript error fails it.
func TestBrowserExploresTheGraph(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	shots := os.Getenv("E2E_SCREENSHOTS") // a directory for docs/screenshots, when set

	ctx, jsErrors := startBrowser(t)

	do(t, ctx, "open the page and wait for the first render",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		waitRoute(""),
	)

	hasWebGL := eval[bool](t, ctx, "check the graph is drawn with WebGL", `(() => {
		const canvas = document.querySelector("#graph canvas.sigma-nodes");
		if (!canvas) return false;
		const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
		return !!gl && !gl.isContextLost() && gl.drawingBufferWidth > 0;
	})()`)
	if !hasWebGL {
		t.Fatal("the graph canvas has no live WebGL context")
	}
	// A capture of the viewport, cropped here: an element screenshot would
	// resize the viewport behind the page's back.
	box := eval[image.Rectangle](t, ctx, "measure the graph", `(() => {
		const r = document.querySelector("#graph").getBoundingClientRect();
		return {Min: {X: Math.ceil(r.left), Y: Math.ceil(r.top)}, Max: {X: Math.floor(r.right), Y: Math.floor(r.bottom)}};
	})()`)
	viewport := run(t, ctx, "capture the page", chromedp.CaptureScreenshot())
	if coloured := colouredPixels(t, viewport, box); coloured < 500 {
		t.Fatalf("the graph area has only %d pixels in node colours: nothing seems drawn", coloured)
	}
	screenshot(t, ctx, shots, "graph")

	// Click the most central concept where sigma draws it.
	at := eval[struct{ X, Y float64 }](t, ctx, "locate a node on screen", fmt.Sprintf(`(() => {
		const s = window.__sigma;
		const p = s.framedGraphToViewport(s.getNodeDisplayData(%q));
		const box = s.getContainer().getBoundingClientRect();
		return {X: box.left + p.x, Y: box.top + p.y};
	})()`, plan.clicked.ID))
	do(t, ctx, "click the node",
		chromedp.MouseClickXY(at.X, at.Y),
		waitRoute("#/concept/"+urlPathEscape(plan.clicked.ID)),
		waitText(`[data-testid="panel-label"]`, plan.clicked.Label),
	)

	do(t, ctx, "search with the keyboard and pick the suggestion",
		pressKey("/", "Slash", 191),
		chromedp.SendKeys(chromedp.CSS("#search"), plan.searched.Label),
		waitFor(activeSuggestionIs("#search", plan.searched.ID)),
		chromedp.KeyEvent(kb.Enter),
		waitRoute("#/concept/"+urlPathEscape(plan.searched.ID)),
		waitText(`[data-testid="panel-label"]`, plan.searched.Label),
	)
	panel := eval[struct {
		Kind       string
		Neighbours []string
		Evidence   int
		Bars       int
	}](t, ctx, "read the panel", `({
		Kind: document.querySelector('[data-testid="panel-kind"]').textContent,
		Neighbours: [...document.querySelectorAll('[data-testid="neighbour"]')].map(b => b.dataset.id),
		Evidence: document.querySelectorAll('[data-testid="panel-evidence"] [data-testid="evidence"]').length,
		Bars: document.querySelectorAll('[data-testid="timeline"] rect').length,
	})`)
	if panel.Kind != plan.searched.Kind {
		t.Errorf("panel kind = %q, want %q", panel.Kind, plan.searched.Kind)
	}
	if len(panel.Neighbours) == 0 || panel.Neighbours[0] != plan.neighbour.ID {
		t.Errorf("panel neighbours start %v, want the strongest, %q, first", panel.Neighbours, plan.neighbour.ID)
	}
	if panel.Evidence == 0 {
		t.Error("panel shows no evidence lines")
	}
	if panel.Bars != plan.searchedEpisodes {
		t.Errorf("timeline has %d bars, want one per episode of %q: %d", panel.Bars, plan.searched.ID, plan.searchedEpisodes)
	}
	screenshot(t, ctx, shots, "concept")

	a, b := plan.searched.ID, plan.neighbour.ID
	if b < a {
		a, b = b, a
	}
	do(t, ctx, "open the evidence of a link",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="link-evidence-open"][data-id=%q]`, plan.neighbour.ID))),
		waitRoute("#/link/"+urlPathEscape(plan.searched.ID)+"/"+urlPathEscape(plan.neighbour.ID)),
	)
	rows := eval[int](t, ctx, "count the link's evidence", `document.querySelectorAll('[data-testid="link-evidence"] [data-testid="evidence"]').length`)
	if rows != plan.neighbourEvidence {
		t.Errorf("the link's evidence table has %d rows, want %d", rows, plan.neighbourEvidence)
	}
	screenshot(t, ctx, shots, "link-evidence")

	do(t, ctx, "go back to the concept",
		chromedp.NavigateBack(),
		waitRoute("#/concept/"+urlPathEscape(plan.searched.ID)),
		waitText(`[data-testid="panel-label"]`, plan.searched.Label),
	)

	do(t, ctx, "find paths",
		chromedp.SendKeys(chromedp.CSS("#path-from"), plan.pathFrom.Label),
		waitFor(activeSuggestionIs("#path-from", plan.pathFrom.ID)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.SendKeys(chromedp.CSS("#path-to"), plan.pathTo.Label),
		waitFor(activeSuggestionIs("#path-to", plan.pathTo.ID)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Click(chromedp.CSS("#path-find")),
		waitRoute("#/path/"+urlPathEscape(plan.pathFrom.ID)+"/"+urlPathEscape(plan.pathTo.ID)),
	)
	paths := eval[struct {
		Paths, FirstHops, HopsWithEvidence int
	}](t, ctx, "read the paths", `(() => {
		const first = document.querySelector('[data-testid="path"]');
		const hops = first ? [...first.querySelectorAll('[data-testid="hop"]')] : [];
		return {Paths: document.querySelectorAll('[data-testid="path"]').length, FirstHops: hops.length,
			HopsWithEvidence: hops.filter(h => h.querySelector('[data-testid="evidence"]')).length};
	})()`)
	if paths.Paths != plan.paths || paths.FirstHops != plan.pathHops || paths.HopsWithEvidence != paths.FirstHops {
		t.Errorf("paths view shows %+v; want %d paths, the first of %d hops, each with evidence", paths, plan.paths, plan.pathHops)
	}
	highlighted := eval[[]string](t, ctx, "read the highlighted path", `(() => {
		const s = window.__sigma;
		return s.getGraph().filterNodes(n => s.getNodeDisplayData(n).highlighted);
	})()`)
	if len(highlighted) != plan.pathHops+1 {
		t.Errorf("graph highlights %d nodes %v, want the %d on the path", len(highlighted), highlighted, plan.pathHops+1)
	}
	screenshot(t, ctx, shots, "paths")

	do(t, ctx, "compare two episodes",
		chromedp.Click(chromedp.CSS(`[data-testid="nav-compare"]`)),
		waitRoute("#/compare"),
		chromedp.SetValue(chromedp.CSS("#compare-a"), plan.compareA),
		chromedp.SetValue(chromedp.CSS("#compare-b"), plan.compareB),
		chromedp.Click(chromedp.CSS(`[data-testid="compare-go"]`)),
		waitRoute("#/compare/"+urlPathEscape(plan.compareA)+"/"+urlPathEscape(plan.compareB)),
	)
	shared := eval[int](t, ctx, "count shared concepts", `document.querySelectorAll('[data-testid="shared"] li').length`)
	if shared != min(plan.compareShared, 60) {
		t.Errorf("comparison lists %d shared concepts, want %d", shared, plan.compareShared)
	}
	screenshot(t, ctx, shots, "compare")

	const countVisible = `(() => {
		const s = window.__sigma;
		return s.getGraph().filterNodes(n => !s.getNodeDisplayData(n).hidden).length;
	})()`
	do(t, ctx, "filter by episode", chooseEpisode(plan.episode.ID), waitFor(`document.body.dataset.route.includes("episode=")`), waitRoute(""))
	if got := eval[int](t, ctx, "count the filtered concepts", countVisible); got != plan.episode.Concepts {
		t.Errorf("filtered to episode %s the graph shows %d concepts, want %d", plan.episode.ID, got, plan.episode.Concepts)
	}
	exportURL := eval[string](t, ctx, "read the export link", `document.querySelector('[data-testid="export-gexf"]').getAttribute("href")`)
	if !strings.Contains(exportURL, "episode="+plan.episode.ID) || !strings.Contains(exportURL, "format=gexf") {
		t.Errorf("GEXF export link %q does not carry the filter", exportURL)
	}
	exported := download(t, base+exportURL)
	if got := strings.Count(exported, "<node "); got != plan.episode.Concepts {
		t.Errorf("on-screen GEXF has %d nodes, want the %d on screen", got, plan.episode.Concepts)
	}
	do(t, ctx, "export a PNG of the view",
		chromedp.Evaluate[chromedp.Void](`window.__lastPNG = null`),
		chromedp.Click(chromedp.CSS(`[data-testid="export"] summary`)),
		chromedp.Click(chromedp.CSS(`[data-testid="export-png"]`)),
		waitFor(`window.__lastPNG !== null`),
	)
	if inked := eval[int](t, ctx, "read the PNG", `window.__lastPNG.inked`); inked < 500 {
		t.Errorf("the PNG export has %d pixels off the background: the picture is blank", inked)
	}
	do(t, ctx, "go back to all episodes", chromedp.NavigateBack(), waitRoute("#/compare/"+urlPathEscape(plan.compareA)+"/"+urlPathEscape(plan.compareB)))
	if got := eval[int](t, ctx, "count all concepts", countVisible); got != plan.concepts {
		t.Errorf("back with all episodes the graph shows %d concepts, want %d", got, plan.concepts)
	}

	do(t, ctx, "follow a permalink to the themes",
		chromedp.Navigate(base+"/#/themes?size=degree"),
		waitRoute("#/themes?size=degree"),
		waitFor(`document.querySelectorAll('[data-testid="theme"]').length > 0`),
	)
	if size := eval[string](t, ctx, "read the size control", `document.querySelector("#f-size").value`); size != "degree" {
		t.Errorf("permalink size=degree leaves the control at %q", size)
	}
	screenshot(t, ctx, shots, "themes")
	for _, view := range []string{"gaps", "bridges", "recurring", "episodes/" + urlPathEscape(plan.compareA)} {
		do(t, ctx, "open "+view, chromedp.Navigate(base+"/#/"+view), waitRoute("#/"+view))
		if msg := eval[string](t, ctx, "check "+view, `document.querySelector('[data-testid="view-error"]')?.textContent || ""`); msg != "" {
			t.Errorf("view %s: %s", view, msg)
		}
		// A value the page failed to render shows up as these words in the text.
		if bad := eval[string](t, ctx, "read "+view, `(document.querySelector("#panel").textContent.match(/\b(null|undefined|NaN)\b|\[object /) || [""])[0]`); bad != "" {
			t.Errorf("view %s shows %q in its text", view, bad)
		}
		screenshot(t, ctx, shots, strings.SplitN(view, "/", 2)[0])
	}
	do(t, ctx, "Esc closes the panel", chromedp.KeyEvent(kb.Escape), waitRoute("#/"), waitFor(`document.querySelector("#panel").hidden`))

	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

// waitRoute waits until the page has finished showing the view of a hash
// ("" for whatever the page opened on).
func waitRoute(hash string) chromedp.Action[chromedp.Void] {
	check := `window.__graphReady === true && document.body.dataset.ready === "true" && !document.querySelector("#panel").hasAttribute("aria-busy")`
	if hash != "" {
		check += fmt.Sprintf(` && document.body.dataset.route === %q && location.hash === %q`, hash, hash)
	}
	return waitFor(check)
}

// screenshot saves the viewport as dir/name.png when dir is set, once the
// camera has stopped moving.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	do(t, ctx, "settle for the screenshot", waitFor(`!window.__sigma.getCamera().isAnimated()`))
	shot := run(t, ctx, "take the screenshot "+name, chromedp.CaptureScreenshot())
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatalf("write screenshot: %v", err)
	}
	t.Logf("screenshot written to %s", path)
}

// stepTimeout bounds each step, so a page that never gets there fails the
// test with the step's name instead of hanging until go test's own timeout.
const stepTimeout = 20 * time.Second

// do runs actions as one named step.
func do(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	run(t, ctx, name, chromedp.Steps(actions...))
}

// run runs one action as a named step and returns its value.
func run[T any](t *testing.T, ctx context.Context, name string, action chromedp.Action[T]) T {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(stepCtx, action)
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, describePage(ctx))
	}
	return v
}

// describePage tells what the page shows, to explain a failed step.
func describePage(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		ready: window.__graphReady === true,
		focused: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
		inputs: [...document.querySelectorAll("input")].map(i => i.id + "=" + i.value),
		lists: [...document.querySelectorAll(".suggestions")].map(l => l.hidden ? "hidden" : l.textContent),
		status: document.querySelector("#status")?.textContent,
		panel: document.querySelector('[data-testid="panel-label"]')?.textContent,
		suggestions: [...document.querySelectorAll('[data-testid="suggestion"]')].map(li => li.dataset.id + (li.getAttribute("aria-selected") === "true" ? "*" : "")),
		hops: document.querySelectorAll('[data-testid="hop"]').length,
	})`))
	if err != nil {
		return "page state unavailable: " + err.Error()
	}
	return "page state: " + state
}

// eval evaluates a JavaScript expression in the page as a named step.
func eval[T any](t *testing.T, ctx context.Context, name, expression string) T {
	t.Helper()
	return run(t, ctx, name, chromedp.Evaluate[T](expression))
}

// waitFor waits until a JavaScript expression is truthy.
func waitFor(expression string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expression, chromedp.WithPollingInterval(50*time.Millisecond))
}

// waitText waits until the element matching selector has exactly text as its
// text content.
func waitText(selector, text string) chromedp.Action[chromedp.Void] {
	return waitFor(fmt.Sprintf(`document.querySelector(%q)?.textContent === %q`, selector, text))
}

// pressKey presses and releases a printable key the way a keyboard does: one
// keyDown carrying the text, so a page that calls preventDefault on keydown
// stops the character (chromedp.KeyEvent sends a separate char event, which a
// page cannot cancel).
func pressKey(key, code string, keyCode int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: code, Text: key, UnmodifiedText: key, WindowsVirtualKeyCode: keyCode}
		if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, down); err != nil {
			return err
		}
		up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: key, Code: code, WindowsVirtualKeyCode: keyCode}
		_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, up)
		return err
	})
}

// activeSuggestionIs is true once the suggestion list under the input has the
// concept id as its active (first, before any arrow key) suggestion.
func activeSuggestionIs(input, id string) string {
	return fmt.Sprintf(`document.querySelector(%q)?.dataset.id === %q`, input+` + .suggestions:not([hidden]) [aria-selected="true"]`, id)
}

// chooseEpisode picks an option of the episode filter as a user would: the
// select gets the value, then the change event.
func chooseEpisode(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.SetValue(chromedp.CSS("#f-episode"), id),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#f-episode").dispatchEvent(new Event("change", {bubbles: true}))`),
	)
}

// startBrowser starts headless Chromium and returns a tab's context and a
// function listing the JavaScript errors seen so far.
func startBrowser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		t.Fatal("no Chromium on PATH: the browser test needs it (Debian/Ubuntu: apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.WindowSize(1280, 800),
		// Headless Chromium only offers WebGL through SwiftShader when asked.
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})

	// The first Run starts the browser; it gets no deadline, since the end of
	// the context of that first call would end the browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", browser, err)
	}

	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil && ev.ExceptionDetails.Exception.Description != "" {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
				return
			}
			var parts []string
			for _, arg := range ev.Args {
				if arg.Description != "" {
					parts = append(parts, arg.Description)
				} else {
					parts = append(parts, string(arg.Value))
				}
			}
			msg = "console: " + strings.Join(parts, " ")
		case *log.EventEntryAdded:
			// Failed requests and Content-Security-Policy violations arrive here.
			if ev.Entry.Level != log.EntryLevelError {
				return
			}
			msg = fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		default:
			return
		}
		mu.Lock()
		errs = append(errs, msg)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("listen to the page's console: %v", err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// colouredPixels counts the pixels of a PNG, within box, that are clearly
// saturated: the page's chrome is greys, so these are nodes and edges.
func colouredPixels(t *testing.T, data []byte, box image.Rectangle) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	box = box.Intersect(img.Bounds())
	if box.Empty() {
		t.Fatalf("the graph's box %v is outside the %v screenshot", box, img.Bounds())
	}
	n := 0
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if (max(r, g, b)>>8)-(min(r, g, b)>>8) > 60 {
				n++
			}
		}
	}
	return n
}

// A plan is what the browser test will click and expect, read from the API.
type plan struct {
	concepts  int // concepts in the graph
	clicked   concept
	searched  concept
	neighbour concept // searched's strongest neighbour
	pathFrom  concept
	pathTo    concept
	pathHops  int
	paths     int // how many of the k=3 shortest paths exist
	// searchedEpisodes is how many episodes mention searched (its timeline's
	// bars); neighbourEvidence the lines linking it to neighbour.
	searchedEpisodes  int
	neighbourEvidence int
	// compareA and compareB are the two episodes sharing most concepts.
	compareA, compareB string
	compareShared      int
	episode            struct {
		ID       string
		Concepts int
	}
}

type concept struct {
	ID       string  `json:"id"`
	Label    string  `json:"label"`
	Kind     string  `json:"kind"`
	PageRank float64 `json:"pagerank"`
	Degree   int     `json:"degree"`
}

// planFromAPI chooses the concepts to use: the most central concept to click,
// the second most central to search for, its strongest neighbour to follow, a
// pair of concepts a few hops apart for the path finder, and an episode that
// holds some but not all of the concepts for the filter.
func planFromAPI(t *testing.T, base string) plan {
	t.Helper()
	var nodeLink struct {
		Nodes []struct {
			concept
			Episodes json.RawMessage `json:"episodes"`
		} `json:"nodes"`
		Links []struct {
			Source string `json:"source"`
			Target string `json:"target"`
		} `json:"links"`
	}
	getJSON(t, base+"/api/graph", &nodeLink)
	var concepts []concept
	for _, n := range nodeLink.Nodes {
		if n.Kind != "episode" {
			concepts = append(concepts, n.concept)
		}
	}
	if len(concepts) < 5 {
		t.Fatalf("the example graph has %d concepts; the browser test needs at least 5", len(concepts))
	}
	sort.Slice(concepts, func(i, j int) bool {
		if concepts[i].PageRank != concepts[j].PageRank {
			return concepts[i].PageRank > concepts[j].PageRank
		}
		return concepts[i].ID < concepts[j].ID
	})
	var p plan
	p.concepts = len(concepts)
	p.clicked = concepts[0]
	p.searched = concepts[1]

	var detail struct {
		Neighbours []struct {
			concept
			Evidence []json.RawMessage `json:"evidence"`
		} `json:"neighbours"`
		Episodes []json.RawMessage `json:"episodes"`
	}
	getJSON(t, base+"/api/concepts/"+urlPathEscape(p.searched.ID), &detail)
	if len(detail.Neighbours) == 0 {
		t.Fatalf("concept %q has no neighbours", p.searched.ID)
	}
	p.neighbour = detail.Neighbours[0].concept
	p.neighbourEvidence = len(detail.Neighbours[0].Evidence)
	p.searchedEpisodes = len(detail.Episodes)

	// Breadth-first from the most central concept; the path goes to the first
	// concept (in PageRank order) at the greatest distance up to 3 hops.
	adjacency := map[string][]string{}
	for _, l := range nodeLink.Links {
		adjacency[l.Source] = append(adjacency[l.Source], l.Target)
		adjacency[l.Target] = append(adjacency[l.Target], l.Source)
	}
	distance := map[string]int{p.clicked.ID: 0}
	queue := []string{p.clicked.ID}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range adjacency[u] {
			if _, seen := distance[v]; !seen {
				distance[v] = distance[u] + 1
				queue = append(queue, v)
			}
		}
	}
	p.pathFrom = p.clicked
	for _, c := range concepts {
		if d, ok := distance[c.ID]; ok && d <= 3 && d > p.pathHops {
			p.pathTo, p.pathHops = c, d
		}
	}
	if p.pathHops < 2 {
		t.Fatalf("no concept is 2 or 3 hops from %q; the example notes are too small for the path test", p.clicked.ID)
	}
	var paths struct {
		Paths []json.RawMessage `json:"paths"`
	}
	getJSON(t, base+"/api/paths?k=3&from="+url.QueryEscape(p.pathFrom.ID)+"&to="+url.QueryEscape(p.pathTo.ID), &paths)
	p.paths = len(paths.Paths)

	var episodes struct {
		Episodes []struct {
			ID       string `json:"id"`
			Concepts int    `json:"concepts"`
		} `json:"episodes"`
	}
	getJSON(t, base+"/api/episodes", &episodes)
	for _, e := range episodes.Episodes {
		if e.Concepts > p.episode.Concepts && e.Concepts < p.concepts {
			p.episode.ID, p.episode.Concepts = e.ID, e.Concepts
		}
	}
	if p.episode.ID == "" {
		t.Fatal("no episode holds some but not all concepts; the filter test needs one")
	}
	var similar struct {
		Similar []struct {
			ID             string `json:"id"`
			SharedConcepts int    `json:"shared_concepts"`
		} `json:"similar"`
	}
	getJSON(t, base+"/api/episodes/"+urlPathEscape(episodes.Episodes[0].ID), &similar)
	if len(similar.Similar) == 0 {
		t.Fatalf("episode %s is like no other; the comparison test needs a pair", episodes.Episodes[0].ID)
	}
	p.compareA, p.compareB, p.compareShared = episodes.Episodes[0].ID, similar.Similar[0].ID, similar.Similar[0].SharedConcepts
	return p
}

// download fetches a URL and returns its body as text.
func download(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", url, resp.Status, err)
	}
	return body.String()
}

func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
}

// repoRoot is the repository's top directory (the test runs in e2e/).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
