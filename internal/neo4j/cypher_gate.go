package neo4j

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// readOperators are the plan operators a console query may use: scans,
// seeks, expansions, joins, filters, projections, aggregations and sorts of
// the graph, plus SHOW INDEXES and SHOW CONSTRAINTS, which describe the
// schema. Names are Neo4j 5's, without the "(All)"-style variant and the
// "@database" suffix the server adds. Anything else (writes, LOAD CSV, CALL
// { } IN TRANSACTIONS, SHOW TRANSACTIONS or SETTINGS, TERMINATE
// TRANSACTIONS, an operator a newer server invents) is refused: an
// allow-list fails closed.
var readOperators = map[string]bool{}

func init() {
	for _, name := range strings.Fields(`
		ProduceResults Projection Filter Limit ExhaustiveLimit Skip Sort PartialSort Top PartialTop
		Distinct OrderedDistinct Aggregation EagerAggregation OrderedAggregation Eager EmptyResult
		Union OrderedUnion Unwind Optional Anti CacheProperties Argument ArgumentTracker
		Apply SemiApply AntiSemiApply LetSemiApply LetAntiSemiApply SelectOrSemiApply SelectOrAntiSemiApply
		LetSelectOrSemiApply LetSelectOrAntiSemiApply RollUpApply ConditionalApply AntiConditionalApply
		CartesianProduct NodeHashJoin ValueHashJoin NodeLeftOuterHashJoin NodeRightOuterHashJoin
		TriadicSelection TriadicBuild TriadicFilter
		AllNodesScan NodeByLabelScan UnionNodeByLabelsScan IntersectionNodeByLabelsScan SubtractionNodeByLabelsScan
		NodeByIdSeek NodeByElementIdSeek NodeIndexSeek NodeUniqueIndexSeek MultiNodeIndexSeek
		NodeIndexSeekByRange NodeUniqueIndexSeekByRange NodeIndexContainsScan NodeIndexEndsWithScan NodeIndexScan
		NodeCountFromCountStore RelationshipCountFromCountStore
		DirectedRelationshipIndexScan UndirectedRelationshipIndexScan
		DirectedRelationshipIndexSeek UndirectedRelationshipIndexSeek
		DirectedRelationshipUniqueIndexSeek UndirectedRelationshipUniqueIndexSeek
		DirectedRelationshipIndexSeekByRange UndirectedRelationshipIndexSeekByRange
		DirectedRelationshipUniqueIndexSeekByRange UndirectedRelationshipUniqueIndexSeekByRange
		DirectedRelationshipIndexContainsScan UndirectedRelationshipIndexContainsScan
		DirectedRelationshipIndexEndsWithScan UndirectedRelationshipIndexEndsWithScan
		DirectedRelationshipByIdSeek UndirectedRelationshipByIdSeek
		DirectedRelationshipByElementIdSeek UndirectedRelationshipByElementIdSeek
		DirectedAllRelationshipsScan UndirectedAllRelationshipsScan
		DirectedRelationshipTypeScan UndirectedRelationshipTypeScan
		DirectedUnionRelationshipTypesScan UndirectedUnionRelationshipTypesScan
		Expand OptionalExpand VarLengthExpand BFSPruningVarLengthExpand Repeat Trail NullifyMetadata
		ShortestPath StatefulShortestPath ProjectEndpoints
		ProcedureCall ShowIndexes ShowConstraints`) {
		readOperators[name] = true
	}
}

// allowedProcedures are the procedures a console query may call: the ones
// that describe the schema (labels, relationship types, property keys and
// how they are used). Indexes and constraints are described by SHOW INDEXES
// and SHOW CONSTRAINTS (Neo4j 5 has no db.indexes). Every other procedure is
// refused, including harmless-looking ones: db.prepareForReplanning clears
// the query caches, dbms.* describe or change the server.
var allowedProcedures = []string{
	"db.labels", "db.relationshipTypes", "db.propertyKeys",
	"db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
}

// procedureName reads the procedure's name from a ProcedureCall operator's
// details, "db.labels() :: (label :: STRING)".
var procedureName = regexp.MustCompile(`^\s*([\p{L}\p{N}_.$` + "`" + `]+)\s*\(`)

