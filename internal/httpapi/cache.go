package httpapi

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Whole-graph answers (the page's graph, exports) take hundreds of
// milliseconds to build on a large catalogue and are the same for every
// request until the next load, so the snapshot keeps the ones asked for,
// already gzipped, in a cache with a byte budget.
//
// The budget covers the answers kept and the answers being built: a build
// first reserves as many bytes as the largest build so far held (learned as
// answers are built; at least 1/32 of the budget), evicting the least recently used answers to make
// room, and waits while the budget is taken by other builds. Requests for an
// answer already being built wait for that build rather than start another,
// so fifty clients asking for the same export cost one build. An answer
// larger than a quarter of the budget is served to the requests that asked
// for it and not kept. Builds are also limited in number (they are CPU
// bound), and a request that waits longer than buildQueueTimeout for its turn
// gets a 503 rather than holding its connection open.
const (
	// DefaultCacheBytes is the default budget: 256 MiB, room for every view
	// the page and the export menu can ask for on a few thousand episodes.
	DefaultCacheBytes = 256 << 20
	// minReservationShare: a build reserves at least this share of the
	// budget (1/32: 8 MiB of the default), before any answer has been built
	// and after, so the budget never admits more than 32 builds' worth.
	minReservationShare = 32
	// maxPlainBytes: above this only the gzipped form of an answer is kept.
	maxPlainBytes = 8 << 20
	// minGzipBytes: below this gzip saves nothing worth a header.
	minGzipBytes = 1024
	// buildPeakFactor: building an answer of N plain bytes holds about 3N
	// (the encoder's buffer, grown by doubling, and the copy it returns)
	// besides its gzipped form, so that is what a build reserves.
	buildPeakFactor = 3
	// buildQueueTimeout bounds how long a request waits for its turn to build.
	buildQueueTimeout = 30 * time.Second
)

// cachedResponse is one encoded answer, with its gzipped form when that
// pays. A large answer (a whole-graph export runs to 100 MB) is kept only
// gzipped, a tenth of the memory; the rare client that does not take gzip
// gets it decompressed on the way out.
type cachedResponse struct {
	contentType string
	disposition string // Content-Disposition, for downloads
	body        []byte // nil when only the gzipped form is kept
	gzipped     []byte
	err         error
	// heldFactor, when set, replaces buildPeakFactor for an answer whose
	// build holds more than its encoding (a window is analysed first).
	heldFactor int
}

// size is the memory the answer holds.
func (resp *cachedResponse) size() int64 { return int64(len(resp.body) + len(resp.gzipped)) }

// responseCache holds the encoded answers of the current load within a byte
// budget (see the constants above). Keys start with the load's ETag, so a new
// load never serves an older load's answer; begin drops the older ones.
type responseCache struct {
	limit     int64 // the budget in bytes
	maxBuilds int   // builds under way at once

	mu       sync.Mutex
	current  string                   // the key prefix of the current load
	entries  map[string]*list.Element // kept answers, values *keptAnswer
	lru      list.List                // front: most recently used
	flights  map[string]*flight       // answers being built
	kept     int64                    // bytes of kept answers
	reserved int64                    // bytes reserved by builds and by answers not kept but still being sent
	building int                      // builds under way
	estimate int64                    // what the next build reserves
	changed  chan struct{}            // closed (and replaced) whenever room is freed
}

type keptAnswer struct {
	key  string
	resp *cachedResponse
}

// flight is one answer being built, shared by every request that asks for it
// meanwhile. Its reservation is returned when the answer is kept, or when
// the last of its requests has sent it.
type flight struct {
	done     chan struct{}
	resp     *cachedResponse
	retry    bool  // the builder gave up waiting for room: ask again
	users    int   // requests that will send resp
	reserved int64 // bytes still reserved for resp
}

// errBusy is the answer to a request that waited too long for a build slot.
var errBusy = graph.Errorf(graph.EUNAVAILABLE, "the server is busy building other answers; try again shortly")

// newResponseCache returns a cache with a budget of limit bytes (the default
// when limit is 0 or less).
func newResponseCache(limit int64) *responseCache {
	if limit <= 0 {
		limit = DefaultCacheBytes
	}
	return &responseCache{
		limit:     limit,
		maxBuilds: min(max(runtime.GOMAXPROCS(0), 2), 4),
		entries:   map[string]*list.Element{},
		flights:   map[string]*flight{},
		estimate:  limit / minReservationShare,
		changed:   make(chan struct{}),
	}
}

// begin makes prefix the current load's key prefix and drops the kept
// answers of earlier loads. Builds for an earlier load still finish for the
// requests waiting on them, but are not kept.
func (c *responseCache) begin(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current = prefix
	for e := c.lru.Front(); e != nil; {
		next := e.Next()
		if k := e.Value.(*keptAnswer); !strings.HasPrefix(k.key, prefix) {
			c.drop(e)
		}
		e = next
	}
	c.estimate = c.limit / minReservationShare // the new graph may be smaller
	c.wake()
}

// get returns the answer under key, building it with build if no other
// request is. The returned release must be called once the answer is sent.
// Errors are returned but not kept, so a later request tries again.
func (c *responseCache) get(ctx context.Context, key string, build func() (*cachedResponse, error)) (*cachedResponse, func()) {
	for {
		c.mu.Lock()
		if e, ok := c.entries[key]; ok {
			c.lru.MoveToFront(e)
			c.mu.Unlock()
			return e.Value.(*keptAnswer).resp, func() {}
		}
		if f, ok := c.flights[key]; ok {
			f.users++
			c.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				c.leave(f)
				return &cachedResponse{err: ctx.Err()}, func() {}
			}
			if f.retry {
				c.leave(f)
				continue
			}
			return f.resp, func() { c.leave(f) }
		}
		f := &flight{done: make(chan struct{}), users: 1}
		c.flights[key] = f
		c.mu.Unlock()
		c.buildInto(ctx, key, f, build)
		return f.resp, func() { c.leave(f) }
	}
}

