// Package e2e holds the explorer's end-to-end tests: a real store loaded from
// examples/notes, the real HTTP server, and the page driven in headless
// Chromium through the Chrome DevTools Protocol (chromedp). It has no non-test
// code; run it with `go test ./e2e/` (Chromium must be on PATH).
package e2e
