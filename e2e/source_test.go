package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Evidence leads back to the note: a line number in a link's evidence
// table opens the episode's source at that line, marked and in view.
func TestBrowserEvidenceOpensTheNote(t *testing.T) {
	base := startExplorer(t)
	plan := planFromAPI(t, base)
	ctx, jsErrors := startBrowser(t)
	a, b := plan.searched.ID, plan.neighbour.ID
	link := "#/link/" + urlPathEscape(a) + "/" + urlPathEscape(b)
	do(t, ctx, "open a link's evidence",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"+link),
		waitRoute(link),
	)
	first := eval[struct {
		Href, Text string
	}](t, ctx, "read the first evidence line", `(() => {
		const row = document.querySelector('[data-testid="link-evidence"] [data-testid="evidence"]');
		return {Href: row.querySelector('[data-testid="evidence-source-link"]').getAttribute("href"),
			Text: row.querySelector("blockquote").textContent};
	})()`)
	if !strings.HasPrefix(first.Href, "#/source/") {
		t.Fatalf("the evidence line links to %q, want #/source/EPISODE/LINE", first.Href)
	}
	do(t, ctx, "open the note at the line",
		chromedp.Click(chromedp.CSS(`[data-testid="link-evidence"] [data-testid="evidence-source-link"]`)),
		waitRoute(first.Href),
	)
	at := eval[struct {
		Marked  int
		Line    string
		Text    string
		Visible bool
		Lines   int
	}](t, ctx, "read the note", `(() => {
		const at = document.querySelectorAll('[data-testid="source-line"].at');
		const r = at.length ? at[0].getBoundingClientRect() : null;
		const panel = document.querySelector("#panel").parentElement.getBoundingClientRect();
		return {Marked: at.length, Line: at.length ? at[0].dataset.line : "", Text: at.length ? at[0].textContent : "",
			Visible: !!r && r.top >= panel.top - 1 && r.bottom <= panel.bottom + 1,
			Lines: document.querySelectorAll('[data-testid="source-line"]').length};
	})()`)
	wantLine := first.Href[strings.LastIndex(first.Href, "/")+1:]
	if at.Marked != 1 || at.Line != wantLine {
		t.Errorf("the note marks %d lines (line %q), want line %s alone", at.Marked, at.Line, wantLine)
	}
	if !strings.Contains(at.Text, first.Text) {
		t.Errorf("the marked line reads %q, want the evidence %q", at.Text, first.Text)
	}
	if at.Lines < 2 {
		t.Errorf("the note shows %d lines, want the whole note", at.Lines)
	}
	if !at.Visible {
		t.Error("the marked line is not scrolled into view")
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}
