// Package storage opens the graph.Store that a store URL names, so commands
// take one -store flag and never import adapters themselves. It is the one
// place that knows every adapter.
package storage

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/neo4j"
	"github.com/topicgraph/topicgraph/internal/sqlite"
)

// Forms lists the store URLs Open understands, for help texts and errors.
const Forms = "sqlite:PATH, sqlite://PATH, a file path ending in .db, .sqlite or .sqlite3, " +
	"or a Neo4j URL (neo4j://, neo4j+s://, bolt://, bolt+s://)"

// neo4jSchemes are the URL schemes of the Neo4j driver (+ssc: TLS with a
// self-signed certificate).
var neo4jSchemes = map[string]bool{
	"neo4j": true, "neo4j+s": true, "neo4j+ssc": true,
	"bolt": true, "bolt+s": true, "bolt+ssc": true,
}

// Open opens the store named by url. getenv supplies settings that do not
// belong in a URL, such as passwords.
//
//	sqlite:graph.db, sqlite://graph.db, sqlite:///var/lib/graph.db, graph.db
//	    the embedded SQLite store in that file
//	neo4j://host:7687, bolt://host:7687 (and +s variants)
//	    a Neo4j server
func Open(ctx context.Context, url string, getenv func(string) string) (graph.Store, error) {
	scheme, rest, err := parse(url)
	if err != nil {
		return nil, err
	}
	switch {
	case scheme == "sqlite":
		return sqlite.Open(ctx, rest)
	case neo4jSchemes[scheme]:
		return neo4j.Open(ctx, url, getenv)
	}
	// parse only returns the schemes handled above.
	return nil, graph.Errorf(graph.EINTERNAL, "store %q: scheme %q has no adapter", Redact(url), scheme)
}

// OpenExisting is Open for readers (the explorer, graphload export): it
// refuses to create an embedded store, so a mistyped sqlite: path is an error
// that says how to load one instead of an empty graph. A Neo4j database always
// exists on its server; an empty one is served as an empty graph.
func OpenExisting(ctx context.Context, url string, getenv func(string) string) (graph.Store, error) {
	scheme, rest, err := parse(url)
	if err != nil {
		return nil, err
	}
	if scheme == "sqlite" {
		if _, err := os.Stat(rest); errors.Is(err, fs.ErrNotExist) {
			return nil, graph.Errorf(graph.ENOTFOUND,
				"store %s does not exist: check the path, or create it by loading notes with graphload -store sqlite:%s NOTES", rest, rest)
		}
	}
	return Open(ctx, url, getenv)
}

// parse splits a store URL into its scheme and the rest: the file path for
// SQLite, the whole URL for Neo4j.
func parse(url string) (scheme, rest string, err error) {
	trimmed := strings.TrimSpace(url)
	if trimmed == "" {
		return "", "", graph.Errorf(graph.EINVALID, "no store given: use %s", Forms)
	}
	lower := strings.ToLower(trimmed)
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		rest = trimmed[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		rest = trimmed[len("sqlite:"):]
	case strings.Contains(trimmed, "://"):
		scheme = lower[:strings.Index(lower, "://")]
		if neo4jSchemes[scheme] {
			return scheme, trimmed, nil
		}
		return "", "", graph.Errorf(graph.EINVALID, "store %q: unsupported scheme %q: use %s", Redact(trimmed), scheme, Forms)
	case hasSQLiteExtension(lower):
		return "sqlite", trimmed, nil
	default:
		return "", "", graph.Errorf(graph.EINVALID, "store %q is not a store URL: use %s", Redact(trimmed), Forms)
	}
	if rest == "" {
		return "", "", graph.Errorf(graph.EINVALID, "store %q names no database file: use sqlite:PATH", trimmed)
	}
	return "sqlite", rest, nil
}

func hasSQLiteExtension(lowerPath string) bool {
	for _, ext := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(lowerPath, ext) {
			return true
		}
	}
	return false
}

// redacted replaces secrets in logged URLs.
const redacted = "xxxxx"

// sensitiveParams are query parameters whose values are secrets.
var sensitiveParams = map[string]bool{
	"password": true, "pass": true, "passwd": true, "pwd": true,
	"secret": true, "token": true, "auth": true, "credentials": true,
}

// Redact returns url with any password replaced by "xxxxx", for logging: the
// password of user:password@host, and the values of query parameters such as
// password= or token=. It works on malformed URLs too, erring towards hiding
// more rather than less, and leaves everything else as written.
func Redact(url string) string {
	out := url
	if i := strings.Index(out, "://"); i >= 0 {
		start := i + len("://")
		// The userinfo ends at the last '@' before any query or fragment, so a
		// password containing '@' or '/' is hidden whole.
		end := len(out)
		if j := strings.IndexAny(out[start:], "?#"); j >= 0 {
			end = start + j
		}
		if at := strings.LastIndex(out[start:end], "@"); at >= 0 {
			userinfo := out[start : start+at]
			if colon := strings.Index(userinfo, ":"); colon >= 0 {
				out = out[:start+colon+1] + redacted + out[start+at:]
			}
		}
	}
	q := strings.IndexByte(out, '?')
	if q < 0 {
		return out
	}
	query, fragment := out[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, fragment = query[:h], query[h:]
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		key, _, hasValue := strings.Cut(p, "=")
		if hasValue && sensitiveParams[strings.ToLower(key)] {
			params[i] = key + "=" + redacted
		}
	}
	return out[:q+1] + strings.Join(params, "&") + fragment
}

// CacheDir is where fetched feeds and transcripts are kept for a store when
// no -cache is given: beside an SQLite file, or in the user's cache folder
// for a server.
func CacheDir(storeURL string) string {
	if path, ok := strings.CutPrefix(storeURL, "sqlite:"); ok && path != "" && path != ":memory:" {
		return path + ".cache"
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "topicgraph")
	}
	return filepath.Join(os.TempDir(), "topicgraph-cache")
}
