package neo4j

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

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