// checkPlan refuses a query whose plan has an operator that is not a read of
// the store's database: see readOperators and allowedProcedures.
func (s *Store) checkPlan(plan driver.Plan) error {
	if plan == nil {
		return graph.Errorf(graph.EINVALID, "only read queries run here: the server gave no plan for this query, so it cannot be checked")
	}
	operator, database, _ := strings.Cut(plan.Operator(), "@")
	if database != "" && !strings.EqualFold(database, s.database) { // Neo4j lowercases database names
		return graph.Errorf(graph.EINVALID, "only read queries run here: the query runs on database %q; the console reads only %q", database, s.database)
	}
	base, _, _ := strings.Cut(operator, "(")
	if !readOperators[base] {
		return graph.Errorf(graph.EINVALID, "only read queries run here: %s is not allowed (plan operator %s)", clauseName(base), operator)
	}
	if base == "ProcedureCall" {
		details, _ := plan.Arguments()["Details"].(string)
		m := procedureName.FindStringSubmatch(details)
		if m == nil {
			return graph.Errorf(graph.EINVALID, "only read queries run here: cannot tell which procedure the query calls (%q)", details)
		}
		name := strings.ReplaceAll(m[1], "`", "")
		if !slices.Contains(allowedProcedures, name) {
			return graph.Errorf(graph.EINVALID, "only read queries run here: procedure %s is not allowed; the console calls only %s",
				name, strings.Join(allowedProcedures, ", "))
		}
	}
	for _, child := range plan.Children() {
		if err := s.checkPlan(child); err != nil {
			return err
		}
	}
	return nil
}

// clauseName spells an operator the way the analyst wrote the clause:
// TerminateTransactions becomes TERMINATE TRANSACTIONS, LoadCSV LOAD CSV.
func clauseName(operator string) string {
	if operator == "LoadCSV" {
		return "LOAD CSV"
	}
	var words []string
	start := 0
	for i, r := range operator {
		if i > 0 && unicode.IsUpper(r) {
			words = append(words, operator[start:i])
			start = i
		}
	}
	words = append(words, operator[start:])
	return strings.ToUpper(strings.Join(words, " "))
}

// precheckCypher refuses, before the server sees it, a query that is plainly
// not a read of the graph: one that starts with an administration command
// (SHOW other than INDEXES or CONSTRAINTS, TERMINATE, GRANT, ...), loads a
// CSV, calls a dbms.* procedure, or runs a subquery IN TRANSACTIONS. It is a
// second line of defence with a clearer message; the plan walk (checkPlan)
// is the gate. It looks only at keywords outside strings, comments and
// backquoted names, so a query that merely mentions these words passes.
func precheckCypher(query string) error {
	tokens := cypherTokens(query)
	word := func(i int) string {
		if i < 0 || i >= len(tokens) || tokens[i].kind != tokenWord {
			return ""
		}
		return strings.ToUpper(tokens[i].text)
	}
	punct := func(i int, p string) bool {
		return i >= 0 && i < len(tokens) && tokens[i].kind == tokenPunct && tokens[i].text == p
	}
	refuse := func(what string) error {
		return graph.Errorf(graph.EINVALID, "only read queries run here: %s is not allowed", what)
	}
	first := firstClause(tokens)
	switch word(first) {
	case "SHOW":
		switch next := word(first + 1); next {
		case "INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS",
			"RANGE", "TEXT", "POINT", "LOOKUP", "FULLTEXT", "VECTOR", "ALL", "UNIQUE", "UNIQUENESS", "EXISTENCE", "EXIST",
			"NODE", "RELATIONSHIP", "REL", "KEY", "PROPERTY":
			// SHOW [kind] INDEXES / CONSTRAINTS; the plan check decides.
		default:
			return refuse("SHOW " + next)
		}
	case "TERMINATE", "GRANT", "DENY", "REVOKE", "ALTER", "DROP", "START", "STOP", "ENABLE", "DEALLOCATE", "REALLOCATE", "RENAME":
		return refuse(word(first) + " " + word(first+1))
	}
	for i := range tokens {
		switch {
		case word(i) == "LOAD" && word(i+1) == "CSV":
			return refuse("LOAD CSV")
		case word(i) == "CALL" && strings.EqualFold(tokens[min(i+1, len(tokens)-1)].text, "dbms") && punct(i+2, "."):
			return refuse("calling a dbms.* procedure")
		case punct(i, "}") && word(i+1) == "IN" && (word(i+2) == "TRANSACTIONS" || word(i+3) == "TRANSACTIONS" || word(i+4) == "TRANSACTIONS"):
			return refuse("CALL { } IN TRANSACTIONS")
		}
	}
	return nil
}

