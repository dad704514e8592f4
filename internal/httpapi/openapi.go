package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every /api endpoint in OpenAPI 3.0. It is written
// by hand next to docs/api.md; a test checks that it names every route.
//
//go:embed openapi.json
var openAPIDocument []byte

// handleOpenAPI serves the OpenAPI document.
func handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		writeJSONBytes(w, http.StatusOK, openAPIDocument)
	})
}
