package feed

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testFetcher is a Fetcher with limits small enough for tests to reach quickly.
func testFetcher(t *testing.T, cache bool) *Fetcher {
	dir := ""
	if cache {
		dir = t.TempDir()
	}
	f := NewFetcher(dir)
	f.Timeout = 300 * time.Millisecond
	f.Backoff = 10 * time.Millisecond
	f.Retries = 2
	f.MaxSize = 1 << 10
	return f
}

// serve starts a loopback server (httptest listens on 127.0.0.1).
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func wantFetchError(t *testing.T, err error, url, msg string) {
	t.Helper()
	var fe *FetchError
	if !errors.As(err, &fe) || fe.URL != url || !strings.Contains(fe.Msg, msg) {
		t.Fatalf("err = %v, want a FetchError for %s containing %q", err, url, msg)
	}
}

func TestNotFound(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1); http.NotFound(w, r) })
	_, err := testFetcher(t, false).Get(context.Background(), s.URL+"/feed.xml", Revalidate)
	wantFetchError(t, err, s.URL+"/feed.xml", "404 Not Found")
	if hits.Load() != 1 {
		t.Errorf("a 404 was asked %d times: it should not be retried", hits.Load())
	}
}

func TestSlowServerTimesOutAndRetries(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	f := testFetcher(t, false)
	start := time.Now()
	_, err := f.Get(context.Background(), s.URL, Revalidate)
	wantFetchError(t, err, s.URL, "no answer within 300ms")
	if hits.Load() != 3 {
		t.Errorf("%d tries, want 1 + 2 retries", hits.Load())
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s: the timeout did not hold", d)
	}
}

func TestSlowBodyTimesOut(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<rss>"))
		w.(http.Flusher).Flush()
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	f := testFetcher(t, false)
	f.Retries = 0
	_, err := f.Get(context.Background(), s.URL, Revalidate)
	wantFetchError(t, err, s.URL, "no complete answer within")
}

func TestRetriesOn5xx(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("third time"))
	})
	resp, err := testFetcher(t, false).Get(context.Background(), s.URL, Revalidate)
	if err != nil || string(resp.Body) != "third time" || hits.Load() != 3 {
		t.Fatalf("body %q, err %v after %d tries", resp.Body, err, hits.Load())
	}
	hits.Store(-10)
	_, err = testFetcher(t, false).Get(context.Background(), s.URL, Revalidate)
	wantFetchError(t, err, s.URL, "server error 503 Service Unavailable")
}

func TestOversized(t *testing.T) {
	big := strings.Repeat("x", 2<<10)
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			// No Content-Length: the limit must hold while reading.
			w.Write([]byte(big[:512]))
			w.(http.Flusher).Flush()
			w.Write([]byte(big[512:]))
			return
		}
		w.Write([]byte(big))
	})
	f := testFetcher(t, false)
	_, err := f.Get(context.Background(), s.URL+"/declared", Revalidate)
	wantFetchError(t, err, s.URL+"/declared", "document is 2 KB, larger than the 1 KB limit")
	_, err = f.Get(context.Background(), s.URL+"/chunked", Revalidate)
	wantFetchError(t, err, s.URL+"/chunked", "larger than the 1 KB limit")
}

func TestRedirects(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/moved":
			http.Redirect(w, r, "/final", http.StatusMovedPermanently)
		case "/file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/final":
			w.Write([]byte("arrived"))
		}
	})
	f := testFetcher(t, false)
	_, err := f.Get(context.Background(), s.URL+"/loop", Revalidate)
	wantFetchError(t, err, s.URL+"/loop", "more than 5 redirects")
	_, err = f.Get(context.Background(), s.URL+"/file", Revalidate)
	wantFetchError(t, err, s.URL+"/file", "redirected to a file: URL")
	if resp, err := f.Get(context.Background(), s.URL+"/moved", Revalidate); err != nil || string(resp.Body) != "arrived" {
		t.Errorf("redirect: %q, %v", resp.Body, err)
	}
}

func TestConditionalRequestsAndCache(t *testing.T) {
	var hits, conditional atomic.Int32
	body := "<rss>v1</rss>"
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("User-Agent") != UserAgent {
			http.Error(w, "who are you", http.StatusForbidden)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 05 Mar 2024 06:00:00 GMT")
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") != "" {
			conditional.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write([]byte(body))
	})
	f := testFetcher(t, true)
	ctx := context.Background()
	first, err := f.Get(ctx, s.URL, Revalidate)
	if err != nil || string(first.Body) != body || first.FromCache {
		t.Fatalf("first: %+v, %v", first, err)
	}
	second, err := f.Get(ctx, s.URL, Revalidate)
	if err != nil || !second.NotModified || string(second.Body) != body || conditional.Load() != 1 {
		t.Fatalf("second: %+v, %v (%d conditional)", second, err, conditional.Load())
	}
	// A transcript already cached costs no request at all.
	before := hits.Load()
	third, err := f.Get(ctx, s.URL, PreferCache)
	if err != nil || !third.FromCache || hits.Load() != before {
		t.Fatalf("prefer cache: %+v, %v, %d requests", third, err, hits.Load()-before)
	}
	// Offline: the server is gone; the cached copy answers and says so.
	s.Close()
	off, err := f.Get(ctx, s.URL, Revalidate)
	if err != nil || string(off.Body) != body || off.Offline == nil {
		t.Fatalf("offline: %+v, %v", off, err)
	}
	// Without a cached copy, being offline is an error.
	_, err = testFetcher(t, true).Get(ctx, s.URL, Revalidate)
	wantFetchError(t, err, s.URL, "cannot reach the server")
}

func TestA404IsNotHiddenByTheCache(t *testing.T) {
	var gone atomic.Bool
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if gone.Load() {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("here"))
	})
	f := testFetcher(t, true)
	if _, err := f.Get(context.Background(), s.URL, Revalidate); err != nil {
		t.Fatal(err)
	}
	gone.Store(true)
	_, err := f.Get(context.Background(), s.URL, Revalidate)
	wantFetchError(t, err, s.URL, "404")
}

func TestBadURLs(t *testing.T) {
	f := testFetcher(t, false)
	_, err := f.Get(context.Background(), "ftp://127.0.0.1/x", Revalidate)
	wantFetchError(t, err, "ftp://127.0.0.1/x", "only http and https")
	_, err = f.Get(context.Background(), "http://[::1", Revalidate)
	wantFetchError(t, err, "http://[::1", "not a URL")
}
