package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/topicgraph/topicgraph/internal/neo4j/neo4jtest"
)

// TestCypherPanel drives the Cypher console on the page over Neo4j: a read
// query fills the table with what the server answers, a write is refused with
// the server's message and changes nothing. On SQLite the panel stays hidden.
func TestCypherPanel(t *testing.T) {
	explorer := startNeo4jExplorer(t, filepath.Join(repoRoot(t), "examples", "notes"))
	ctx, jsErrors := startBrowser(t)

	// What the table must show, asked of the store directly.
	const read = `MATCH (c:Concept) RETURN c.id AS id, c.pagerank AS pagerank ORDER BY c.pagerank DESC, c.id LIMIT 5`
	want, err := explorer.store.ReadCypher(context.Background(), read, nil)
	if err != nil || len(want.Rows) != 5 {
		t.Fatalf("the store's own answer: %v, %v", want, err)
	}

	do(t, ctx, "open the page and wait for the console",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(explorer.url+"/"),
		waitFor(`window.__graphReady === true`),
		waitFor(`!document.querySelector('[data-testid="cypher"]').hidden`),
		chromedp.Click(chromedp.CSS(`[data-testid="cypher-toggle"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="cypher-query"]`)),
	)

	do(t, ctx, "run a read query",
		clearQuery,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="cypher-query"]`), read),
		chromedp.Click(chromedp.CSS(`[data-testid="cypher-run"]`)),
		waitFor(`document.querySelectorAll('[data-testid="cypher-row"]').length > 0`),
	)
	table := eval[struct {
		Head  []string
		Cells [][]string
		Error bool
	}](t, ctx, "read the table", `({
		Head: [...document.querySelectorAll('[data-testid="cypher-table"] th')].map(th => th.textContent),
		Cells: [...document.querySelectorAll('[data-testid="cypher-row"]')].map(tr => [...tr.cells].map(td => td.textContent)),
		Error: !document.querySelector('[data-testid="cypher-error"]').hidden,
	})`)
	if strings.Join(table.Head, ",") != "id,pagerank" || table.Error {
		t.Errorf("table head %v (error line shown: %v), want id,pagerank and no error", table.Head, table.Error)
	}
	if len(table.Cells) != len(want.Rows) {
		t.Fatalf("the table has %d rows, want %d", len(table.Cells), len(want.Rows))
	}
	for i, row := range want.Rows {
		if table.Cells[i][0] != row[0] {
			t.Errorf("row %d shows %q, want %q", i, table.Cells[i][0], row[0])
		}
	}

	do(t, ctx, "run a query returning nodes and a path",
		clearQuery,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="cypher-query"]`),
			`MATCH p = (e:Episode)-[m:MENTIONS]->(c:Concept) RETURN e, m, c, p LIMIT 3`),
		chromedp.Click(chromedp.CSS(`[data-testid="cypher-run"]`)),
		waitFor(`document.querySelector('[data-testid="cypher-table"] td')?.textContent.startsWith("(:Episode")`),
	)

	const write = `MATCH (c:Concept) SET c.label = '<script>pwned</script>' RETURN c`
	do(t, ctx, "run a write",
		clearQuery,
		chromedp.SendKeys(chromedp.CSS(`[data-testid="cypher-query"]`), write),
		chromedp.Click(chromedp.CSS(`[data-testid="cypher-run"]`)),
		waitFor(`!document.querySelector('[data-testid="cypher-error"]').hidden`),
	)
	refusal := eval[string](t, ctx, "read the refusal", `document.querySelector('[data-testid="cypher-error"]').textContent`)
	if !strings.HasPrefix(refusal, "only read queries run here: this query would write") {
		t.Errorf("the error line says %q, want the refusal", refusal)
	}
	if rows := eval[int](t, ctx, "count rows after the refusal", `document.querySelectorAll('[data-testid="cypher-row"]').length`); rows != 0 {
		t.Errorf("the refused write left %d rows in the table", rows)
	}
	if n := neo4jtest.Count(t, explorer.store, `MATCH (c:Concept) WHERE c.label CONTAINS 'pwned' RETURN count(c)`, nil); n != 0 {
		t.Errorf("the refused write changed %d concepts", n)
	}

	// The refusal is a 400, which Chromium logs as a failed request: that one
	// is expected; anything else is a JavaScript error.
	for _, msg := range jsErrors() {
		if strings.Contains(msg, "status of 400") && strings.HasSuffix(msg, "/api/cypher") {
			continue
		}
		t.Errorf("JavaScript error: %s", msg)
	}
}

// clearQuery empties the query box (chromedp's SetValue does not take a textarea).
var clearQuery = waitFor(`(document.querySelector('[data-testid="cypher-query"]').value = "") === ""`)

func TestCypherPanelHiddenOnSQLite(t *testing.T) {
	base := startExplorer(t)
	ctx, jsErrors := startBrowser(t)
	do(t, ctx, "open the page and wait for the console probe",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(base+"/"),
		waitFor(`window.__graphReady === true`),
		waitFor(`document.querySelector('[data-testid="cypher"]').dataset.probed === "true"`),
	)
	hidden := eval[bool](t, ctx, "check the toggle", `document.querySelector('[data-testid="cypher"]').hidden`)
	if !hidden {
		t.Error("the Cypher toggle is shown on a SQLite store")
	}
	for _, msg := range jsErrors() {
		t.Errorf("JavaScript error: %s", msg)
	}
}
