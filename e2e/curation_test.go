package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An analyst fixes the graph from the concept panel: rename, ban, merge
// (with its preview) and undo each, and every edit lands in the lexicon file.
func TestBrowserFixesTheGraph(t *testing.T) {
	base, lexicon := startCuratedExplorer(t, "")
	plan := planFromAPI(t, base)
	ctx, jsErrors := startBrowser(t)
	c := plan.searched
	route := "#/concept/" + urlPathEscape(c.ID)
	do(t, ctx, "open a concept",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"+route),
		waitRoute(route),
		waitFor(`!!document.querySelector('[data-testid="panel-edit"]')`),
	)

	do(t, ctx, "rename it",
		chromedp.SetValue(chromedp.CSS(`[data-testid="edit-label"]`), "Renamed in the page"),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-rename"]`)),
		waitText(`[data-testid="panel-label"]`, "Renamed in the page"),
	)
	if data, _ := os.ReadFile(lexicon); !strings.Contains(string(data), "Renamed in the page") {
		t.Errorf("the rename is not in the lexicon file:\n%s", data)
	}
	do(t, ctx, "undo the rename",
		chromedp.Click(chromedp.CSS(`[data-testid="undo"]`)),
		waitText(`[data-testid="panel-label"]`, c.Label),
	)

	do(t, ctx, "ban it",
		chromedp.Click(chromedp.CSS(`[data-testid="edit-ban"]`)),
		waitRoute("#/"),
	)
	if status := statusOf(t, base+"/api/concepts/"+urlPathEscape(c.ID)); status != http.StatusNotFound {
		t.Errorf("after the ban the concept answers %d, want 404", status)
	}
	do(t, ctx, "undo the ban",
		chromedp.Click(chromedp.CSS(`[data-testid="undo"]`)),
		waitFor(`(document.querySelector('[data-testid="status"]') || {}).textContent.startsWith("Undid ban")`),
	)
	if status := statusOf(t, base+"/api/concepts/"+urlPathEscape(c.ID)); status != http.StatusOK {
		t.Errorf("after undoing the ban the concept answers %d, want 200", status)
	}

	// Merge the strongest neighbour into the concept, through the search box.
	n := plan.neighbour
	do(t, ctx, "pick a concept to merge and see the preview",
		chromedp.Navigate(base+"/"+route),
		waitRoute(route),
		waitFor(`!!document.querySelector('[data-testid="edit-merge"]')`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="edit-merge"]`), n.Label),
		waitFor(`[...document.querySelectorAll('[data-testid="panel-edit"] [role="option"]')].length > 0`),
		chromedp.Click(chromedp.CSS(`[data-testid="panel-edit"] [role="option"]`)),
		waitFor(`document.querySelector('[data-testid="edit-merge-preview"]').textContent.includes("becomes an alias")`),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-merge-apply"]`)),
		waitFor(`(document.querySelector('[data-testid="status"]') || {}).textContent.startsWith("Saved merge")`),
	)
	if status := statusOf(t, base+"/api/concepts/"+urlPathEscape(n.ID)); status != http.StatusNotFound {
		t.Errorf("after merging %s it answers %d, want 404", n.ID, status)
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

// With a token, the page asks for it once and the edit goes through.
func TestBrowserAsksForTheToken(t *testing.T) {
	base, _ := startCuratedExplorer(t, "page-token-123")
	plan := planFromAPI(t, base)
	ctx, jsErrors := startBrowser(t)
	route := "#/concept/" + urlPathEscape(plan.searched.ID)
	do(t, ctx, "rename asks for the token",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"+route),
		waitRoute(route),
		waitFor(`!!document.querySelector('[data-testid="edit-label"]')`),
		chromedp.SetValue(chromedp.CSS(`[data-testid="edit-label"]`), "Renamed with a token"),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-rename"]`)),
		waitFor(`document.querySelector('[data-testid="token-dialog"]').open`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="token-input"]`), "page-token-123"),
		chromedp.Click(chromedp.CSS(`[data-testid="token-ok"]`)),
		waitText(`[data-testid="panel-label"]`, "Renamed with a token"),
	)
	if kept := eval[string](t, ctx, "read the kept token", `sessionStorage.getItem("topicgraph-token") || ""`); kept != "page-token-123" {
		t.Errorf("the tab keeps token %q", kept)
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

// A read-only explorer says so where the edit controls would be.
func TestBrowserReadOnlyExplorerSaysSo(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	ctx, _ := startBrowser(t)
	route := "#/concept/" + urlPathEscape(plan.searched.ID)
	do(t, ctx, "open a concept on a read-only explorer",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"+route),
		waitRoute(route),
		waitFor(`!!document.querySelector('[data-testid="edits-read-only"]') && document.querySelector('[data-testid="undo"]').hidden`),
	)
}

func statusOf(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Dropping one concept onto another previews the merge; confirming makes
// it. Kind and pin edits go through the panel and the sidebar.
func TestBrowserDragMergeKindAndPin(t *testing.T) {
	base, lexicon := startCuratedExplorer(t, "")
	plan := planFromAPI(t, base)
	ctx, jsErrors := startBrowser(t)
	id := plan.searched.ID
	hash := "#/focus/" + urlPathEscape(id) + "?depth=1"
	do(t, ctx, "open a focus", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"+hash), waitRoute(hash), settled())
	from := eval[nodeState](t, ctx, "locate the neighbour", readNode(plan.neighbour.ID))
	into := eval[nodeState](t, ctx, "locate the concept", readNode(id))
	do(t, ctx, "drop the neighbour onto the concept",
		dragNode(from.VX, from.VY, into.VX-from.VX, into.VY-from.VY),
		waitFor(`document.querySelector('[data-testid="merge-dialog"]').open`),
	)
	preview := eval[string](t, ctx, "read the preview", `document.querySelector('[data-testid="merge-preview"]').textContent`)
	if !strings.Contains(preview, plan.neighbour.Label) || !strings.Contains(preview, plan.searched.Label) || !strings.Contains(preview, "alias") {
		t.Errorf("merge preview %q does not say what moves where", preview)
	}
	do(t, ctx, "confirm the merge",
		chromedp.Click(chromedp.CSS(`[data-testid="merge-confirm"]`)),
		waitFor(`(document.querySelector('[data-testid="status"]') || {}).textContent.startsWith("Saved merge")`),
	)
	if status := statusOf(t, base+"/api/concepts/"+urlPathEscape(plan.neighbour.ID)); status != http.StatusNotFound {
		t.Errorf("after the drag merge %s answers %d, want 404", plan.neighbour.ID, status)
	}

	route := "#/concept/" + urlPathEscape(id)
	do(t, ctx, "set the kind",
		chromedp.Navigate(base+"/"+route),
		waitRoute(route),
		waitFor(`!!document.querySelector('[data-testid="edit-kind"]')`),
		chromedp.SetValue(chromedp.CSS(`[data-testid="edit-kind"]`), "work"),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-kind-apply"]`)),
		waitText(`[data-testid="panel-kind"]`, "work"),
	)
	do(t, ctx, "pin a term",
		chromedp.SendKeys(chromedp.CSS(`[data-testid="edit-pin-term"]`), "kitchen table"),
		chromedp.Click(chromedp.CSS(`[data-testid="edit-pin"]`)),
		waitFor(`(document.querySelector('[data-testid="status"]') || {}).textContent.startsWith("Saved pin")`),
	)
	data, _ := os.ReadFile(lexicon)
	for _, want := range []string{plan.neighbour.Label, "kind: work", "kitchen table"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the lexicon file lacks %q:\n%s", want, data)
		}
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}
