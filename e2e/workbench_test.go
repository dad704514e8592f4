package e2e

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The browser tests of the map as a workbench: label density, answers drawn
// as subgraphs, focus, drag and pin, expand and the layout worker. Each reads
// what sigma draws (its display data, after the reducers) rather than the
// page's own bookkeeping, and any JavaScript error fails it.

// settled waits until the camera has stopped and one more frame is drawn, so
// what sigma reports is what is on screen.
func settled() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		waitFor(`!window.__sigma.getCamera().isAnimated()`),
		chromedp.Evaluate[chromedp.Void](`void (window.__framed = false, window.__sigma.refresh(), requestAnimationFrame(() => requestAnimationFrame(() => { window.__framed = true; })))`),
		waitFor(`window.__framed === true`),
	)
}

func noJSErrors(t *testing.T, jsErrors func() []string) {
	t.Helper()
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

type labelCount struct {
	Drawn, Skipped int
	Overlaps       int
	Nodes          int
}

// readLabels reads how many labels the last frame drew, how many it skipped
// for lack of room, and how many pairs of drawn (unforced) labels overlap.
const readLabels = `(() => {
	const p = window.__labels;
	let overlaps = 0;
	for (let i = 0; i < p.boxes.length; i++) for (let j = i + 1; j < p.boxes.length; j++) {
		const a = p.boxes[i], b = p.boxes[j];
		if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) overlaps++;
	}
	const s = window.__sigma;
	return {Drawn: p.lastDrawn, Skipped: p.lastSkipped, Overlaps: overlaps, Nodes: s.getGraph().filterNodes(n => !s.getNodeDisplayData(n).hidden).length};
})()`

// The Labels control changes how many labels are drawn, labels never
// overlap, and a theme alone gets a label on every node there is room for.
func TestBrowserLabelDensity(t *testing.T) {
	base := startExplorer(t)
	ctx, jsErrors := startBrowser(t)
	count := func(hash string) labelCount {
		t.Helper()
		do(t, ctx, "open "+hash, chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
		return eval[labelCount](t, ctx, "count the labels of "+hash, readLabels)
	}
	do(t, ctx, "open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"), waitRoute(""))
	few := count("#/?labels=few")
	normal := count("#/")
	many := count("#/?labels=many")
	t.Logf("labels drawn: few %+v, normal %+v, many %+v", few, normal, many)
	if !(few.Drawn < normal.Drawn && normal.Drawn < many.Drawn) {
		t.Errorf("labels drawn: few %d, normal %d, many %d; want strictly more at each level", few.Drawn, normal.Drawn, many.Drawn)
	}
	for _, c := range []labelCount{few, normal, many} {
		if c.Overlaps != 0 {
			t.Errorf("%d pairs of drawn labels overlap", c.Overlaps)
		}
	}
	if control := eval[string](t, ctx, "read the Labels control", `document.querySelector("#f-labels").value`); control != "many" {
		t.Errorf("the Labels control shows %q on #/?labels=many", control)
	}

	// The label density is the page's own: the graph request does not carry it.
	sent := eval[[]string](t, ctx, "list the graph requests", `performance.getEntriesByType("resource").map(e => e.name).filter(u => u.includes("/api/graph"))`)
	for _, u := range sent {
		if strings.Contains(u, "labels=") || strings.Contains(u, "depth=") {
			t.Errorf("the page sent its own setting to the server: %s", u)
		}
	}

	// The biggest theme alone: every node gets a label where there is room.
	var themes struct {
		Themes []struct {
			ID   int `json:"id"`
			Size int `json:"size"`
		} `json:"themes"`
	}
	getJSON(t, base+"/api/themes", &themes)
	sort.Slice(themes.Themes, func(i, j int) bool { return themes.Themes[i].Size > themes.Themes[j].Size })
	theme := count(fmt.Sprintf("#/?theme=%d", themes.Themes[0].ID))
	t.Logf("theme %d alone: %+v", themes.Themes[0].ID, theme)
	// Every node is a candidate (a few may sit off screen); those without a
	// label are the ones whose label would cover another (Overlaps is 0).
	if theme.Drawn+theme.Skipped < theme.Nodes*9/10 || theme.Drawn <= theme.Nodes/3 || theme.Overlaps != 0 {
		t.Errorf("theme %d alone: %d of %d nodes labelled (%d without room, %d overlaps); want every node a candidate and over a third labelled", themes.Themes[0].ID, theme.Drawn, theme.Nodes, theme.Skipped, theme.Overlaps)
	}
	noJSErrors(t, jsErrors)
}

// drawnPairs reports, for each consecutive pair of ids, whether the drawn
// graph has the link and draws it (not hidden by the reducer).
const drawnPairs = `((ids) => {
	const s = window.__sigma, g = s.getGraph();
	const out = [];
	for (let i = 0; i + 1 < ids.length; i++) {
		const a = ids[i], b = ids[i + 1];
		const e = g.hasNode(a) && g.hasNode(b) ? g.edge(a, b) : undefined;
		out.push({A: a, B: b, Edge: e !== undefined, Shown: e !== undefined && !s.getEdgeDisplayData(e).hidden,
			NodesShown: !s.getNodeDisplayData(a).hidden && !s.getNodeDisplayData(b).hidden});
	}
	return out;
})`

type drawnPair struct {
	A, B        string
	Edge, Shown bool
	NodesShown  bool
}

type pathsAnswer struct {
	Paths []struct {
		Nodes []struct {
			ID string `json:"id"`
		} `json:"nodes"`
	} `json:"paths"`
}

func pathIDs(p pathsAnswer, i int) []string {
	var ids []string
	for _, n := range p.Paths[i].Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

// A path is drawn with every hop's link, including hops the overview leaves
// out (it draws each concept's strongest links only); the k paths are all
// drawn; the rest of the map fades.
func TestBrowserDrawnPath(t *testing.T) {
	base := startExplorer(t)
	// The links the overview draws, to find a path with a hop it leaves out.
	var compact struct {
		IDs   []string `json:"ids"`
		Links struct {
			Source []int `json:"source"`
			Target []int `json:"target"`
		} `json:"links"`
		PageRank []float64 `json:"pagerank"`
	}
	getJSON(t, base+"/api/graph?compact=1", &compact)
	drawn := map[[2]string]bool{}
	for k := range compact.Links.Source {
		a, b := compact.IDs[compact.Links.Source[k]], compact.IDs[compact.Links.Target[k]]
		drawn[[2]string{a, b}], drawn[[2]string{b, a}] = true, true
	}
	order := make([]int, len(compact.IDs))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return compact.PageRank[order[i]] > compact.PageRank[order[j]] })
	var from, to string
	var answer pathsAnswer
search:
	for i := 0; i < min(40, len(order)); i++ {
		for j := len(order) - 1; j > len(order)-40 && j > i; j-- {
			a, b := compact.IDs[order[i]], compact.IDs[order[j]]
			var p pathsAnswer
			getJSON(t, fmt.Sprintf("%s/api/paths?from=%s&to=%s&k=3", base, url.QueryEscape(a), url.QueryEscape(b)), &p)
			if len(p.Paths) < 2 {
				continue
			}
			ids := pathIDs(p, 0)
			for h := 0; h+1 < len(ids); h++ {
				if !drawn[[2]string{ids[h], ids[h+1]}] {
					from, to, answer = a, b, p
					break search
				}
			}
		}
	}
	if from == "" {
		t.Fatal("no path between the example concepts uses a link the overview leaves out; the test needs one")
	}
	t.Logf("path %s → %s: %d paths, the first %v", from, to, len(answer.Paths), pathIDs(answer, 0))

	ctx, jsErrors := startBrowser(t)
	hash := "#/path/" + urlPathEscape(from) + "/" + urlPathEscape(to)
	do(t, ctx, "open the paths", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	for i := range answer.Paths {
		ids := pathIDs(answer, i)
		pairs := eval[[]drawnPair](t, ctx, "check the drawn hops", fmt.Sprintf("%s(%s)", drawnPairs, jsArray(ids)))
		for _, p := range pairs {
			if !p.Edge || !p.Shown || !p.NodesShown {
				t.Errorf("path %d: hop %s — %s is not drawn: %+v", i+1, p.A, p.B, p)
			}
		}
	}
	// Only the first path is picked out; nodes off every path fade.
	state := eval[struct{ Highlighted, Faded, Total int }](t, ctx, "read the faded nodes", `(() => {
		const s = window.__sigma, g = s.getGraph();
		let h = 0, f = 0;
		g.forEachNode(n => { const d = s.getNodeDisplayData(n); if (d.highlighted) h++; if (d.zIndex === 0 && d.label === "") f++; });
		return {Highlighted: h, Faded: f, Total: g.order};
	})()`)
	if state.Highlighted != len(answer.Paths[0].Nodes) {
		t.Errorf("%d nodes highlighted, want the first path's %d", state.Highlighted, len(answer.Paths[0].Nodes))
	}
	if state.Faded == 0 || state.Faded >= state.Total {
		t.Errorf("%d of %d nodes faded; want all but the paths' nodes", state.Faded, state.Total)
	}
	// The link added for the path goes when the view changes.
	do(t, ctx, "close the paths", chromedp.Navigate(base+"/#/"), waitRoute("#/"))
	left := eval[int](t, ctx, "count temporary items", `window.__sigma.getGraph().filterEdges((e, a) => a.temp).length + window.__sigma.getGraph().filterNodes((n, a) => a.temp).length`)
	if left != 0 {
		t.Errorf("%d temporary nodes and links stay after the paths view closed", left)
	}
	noJSErrors(t, jsErrors)
}

func jsArray(ids []string) string {
	s := "["
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%q", id)
	}
	return s + "]"
}

