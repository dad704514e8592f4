package neo4j

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Limits of the read-only Cypher console.
const (
	// CypherTimeout is the server-side time limit of one console query: the
	// server aborts the transaction, so a runaway query frees the server too,
	// not just the caller.
	CypherTimeout = 10 * time.Second
	// CypherRowLimit is the most rows a console query returns; the rest are
	// discarded and the result says it was truncated.
	CypherRowLimit = 1000
	// maxCypherLength keeps a pasted novel from reaching the query planner.
	maxCypherLength = 100_000
)

// CypherResult is the outcome of a console query, in JSON-friendly values:
// nodes as {id, labels, properties}, relationships as {id, type, start, end,
// properties}, paths as {nodes, relationships}, temporal values as strings.
//
// It is an alias of an unnamed struct type so that internal/httpapi can name
// the identical type in its CypherConsole interface without importing this
// package: adapters never depend on each other.
type CypherResult = struct {
	Columns   []string `json:"columns"`
	Rows      [][]any  `json:"rows"`
	Truncated bool     `json:"truncated"`
}

// ReadCypher runs an analyst's query, refusing anything but reads. It first
// asks the server to EXPLAIN the query and accepts only the read-only
// statement type (so CREATE, MERGE, DELETE, SET, schema commands and writing
// procedures are refused before they run), then runs it in a read
// transaction, in read access mode, with a server-side timeout of
// CypherTimeout, returning at most CypherRowLimit rows.
//
// A refused query or a Cypher error is a graph.Error with code EINVALID;
// the message of a syntax error is Neo4j's own.
func (s *Store) ReadCypher(ctx context.Context, query string, params map[string]any) (CypherResult, error) {
	query = strings.TrimSpace(query)
	switch {
	case query == "":
		return CypherResult{}, graph.Errorf(graph.EINVALID, "cypher: the query is empty")
	case len(query) > maxCypherLength:
		return CypherResult{}, graph.Errorf(graph.EINVALID, "cypher: the query is %d bytes long; the limit is %d", len(query), maxCypherLength)
	}
	if params == nil {
		params = map[string]any{}
	}
	session := s.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: s.database, AccessMode: driver.AccessModeRead})
	defer session.Close(context.Background())
	timeout := driver.WithTxTimeout(CypherTimeout)

	plan, err := session.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, explainPrefix+query, params)
		if err != nil {
			return nil, err
		}
		return result.Consume(ctx)
	}, timeout)
	if err != nil {
		return CypherResult{}, s.describeCypher(err)
	}
	summary := plan.(driver.ResultSummary)
	if kind := summary.StatementType(); kind != driver.StatementTypeReadOnly {
		return CypherResult{}, graph.Errorf(graph.EINVALID,
			"only read queries run here: this query would write (statement type %s)", statementTypeName(kind))
	}
	if op := forbiddenOperator(summary.Plan()); op != "" {
		return CypherResult{}, graph.Errorf(graph.EINVALID,
			"only queries over the graph run here: %s reads from outside the database", op)
	}

	out, err := session.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, query, params)
		if err != nil {
			return nil, err
		}
		columns, err := result.Keys()
		if err != nil {
			return nil, err
		}
		res := CypherResult{Columns: columns, Rows: [][]any{}}
		for result.Next(ctx) {
			if len(res.Rows) == CypherRowLimit {
				// Stopping here leaves the rest unread; committing the
				// transaction discards it on the server.
				res.Truncated = true
				break
			}
			values := result.Record().Values
			row := make([]any, len(values))
			for i, v := range values {
				row[i] = jsonValue(v)
			}
			res.Rows = append(res.Rows, row)
		}
		return res, result.Err()
	}, timeout)
	if err != nil {
		return CypherResult{}, s.describeCypher(err)
	}
	return out.(CypherResult), nil
}

// describeCypher turns a failed console query into a graph.Error. Errors in
// the query itself (syntax, types, missing parameters, the time limit) are the
// analyst's to fix and keep Neo4j's message; others go through describe.
func (s *Store) describeCypher(err error) error {
	var neoErr *driver.Neo4jError
	if errors.As(err, &neoErr) {
		switch {
		case strings.Contains(neoErr.Code, "TransactionTimedOut"), strings.Contains(neoErr.Code, "Transaction.Terminated"):
			return graph.Errorf(graph.EINVALID, "cypher: the query ran longer than %v and was stopped", CypherTimeout)
		case strings.Contains(neoErr.Code, "AccessMode") || strings.Contains(neoErr.Code, "Forbidden"):
			return graph.Errorf(graph.EINVALID, "only read queries run here: %s", neoErr.Msg)
		case neoErr.Classification() == "ClientError" && !neoErr.IsAuthenticationFailed():
			return graph.Errorf(graph.EINVALID, "cypher: %s", withoutExplain(neoErr.Msg))
		}
	}
	return s.describe(err, "running a console query", "")
}

