// Package conformance holds the test that holds both stores to one contract:
// the same notes, loaded by the same pipeline (load.Run) into the embedded
// SQLite store and into a real Neo4j server, give the same graph, reloads
// change nothing, and a changed file replaces its episode on both. It has no
// non-test code; the Neo4j side needs `scripts/neo4j start`.
package conformance