// firstClause returns the index of the token that starts the query's first
// clause, after any CYPHER version and options and any USE clause.
func firstClause(tokens []cypherToken) int {
	isPunct := func(i int, p string) bool {
		return i < len(tokens) && tokens[i].kind == tokenPunct && tokens[i].text == p
	}
	isWord := func(i int, w string) bool {
		return i < len(tokens) && tokens[i].kind == tokenWord && strings.EqualFold(tokens[i].text, w)
	}
	i := 0
	if isWord(i, "CYPHER") {
		i++
		for i < len(tokens) {
			if isPunct(i+1, "=") { // runtime=slotted
				i += 3
			} else if tokens[i].kind == tokenWord && unicode.IsDigit(rune(tokens[i].text[0])) { // CYPHER 5
				i++
			} else {
				break
			}
		}
	}
	if isWord(i, "USE") {
		for i += 2; isPunct(i, "."); i += 2 { // USE name, USE composite.name
		}
	}
	return i
}

// Kinds of cypherToken.
const (
	tokenWord  = iota // a keyword, name or number
	tokenName         // a `backquoted` name: never a keyword
	tokenPunct        // one character of punctuation
)

// cypherToken is one token of a query, outside strings and comments.
type cypherToken struct {
	kind int
	text string
}

// cypherTokens splits a query into words, backquoted names and punctuation,
// skipping whitespace, comments and string literals. It never fails: an
// unterminated string, comment or name runs to the end, as the server would
// refuse it anyway.
func cypherTokens(query string) []cypherToken {
	var tokens []cypherToken
	for i := 0; i < len(query); {
		r, size := utf8.DecodeRuneInString(query[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case strings.HasPrefix(query[i:], "//"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				return tokens
			}
			i += end + 1
		case strings.HasPrefix(query[i:], "/*"):
			end := strings.Index(query[i+2:], "*/")
			if end < 0 {
				return tokens
			}
			i += 2 + end + 2
		case r == '\'' || r == '"':
			i = skipString(query, i)
		case r == '`':
			end := strings.IndexByte(query[i+1:], '`')
			if end < 0 {
				return append(tokens, cypherToken{tokenName, query[i+1:]})
			}
			// `` inside a backquoted name is one backquote.
			j := i + 1 + end
			for j+1 < len(query) && query[j+1] == '`' {
				next := strings.IndexByte(query[j+2:], '`')
				if next < 0 {
					j = len(query)
					break
				}
				j += 2 + next
			}
			tokens = append(tokens, cypherToken{tokenName, query[i+1 : min(j, len(query))]})
			i = min(j+1, len(query))
		case isWordRune(r):
			j := i
			for j < len(query) {
				r, size := utf8.DecodeRuneInString(query[j:])
				if !isWordRune(r) {
					break
				}
				j += size
			}
			tokens = append(tokens, cypherToken{tokenWord, query[i:j]})
			i = j
		default:
			tokens = append(tokens, cypherToken{tokenPunct, query[i : i+size]})
			i += size
		}
	}
	return tokens
}

// skipString returns the index just past the string literal that starts at
// i, honouring backslash escapes.
func skipString(query string, i int) int {
	quote := query[i]
	for j := i + 1; j < len(query); j++ {
		switch query[j] {
		case '\\':
			j++
		case quote:
			return j + 1
		}
	}
	return len(query)
}

func isWordRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
