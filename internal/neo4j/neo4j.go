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
	"errors"
	"fmt"
	"net/url"
	"strings"

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
		return nil, s.describe(err, "connecting as user "+quote(username), password)
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

// describe turns a driver error into a graph.Error that says what failed and
// what to do, with the password scrubbed in case the server echoed it.
func (s *Store) describe(err error, doing string, password string) error {
	var gerr *graph.Error
	if errors.As(err, &gerr) {
		return err
	}
	msg := redact(err.Error(), password)
	var neoErr *driver.Neo4jError
	var authErr *driver.InvalidAuthenticationError
	switch {
	case errors.As(err, &authErr), errors.As(err, &neoErr) && neoErr.IsAuthenticationFailed():
		return graph.Errorf(graph.EINVALID,
			"neo4j %s refused %s: wrong username or password (set NEO4J_USERNAME and NEO4J_PASSWORD)", s.address, doing)
	case errors.As(err, &neoErr) && neoErr.Code == "Neo.ClientError.Database.DatabaseNotFound":
		return graph.Errorf(graph.EINVALID, "neo4j %s: database %q does not exist (set NEO4J_DATABASE)", s.address, s.database)
	case errors.As(err, &neoErr) && neoErr.Classification() == "ClientError":
		return graph.Errorf(graph.EINVALID, "neo4j %s: %s: %s", s.address, doing, msg)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The cause stays visible: a load stopped by Ctrl-C is not a store failure.
		e := graph.Errorf(graph.EUNAVAILABLE, "neo4j %s: %s: gave up: %s", s.address, doing, msg)
		e.Err = context.Canceled
		if errors.Is(err, context.DeadlineExceeded) {
			e.Err = context.DeadlineExceeded
		}
		return e
	case isUnavailable(err):
		return graph.Errorf(graph.EUNAVAILABLE,
			"neo4j %s is unreachable while %s (is the server running? scripts/neo4j start): %s", s.address, doing, msg)
	}
	return fmt.Errorf("neo4j %s: %s: %s", s.address, doing, msg)
}

func isUnavailable(err error) bool {
	var connErr *driver.ConnectivityError
	var limitErr *driver.TransactionExecutionLimit
	var neoErr *driver.Neo4jError
	return errors.As(err, &connErr) || errors.As(err, &limitErr) ||
		(errors.As(err, &neoErr) && neoErr.Classification() == "TransientError") ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "ConnectivityError")
}

func redact(msg, password string) string {
	if password == "" {
		return msg
	}
	return strings.ReplaceAll(msg, password, "********")
}

func quote(s string) string { return fmt.Sprintf("%q", s) }
