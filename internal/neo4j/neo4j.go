// Package neo4j stores the topic graph in a Neo4j server: it implements
// graph.Store over Bolt with the official Go driver, in a schema an analyst can
// query directly in Neo4j Browser (see docs/neo4j.md).
//
// The schema:
//
//	(:Episode {id, source, title, date, show, guests, tags, hash, url, audio,
//	           link_sources, link_targets, link_types, link_strengths, link_lines})
//	(:Episode)-[:HAS_LINE]->(:Line {n, text, kind, time, speaker})
//	(:Episode)-[:MENTIONS {count, seqs, labels, kinds, lines, weights}]->(:Concept)
//	(:Concept {id, label, kind, aliases, mentions, degree, weighted_degree, pagerank, betweenness, community, analytics})
//	(:Concept)-[:RELATED {type, weight, npmi, episode_count}]->(:Concept)
//	(:TopicgraphMeta {id: "topicgraph", epoch, version, analyticsDue})
//
// Each line's text is stored once, in a Line node; mentions and links name
// their line and take its text when read. MENTIONS holds one relationship
// per episode and concept; its list properties are parallel, one entry per
// mention, and seqs gives each mention's position in the episode's list, so
// Facts returns mentions exactly in stored order. An episode's links are
// parallel list properties of the episode, in stored order (a link may name
// a concept that no mention introduced, so links are not relationships).
// Concepts also carry a kind label (:Person, :Organization, :Work). RELATED
// (aggregates only) and the concept scores are written by SaveAnalytics from
// the aggregated graph, in bounded batches (see AnalyticsBatch).
package neo4j

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/topicgraph/topicgraph/internal/graph"
)

var _ graph.Store = (*Store)(nil)

// DefaultDatabase is used when NEO4J_DATABASE is not set.
const DefaultDatabase = "neo4j"

// Store is a graph.Store backed by one database of a Neo4j server. It is safe
// for concurrent use: every call opens its own session.
type Store struct {
	driver   driver.DriverWithContext
	database string
	address  string // the URL without credentials, for error messages
}

// Open connects to the Neo4j server at rawURL (neo4j://, neo4j+s://, bolt:// or
// bolt+s://, with +ssc variants), checks that it answers and accepts the
// credentials, and creates the uniqueness constraints the store relies on.
//
// Credentials come from NEO4J_USERNAME (default "neo4j") and NEO4J_PASSWORD, or
// from the URL's user information, which takes precedence; the database from
// NEO4J_DATABASE (default "neo4j"). Passwords never appear in errors.
func Open(ctx context.Context, rawURL string, getenv func(string) string) (*Store, error) {
	target, username, password, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if username == "" {
		username = getenv("NEO4J_USERNAME")
	}
	if username == "" {
		username = "neo4j"
	}
	if password == "" {
		password = getenv("NEO4J_PASSWORD")
	}
	database := getenv("NEO4J_DATABASE")
	if database == "" {
		database = DefaultDatabase
	}
	d, err := driver.NewDriverWithContext(target, driver.BasicAuth(username, password, ""), func(c *config.Config) {
		c.UserAgent = "topicgraph"
	})
	if err != nil {
		return nil, graph.Errorf(graph.EINVALID, "neo4j store %s: %s", target, redact(err.Error(), password))
	}
	s := &Store{driver: d, database: database, address: target}
	if err := d.VerifyAuthentication(ctx, nil); err != nil {
		d.Close(context.Background())
		return nil, s.describeConnect(err, "connecting as user "+quote(username), password)
	}
	if err := s.createSchema(ctx); err != nil {
		d.Close(context.Background())
		return nil, s.describe(err, "creating constraints in database "+quote(database), password)
	}
	return s, nil
}

// Close releases the driver's connections.
func (s *Store) Close() error {
	return s.driver.Close(context.Background())
}