// explainPrefix turns a query into a request for its plan.
const explainPrefix = "EXPLAIN "

// syntaxPosition is where Neo4j's syntax errors say the error is.
var syntaxPosition = regexp.MustCompile(`\(line 1, column (\d+) \(offset: (\d+)\)\)`)

// withoutExplain rewrites a syntax error found while explaining a query so it
// points into the query as the analyst wrote it: Neo4j echoes the line with
// explainPrefix in front and counts columns and offsets from there.
func withoutExplain(msg string) string {
	if !strings.Contains(msg, `"`+explainPrefix) {
		return msg
	}
	msg = syntaxPosition.ReplaceAllStringFunc(msg, func(m string) string {
		n := syntaxPosition.FindStringSubmatch(m)
		column, _ := strconv.Atoi(n[1])
		offset, _ := strconv.Atoi(n[2])
		return fmt.Sprintf("(line 1, column %d (offset: %d))", column-len(explainPrefix), offset-len(explainPrefix))
	})
	lines := strings.Split(msg, "\n")
	for i, line := range lines {
		if j := strings.Index(line, `"`+explainPrefix); j >= 0 {
			lines[i] = line[:j+1] + line[j+1+len(explainPrefix):]
			// The caret line below points at a column of the echoed line.
			if i+1 < len(lines) && len(lines[i+1]) > len(explainPrefix) && strings.TrimSpace(lines[i+1]) == "^" {
				lines[i+1] = lines[i+1][len(explainPrefix):]
			}
		}
	}
	return strings.Join(lines, "\n")
}

// forbiddenOperator names a plan operator that reads outside the graph
// (LOAD CSV fetches files and URLs, which would let the console probe the
// server's network), or returns "".
func forbiddenOperator(plan driver.Plan) string {
	if plan == nil {
		return ""
	}
	if strings.EqualFold(plan.Operator(), "LoadCSV") || strings.HasPrefix(plan.Operator(), "LoadCSV@") {
		return "LOAD CSV"
	}
	for _, child := range plan.Children() {
		if op := forbiddenOperator(child); op != "" {
			return op
		}
	}
	return ""
}

// statementTypeName spells a statement type as Neo4j's summary does ("r",
// "rw", "w", "s") with a word, for the refusal message.
func statementTypeName(kind driver.StatementType) string {
	switch kind {
	case driver.StatementTypeReadWrite:
		return `"rw", read-write`
	case driver.StatementTypeWriteOnly:
		return `"w", write-only`
	case driver.StatementTypeSchemaWrite:
		return `"s", schema-write`
	}
	return "unknown"
}

// jsonValue converts a value from the driver to one encoding/json writes
// faithfully and a browser can show.
func jsonValue(v any) any {
	switch v := v.(type) {
	case dbtype.Node:
		return nodeValue(v)
	case dbtype.Relationship:
		return relationshipValue(v)
	case dbtype.Path:
		nodes := make([]any, len(v.Nodes))
		for i, n := range v.Nodes {
			nodes[i] = nodeValue(n)
		}
		rels := make([]any, len(v.Relationships))
		for i, r := range v.Relationships {
			rels[i] = relationshipValue(r)
		}
		return map[string]any{"nodes": nodes, "relationships": rels}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x)
		}
		return out
	case map[string]any:
		return propertiesValue(v)
	case float64:
		// JSON has no NaN or infinities.
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprint(v)
		}
		return v
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case dbtype.Date:
		return time.Time(v).Format(time.DateOnly)
	case dbtype.LocalDateTime:
		return time.Time(v).Format("2006-01-02T15:04:05.999999999")
	case dbtype.LocalTime:
		return time.Time(v).Format("15:04:05.999999999")
	case dbtype.Time:
		return time.Time(v).Format("15:04:05.999999999Z07:00")
	case dbtype.Duration:
		return v.String()
	case dbtype.Point2D:
		return map[string]any{"srid": v.SpatialRefId, "x": v.X, "y": v.Y}
	case dbtype.Point3D:
		return map[string]any{"srid": v.SpatialRefId, "x": v.X, "y": v.Y, "z": v.Z}
	}
	return v
}

func nodeValue(n dbtype.Node) map[string]any {
	labels := append([]string{}, n.Labels...)
	sort.Strings(labels)
	return map[string]any{"id": n.ElementId, "labels": labels, "properties": propertiesValue(n.Props)}
}

func relationshipValue(r dbtype.Relationship) map[string]any {
	return map[string]any{
		"id": r.ElementId, "type": r.Type, "start": r.StartElementId, "end": r.EndElementId,
		"properties": propertiesValue(r.Props),
	}
}

func propertiesValue(props map[string]any) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		out[k] = jsonValue(v)
	}
	return out
}