// A gap is drawn: its two themes in colour, the closest bridges picked out
// with links into the themes, the other themes faded. A bridge likewise.
func TestBrowserDrawnGapAndBridge(t *testing.T) {
	base := startExplorer(t)
	var gaps struct {
		Gaps []struct {
			A struct {
				Theme int `json:"theme"`
			} `json:"a"`
			B struct {
				Theme int `json:"theme"`
			} `json:"b"`
			Closest []struct {
				ID string `json:"id"`
			} `json:"closest"`
		} `json:"gaps"`
	}
	getJSON(t, base+"/api/gaps?limit=30", &gaps)
	index := -1
	for i, g := range gaps.Gaps {
		if len(g.Closest) > 0 {
			index = i
			break
		}
	}
	if index < 0 {
		t.Fatal("no gap of the examples has a closest bridge; the test needs one")
	}
	gap := gaps.Gaps[index]
	var bridges []string
	for _, c := range gap.Closest {
		bridges = append(bridges, c.ID)
	}

	ctx, jsErrors := startBrowser(t)
	hash := fmt.Sprintf("#/gaps/%d", index)
	do(t, ctx, "open the gap", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	type drawnAnswer struct {
		Highlighted                         []string
		ThemeShown, ThemeTotal, OthersFaded int
		Others                              int
		BridgeLinks                         map[string]int
	}
	read := func(themes []int, bridges []string) drawnAnswer {
		return eval[drawnAnswer](t, ctx, "read the drawn answer", fmt.Sprintf(`((themes, bridges) => {
			const s = window.__sigma, g = s.getGraph();
			const out = {Highlighted: [], ThemeShown: 0, ThemeTotal: 0, OthersFaded: 0, Others: 0, BridgeLinks: {}};
			g.forEachNode((n, a) => {
				const d = s.getNodeDisplayData(n);
				if (d.highlighted) out.Highlighted.push(n);
				if (bridges.includes(n)) return;
				if (themes.includes(a.community)) { out.ThemeTotal++; if (d.zIndex >= 2) out.ThemeShown++; }
				else { out.Others++; if (d.zIndex === 0) out.OthersFaded++; }
			});
			for (const b of bridges) {
				out.BridgeLinks[b] = 0;
				if (!g.hasNode(b)) continue;
				g.forEachEdge(b, (e, a, x, y) => {
					const other = x === b ? y : x;
					if (!s.getEdgeDisplayData(e).hidden && themes.includes(g.getNodeAttribute(other, "community"))) out.BridgeLinks[b]++;
				});
			}
			out.Highlighted.sort();
			return out;
		})(%s, %s)`, fmt.Sprintf("[%d,%d]", themes[0], themes[len(themes)-1]), jsArray(bridges)))
	}
	got := read([]int{gap.A.Theme, gap.B.Theme}, bridges)
	want := append([]string(nil), bridges...)
	sort.Strings(want)
	if fmt.Sprint(got.Highlighted) != fmt.Sprint(want) {
		t.Errorf("gap: highlighted %v, want the closest bridges %v", got.Highlighted, want)
	}
	if got.ThemeShown != got.ThemeTotal || got.ThemeTotal == 0 {
		t.Errorf("gap: %d of the two themes' %d nodes drawn in colour", got.ThemeShown, got.ThemeTotal)
	}
	if got.OthersFaded != got.Others {
		t.Errorf("gap: %d of %d nodes of other themes faded", got.OthersFaded, got.Others)
	}
	for b, n := range got.BridgeLinks {
		if n == 0 {
			t.Errorf("gap: bridge %s has no drawn link into either theme", b)
		}
	}

	// A bridge: it and the themes it joins.
	var bridgeList struct {
		Bridges []struct {
			ID     string `json:"id"`
			Themes []int  `json:"themes"`
		} `json:"bridges"`
	}
	getJSON(t, base+"/api/bridges?limit=5", &bridgeList)
	if len(bridgeList.Bridges) == 0 {
		t.Fatal("the examples have no bridges")
	}
	b := bridgeList.Bridges[0]
	hash = "#/bridges/" + urlPathEscape(b.ID)
	do(t, ctx, "open the bridge", chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	themeShown := eval[struct{ Shown, Total, Links int }](t, ctx, "read the drawn bridge", fmt.Sprintf(`((themes, b) => {
		const s = window.__sigma, g = s.getGraph();
		let shown = 0, total = 0, links = 0;
		g.forEachNode((n, a) => { if (n !== b && themes.includes(a.community)) { total++; if (s.getNodeDisplayData(n).zIndex >= 2) shown++; } });
		g.forEachEdge(b, (e) => { if (!s.getEdgeDisplayData(e).hidden) links++; });
		return {Shown: shown, Total: total, Links: links};
	})(%s, %q)`, jsIntArray(b.Themes), b.ID))
	if themeShown.Shown != themeShown.Total || themeShown.Links < 2 {
		t.Errorf("bridge %s: %d of its themes' %d nodes in colour, %d links drawn; want all, and links into its themes", b.ID, themeShown.Shown, themeShown.Total, themeShown.Links)
	}
	noJSErrors(t, jsErrors)
}

func jsIntArray(xs []int) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(x)
	}
	return s + "]"
}

