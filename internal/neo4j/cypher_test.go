package neo4j

import (
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// loadedForConsole returns a store holding the storetest corpus.
func loadedForConsole(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	s := openEmpty(t)
	t.Cleanup(func() { s.Close() })
	corpus := storetest.Corpus()
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveAnalytics(ctx, graph.Build(corpus)); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestReadCypherReturnsJSONFriendlyRows(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)

	res, err := s.ReadCypher(ctx, `MATCH (c:Concept {id: $id}) RETURN c.id AS id, c, date('2024-03-12') AS day, [1, 2.5, 'x'] AS list`,
		map[string]any{"id": "geoffrey hinton"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Columns, ",") != "id,c,day,list" || len(res.Rows) != 1 || res.Truncated {
		t.Fatalf("result = %+v, want one row of id,c,day,list", res)
	}
	row := res.Rows[0]
	if row[0] != "geoffrey hinton" || row[2] != "2024-03-12" {
		t.Errorf("row = %v, want the id and the date as a string", row)
	}
	node, ok := row[1].(map[string]any)
	if !ok {
		t.Fatalf("node = %#v, want a map", row[1])
	}
	labels, _ := node["labels"].([]string)
	if strings.Join(labels, ",") != "Concept,Person" || node["id"] == "" {
		t.Errorf("node = %v, want an element id and labels Concept,Person", node)
	}
	if props, _ := node["properties"].(map[string]any); props["label"] != "Geoffrey Hinton" {
		t.Errorf("node properties = %v, want label Geoffrey Hinton", node["properties"])
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("the result does not encode as JSON: %v", err)
	}

	// A path becomes its nodes and relationships, each relationship naming its ends.
	res, err = s.ReadCypher(ctx, `MATCH p = (:Episode {id: 'ep-a'})-[:MENTIONS]->(:Concept {id: 'openai'}) RETURN p`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("path rows = %v, want one", res.Rows)
	}
	path := res.Rows[0][0].(map[string]any)
	nodes, rels := path["nodes"].([]any), path["relationships"].([]any)
	if len(nodes) != 2 || len(rels) != 1 {
		t.Fatalf("path = %v, want 2 nodes and 1 relationship", path)
	}
	rel := rels[0].(map[string]any)
	if rel["type"] != "MENTIONS" || rel["start"] != nodes[0].(map[string]any)["id"] || rel["end"] != nodes[1].(map[string]any)["id"] {
		t.Errorf("relationship = %v, want MENTIONS from the episode to the concept", rel)
	}
}

func TestReadCypherCapsRows(t *testing.T) {
	s := loadedForConsole(t)
	res, err := s.ReadCypher(context.Background(), `UNWIND range(1, $n) AS i RETURN i`, map[string]any{"n": CypherRowLimit + 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != CypherRowLimit || !res.Truncated {
		t.Errorf("%d rows, truncated %v; want %d rows and truncated", len(res.Rows), res.Truncated, CypherRowLimit)
	}
	res, err = s.ReadCypher(context.Background(), `UNWIND range(1, $n) AS i RETURN i`, map[string]any{"n": CypherRowLimit})
	if err != nil || len(res.Rows) != CypherRowLimit || res.Truncated {
		t.Errorf("exactly the cap: %d rows, truncated %v, err %v; want %d rows, not truncated", len(res.Rows), res.Truncated, err, CypherRowLimit)
	}
}

func TestReadCypherRefusesWrites(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	before, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	countNodes := func() any {
		res, err := s.ReadCypher(ctx, `MATCH (n) RETURN count(n)`, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows[0][0]
	}
	nodes := countNodes()
	for _, query := range []string{
		`CREATE (:Concept {id: 'injected'})`,
		`MERGE (c:Concept {id: 'geoffrey hinton'}) RETURN c`,
		`MATCH (c:Concept) DETACH DELETE c`,
		`MATCH (c:Concept) SET c.pagerank = 0`,
		`MATCH (c:Concept) REMOVE c:Person`,
		`MATCH (c:Concept {id: 'model'}) WITH c CREATE (c)-[:RELATED]->(c)`,
		`CREATE INDEX injected IF NOT EXISTS FOR (c:Concept) ON (c.label)`,
		`CALL db.clearQueryCaches()`,
	} {
		_, err := s.ReadCypher(ctx, query, nil)
		if code := graph.ErrorCode(err); code != graph.EINVALID || !strings.HasPrefix(err.Error(), "only read queries run here") {
			t.Errorf("%s: error %v (code %q), want an EINVALID refusal", query, err, code)
		}
	}
	// LOAD CSV reads from outside the graph; the server forbids file URLs, and
	// the console refuses it before any URL is fetched.
	_, err = s.ReadCypher(ctx, `LOAD CSV FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row`, nil)
	if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "LOAD CSV") {
		t.Errorf("LOAD CSV: error %v, want an EINVALID refusal naming LOAD CSV", err)
	}
	after, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before || countNodes() != nodes {
		t.Errorf("refused writes changed the database: version %s → %s", before, after)
	}
}

func TestReadCypherReportsQueryErrors(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	for _, tc := range []struct{ query, want string }{
		// Neo4j's own syntax message, pointing into the query as written.
		{`MATCH (c:Concept RETURN c`, "Invalid input 'RETURN'"},
		{`MATCH (c:Concept RETURN c`, "column 18 (offset: 17)"},
		{`MATCH (c:Concept RETURN c`, "\"MATCH (c:Concept RETURN c\"\n" + strings.Repeat(" ", 18) + "^"},
		{`MATCH (c:Concept {id: $missing}) RETURN c`, "missing"}, // an unset parameter
		{`   `, "empty"},
	} {
		_, err := s.ReadCypher(ctx, tc.query, nil)
		if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v (code %q), want EINVALID mentioning %q", tc.query, err, graph.ErrorCode(err), tc.want)
		}
	}
}

func TestReadCypherUnreachableIsUnavailable(t *testing.T) {
	s := loadedForConsole(t)
	// The same store after its driver is closed cannot reach the server.
	s.Close()
	_, err := s.ReadCypher(context.Background(), `RETURN 1`, nil)
	if err == nil || graph.ErrorCode(err) == graph.EINVALID {
		t.Errorf("closed driver: error %v (code %q), want a non-EINVALID failure", err, graph.ErrorCode(err))
	}
}

// adminCommands are the commands issue 12 found the console running, and
// their kin: each must be refused, and refused by the plan walk even when
// the textual pre-check is bypassed.
var adminCommands = []struct{ query, want string }{
	{`TERMINATE TRANSACTIONS 'neo4j-transaction-1'`, "TERMINATE TRANSACTIONS"},
	{`SHOW TRANSACTIONS YIELD *`, "SHOW TRANSACTIONS"},
	{`SHOW SETTINGS`, "SHOW SETTINGS"},
	{`SHOW SETTINGS YIELD name, value WHERE name CONTAINS 'directories'`, "SHOW SETTINGS"},
	{`CALL db.prepareForReplanning()`, "db.prepareForReplanning"},
	{`CALL db.clearQueryCaches()`, "db.clearQueryCaches"},
	{`CALL db.ping()`, "db.ping"},
	{`SHOW USERS`, "SHOW USERS"},
	{`SHOW DATABASES`, "SHOW DATABASES"},
	{`SHOW PROCEDURES`, "SHOW PROCEDURES"},
	{`SHOW FUNCTIONS`, "SHOW FUNCTIONS"},
	{`CALL dbms.components()`, "dbms"},
	{`CALL dbms.listConfig()`, "dbms"},
	{`CALL dbms.showCurrentUser()`, "dbms"},
	{`USE system CALL dbms.components()`, "dbms"},
	{`LOAD CSV FROM 'http://127.0.0.1:1/x.csv' AS row RETURN row`, "LOAD CSV"},
	{`UNWIND [1, 2] AS x CALL (x) { RETURN x AS y } IN TRANSACTIONS RETURN y`, "IN TRANSACTIONS"},
	{`MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS`, "TRANSACTION"},
	{`FOREACH (x IN [1] | CREATE (:Concept {id: 'injected'}))`, "would write"},
}

func TestReadCypherRefusesAdminCommands(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	before, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range adminCommands {
		res, err := s.ReadCypher(ctx, tc.query, nil)
		if graph.ErrorCode(err) != graph.EINVALID || !strings.HasPrefix(err.Error(), "only read queries run here") ||
			!strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: result %+v, error %v (code %q); want an EINVALID refusal naming %q", tc.query, res, err, graph.ErrorCode(err), tc.want)
		}
	}
	if after, err := s.Version(ctx); err != nil || after != before {
		t.Errorf("refused commands changed the database: version %s → %s (%v)", before, after, err)
	}
}

// TestPlanWalkIsTheGate asks the server for the plan of each refused command
// directly, without the textual pre-check, and requires the plan walk alone
// to refuse it: the pre-check is only a second line of defence.
func TestPlanWalkIsTheGate(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeRead})
	defer session.Close(context.Background())
	for _, tc := range adminCommands {
		summary, err := explain(ctx, session, tc.query, nil)
		if err != nil {
			// Commands the server cannot even plan here are refused by it.
			t.Logf("%s: the server refuses to plan it: %v", tc.query, err)
			continue
		}
		if err := s.checkPlan(summary.Plan()); graph.ErrorCode(err) != graph.EINVALID {
			t.Errorf("%s: the plan walk let it through (statement type %v): %v", tc.query, summary.StatementType(), err)
		}
	}
	for _, query := range allowedQueries {
		summary, err := explain(ctx, session, query, nil)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if err := s.checkPlan(summary.Plan()); err != nil {
			t.Errorf("%s: the plan walk refused a read: %v", query, err)
		}
	}
}