// parseURL checks the scheme and splits credentials off the URL, so that the
// driver and every message only ever see the URL without them.
func parseURL(rawURL string) (target, username, password string, err error) {
	if strings.TrimSpace(rawURL) == "" {
		return "", "", "", graph.Errorf(graph.EINVALID, "neo4j store: empty URL (want e.g. bolt://127.0.0.1:7687)")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse quotes the whole input in its error, password included.
		return "", "", "", graph.Errorf(graph.EINVALID, "neo4j store: malformed URL (want e.g. bolt://127.0.0.1:7687)")
	}
	switch u.Scheme {
	case "neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc":
	default:
		u.User = nil
		return "", "", "", graph.Errorf(graph.EINVALID,
			"neo4j store %s: unsupported scheme %q (want neo4j, neo4j+s, bolt or bolt+s)", u.Redacted(), u.Scheme)
	}
	if u.User != nil {
		username = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	if u.Host == "" {
		return "", "", "", graph.Errorf(graph.EINVALID, "neo4j store %s: URL has no host", u.String())
	}
	return u.String(), username, password, nil
}

// describe turns a driver error into a graph.Error that says what failed,
// why, and what to do, with the password scrubbed in case the server echoed
// it. The cause is read from the driver's error types and Neo4j's status
// codes, never guessed: a memory limit, a terminated transaction, a TLS
// mismatch and a stopped server each say so.
func (s *Store) describe(err error, doing string, password string) error {
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return err
	}
	code, why := s.classify(err)
	e := graph.Errorf(code, "neo4j %s: %s while %s: %s", s.address, why, doing, redact(err.Error(), password))
	// The cause stays visible: a load stopped by Ctrl-C is not a store failure.
	switch {
	case errors.Is(err, context.Canceled):
		e.Err = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		e.Err = context.DeadlineExceeded
	}
	return e
}

// describeConnect is describe for the first connection to a server. A
// server that closes the connection right after it was opened, during the
// Bolt handshake, is most often one that requires TLS and was given a
// bolt:// or neo4j:// URL, so the message says so.
func (s *Store) describeConnect(err error, doing string, password string) error {
	if code, why := s.classify(err); why == closedConnection && !strings.Contains(s.address, "+s") {
		return graph.Errorf(code, "neo4j %s: the server closed the connection during the handshake while %s: "+
			"if it requires TLS, use bolt+s:// or neo4j+s:// (+ssc for a self-signed certificate); "+
			"if it is restarting, try again (scripts/neo4j start): %s", s.address, doing, redact(err.Error(), password))
	}
	return s.describe(err, doing, password)
}

// closedConnection is classify's reason for a connection the server closed.
const closedConnection = "the server closed the connection (stopped or restarting? scripts/neo4j start)"

// classify names the cause of a driver error and the graph.Error code it
// gets: EINVALID for what the configuration or the request must change
// (credentials, database name, TLS scheme, the query), EUNAVAILABLE for what
// may pass (the server down, overloaded or interrupted), EINTERNAL otherwise.
func (s *Store) classify(err error) (code, why string) {
	var authErr *driver.InvalidAuthenticationError
	if errors.As(err, &authErr) {
		return graph.EINVALID, "wrong username or password (set NEO4J_USERNAME and NEO4J_PASSWORD)"
	}
	var limit *driver.TransactionExecutionLimit
	if errors.As(err, &limit) && len(limit.Errors) > 0 {
		// The driver retried until its time ran out: the last attempt's
		// error is the cause.
		code, why := s.classify(limit.Errors[len(limit.Errors)-1])
		return code, fmt.Sprintf("%s (gave up after %d attempts)", why, len(limit.Errors))
	}
	var neoErr *driver.Neo4jError
	if errors.As(err, &neoErr) {
		return s.classifyNeo4j(neoErr)
	}
	if errors.Is(err, context.Canceled) {
		return graph.EUNAVAILABLE, "the request was cancelled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return graph.EUNAVAILABLE, "the server did not answer in time (is it running? scripts/neo4j start)"
	}
	inner := err
	var connErr *driver.ConnectivityError
	if errors.As(err, &connErr) && connErr.Inner != nil {
		inner = connErr.Inner // ConnectivityError does not unwrap
	}
	if tlsMismatch(inner) {
		return graph.EINVALID, "the TLS handshake failed: use bolt:// or neo4j:// for a server without TLS, " +
			"bolt+s:// or neo4j+s:// for one with a trusted certificate, +ssc for a self-signed one"
	}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(inner, syscall.ECONNREFUSED):
		return graph.EUNAVAILABLE, "unreachable: nothing is listening there (is the server running? scripts/neo4j start)"
	case errors.As(inner, &dnsErr):
		return graph.EUNAVAILABLE, "the host name does not resolve"
	case errors.Is(inner, io.EOF), errors.Is(inner, io.ErrUnexpectedEOF), errors.Is(inner, syscall.ECONNRESET), errors.Is(inner, syscall.EPIPE):
		return graph.EUNAVAILABLE, closedConnection
	case errors.Is(inner, context.DeadlineExceeded), errors.As(inner, &netErr) && netErr.Timeout(),
		// The driver's pool timeout is an internal type that does not unwrap.
		strings.Contains(inner.Error(), "Timeout while") || strings.Contains(inner.Error(), "context deadline exceeded"):
		return graph.EUNAVAILABLE, "the server did not answer in time (is it running? scripts/neo4j start)"
	case connErr != nil:
		return graph.EUNAVAILABLE, "the connection failed (is the server running? scripts/neo4j start)"
	}
	return graph.EINTERNAL, "unexpected error"
}