type focusState struct {
	Shown, Beyond int
	Centre        bool
}

// readFocus counts the nodes shown and those farther than depth from the
// centre along shown links (breadth-first over what sigma draws).
func readFocus(centre string, depth int) string {
	return fmt.Sprintf(`((centre, depth) => {
		const s = window.__sigma, g = s.getGraph();
		const shown = new Set(g.filterNodes(n => !s.getNodeDisplayData(n).hidden));
		const dist = new Map([[centre, 0]]);
		let frontier = [centre];
		while (frontier.length) {
			const next = [];
			for (const u of frontier) g.forEachEdge(u, (e, a, x, y) => {
				const v = x === u ? y : x;
				if (!shown.has(v) || dist.has(v) || s.getEdgeDisplayData(e).hidden) return;
				dist.set(v, dist.get(u) + 1);
				next.push(v);
			});
			frontier = next;
		}
		let beyond = 0;
		for (const n of shown) if (!dist.has(n) || dist.get(n) > depth) beyond++;
		return {Shown: shown.size, Beyond: beyond, Centre: shown.has(centre)};
	})(%q, %d)`, centre, depth)
}

// Focus shows a concept and its neighbours up to the depth, nothing else;
// depth 2 shows more than depth 1.
func TestBrowserFocusDepth(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	id := plan.searched.ID
	ctx, jsErrors := startBrowser(t)
	do(t, ctx, "open the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"), waitRoute(""))
	var shown [4]int
	for depth := 1; depth <= 3; depth++ {
		hash := "#/focus/" + urlPathEscape(id)
		if depth > 1 {
			hash += fmt.Sprintf("?depth=%d", depth)
		}
		do(t, ctx, hash, chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
		f := eval[focusState](t, ctx, "read the focus", readFocus(id, depth))
		t.Logf("depth %d: %+v", depth, f)
		if !f.Centre || f.Beyond != 0 {
			t.Errorf("depth %d: %+v; want the centre shown and no node beyond the depth", depth, f)
		}
		shown[depth] = f.Shown
	}
	if !(shown[1] > 1 && shown[1] < shown[2] && shown[2] <= shown[3]) {
		t.Errorf("nodes shown at depth 1, 2, 3: %v; want more with each depth", shown[1:])
	}
	// The panel links to the other depths, and the focus count matches the map.
	do(t, ctx, "pick depth 1 in the panel", chromedp.Click(chromedp.CSS(`[data-testid="focus-depth-1"]`)), waitRoute("#/focus/"+urlPathEscape(id)), settled())
	if f := eval[focusState](t, ctx, "read the focus again", readFocus(id, 1)); f.Shown != shown[1] {
		t.Errorf("back at depth 1: %d nodes, first time %d", f.Shown, shown[1])
	}
	noJSErrors(t, jsErrors)
}