// allowedQueries are reads an analyst writes, covering the plan operators of
// Neo4j 5's read clauses, and the schema procedures the console allows.
var allowedQueries = []string{
	`MATCH (c:Concept) RETURN c.id, c.label ORDER BY c.pagerank DESC SKIP 1 LIMIT 5`,
	`MATCH (c:Concept {id: 'openai'})-[r:RELATED]-(n) RETURN n.id, r.weight`,
	`MATCH (e:Episode)-[m:MENTIONS]->(c:Concept) WITH c, count(e) AS episodes WHERE episodes > 1 RETURN c.id, episodes`,
	`MATCH (c:Concept) WHERE EXISTS { (c)<-[:MENTIONS]-(:Episode) } RETURN count(c)`,
	`MATCH (c:Concept) RETURN c.id, COUNT { (c)--() } AS degree ORDER BY degree DESC LIMIT 3`,
	`MATCH (c:Concept) CALL (c) { MATCH (c)-[:RELATED]-(x) RETURN count(x) AS n } RETURN c.id, n`,
	`MATCH (a:Concept) OPTIONAL MATCH (a)-[:RELATED]->(b) RETURN DISTINCT a.id, b.id`,
	`MATCH (a:Concept) RETURN a.id AS id UNION MATCH (e:Episode) RETURN e.id AS id`,
	`MATCH p = shortestPath((a:Concept {id: 'openai'})-[:RELATED*..4]-(b:Concept {id: 'model'})) RETURN p`,
	`MATCH p = SHORTEST 1 (a:Concept {id: 'openai'})-[:RELATED]-+(b:Concept {id: 'model'}) RETURN p`,
	`MATCH (a:Concept)-[:RELATED*1..2]->(b) RETURN DISTINCT b.id`,
	`MATCH (n) RETURN count(n)`,
	`MATCH ()-[r:RELATED]->() RETURN count(r)`,
	`MATCH (c:Concept) WHERE c.id STARTS WITH 'o' RETURN collect(c.id)`,
	`UNWIND range(1, 3) AS i RETURN i, i * 2`,
	`CYPHER runtime=slotted MATCH (c:Concept) RETURN c.id LIMIT 1`,
	`USE neo4j MATCH (c:Concept) RETURN c.id LIMIT 1`,
	`RETURN 'SHOW SETTINGS; TERMINATE TRANSACTIONS; CALL dbms.components(); LOAD CSV' AS words // SHOW USERS`,
	`CALL db.labels()`,
	`CALL db.labels() YIELD label RETURN label ORDER BY label`,
	`CALL db.relationshipTypes()`,
	`CALL db.propertyKeys()`,
	`CALL db.schema.visualization()`,
	`CALL db.schema.nodeTypeProperties()`,
	`CALL db.schema.relTypeProperties()`,
	`SHOW INDEXES`,
	`SHOW CONSTRAINTS`,
	`SHOW RANGE INDEXES YIELD name, labelsOrTypes, properties`,
}

