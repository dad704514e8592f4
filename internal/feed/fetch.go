package feed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"
)

// Fetching limits. A feed of a thousand episodes with full show notes is a few
// MB; a transcript of three hours a few hundred KB.
const (
	DefaultMaxSize   = 50 << 20
	DefaultTimeout   = 30 * time.Second
	DefaultRedirects = 5
	DefaultRetries   = 3
	UserAgent        = "topicgraph-graphload/1 (podcast feed and transcript reader)"
)

// Fetcher gets documents over HTTP. Its zero value is not ready: use NewFetcher.
type Fetcher struct {
	client    *http.Client
	MaxSize   int64         // bytes per document
	Timeout   time.Duration // per request, body included
	Retries   int           // extra tries after a 5xx or a timeout
	Backoff   time.Duration // wait before the first retry; doubles each time
	Redirects int           // redirects followed at most
	CacheDir  string        // "" means no cache
	UserAgent string
	requests  atomic.Int64
}

// NewFetcher returns a Fetcher with the default limits, caching under cacheDir
// when it is not "".
func NewFetcher(cacheDir string) *Fetcher {
	f := &Fetcher{MaxSize: DefaultMaxSize, Timeout: DefaultTimeout, Retries: DefaultRetries,
		Backoff: 500 * time.Millisecond, Redirects: DefaultRedirects, CacheDir: cacheDir, UserAgent: UserAgent}
	f.client = &http.Client{
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > f.Redirects {
				return redirectError{fmt.Sprintf("more than %d redirects", f.Redirects)}
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return redirectError{fmt.Sprintf("redirected to a %s: URL, not http or https", req.URL.Scheme)}
			}
			return nil
		},
	}
	return f
}

// Requests is how many requests the fetcher has sent (retries included).
func (f *Fetcher) Requests() int64 { return f.requests.Load() }

// sizeOf says a size for a message about a limit.
func sizeOf(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", max(n>>10, 1))
}

// Policy says when a cached copy may be used without asking the server.
type Policy int

const (
	// Revalidate asks the server every time, conditionally when a copy is
	// cached (a feed: it changes).
	Revalidate Policy = iota
	// PreferCache uses a cached copy without a request (a transcript: once
	// published it rarely changes, and a feed of a thousand episodes should
	// not cost a thousand requests a day).
	PreferCache
)

// Response is a fetched document.
type Response struct {
	Body        []byte
	NotModified bool  // the server said 304: Body is the cached copy
	FromCache   bool  // Body came from the cache (304, PreferCache, or offline)
	Offline     error // set when the server could not be reached and the cached copy was used
}

// FetchError is a document that could not be fetched.
type FetchError struct {
	URL  string
	Msg  string
	down bool // the network or the server failed, not the document: a cached copy is the best answer
}

func (e *FetchError) Error() string { return e.URL + ": " + e.Msg }

// redirectError is what the client's redirect check refuses.
type redirectError struct{ msg string }

func (e redirectError) Error() string { return e.msg }

// cacheMeta is what the cache keeps beside a body to ask conditionally.
type cacheMeta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

// Get fetches rawURL. A 404, a body over the size limit, too many redirects or
// a server still failing after the retries is a *FetchError; when the server
// cannot be reached (or keeps failing) and a copy is cached, the copy is
// returned with Offline set.
func (f *Fetcher) Get(ctx context.Context, rawURL string, policy Policy) (Response, error) {
	meta, body, cached := f.readCache(rawURL)
	if cached && policy == PreferCache {
		return Response{Body: body, FromCache: true}, nil
	}
	var lastErr error
	wait := f.Backoff
	for attempt := 0; attempt <= f.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return Response{}, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		resp, retry, err := f.once(ctx, rawURL, meta, cached)
		if err == nil {
			if resp.NotModified {
				resp.Body, resp.FromCache = body, true
			} else {
				f.writeCache(rawURL, resp.meta, resp.Body)
			}
			return resp.Response, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return Response{}, ctx.Err()
	}
	var fe *FetchError
	if cached && errors.As(lastErr, &fe) && fe.down {
		return Response{Body: body, FromCache: true, Offline: lastErr}, nil
	}
	return Response{}, lastErr
}