// buildInto waits for room, builds the answer of f and publishes it.
func (c *responseCache) buildInto(ctx context.Context, key string, f *flight, build func() (*cachedResponse, error)) {
	reservation, err := c.reserve(ctx)
	if err != nil {
		c.mu.Lock()
		delete(c.flights, key)
		f.retry = ctx.Err() != nil // others may still want it; the next asks again
		f.resp = &cachedResponse{err: err}
		c.mu.Unlock()
		close(f.done)
		return
	}
	resp, err := buildSafely(build)
	var peak int64 // what the build held at its height (see buildPeakFactor)
	if err == nil {
		if len(resp.body) >= minGzipBytes {
			resp.gzipped = gzipBytes(resp.body)
		}
		factor := int64(buildPeakFactor)
		if resp.heldFactor > 0 {
			factor = int64(resp.heldFactor)
		}
		peak = factor*int64(len(resp.body)) + int64(len(resp.gzipped))
		if len(resp.body) > maxPlainBytes {
			resp.body = nil
		}
	} else {
		resp = &cachedResponse{err: err}
	}
	size := resp.size()

	c.mu.Lock()
	delete(c.flights, key)
	c.building--
	c.reserved -= reservation
	if peak > c.estimate {
		c.estimate = peak
	}
	f.resp = resp
	switch {
	case resp.err == nil && strings.HasPrefix(key, c.current) && size <= c.limit/4:
		c.evictFor(size)
		c.entries[key] = c.lru.PushFront(&keptAnswer{key: key, resp: resp})
		c.kept += size
	case resp.err == nil:
		// Not kept, but held until its requests have sent it.
		f.reserved = size
		c.reserved += size
	}
	c.wake()
	c.mu.Unlock()
	close(f.done)
}

// buildSafely runs build, turning a panic into an error: the build slot and
// the requests waiting on it must be released whatever happens.
func buildSafely(build func() (*cachedResponse, error)) (resp *cachedResponse, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			resp, err = nil, fmt.Errorf("building an answer: panic: %v", rec)
		}
	}()
	resp, err = build()
	if err == nil && resp == nil {
		err = errors.New("building an answer: no answer and no error")
	}
	return resp, err
}

