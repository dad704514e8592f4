package neo4j

import (
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
)

func TestPrecheckCypher(t *testing.T) {
	for _, tc := range []struct {
		query   string
		refused string // "" when the pre-check lets it pass to the plan walk
	}{
		{`TERMINATE TRANSACTIONS 'neo4j-transaction-1'`, "TERMINATE TRANSACTIONS"},
		{`terminate transaction 'x'`, "TERMINATE TRANSACTION"},
		{`SHOW TRANSACTIONS YIELD *`, "SHOW TRANSACTIONS"},
		{`  /* hi */ SHOW SETTINGS`, "SHOW SETTINGS"},
		{`CYPHER 5 runtime=slotted SHOW USERS`, "SHOW USERS"},
		{`USE neo4j SHOW SETTINGS`, "SHOW SETTINGS"},
		{`GRANT ROLE admin TO bob`, "GRANT ROLE"},
		{`LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l`, "LOAD CSV"},
		{`MATCH (n) WITH n LOAD   csv FROM $url AS l RETURN l`, "LOAD CSV"},
		{`CALL dbms.components()`, "dbms"},
		{`CALL DBMS . listConfig()`, "dbms"},
		{`UNWIND [1] AS x CALL (x) { RETURN x } IN TRANSACTIONS RETURN 1`, "IN TRANSACTIONS"},
		{`UNWIND [1] AS x CALL (x) { RETURN x } IN 4 CONCURRENT TRANSACTIONS OF 5 ROWS RETURN 1`, "IN TRANSACTIONS"},
		// Mentions in strings, comments and backquoted names are not commands.
		{`RETURN 'SHOW SETTINGS' AS s`, ""},
		{`RETURN "LOAD CSV \" TERMINATE" AS s // CALL dbms.x()`, ""},
		{"MATCH (`LOAD`) RETURN `LOAD`.csv", ""},
		{`MATCH (c:Concept) WHERE c.label = 'CALL dbms.x' RETURN c /* SHOW USERS */`, ""},
		{`SHOW INDEXES`, ""},
		{`SHOW RANGE INDEXES YIELD *`, ""},
		{`show constraints`, ""},
		{`MATCH (show) RETURN show`, ""},
		{`MATCH (n) RETURN n.transactions, {in: 1}`, ""},
		{`CALL db.labels()`, ""},
	} {
		err := precheckCypher(tc.query)
		switch {
		case tc.refused == "" && err != nil:
			t.Errorf("%s: refused (%v), want it passed to the plan walk", tc.query, err)
		case tc.refused != "" && (graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), tc.refused)):
			t.Errorf("%s: error %v, want an EINVALID refusal naming %q", tc.query, err, tc.refused)
		}
	}
}

func TestClauseName(t *testing.T) {
	for operator, want := range map[string]string{
		"TerminateTransactions": "TERMINATE TRANSACTIONS", "ShowSettings": "SHOW SETTINGS", "LoadCSV": "LOAD CSV",
		"Foreach": "FOREACH", "TransactionApply": "TRANSACTION APPLY",
	} {
		if got := clauseName(operator); got != want {
			t.Errorf("clauseName(%s) = %q, want %q", operator, got, want)
		}
	}
}

// FuzzPrecheckCypher checks the tokenizer under the pre-check on any input:
// it never panics, every token lies inside the query, and whatever the query
// says, quoting it into a string literal makes it a harmless mention.
func FuzzPrecheckCypher(f *testing.F) {
	for _, seed := range []string{
		`TERMINATE TRANSACTIONS 'neo4j-transaction-1'`, `SHOW SETTINGS`, `LOAD CSV FROM 'x' AS l RETURN l`,
		`CALL dbms.components()`, `CALL (x) { RETURN x } IN TRANSACTIONS`, "MATCH (`a``b`) RETURN 1 // x",
		`RETURN "a\"b" /* c`, `'unterminated`, "`unterminated", `/* unterminated`, "CYPHER 5 runtime = slotted USE a.b SHOW USERS",
		"\xff\xfe", "",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		for _, tok := range cypherTokens(query) {
			if !strings.Contains(query, tok.text) {
				t.Fatalf("token %q is not in the query %q", tok.text, query)
			}
		}
		_ = precheckCypher(query)
		quoted := `RETURN '` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(query) + `' AS s`
		if err := precheckCypher(quoted); err != nil {
			t.Fatalf("a string literal was refused: %s: %v", quoted, err)
		}
	})
}
