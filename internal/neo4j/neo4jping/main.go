// Command neo4jping waits until a Neo4j server answers a Cypher query over Bolt.
// scripts/neo4j runs it after starting the server, so "started" means clients can
// really connect and authenticate, not merely that a port is open.
//
// Usage: neo4jping [-timeout 120s] bolt://127.0.0.1:7687
// Credentials come from NEO4J_USERNAME and NEO4J_PASSWORD, the database from
// NEO4J_DATABASE (default neo4j). It exits 0 when the
// server answered, 2 when the credentials were refused (waiting longer will not
// help), and 1 on timeout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stderr))
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	flags := flag.NewFlagSet("neo4jping", flag.ContinueOnError)
	flags.SetOutput(stderr)
	timeout := flags.Duration("timeout", 120*time.Second, "how long to wait for an answer")
	if err := flags.Parse(args); err != nil {
		return 1
	}
	if flags.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: neo4jping [-timeout 120s] bolt://host:port")
		return 1
	}
	url := flags.Arg(0)
	username, password, database := getenv("NEO4J_USERNAME"), getenv("NEO4J_PASSWORD"), getenv("NEO4J_DATABASE")
	if username == "" {
		username = "neo4j"
	}
	if database == "" {
		database = "neo4j"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var lastErr error
	for {
		lastErr = ping(ctx, url, username, password, database)
		if lastErr == nil {
			return 0
		}
		var neoErr *neo4j.Neo4jError
		if errors.As(lastErr, &neoErr) && neoErr.Classification() == "ClientError" &&
			neoErr.Category() == "Security" {
			fmt.Fprintf(stderr, "neo4jping: %s refused user %q: %s\n", url, username, neoErr.Msg)
			return 2
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(stderr, "neo4jping: no answer from %s within %s: %v\n", url, *timeout, lastErr)
			return 1
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ping runs RETURN 1 in the database clients will use (so it is online, not just
// the server) on a fresh driver, so a server that restarted is seen anew.
func ping(ctx context.Context, url, username, password, database string) error {
	driver, err := neo4j.NewDriverWithContext(url, neo4j.BasicAuth(username, password, ""))
	if err != nil {
		return err
	}
	defer driver.Close(context.Background())
	attempt, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = neo4j.ExecuteQuery(attempt, driver, "RETURN 1", nil, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(database))
	return err
}
