package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
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

// The test drives the page the way a reader would: click a node, search,
// follow a neighbour, find a path, filter by episode. Which concepts it uses is
// worked out from the API first, so the test follows the example notes as they
// change instead of hard-coding their vocabulary.
func TestBrowserExploresTheGraph(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)

	ctx, jsErrors := startBrowser(t)

	do(t, ctx, "open the page and wait for the first render",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		waitFor(`window.__graphReady === true && document.body.dataset.ready === "true"`),
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

	// Click the most central concept where sigma draws it.
	at := eval[struct{ X, Y float64 }](t, ctx, "locate a node on screen", fmt.Sprintf(`(() => {
		const s = window.__sigma;
		const p = s.framedGraphToViewport(s.getNodeDisplayData(%q));
		const box = s.getContainer().getBoundingClientRect();
		return {X: box.left + p.x, Y: box.top + p.y};
	})()`, plan.clicked.ID))
	do(t, ctx, "click the node",
		chromedp.MouseClickXY(at.X, at.Y),
		waitText(`[data-testid="panel-label"]`, plan.clicked.Label),
	)

	do(t, ctx, "search with the keyboard and pick the suggestion",
		pressKey("/", "Slash", 191),
		chromedp.SendKeys(chromedp.CSS("#search"), plan.searched.Label),
		waitFor(activeSuggestionIs("#search", plan.searched.ID)),
		chromedp.KeyEvent(kb.Enter),
		waitText(`[data-testid="panel-label"]`, plan.searched.Label),
	)
	panel := eval[struct {
		Kind       string
		Neighbours []string
		Evidence   int
	}](t, ctx, "read the panel", `({
		Kind: document.querySelector('[data-testid="panel-kind"]').textContent,
		Neighbours: [...document.querySelectorAll('[data-testid="neighbour"]')].map(b => b.dataset.id),
		Evidence: document.querySelectorAll('[data-testid="panel-evidence"] [data-testid="evidence"]').length,
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

	do(t, ctx, "follow a neighbour",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="neighbour"][data-id=%q]`, plan.neighbour.ID))),
		waitText(`[data-testid="panel-label"]`, plan.neighbour.Label),
	)

	do(t, ctx, "find a path",
		chromedp.SendKeys(chromedp.CSS("#path-from"), plan.pathFrom.Label),
		waitFor(activeSuggestionIs("#path-from", plan.pathFrom.ID)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.SendKeys(chromedp.CSS("#path-to"), plan.pathTo.Label),
		waitFor(activeSuggestionIs("#path-to", plan.pathTo.ID)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.Click(chromedp.CSS("#path-find")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="hop"]`)),
	)
	hops := eval[int](t, ctx, "count the hops", `document.querySelectorAll('[data-testid="hop"]').length`)
	if hops != plan.pathHops {
		t.Errorf("path %s → %s shows %d hops, want %d", plan.pathFrom.ID, plan.pathTo.ID, hops, plan.pathHops)
	}
	hopEvidence := eval[int](t, ctx, "count the hops' evidence", `document.querySelectorAll('[data-testid="hop"] [data-testid="evidence"]').length`)
	if hopEvidence < hops {
		t.Errorf("the path's %d hops show %d evidence lines; want at least one each", hops, hopEvidence)
	}
	highlighted := eval[[]string](t, ctx, "read the highlighted path", `(() => {
		const s = window.__sigma;
		return s.getGraph().filterNodes(n => s.getNodeDisplayData(n).highlighted);
	})()`)
	if len(highlighted) != plan.pathHops+1 {
		t.Errorf("graph highlights %d nodes %v, want the %d on the path", len(highlighted), highlighted, plan.pathHops+1)
	}

	const countVisible = `(() => {
		const s = window.__sigma;
		return s.getGraph().filterNodes(n => !s.getNodeDisplayData(n).hidden).length;
	})()`
	do(t, ctx, "filter by episode", chooseEpisode(plan.episode.ID))
	if got := eval[int](t, ctx, "count the filtered concepts", countVisible); got != plan.episode.Concepts {
		t.Errorf("filtered to episode %s the graph shows %d concepts, want %d", plan.episode.ID, got, plan.episode.Concepts)
	}
	do(t, ctx, "show all episodes again", chooseEpisode(""))
	if got := eval[int](t, ctx, "count all concepts", countVisible); got != plan.concepts {
		t.Errorf("with all episodes the graph shows %d concepts, want %d", got, plan.concepts)
	}

	if path := os.Getenv("E2E_SCREENSHOT"); path != "" {
		do(t, ctx, "select a concept for the screenshot",
			chromedp.Click(chromedp.CSS("#path-clear")),
			waitFor(`document.querySelector("#path-result").hidden`),
			pressKey("/", "Slash", 191),
			chromedp.SendKeys(chromedp.CSS("#search"), plan.searched.Label),
			waitFor(activeSuggestionIs("#search", plan.searched.ID)),
			chromedp.KeyEvent(kb.Enter),
			waitText(`[data-testid="panel-label"]`, plan.searched.Label),
			waitFor(`!window.__sigma.getCamera().isAnimated()`),
		)
		shot := run(t, ctx, "take the screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatalf("write screenshot: %v", err)
		}
		t.Logf("screenshot written to %s", path)
	}

	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
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
		chromedp.SetValue(chromedp.CSS("#episode-filter"), id),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#episode-filter").dispatchEvent(new Event("change", {bubbles: true}))`),
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
	episode   struct {
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
		Neighbours []concept `json:"neighbours"`
	}
	getJSON(t, base+"/api/concepts/"+urlPathEscape(p.searched.ID), &detail)
	if len(detail.Neighbours) == 0 {
		t.Fatalf("concept %q has no neighbours", p.searched.ID)
	}
	p.neighbour = detail.Neighbours[0]

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
	return p
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