func TestReadCypherAllowsReadsAndSchemaProcedures(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	for _, query := range allowedQueries {
		if _, err := s.ReadCypher(ctx, query, nil); err != nil {
			t.Errorf("%s: %v", query, err)
		}
	}
	res, err := s.ReadCypher(ctx, `CALL db.labels() YIELD label RETURN label ORDER BY label`, nil)
	if err != nil || len(res.Rows) == 0 || !slices.ContainsFunc(res.Rows, func(row []any) bool { return row[0] == "Concept" }) {
		t.Errorf("db.labels(): %v, %v; want the Concept label among them", res.Rows, err)
	}
}

// TestReadCypherBoundsBytes is issue 12's reply of 289 MB: a thousand rows
// of a list of 50,000 integers. The reply stops before it passes
// CypherByteLimit and says why; the explorer allocates a bounded amount on
// the way.
func TestReadCypherBoundsBytes(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	began := time.Now()
	res, err := s.ReadCypher(ctx, `UNWIND range(1, 1000) AS i RETURN range(1, 50000)`, nil)
	elapsed := time.Since(began)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	encoded, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d rows, %d bytes of JSON, %d MB allocated in %v: %s", len(res.Rows), len(encoded), allocated>>20, elapsed.Round(time.Millisecond), res.Truncation)
	if !res.Truncated || res.TruncatedBy != TruncatedByBytes || !strings.Contains(res.Truncation, "bytes") {
		t.Errorf("truncated %v by %q (%q); want truncated by bytes", res.Truncated, res.TruncatedBy, res.Truncation)
	}
	if len(encoded) > CypherByteLimit+1024 || len(res.Rows) == 0 {
		t.Errorf("%d rows in %d bytes; want some rows within %d bytes", len(res.Rows), len(encoded), CypherByteLimit)
	}
	// Rows are a prefix of the real result, never altered.
	if first := res.Rows[0][0].([]any); len(first) != 50000 || first[49999] != int64(50000) {
		t.Errorf("first row has %d items; want the whole list of 50,000", len(first))
	}
	// Before the cap the driver held a thousand decoded lists: gigabytes.
	if allocated > 512<<20 {
		t.Errorf("%d MB allocated for a %d-byte reply; want well under 512 MB", allocated>>20, len(encoded))
	}
}