type fetched struct {
	Response
	meta cacheMeta
}

// once sends one request. retry says whether trying again could help.
func (f *Fetcher) once(ctx context.Context, rawURL string, meta cacheMeta, cached bool) (fetched, bool, error) {
	fail := func(down, retry bool, format string, args ...any) (fetched, bool, error) {
		return fetched{}, retry, &FetchError{URL: rawURL, Msg: fmt.Sprintf(format, args...), down: down}
	}
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fail(false, false, "not a URL that can be fetched: %v", err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fail(false, false, "only http and https URLs are fetched")
	}
	req.Header.Set("User-Agent", f.UserAgent)
	if cached {
		if meta.ETag != "" {
			req.Header.Set("If-None-Match", meta.ETag)
		}
		if meta.LastModified != "" {
			req.Header.Set("If-Modified-Since", meta.LastModified)
		}
	}
	f.requests.Add(1)
	resp, err := f.client.Do(req)
	if err != nil {
		if timedOut(err) {
			return fail(true, true, "no answer within %s", f.Timeout)
		}
		var re redirectError
		if errors.As(err, &re) {
			return fail(false, false, "%s", re.msg)
		}
		return fail(true, false, "cannot reach the server: %v", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && cached:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fetched{Response: Response{NotModified: true}}, false, nil
	case resp.StatusCode >= 500:
		return fail(true, true, "server error %s", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fail(false, false, "%s", resp.Status)
	}
	if resp.ContentLength > f.MaxSize {
		return fail(false, false, "document is %s, larger than the %s limit", sizeOf(resp.ContentLength), sizeOf(f.MaxSize))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.MaxSize+1))
	if err != nil {
		if timedOut(err) {
			return fail(true, true, "no complete answer within %s", f.Timeout)
		}
		return fail(true, true, "reading the answer: %v", err)
	}
	if int64(len(body)) > f.MaxSize {
		return fail(false, false, "document is larger than the %s limit", sizeOf(f.MaxSize))
	}
	return fetched{Response: Response{Body: body}, meta: cacheMeta{URL: rawURL, ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), Fetched: time.Now().UTC()}}, false, nil
}

func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func (f *Fetcher) cachePaths(rawURL string) (meta, body string) {
	sum := sha256.Sum256([]byte(rawURL))
	key := hex.EncodeToString(sum[:16])
	return filepath.Join(f.CacheDir, key+".json"), filepath.Join(f.CacheDir, key+".body")
}

func (f *Fetcher) readCache(rawURL string) (cacheMeta, []byte, bool) {
	if f.CacheDir == "" {
		return cacheMeta{}, nil, false
	}
	mp, bp := f.cachePaths(rawURL)
	var meta cacheMeta
	data, err := os.ReadFile(mp)
	if err != nil || json.Unmarshal(data, &meta) != nil || meta.URL != rawURL {
		return cacheMeta{}, nil, false
	}
	body, err := os.ReadFile(bp)
	if err != nil || int64(len(body)) > f.MaxSize {
		return cacheMeta{}, nil, false
	}
	return meta, body, true
}

// writeCache keeps a copy; a cache that cannot be written only costs a
// download next time, so its errors are not the load's.
func (f *Fetcher) writeCache(rawURL string, meta cacheMeta, body []byte) {
	if f.CacheDir == "" {
		return
	}
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		return
	}
	mp, bp := f.cachePaths(rawURL)
	data, _ := json.Marshal(meta)
	// Body first, then the validators: a crash between the two leaves old
	// validators, which the server answers with the whole document again.
	if writeAtomic(bp, body) == nil {
		writeAtomic(mp, data)
	}
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
