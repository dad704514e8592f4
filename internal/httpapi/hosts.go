package httpapi

import (
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// loopbackHosts are the names the server always answers to.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// hostPolicy is the set of host names (from the Host header, port ignored)
// the server answers to. Checking it defeats DNS rebinding: a page on
// another site can point its own name at 127.0.0.1 and so reach a loopback
// explorer from the visitor's browser as same-origin, but its requests then
// carry its own name in Host, which is not on the list.
type hostPolicy struct {
	any   bool
	names map[string]bool
}

// newHostPolicy allows the loopback names and names; "*" allows any name.
// Names are compared without case, port or trailing dot; IPv6 addresses may
// be given with or without brackets.
func newHostPolicy(names []string) hostPolicy {
	p := hostPolicy{names: map[string]bool{}}
	for _, n := range append(append([]string{}, loopbackHosts...), names...) {
		n = strings.TrimSpace(n)
		switch {
		case n == "*":
			p.any = true
		case n != "":
			p.names[normalHost(n)] = true
		}
	}
	return p
}

// normalHost lowers a host name and strips a port, brackets and a final dot.
func normalHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// allows reports whether a Host header names an allowed host.
func (p hostPolicy) allows(host string) bool {
	return p.any || p.names[normalHost(host)]
}

// check answers 421 Misdirected Request to a request for a host not on the
// list. /healthz is exempt: a load balancer or container probe asks for it
// by address, and it tells nothing a rebinding page could use.
func (p hostPolicy) check(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.allows(r.Host) && r.URL.Path != "/healthz" {
			writeErrorStatus(w, http.StatusMisdirectedRequest, graph.EINVALID,
				"this server does not answer to the host name "+quoteHost(r.Host)+"; start it with -allowed-hosts to add a name")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// quoteHost quotes a client's Host header for an error message, bounded.
func quoteHost(host string) string {
	if len(host) > 100 {
		host = host[:100] + "..."
	}
	return `"` + strings.ToValidUTF8(host, "?") + `"`
}

// rejectMalformedPaths answers 400 to a path that does not decode to UTF-8
// (such as /%ff): no route, file or id has such a name, and the file server
// would otherwise fail on it with a 500.
func rejectMalformedPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !utf8.ValidString(r.URL.Path) {
			writeErrorStatus(w, http.StatusBadRequest, graph.EINVALID, "the path is not valid UTF-8 once decoded")
			return
		}
		next.ServeHTTP(w, r)
	})
}
