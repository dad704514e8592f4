package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzReadQuery checks the query reader against net/url on any query string:
// it never panics; what it accepts holds only allowed names, once each,
// within the bounds, with the values net/url decodes; and it refuses what
// net/url cannot decode or would cut short.
func FuzzReadQuery(f *testing.F) {
	for _, seed := range []string{
		"", "q=ai", "q=ai&limit=2", "top=1&top=2", "q=%zz", "%zz=1", "q=a+b%20c", "&&q=1&", "q", "q=",
		"bust=1", "q=1;limit=2", strings.Repeat("q=1&", 70), "q=" + strings.Repeat("x", maxQueryBytes),
		"q=%E2%82%AC", "q=%ff", "limit=1&q=%3D%26",
	} {
		f.Add(seed)
	}
	allowed := []string{"q", "limit", "top"}
	f.Fuzz(func(t *testing.T, raw string) {
		r := &http.Request{URL: &url.URL{Path: "/api/x", RawQuery: raw}}
		q, err := readQuery(r, allowed...)
		if err != nil {
			return
		}
		if len(raw) > maxQueryBytes || strings.Count(raw, "&") >= maxQueryParams {
			t.Fatalf("accepted %d bytes with %d separators", len(raw), strings.Count(raw, "&"))
		}
		for name := range q.values {
			if !isAllowed(name, allowed) {
				t.Fatalf("accepted the unknown name %q", name)
			}
		}
		want, perr := url.ParseQuery(raw)
		if perr != nil {
			// net/url refuses semicolons in names; as names they are
			// unknown to every endpoint, so only an empty piece can hold one.
			if strings.Contains(raw, ";") {
				return
			}
			t.Fatalf("accepted %q, which net/url cannot decode: %v", raw, perr)
		}
		got := url.Values{}
		for name, v := range q.values {
			got[name] = []string{v}
		}
		if !maps.EqualFunc(got, want, func(a, b []string) bool { return len(a) == 1 && len(b) == 1 && a[0] == b[0] }) {
			t.Fatalf("%q: read %v, net/url reads %v", raw, got, want)
		}
	})
}
