package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
)

// The map explains itself: a legend names the themes on screen as
// /api/themes names them and says what size means; a concept's panel names
// its theme; a theme keeps its colour when the map is filtered to it.
func TestBrowserLegendNamesThemes(t *testing.T) {
	base := startExplorer(t)
	var themes struct {
		Themes []struct {
			ID    int    `json:"id"`
			Label string `json:"label"`
			Top   []struct {
				ID string `json:"id"`
			} `json:"top"`
		} `json:"themes"`
	}
	getJSON(t, base+"/api/themes", &themes)
	if len(themes.Themes) < 2 {
		t.Fatalf("the examples have %d themes; the test needs two", len(themes.Themes))
	}
	names := map[int]string{}
	for _, th := range themes.Themes {
		if strings.TrimSpace(th.Label) == "" {
			t.Errorf("theme %d has no name", th.ID)
		}
		names[th.ID] = th.Label
	}

	ctx, jsErrors := startBrowser(t)
	do(t, ctx, "open the page",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		waitRoute(""),
		// The legend is drawn with the map and named once /api/themes answers.
		waitFor(`(() => {
			const items = [...document.querySelectorAll('[data-testid="legend-theme"]')];
			return items.length > 0 && items.every(li => li.textContent !== "theme " + li.dataset.theme);
		})()`),
	)
	type entry struct {
		Theme int
		Text  string
	}
	legend := eval[struct {
		Themes []entry
		Size   string
	}](t, ctx, "read the legend", `({
		Themes: [...document.querySelectorAll('[data-testid="legend-theme"]')].map(li => ({Theme: Number(li.dataset.theme), Text: li.textContent})),
		Size: document.querySelector('[data-testid="legend-size"]').textContent,
	})`)
	for _, e := range legend.Themes {
		if want, ok := names[e.Theme]; !ok || e.Text != want {
			t.Errorf("legend names theme %d %q, /api/themes says %q", e.Theme, e.Text, want)
		}
	}
	if len(legend.Themes) < min(2, len(themes.Themes)) {
		t.Errorf("legend lists %d themes, want the themes on screen", len(legend.Themes))
	}
	if !strings.Contains(legend.Size, "PageRank") {
		t.Errorf("legend size line %q does not name the measure", legend.Size)
	}

	// A concept of the second theme: its panel names the theme, and its
	// colour is the same on the whole map and on the theme alone.
	second := themes.Themes[1]
	id := second.Top[0].ID
	colourOf := fmt.Sprintf(`window.__sigma.getGraph().hasNode(%q) ? window.__sigma.getGraph().getNodeAttribute(%q, "color") : ""`, id, id)
	before := eval[string](t, ctx, "read the concept's colour", colourOf)
	do(t, ctx, "open the concept",
		chromedp.Navigate(base+"/#/concept/"+urlPathEscape(id)),
		waitRoute("#/concept/"+urlPathEscape(id)),
		waitText(`[data-testid="panel-theme"]`, second.Label),
	)
	do(t, ctx, "filter the map to the theme",
		chromedp.Navigate(fmt.Sprintf("%s/#/?theme=%d", base, second.ID)),
		waitRoute(fmt.Sprintf("#/?theme=%d", second.ID)),
	)
	after := eval[string](t, ctx, "read the concept's colour again", colourOf)
	if before == "" || before != after {
		t.Errorf("the concept %q is %q on the whole map and %q with its theme alone", id, before, after)
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}

// An empty store says how to load notes instead of showing a blank map.
func TestBrowserEmptyStoreSaysHowToLoad(t *testing.T) {
	const command = "go run ./cmd/graphload -store sqlite:/data/shows.db NOTES"
	base := startExplorerWith(t, func(graph.Store) []httpapi.Option {
		return []httpapi.Option{httpapi.WithLoadCommand(command)}
	})
	ctx, jsErrors := startBrowser(t)
	do(t, ctx, "open the page on an empty store",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		waitFor(fmt.Sprintf(`(document.querySelector('[data-testid="status"]') || {}).textContent.includes(%q)`, command)),
	)
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}