func TestReadCypherBoundsOneValue(t *testing.T) {
	ctx := context.Background()
	s := loadedForConsole(t)
	// About 2 MB of JSON in one value, after one small row.
	res, err := s.ReadCypher(ctx, `UNWIND [10, 300000] AS n RETURN n, range(1, n) AS list`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.TruncatedBy != TruncatedByValue || !strings.Contains(res.Truncation, `column "list"`) {
		t.Errorf("%d rows, truncated by %q (%q); want the first row only, truncated by the value in column list", len(res.Rows), res.TruncatedBy, res.Truncation)
	}
	// Just under the limit passes whole.
	res, err = s.ReadCypher(ctx, `RETURN range(1, 100000) AS list`, nil)
	if err != nil || len(res.Rows) != 1 || res.Truncated {
		t.Errorf("a 689 KB value: %d rows, truncated %v (%s), %v; want it whole", len(res.Rows), res.Truncated, res.Truncation, err)
	}
}

func TestReplyBudgetStopsAtEachLimit(t *testing.T) {
	var b replyBudget
	for range CypherRowLimit {
		if _, stop := b.add([]any{int64(1)}, []string{"x"}); stop != "" {
			t.Fatalf("stopped after %d one-value rows: %s", b.rows, b.why)
		}
	}
	if _, stop := b.add([]any{int64(1)}, []string{"x"}); stop != TruncatedByRows {
		t.Errorf("row %d: stop %q, want %q", CypherRowLimit+1, stop, TruncatedByRows)
	}

	b = replyBudget{}
	big := strings.Repeat("x", CypherValueLimit-2) // exactly the limit with its quotes
	if _, stop := b.add([]any{big}, []string{"s"}); stop != "" {
		t.Errorf("a value of exactly %d bytes: stop %q (%s), want it kept", CypherValueLimit, stop, b.why)
	}
	if _, stop := b.add([]any{big + "x"}, []string{"s"}); stop != TruncatedByValue {
		t.Errorf("a value one byte over: stop %q, want %q", stop, TruncatedByValue)
	}
	// The bound is checked before conversion: a list of ten million
	// integers is refused after a short walk.
	huge := make([]any, 10_000_000)
	for i := range huge {
		huge[i] = int64(i)
	}
	began := time.Now()
	if _, stop := (&replyBudget{}).add([]any{huge}, []string{"l"}); stop != TruncatedByValue {
		t.Errorf("ten million integers: stop %q, want %q", stop, TruncatedByValue)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("sizing ten million integers took %v", d)
	}

	b = replyBudget{}
	rows := 0
	for {
		_, stop := b.add([]any{big}, []string{"s"})
		if stop != "" {
			if stop != TruncatedByBytes {
				t.Errorf("stop %q, want %q", stop, TruncatedByBytes)
			}
			break
		}
		rows++
	}
	if rows != CypherByteLimit/(CypherValueLimit+3) {
		t.Errorf("%d rows of %d bytes fit, want %d within %d bytes", rows, CypherValueLimit+2, CypherByteLimit/(CypherValueLimit+3), CypherByteLimit)
	}
}
