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
