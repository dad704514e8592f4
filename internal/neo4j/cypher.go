package neo4j

import (
	"context"
	"encoding/json"
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

// Limits of the read-only Cypher console. Each bounds one resource an
// analyst's query could otherwise take without limit: server time, rows,
// bytes of the reply, and the explorer's memory while the reply is built.
const (
	// CypherTimeout is the server-side time limit of one console query: the
	// server aborts the transaction, so a runaway query frees the server too,
	// not just the caller.
	CypherTimeout = 10 * time.Second
	// CypherRowLimit is the most rows a console query returns; the rest are
	// discarded and the result says it was truncated.
	CypherRowLimit = 1000
	// CypherByteLimit is the most bytes of JSON the rows of one reply take.
	// The row that would pass it is not returned, nor any after it.
	CypherByteLimit = 4 << 20
	// CypherValueLimit is the most bytes of JSON one value may take. A larger
	// value ends the reply before its row, so no single value is ever
	// converted or encoded beyond this size.
	CypherValueLimit = 1 << 20
	// cypherFetchSize is how many records the driver fetches from the server
	// at a time. The driver holds a whole batch decoded in memory, so a small
	// batch keeps what the explorer holds near one record when records are
	// large (the driver's default, 1000, held 1000 lists of 50,000 integers).
	cypherFetchSize = 16
	// maxCypherLength keeps a pasted novel from reaching the query planner.
	maxCypherLength = 100_000
)

// Reasons a console reply stops early, in CypherResult.TruncatedBy.
const (
	TruncatedByRows  = "rows"
	TruncatedByBytes = "bytes"
	TruncatedByValue = "value"
)

// CypherResult is the outcome of a console query, in JSON-friendly values:
// nodes as {id, labels, properties}, relationships as {id, type, start, end,
// properties}, paths as {nodes, relationships}, temporal values as strings.
// Rows are always a prefix of the query's rows; when the reply stops early,
// Truncated is set, TruncatedBy says which limit stopped it and Truncation
// says so in a sentence.
//
// It is an alias of an unnamed struct type so that internal/httpapi can name
// the identical type in its CypherConsole interface without importing this
// package: adapters never depend on each other.
type CypherResult = struct {
	Columns     []string `json:"columns"`
	Rows        [][]any  `json:"rows"`
	Truncated   bool     `json:"truncated"`
	TruncatedBy string   `json:"truncated_by,omitempty"`
	Truncation  string   `json:"truncation,omitempty"`
}

// ReadCypher runs an analyst's query, refusing anything but reads of the
// graph. The gate is the query's plan: the server EXPLAINs the query without
// running it, and every operator of the plan must be on the console's
// allow-list (readOperators), every procedure it calls on the list of schema
// procedures (allowedProcedures), and every operator must run on the store's
// own database. Only then does the query run, in a read transaction, in read
// access mode, with a server-side timeout of CypherTimeout. Its records are
// streamed from the server a few at a time and the reply stops at
// CypherRowLimit rows, CypherByteLimit bytes or a value over
// CypherValueLimit bytes, whichever comes first.
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
	if err := precheckCypher(query); err != nil {
		return CypherResult{}, err
	}
	if params == nil {
		params = map[string]any{}
	}
	session := s.driver.NewSession(ctx, driver.SessionConfig{
		DatabaseName: s.database, AccessMode: driver.AccessModeRead, FetchSize: cypherFetchSize,
	})
	defer session.Close(context.Background())
	timeout := driver.WithTxTimeout(CypherTimeout)

	summary, err := explain(ctx, session, query, params)
	if err != nil {
		return CypherResult{}, s.describeCypher(err)
	}
	// A write says so first; administration commands, which Neo4j types as
	// reads ("r") or schema writes ("s") alike, are named by the plan walk.
	// The statement type is then a second opinion from the server.
	kind := summary.StatementType()
	if kind == driver.StatementTypeWriteOnly || kind == driver.StatementTypeReadWrite {
		return CypherResult{}, graph.Errorf(graph.EINVALID,
			"only read queries run here: this query would write (statement type %s)", statementTypeName(kind))
	}
	if err := s.checkPlan(summary.Plan()); err != nil {
		return CypherResult{}, err
	}
	if kind != driver.StatementTypeReadOnly {
		return CypherResult{}, graph.Errorf(graph.EINVALID,
			"only read queries run here: this query would write (statement type %s)", statementTypeName(kind))
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
		var reply replyBudget
		for result.Next(ctx) {
			row, stop := reply.add(result.Record().Values, columns)
			if stop != "" {
				// Stopping here leaves the rest unread; committing the
				// transaction discards it on the server.
				res.Truncated, res.TruncatedBy, res.Truncation = true, stop, reply.why
				break
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

// explain asks the server for the query's plan without running it.
func explain(ctx context.Context, session driver.SessionWithContext, query string, params map[string]any) (driver.ResultSummary, error) {
	summary, err := session.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
		result, err := tx.Run(ctx, explainPrefix+query, params)
		if err != nil {
			return nil, err
		}
		return result.Consume(ctx)
	}, driver.WithTxTimeout(CypherTimeout))
	if err != nil {
		return nil, err
	}
	return summary.(driver.ResultSummary), nil
}

// replyBudget tracks what the rows of one console reply have used of its
// limits.
type replyBudget struct {
	rows  int
	bytes int
	why   string // the sentence for CypherResult.Truncation once a limit is hit
}

// add converts one record's values for the reply, or says which limit the
// record would pass ("" when it fits). A value is sized before it is
// converted, so an oversized one costs a walk, never a copy.
func (b *replyBudget) add(values []any, columns []string) ([]any, string) {
	if b.rows == CypherRowLimit {
		b.why = fmt.Sprintf("stopped after %d rows, the console's row limit", CypherRowLimit)
		return nil, TruncatedByRows
	}
	row := make([]any, len(values))
	size := 2 + max(len(values)-1, 0) // brackets and commas
	for i, v := range values {
		if least := minJSONSize(v, CypherValueLimit+1); least > CypherValueLimit {
			b.why = fmt.Sprintf("stopped before row %d: its value in column %s takes more than %d bytes of JSON, the console's limit for one value",
				b.rows+1, columnName(columns, i), CypherValueLimit)
			return nil, TruncatedByValue
		}
		row[i] = jsonValue(v)
		encoded, err := json.Marshal(row[i])
		if err != nil {
			// jsonValue yields only encodable values; say so rather than guess.
			b.why = fmt.Sprintf("stopped before row %d: its value in column %s cannot be written as JSON: %v", b.rows+1, columnName(columns, i), err)
			return nil, TruncatedByValue
		}
		if len(encoded) > CypherValueLimit {
			b.why = fmt.Sprintf("stopped before row %d: its value in column %s takes %d bytes of JSON; the console's limit for one value is %d",
				b.rows+1, columnName(columns, i), len(encoded), CypherValueLimit)
			return nil, TruncatedByValue
		}
		size += len(encoded)
	}
	if b.bytes+size+1 > CypherByteLimit {
		b.why = fmt.Sprintf("stopped after %d rows: the next row would take the reply past %d bytes of JSON, the console's limit",
			b.rows, CypherByteLimit)
		return nil, TruncatedByBytes
	}
	b.rows++
	b.bytes += size + 1 // and the comma between rows
	return row, ""
}

func columnName(columns []string, i int) string {
	if i < len(columns) {
		return strconv.Quote(columns[i])
	}
	return strconv.Itoa(i + 1)
}

// minJSONSize returns a lower bound of the bytes jsonValue(v) takes in JSON,
// or any number above limit as soon as the bound passes limit: it stops
// walking there, so sizing a list of a million items costs at most limit
// steps.
func minJSONSize(v any, limit int) int {
	switch v := v.(type) {
	case nil, bool, int64, float64:
		return 1
	case string:
		return len(v) + 2
	case []byte:
		return len(v)*4/3 + 2 // base64
	case []any:
		n := 2
		for _, x := range v {
			n += minJSONSize(x, limit-n) + 1
			if n > limit {
				return n
			}
		}
		return n
	case map[string]any:
		return minPropertiesSize(v, limit)
	case dbtype.Node:
		return minPropertiesSize(v.Props, limit) + len(v.ElementId)
	case dbtype.Relationship:
		return minPropertiesSize(v.Props, limit) + len(v.ElementId) + len(v.Type)
	case dbtype.Path:
		n := 2
		for _, node := range v.Nodes {
			n += minJSONSize(node, limit-n)
			if n > limit {
				return n
			}
		}
		for _, rel := range v.Relationships {
			n += minJSONSize(rel, limit-n)
			if n > limit {
				return n
			}
		}
		return n
	}
	return 1
}

func minPropertiesSize(props map[string]any, limit int) int {
	n := 2
	for k, x := range props {
		n += len(k) + 3 + minJSONSize(x, limit-n)
		if n > limit {
			return n
		}
	}
	return n
}

// describeCypher turns a failed console query into a graph.Error. Errors in
// the query itself (syntax, types, missing parameters, the time limit, the
// memory it asked for) are the analyst's to fix and keep Neo4j's message;
// others go through describe.
func (s *Store) describeCypher(err error) error {
	var neoErr *driver.Neo4jError
	if errors.As(err, &neoErr) {
		title := neoErr.Title()
		switch {
		case strings.HasPrefix(title, "TransactionTimedOut"):
			return graph.Errorf(graph.EINVALID, "cypher: the query ran longer than %v and was stopped", CypherTimeout)
		case strings.Contains(title, "OutOfMemory") || strings.Contains(title, "MemoryLimit") || strings.Contains(title, "MemoryPool"):
			return graph.Errorf(graph.EINVALID, "cypher: the query needs more memory than the server allows one transaction; ask for less: %s", neoErr.Msg)
		case strings.Contains(neoErr.Code, "AccessMode") || strings.Contains(neoErr.Code, "Forbidden"):
			return graph.Errorf(graph.EINVALID, "only read queries run here: %s", neoErr.Msg)
		case neoErr.Classification() == "ClientError" && neoErr.Category() != "Security" && title != "Terminated":
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