// dragNode drags a node by (dx, dy) pixels with real mouse events: press,
// eight moves with the left button held, release.
func dragNode(x, y, dx, dy float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		mouse := func(kind input.DispatchMouseEventType, x, y float64, buttons int64) input.DispatchMouseEventParams {
			p := input.DispatchMouseEventParams{Type: kind, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: buttons}
			if kind != input.DispatchMouseEventTypeMouseMoved {
				p.ClickCount = 1
			}
			return p
		}
		steps := []input.DispatchMouseEventParams{
			{Type: input.DispatchMouseEventTypeMouseMoved, X: x, Y: y},
			mouse(input.DispatchMouseEventTypeMousePressed, x, y, 1),
		}
		for i := 1; i <= 8; i++ {
			f := float64(i) / 8
			steps = append(steps, mouse(input.DispatchMouseEventTypeMouseMoved, x+dx*f, y+dy*f, 1))
		}
		steps = append(steps, mouse(input.DispatchMouseEventTypeMouseReleased, x+dx, y+dy, 0))
		for _, s := range steps {
			if _, err := cdp.Call(ctx, t, input.DispatchMouseEvent, s); err != nil {
				return err
			}
			time.Sleep(15 * time.Millisecond)
		}
		return nil
	})
}

type nodeState struct {
	X, Y, VX, VY float64
	Fixed        bool
}

