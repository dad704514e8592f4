package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Whole-graph answers (the page's graph, exports) take hundreds of
// milliseconds to build on a large catalogue and are the same for every
// request until the next load, so each loaded graph keeps the ones asked for,
// already gzipped. The bounds keep a scan of many filter combinations from
// holding the process's memory: past them the cache starts over.
const (
	maxCachedResponses     = 64
	maxCachedResponseBytes = 512 << 20 // all kept bytes together
	maxPlainBytes          = 8 << 20   // above this only the gzipped form is kept
	minGzipBytes           = 1024      // below this gzip saves nothing worth a header
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
}

// responseCache holds the cached answers of one loaded graph. Each entry is
// built once even when requests for it arrive together.
type responseCache struct {
	mu      sync.Mutex
	entries map[string]*cacheEntry
	bytes   int
}

type cacheEntry struct {
	once sync.Once
	resp *cachedResponse
}

// get returns the answer cached under key, building it with build on first
// use. Errors are returned but not kept, so a later request tries again.
func (c *responseCache) get(key string, build func() (*cachedResponse, error)) *cachedResponse {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cacheEntry{}
	}
	entry, ok := c.entries[key]
	if !ok {
		if len(c.entries) >= maxCachedResponses || c.bytes >= maxCachedResponseBytes {
			c.entries, c.bytes = map[string]*cacheEntry{}, 0
		}
		entry = &cacheEntry{}
		c.entries[key] = entry
	}
	c.mu.Unlock()
	entry.once.Do(func() {
		resp, err := build()
		if err != nil {
			entry.resp = &cachedResponse{err: err}
			return
		}
		if len(resp.body) >= minGzipBytes {
			resp.gzipped = gzipBytes(resp.body)
		}
		if len(resp.body) > maxPlainBytes {
			resp.body = nil
		}
		entry.resp = resp
	})
	resp := entry.resp
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case resp.err != nil:
		if c.entries[key] == entry {
			delete(c.entries, key)
		}
	case !ok:
		c.bytes += len(resp.body) + len(resp.gzipped)
	}
	return resp
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

// cacheKey names an answer by its path and its query parameters in a fixed
// order, so parameter order and spelling of the same query share one entry.
func cacheKey(r *http.Request) string {
	return r.URL.Path + "?" + r.URL.Query().Encode()
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
