package httpapi

import (
	"strings"
	"testing"
)

// FuzzHostPolicy checks the Host check on any header value: it never
// panics, and it answers only the names it was given (loopback by default),
// whatever port, case or final dot they come with.
func FuzzHostPolicy(f *testing.F) {
	for _, seed := range []string{"localhost", "localhost:8080", "127.0.0.1:1", "[::1]:80", "::1", "LOCALHOST.", "evil.example",
		"localhost.evil.example", "127.0.0.1.nip.io", "[::1", "[]:80", ":80", "", "topics.example:443", "xn--bcher-kva.example"} {
		f.Add(seed)
	}
	p := newHostPolicy([]string{"topics.example"})
	f.Fuzz(func(t *testing.T, host string) {
		got := p.allows(host)
		name := normalHost(host)
		want := name == "localhost" || name == "127.0.0.1" || name == "::1" || name == "topics.example"
		if got != want {
			t.Fatalf("Host %q (name %q): allowed %v, want %v", host, name, got, want)
		}
		if got && strings.ContainsAny(name, "/@ ") {
			t.Fatalf("Host %q allowed with %q in its name", host, name)
		}
	})
}
