package httpapi

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy lets the page load only its own scripts, styles and
// data: no inline scripts, no remote origins, no framing. Images may also be
// data: or blob: URLs, which is how a WebGL canvas is exported as a picture.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Option changes how NewServer's handler behaves.
type Option func(*serverOptions)

type serverOptions struct {
	hosts       hostPolicy
	writes      writePolicy
	loadCommand string
}

// WithLoadCommand names the graphload command that fills the explorer's
// store; /healthz passes it on so an empty store's page can say it.
func WithLoadCommand(command string) Option {
	return func(o *serverOptions) { o.loadCommand = command }
}

// AllowHosts sets the host names the server answers to, beside the loopback
// names it always answers to (see hostPolicy); "*" allows any name.
func AllowHosts(names ...string) Option {
	return func(o *serverOptions) { o.hosts = newHostPolicy(names) }
}

// NewServer returns the explorer's HTTP handler: the JSON API over snap and
// the page's files from static. A nil logger discards logs. Without options
// it answers only requests addressed to a loopback name (see AllowHosts).
func NewServer(snap *Snapshot, static fs.FS, logger *slog.Logger, opts ...Option) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	o := serverOptions{hosts: newHostPolicy(nil)}
	for _, opt := range opts {
		opt(&o)
	}
	r := chi.NewRouter()
	r.Use(recoverAsJSON(logger))
	r.Use(securityHeaders)
	r.Use(o.hosts.check)
	r.Use(rejectMalformedPaths)
	r.Use(middleware.GetHead)
	// gzip pays off on the megabytes of JSON a large catalogue gives. Level
	// 1 compresses JSON almost as well as 5 in a third of the time, and time
	// is what a request waits for. Whole-graph answers come pre-compressed
	// (cache.go) and pass through untouched.
	r.Use(middleware.Compress(1))
	addRoutes(r, snap, o, static, logger)
	return r
}

// securityHeaders sets the headers that keep the page and the API from being
// framed, sniffed or made to load from elsewhere.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// recoverAsJSON turns a panic in a handler into a logged 500 JSON error
// instead of a dropped connection.
func recoverAsJSON(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				rec := recover()
				if rec == nil {
					return
				}
				if rec == http.ErrAbortHandler {
					panic(rec) // the server's own signal to abort the response
				}
				writeError(w, r, logger, errors.New(fmt.Sprint("panic: ", rec)))
			}()
			next.ServeHTTP(w, r)
		})
	}
}