// classifyNeo4j names the cause of an error the server sent, from its
// status code (https://neo4j.com/docs/status-codes/).
func (s *Store) classifyNeo4j(e *driver.Neo4jError) (code, why string) {
	title := e.Title()
	switch {
	case e.IsAuthenticationFailed():
		return graph.EINVALID, "wrong username or password (set NEO4J_USERNAME and NEO4J_PASSWORD)"
	case e.Code == "Neo.ClientError.Database.DatabaseNotFound":
		return graph.EINVALID, fmt.Sprintf("database %q does not exist (set NEO4J_DATABASE)", s.database)
	case strings.Contains(title, "OutOfMemory") || strings.Contains(title, "MemoryLimit") || strings.Contains(title, "MemoryPool"):
		// A TransientError, yet retrying the same work cannot help.
		return graph.EUNAVAILABLE, "the server ran out of memory for this transaction (its limits are dbms.memory.transaction.total.max " +
			"and db.memory.transaction.max); retrying will not help: ask for less, or raise the limit"
	case e.Code == "Neo.ClientError.Transaction.TransactionTimedOut", e.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
		return graph.EUNAVAILABLE, "the transaction ran past its time limit and the server stopped it"
	case title == "Terminated" || title == "LockClientStopped" || title == "TransactionMarkedAsFailed" && strings.Contains(e.Msg, "terminated"):
		return graph.EUNAVAILABLE, "the transaction was terminated on the server (TERMINATE TRANSACTIONS, an administrator, " +
			"or the server stopping: scripts/neo4j start)"
	case title == "DeadlockDetected" || title == "LockAcquisitionTimeout":
		return graph.EUNAVAILABLE, "the transaction conflicted with another one writing the same data"
	case title == "DatabaseUnavailable":
		return graph.EUNAVAILABLE, fmt.Sprintf("database %q is not available (starting, stopping or recovering: scripts/neo4j start)", s.database)
	case e.Category() == "Security":
		return graph.EINVALID, "the server refused access (" + e.Code + ")"
	case e.Classification() == "ClientError":
		return graph.EINVALID, "the server refused the request (" + e.Code + ")"
	case e.Classification() == "TransientError":
		return graph.EUNAVAILABLE, "the server reported a passing failure (" + e.Code + "; try again, or if it is restarting: scripts/neo4j start)"
	}
	return graph.EINTERNAL, "the server failed (" + e.Code + ")"
}

// tlsMismatch says whether err comes from a TLS handshake: a bolt+s://
// URL for a server without TLS, or a certificate the driver does not trust.
func tlsMismatch(err error) bool {
	var record tls.RecordHeaderError
	var alert tls.AlertError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &record) || errors.As(err, &alert) || errors.As(err, &unknownAuthority) ||
		errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) ||
		strings.Contains(err.Error(), "tls: ") ||
		// The driver's TLS error is an internal type; this is its message
		// for a server that closed the connection during the TLS handshake.
		strings.Contains(err.Error(), "check that TLS is enabled")
}

func redact(msg, password string) string {
	if password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, password, "********")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