func readNode(id string) string {
	return fmt.Sprintf(`((id) => {
		const s = window.__sigma, g = s.getGraph(), a = g.getNodeAttributes(id);
		const box = s.getContainer().getBoundingClientRect();
		const v = s.framedGraphToViewport(s.getNodeDisplayData(id));
		return {X: a.x, Y: a.y, VX: box.left + v.x, VY: box.top + v.y, Fixed: !!a.fixed};
	})(%q)`, id)
}

// A dragged node moves, is pinned (ringed, counted) and stays where it was
// dropped when the layout is re-run in the worker, which moves the others
// and finishes; a right click expands a node; unpinning lets it go.
func TestBrowserDragPinAndLayout(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	id := plan.searched.ID
	ctx, jsErrors := startBrowser(t)
	hash := "#/focus/" + urlPathEscape(id) + "?depth=2"
	do(t, ctx, "open a focus", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	// Drag a node of the focus other than the centre: the neighbour.
	dragged := plan.neighbour.ID
	before := eval[nodeState](t, ctx, "locate the node", readNode(dragged))
	do(t, ctx, "drag the node", dragNode(before.VX, before.VY, 90, 60), waitFor(`document.body.dataset.pinned === "1"`), settled())
	after := eval[nodeState](t, ctx, "read the dragged node", readNode(dragged))
	if after.X == before.X && after.Y == before.Y || !after.Fixed {
		t.Fatalf("dragged node %s: before %+v, after %+v; want it moved and pinned", dragged, before, after)
	}
	if route := eval[string](t, ctx, "read the route", `location.hash`); route != hash {
		t.Errorf("the drag ended as a click: the page went to %s", route)
	}

	// Re-run the layout: the worker runs and finishes; the pinned node stays.
	others := eval[map[string][2]float64](t, ctx, "read the other positions", `(() => {
		const s = window.__sigma, g = s.getGraph(), out = {};
		g.forEachNode((n, a) => { if (!s.getNodeDisplayData(n).hidden && !a.fixed) out[n] = [a.x, a.y]; });
		return out;
	})()`)
	do(t, ctx, "re-run the layout",
		chromedp.Click(chromedp.CSS(`[data-testid="relayout"]`)),
		waitFor(`document.body.dataset.layout === "running"`),
	)
	workerOK := eval[bool](t, ctx, "check the worker", `window.__labels !== undefined && typeof Worker === "function"`)
	if !workerOK {
		t.Fatal("no Worker in the page")
	}
	run(t, ctx, "wait for the layout to finish", chromedp.Poll[chromedp.Void](`document.body.dataset.layout === "done"`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	pinnedAfter := eval[nodeState](t, ctx, "read the pinned node", readNode(dragged))
	if pinnedAfter.X != after.X || pinnedAfter.Y != after.Y {
		t.Errorf("the pinned node moved in the layout: %+v → %+v", after, pinnedAfter)
	}
	moved := eval[int](t, ctx, "count moved nodes", fmt.Sprintf(`((before) => {
		const g = window.__sigma.getGraph();
		let moved = 0;
		for (const [n, [x, y]] of Object.entries(before)) if (g.hasNode(n)) { const a = g.getNodeAttributes(n); if (a.x !== x || a.y !== y) moved++; }
		return moved;
	})(%s)`, jsObject(others)))
	if moved < len(others)/2 {
		t.Errorf("the layout moved %d of %d unpinned nodes", moved, len(others))
	}

	// Right click expands a node of the focus in place.
	countShown := `window.__sigma.getGraph().filterNodes(n => !window.__sigma.getNodeDisplayData(n).hidden).length`
	shownBefore := eval[int](t, ctx, "count shown nodes", countShown)
	leaf := eval[string](t, ctx, "pick a node to expand", fmt.Sprintf(`(() => {
		const s = window.__sigma, g = s.getGraph();
		// The node farthest on screen from any other, so the click lands on it.
		const shown = g.filterNodes(n => !s.getNodeDisplayData(n).hidden && n !== %q && n !== %q);
		const at = new Map(shown.map(n => [n, s.framedGraphToViewport(s.getNodeDisplayData(n))]));
		const {width, height} = s.getDimensions();
		let best = null, room = -1;
		for (const n of shown) {
			const p = at.get(n);
			if (p.x < 20 || p.y < 20 || p.x > width - 20 || p.y > height - 20) continue;
			let nearest = Infinity;
			for (const m of shown) if (m !== n) nearest = Math.min(nearest, Math.hypot(p.x - at.get(m).x, p.y - at.get(m).y));
			if (nearest > room) { room = nearest; best = n; }
		}
		return best;
	})()`, id, dragged))
	at := eval[nodeState](t, ctx, "locate the node to expand", readNode(leaf))
	do(t, ctx, "right-click to expand", chromedp.MouseClickXY(at.VX, at.VY, chromedp.ButtonRight), waitFor(fmt.Sprintf(`document.body.dataset.expanded === %q`, leaf)), settled())
	if shownAfter := eval[int](t, ctx, "count shown nodes again", countShown); shownAfter < shownBefore {
		t.Errorf("expanding %s: %d nodes shown before, %d after", leaf, shownBefore, shownAfter)
	}

	do(t, ctx, "unpin", chromedp.Click(chromedp.CSS(`[data-testid="unpin"]`)), waitFor(`document.body.dataset.pinned === "0"`))
	if st := eval[nodeState](t, ctx, "read the unpinned node", readNode(dragged)); st.Fixed {
		t.Error("the node is still pinned after Unpin")
	}
	noJSErrors(t, jsErrors)
}

func jsObject(m map[string][2]float64) string {
	s := "{"
	first := true
	for k, v := range m {
		if !first {
			s += ","
		}
		first = false
		s += fmt.Sprintf("%q:[%v,%v]", k, v[0], v[1])
	}
	return s + "}"
}

// A comparison is drawn: the two episodes' concepts coloured by group
// (shared, only A, only B), the links they share drawn, the rest faded.
func TestBrowserDrawnComparison(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	var cmp struct {
		Shared      []struct{ ID string } `json:"shared"`
		OnlyA       []struct{ ID string } `json:"only_a"`
		OnlyB       []struct{ ID string } `json:"only_b"`
		SharedLinks []struct {
			Source string `json:"source"`
			Target string `json:"target"`
		} `json:"shared_links"`
	}
	getJSON(t, fmt.Sprintf("%s/api/compare?a=%s&b=%s", base, url.QueryEscape(plan.compareA), url.QueryEscape(plan.compareB)), &cmp)
	ctx, jsErrors := startBrowser(t)
	hash := "#/compare/" + urlPathEscape(plan.compareA) + "/" + urlPathEscape(plan.compareB)
	do(t, ctx, "open the comparison", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	key := eval[[]string](t, ctx, "read the colour key", `[...document.querySelectorAll('[data-testid="compare-key"] .swatch')].map(s => getComputedStyle(s).backgroundColor)`)
	if len(key) != 3 {
		t.Fatalf("the comparison's colour key has %d entries, want 3", len(key))
	}
	groups := map[string][]struct{ ID string }{"shared": cmp.Shared, "a": cmp.OnlyA, "b": cmp.OnlyB}
	colours := map[string]string{}
	for group, items := range groups {
		var ids []string
		for _, c := range items {
			ids = append(ids, c.ID)
		}
		got := eval[[]string](t, ctx, "read the colours of "+group, fmt.Sprintf(`((ids) => {
			const s = window.__sigma;
			return [...new Set(ids.map(id => { const d = s.getNodeDisplayData(id); return d && !d.hidden && d.zIndex >= 2 ? d.color : "missing or faded"; }))];
		})(%s)`, jsArray(ids)))
		if len(ids) > 0 && len(got) != 1 {
			t.Errorf("the %s concepts are drawn in %v; want one colour", group, got)
		} else if len(got) == 1 {
			colours[group] = got[0]
		}
	}
	if colours["shared"] == colours["a"] || colours["a"] == colours["b"] || colours["shared"] == colours["b"] {
		t.Errorf("group colours %v are not distinct", colours)
	}
	var pairs []string
	for _, l := range cmp.SharedLinks {
		pairs = append(pairs, l.Source, l.Target)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		p := eval[[]drawnPair](t, ctx, "check a shared link", fmt.Sprintf("%s(%s)", drawnPairs, jsArray(pairs[i:i+2])))
		if len(p) != 1 || !p[0].Shown {
			t.Errorf("shared link %s — %s is not drawn: %+v", pairs[i], pairs[i+1], p)
		}
	}
	noJSErrors(t, jsErrors)
}

// The concept view frames the concept's neighbourhood with its labels: no
// neighbour, nor its label, falls outside the map.
func TestBrowserConceptCameraFitsNeighbourhood(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	ctx, jsErrors := startBrowser(t)
	for _, c := range []concept{plan.clicked, plan.searched, plan.pathTo} {
		hash := "#/concept/" + urlPathEscape(c.ID)
		do(t, ctx, "open "+c.ID, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
		outside := eval[[]string](t, ctx, "check the frame", `(() => {
			const s = window.__sigma, g = s.getGraph(), {width, height} = s.getDimensions();
			const ctx = document.createElement("canvas").getContext("2d");
			ctx.font = s.getSetting("labelWeight") + " " + s.getSetting("labelSize") + "px " + s.getSetting("labelFont");
			const out = [];
			g.forEachNode(n => {
				const d = s.getNodeDisplayData(n);
				if (d.hidden || d.zIndex < 2) return; // faded: not the subject
				const v = s.framedGraphToViewport(d), r = s.scaleSize(d.size);
				const right = v.x + r + 3 + ctx.measureText(d.label || "").width;
				if (v.x - r < 0 || right > width || v.y - r < 0 || v.y + r > height) out.push(n + "@" + Math.round(v.x) + "," + Math.round(v.y));
			});
			return out;
		})()`)
		if len(outside) > 0 {
			t.Errorf("concept %s: %d of its neighbourhood outside the frame: %v", c.ID, len(outside), outside)
		}
	}
	noJSErrors(t, jsErrors)
}

// A projection (concepts + episodes) gets its own layout, in the worker,
// once it is loaded; the worker finishes.
func TestBrowserProjectionLayout(t *testing.T) {
	base := startExplorer(t)
	ctx, jsErrors := startBrowser(t)
	hash := "#/?proj=episodes"
	do(t, ctx, "open the projection", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash))
	start := eval[map[string][2]float64](t, ctx, "read the episodes' first places", `(() => {
		const g = window.__sigma.getGraph(), out = {};
		g.forEachNode((n, a) => { if (n.startsWith("episode:")) out[n] = [a.x, a.y]; });
		return out;
	})()`)
	run(t, ctx, "wait for the layout", chromedp.Poll[chromedp.Void](`document.body.dataset.layout === "done"`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	moved := eval[int](t, ctx, "count moved episodes", fmt.Sprintf(`((before) => {
		const g = window.__sigma.getGraph();
		let moved = 0;
		for (const [n, [x, y]] of Object.entries(before)) { const a = g.getNodeAttributes(n); if (a.x !== x || a.y !== y) moved++; }
		return moved;
	})(%s)`, jsObject(start)))
	if len(start) == 0 || moved < len(start)/2 {
		t.Errorf("the projection's layout moved %d of %d episodes", moved, len(start))
	}
	noJSErrors(t, jsErrors)
}
