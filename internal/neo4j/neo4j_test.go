package neo4j

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/graph/storetest"
)

// These tests run against a real Neo4j server: the one scripts/neo4j starts,
// or the one NEO4J_URI names. They fail, rather than skip, when it is not
// there, because CI starts one and a silently skipped store is untested.

const devPassword = "topicgraph-dev" // scripts/neo4j's default; see docs/neo4j.md

func testURI() string {
	if uri := os.Getenv("NEO4J_URI"); uri != "" {
		return uri
	}
	return "bolt://127.0.0.1:7687"
}

// testEnv is os.Getenv with scripts/neo4j's defaults filled in.
func testEnv(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	if key == "NEO4J_PASSWORD" {
		return devPassword
	}
	return ""
}

// openEmpty opens the test server's database and wipes it: storetest needs an
// empty store, and these tests own the dev database while they run.
func openEmpty(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, testURI(), testEnv)
	if err != nil {
		t.Fatalf("Neo4j test server not usable: %v\n"+
			"Start it with `scripts/neo4j start` (or set NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD).", err)
	}
	if err := s.wipe(ctx); err != nil {
		s.Close()
		t.Fatalf("wiping the test database: %v", err)
	}
	return s
}

// wipe deletes every node in batches (one huge transaction would need a
// large memory allowance) and recreates the meta node.
func (s *Store) wipe(ctx context.Context) error {
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database})
	defer session.Close(context.Background())
	// Relationships first: a batch of nodes to DETACH DELETE can carry
	// hundreds of thousands of relationships, more than the server's
	// transaction memory allows.
	for _, q := range []string{
		`MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
		`MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`,
	} {
		result, err := session.Run(ctx, q, nil)
		if err != nil {
			return err
		}
		if _, err := result.Consume(ctx); err != nil {
			return err
		}
	}
	return s.createSchema(ctx)
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store { return openEmpty(t) })
}

func TestWrongPasswordIsAClearError(t *testing.T) {
	const wrong = "not-the-password-4711"
	env := func(key string) string {
		if key == "NEO4J_PASSWORD" {
			return wrong
		}
		return testEnv(key)
	}
	s, err := Open(context.Background(), testURI(), env)
	if err == nil {
		s.Close()
		t.Fatal("Open with a wrong password succeeded")
	}
	if code := graph.ErrorCode(err); code != graph.EINVALID {
		t.Errorf("wrong password: code %q (%v), want %q", code, err, graph.EINVALID)
	}
	if !strings.Contains(err.Error(), "password") {
		t.Errorf("wrong password: error %q does not say so", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong password: error %q echoes the password", err)
	}
}

func TestPasswordInURLIsNeverEchoed(t *testing.T) {
	const secret = "url-secret-0815"
	uri := strings.Replace(testURI(), "://", "://neo4j:"+secret+"@", 1)
	s, err := Open(context.Background(), uri, func(string) string { return "" })
	if err == nil {
		s.Close()
		t.Fatal("Open with a wrong password in the URL succeeded")
	}
	if graph.ErrorCode(err) != graph.EINVALID || strings.Contains(err.Error(), secret) {
		t.Errorf("wrong password in URL: got %v (code %q), want an EINVALID error without the password", err, graph.ErrorCode(err))
	}
	// And a malformed URL with a password: url.Parse's own error would quote it.
	_, err = Open(context.Background(), "bolt://neo4j:"+secret+"@127.0.0.1:7687/%zz", testEnv)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("malformed URL: got %v, want an error without the password", err)
	}
}

func TestUnreachableServerIsUnavailable(t *testing.T) {
	// Port 1 on loopback: nothing listens there, so the connection is refused at once.
	s, err := Open(context.Background(), "bolt://127.0.0.1:1", testEnv)
	if err == nil {
		s.Close()
		t.Fatal("Open of an unreachable server succeeded")
	}
	if code := graph.ErrorCode(err); code != graph.EUNAVAILABLE {
		t.Errorf("unreachable server: code %q (%v), want %q", code, err, graph.EUNAVAILABLE)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("unreachable server: error %q does not name the address", err)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, uri := range []string{"", "http://127.0.0.1:7474", "127.0.0.1:7687", "bolt://", "sqlite://x.db"} {
		s, err := Open(context.Background(), uri, testEnv)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", uri)
			continue
		}
		if code := graph.ErrorCode(err); code != graph.EINVALID {
			t.Errorf("Open(%q): code %q (%v), want %q", uri, code, err, graph.EINVALID)
		}
	}
}

func TestUnknownDatabaseIsInvalid(t *testing.T) {
	env := func(key string) string {
		if key == "NEO4J_DATABASE" {
			return "nosuchdatabase"
		}
		return testEnv(key)
	}
	s, err := Open(context.Background(), testURI(), env)
	if err == nil {
		s.Close()
		t.Fatal("Open of a database that does not exist succeeded")
	}
	if code := graph.ErrorCode(err); code != graph.EINVALID || !strings.Contains(err.Error(), "nosuchdatabase") {
		t.Errorf("unknown database: code %q, error %v; want %q naming the database", code, err, graph.EINVALID)
	}
}

// TestSchemaReadsNaturally checks the Cypher an analyst would write (as in
// docs/neo4j.md) against a loaded and analysed corpus.
func TestSchemaReadsNaturally(t *testing.T) {
	ctx := context.Background()
	s := openEmpty(t)
	defer s.Close()
	corpus := storetest.Corpus()
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	g := graph.Build(corpus)
	for i := range g.Concepts {
		g.Concepts[i].PageRank = float64(i + 1)
	}
	if err := s.SaveAnalytics(ctx, g); err != nil {
		t.Fatal(err)
	}
	query := func(q string, params map[string]any) []*driver.Record {
		t.Helper()
		res, err := driver.ExecuteQuery(ctx, s.driver, q, params, driver.EagerResultTransformer,
			driver.ExecuteQueryWithDatabase(s.database), driver.ExecuteQueryWithReadersRouting())
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return res.Records
	}
	top := query(`MATCH (c:Concept) RETURN c.id ORDER BY c.pagerank DESC LIMIT 1`, nil)
	if want := g.Concepts[len(g.Concepts)-1].ID; len(top) != 1 || top[0].Values[0] != want {
		t.Errorf("top concept by PageRank: %v, want %q", top, want)
	}
	people := query(`MATCH (p:Person) RETURN p.id`, nil)
	if len(people) != 1 || people[0].Values[0] != "geoffrey hinton" {
		t.Errorf(":Person concepts = %v, want geoffrey hinton", people)
	}
	shared := query(`MATCH (:Episode {id: $a})-[:MENTIONS]->(c:Concept)<-[:MENTIONS]-(:Episode {id: $b})
		RETURN c.id ORDER BY c.id`, map[string]any{"a": "ep-a", "b": "ep-b"})
	if len(shared) != 1 || shared[0].Values[0] != "neural network" {
		t.Errorf("concepts shared by ep-a and ep-b = %v, want neural network", shared)
	}
	// RELATED carries aggregates; the evidence is read from the episodes' lines.
	related := query(`MATCH (:Concept {id: $a})-[r:RELATED]-(:Concept {id: $b})
		RETURN r.type, r.weight, r.npmi, r.episode_count, r.evidence_texts`,
		map[string]any{"a": "decision tree", "b": "model"})
	if len(related) != 1 || related[0].Values[0] != graph.RelKindOf || related[0].Values[3] != int64(1) || related[0].Values[4] != nil {
		t.Errorf("RELATED decision tree–model = %v, want one kind_of relationship in 1 episode, without evidence lists", related)
	}
	evidence := query(`MATCH (:Concept {id: $a})<-[:MENTIONS]-(e:Episode)-[:MENTIONS]->(:Concept {id: $b})
		UNWIND range(0, size(e.link_sources) - 1) AS i
		WITH e, i WHERE [e.link_sources[i], e.link_targets[i]] IN [[$a, $b], [$b, $a]]
		MATCH (e)-[:HAS_LINE]->(l:Line {n: e.link_lines[i]})
		RETURN DISTINCT e.id, l.n, l.text, l.speaker`,
		map[string]any{"a": "decision tree", "b": "model"})
	if len(evidence) != 1 || evidence[0].Values[2] != "Decision trees are a kind of model" || evidence[0].Values[3] != "Host" {
		t.Errorf("evidence for decision tree–model = %v", evidence)
	}
	mentioned := query(`MATCH (e:Episode)-[m:MENTIONS]->(:Concept {id: $id})
		UNWIND m.lines AS n
		MATCH (e)-[:HAS_LINE]->(l:Line {n: n})
		RETURN DISTINCT e.id, n, l.text ORDER BY e.id, n`, map[string]any{"id": "backpropagation"})
	if len(mentioned) != 2 || mentioned[0].Values[2] != "Geoffrey Hinton on backprop" || mentioned[1].Values[2] != "Neural networks learn features" {
		t.Errorf("evidence for backpropagation = %v", mentioned)
	}
	path := query(`MATCH p = shortestPath((:Concept {id: $a})-[:RELATED*]-(:Concept {id: $b}))
		RETURN [c IN nodes(p) | c.id]`, map[string]any{"a": "geoffrey hinton", "b": "model"})
	if len(path) != 1 || len(asList(path[0].Values[0])) != 5 {
		t.Errorf("path geoffrey hinton → model = %v, want 5 concepts", path)
	}
}

func TestOrphanConceptsAreDeleted(t *testing.T) {
	ctx := context.Background()
	s := openEmpty(t)
	defer s.Close()
	corpus := storetest.Corpus() // "openai" occurs only in ep-a
	for _, f := range corpus {
		if err := s.ReplaceEpisode(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	count := func(id string) int64 {
		res, err := driver.ExecuteQuery(ctx, s.driver, `MATCH (c:Concept {id: $id}) RETURN count(c)`,
			map[string]any{"id": id}, driver.EagerResultTransformer, driver.ExecuteQueryWithDatabase(s.database))
		if err != nil {
			t.Fatal(err)
		}
		return res.Records[0].Values[0].(int64)
	}
	if count("openai") != 1 {
		t.Fatal("concept openai was not created")
	}
	changed := corpus[1]
	changed.Mentions = changed.Mentions[:2] // ep-a no longer mentions OpenAI
	if err := s.ReplaceEpisode(ctx, changed); err != nil {
		t.Fatal(err)
	}
	if n := count("openai"); n != 0 {
		t.Errorf("concept openai survived its last mention: %d nodes", n)
	}
	if err := s.RemoveEpisodes(ctx, []string{"ep-c"}); err != nil {
		t.Fatal(err)
	}
	if n := count("model"); n != 0 {
		t.Errorf("concept model survived removal of its only episode: %d nodes", n)
	}
	if n := count("decision tree"); n != 1 {
		t.Errorf("concept decision tree, still mentioned by ep-a, has %d nodes", n)
	}
}

func TestErrorsAreGraphErrors(t *testing.T) {
	// A cancelled context must surface as a graph error, not a raw driver error.
	s := openEmpty(t)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.ReplaceEpisode(ctx, storetest.Corpus()[0])
	var gerr *graph.Error
	if err == nil || !errors.As(err, &gerr) {
		t.Errorf("ReplaceEpisode with a cancelled context: %v, want a *graph.Error", err)
	}
}