// reserve waits until a build may start, then reserves what the largest
// build so far held at its height, or the whole budget if that is less. One build may always run, so
// an answer larger than the budget is still served.
func (c *responseCache) reserve(ctx context.Context) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, buildQueueTimeout)
	defer cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		need := min(c.estimate, c.limit)
		if c.building == 0 || (c.building < c.maxBuilds && c.reserved+need <= c.limit) {
			c.evictFor(need)
			c.building++
			c.reserved += need
			return need, nil
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
			c.mu.Lock()
		case <-ctx.Done():
			c.mu.Lock()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return 0, errBusy
			}
			return 0, ctx.Err()
		}
	}
}

// leave records that one request is done with f's answer; the last one
// returns the bytes of an answer that was not kept.
func (c *responseCache) leave(f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.users--
	if f.users == 0 && f.reserved > 0 {
		c.reserved -= f.reserved
		f.reserved = 0
		c.wake()
	}
}

// evictFor drops least recently used answers until need more bytes fit in
// the budget beside the kept and reserved ones, or nothing is left to drop.
func (c *responseCache) evictFor(need int64) {
	for c.kept+c.reserved+need > c.limit {
		oldest := c.lru.Back()
		if oldest == nil {
			return
		}
		c.drop(oldest)
	}
}

func (c *responseCache) drop(e *list.Element) {
	k := c.lru.Remove(e).(*keptAnswer)
	delete(c.entries, k.key)
	c.kept -= k.resp.size()
}

// wake tells the builds waiting for room to look again. Callers hold c.mu.
func (c *responseCache) wake() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// setLimit changes the budget; answers already kept stay until evicted.
func (c *responseCache) setLimit(limit int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if limit <= 0 {
		limit = DefaultCacheBytes
	}
	c.limit = limit
	c.estimate = limit / minReservationShare
	c.evictFor(0)
	c.wake()
}

// usage reports the bytes kept and reserved, for tests and the load test.
func (c *responseCache) usage() (kept, reserved int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.kept, c.reserved
}

func gzipBytes(body []byte) []byte {
	var buf bytes.Buffer
	// BestSpeed: a cached body is compressed once, but the first request
	// waits for it, and level 1 is within a few percent of level 5 on JSON.
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return buf.Bytes()
}

// serveCached answers r with the answer cached under key (see responseCache),
// built by build when it is not: 304 when the client already holds this
// load's answer, else the answer, gzipped when the client takes gzip. key
// must name everything the answer depends on besides the loaded graph, from
// parameters already validated, never from the raw URL.
func serveCached(w http.ResponseWriter, r *http.Request, lg *loadedGraph, logger *slog.Logger, key string, build func() (*cachedResponse, error)) {
	if notModified(w, r, lg) {
		return
	}
	resp, release := lg.responses.get(r.Context(), lg.etag+" "+key, build)
	defer release()
	if resp.err != nil {
		if r.Context().Err() != nil {
			return // the client has gone; nobody to answer
		}
		writeError(w, r, logger, resp.err)
		return
	}
	resp.write(w, r, lg)
}

// write sends a cached answer, gzipped when the client accepts it. The
// compression middleware leaves a response alone once Content-Encoding is set.
func (resp *cachedResponse) write(w http.ResponseWriter, r *http.Request, lg *loadedGraph) {
	setValidators(w, lg)
	h := w.Header()
	h.Set("Content-Type", resp.contentType)
	if resp.disposition != "" {
		h.Set("Content-Disposition", resp.disposition)
	}
	h.Add("Vary", "Accept-Encoding")
	switch {
	case resp.gzipped != nil && acceptsGzip(r):
		h.Set("Content-Encoding", "gzip")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(resp.gzipped)
	case resp.body != nil:
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(resp.body)
	default:
		// Our own bytes, gzipped a moment ago: they cannot fail to decompress.
		zr, _ := gzip.NewReader(bytes.NewReader(resp.gzipped))
		w.WriteHeader(http.StatusOK)
		_, _ = io.Copy(w, zr) // the client has gone if this fails
	}
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
