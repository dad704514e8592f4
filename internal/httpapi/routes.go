package httpapi

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// addRoutes lists the whole HTTP surface of the explorer in one place.
// docs/api.md documents each endpoint.
func addRoutes(r chi.Router, snap *Snapshot, o serverOptions, static fs.FS, logger *slog.Logger) {
	r.Get("/healthz", handleHealth(snap, o.writes, o.loadCommand, logger).ServeHTTP)
	r.Route("/api", func(r chi.Router) {
		r.Get("/graph", handleGraph(snap, logger).ServeHTTP)
		r.Get("/search", handleSearch(snap, logger).ServeHTTP)
		r.Get("/concepts/{id}", handleConcept(snap, logger).ServeHTTP)
		r.Get("/concepts/{id}/timeline", handleTimeline(snap, logger).ServeHTTP)
		r.Get("/path", handlePath(snap, logger).ServeHTTP)
		r.Get("/paths", handlePaths(snap, logger).ServeHTTP)
		r.Get("/themes", handleThemes(snap, logger).ServeHTTP)
		r.Get("/recurring", handleRecurring(snap, logger).ServeHTTP)
		r.Get("/bridges", handleBridges(snap, logger).ServeHTTP)
		r.Get("/gaps", handleGaps(snap, logger).ServeHTTP)
		r.Get("/compare", handleCompare(snap, logger).ServeHTTP)
		r.Get("/window", handleWindow(snap, logger).ServeHTTP)
		r.Get("/changes", handleChanges(snap, logger).ServeHTTP)
		r.Get("/episodes", handleEpisodes(snap, logger).ServeHTTP)
		r.Get("/episodes/{id}", handleEpisode(snap, logger).ServeHTTP)
		r.Get("/episodes/{id}/source", handleEpisodeSource(snap, logger).ServeHTTP)
		r.Get("/export", handleExport(snap, logger).ServeHTTP)
		r.Handle("/cypher", handleCypher(snap.cypherConsole(), logger))
		r.Post("/lexicon", handleLexicon(snap, o.writes, logger).ServeHTTP)
		r.Get("/openapi.json", handleOpenAPI().ServeHTTP)
		r.NotFound(handleUnknownEndpoint(logger).ServeHTTP)
		r.MethodNotAllowed(handleMethodNotAllowed().ServeHTTP)
	})
	r.Get("/*", handleStatic(static).ServeHTTP)
	r.MethodNotAllowed(handleMethodNotAllowed().ServeHTTP)
}

// APIRoutes lists the path patterns of the GET endpoints under /api, as the
// router matches them, so tests can check the OpenAPI document covers them.
func APIRoutes() []string { return apiRoutes(http.MethodGet) }

// APIPostRoutes lists the path patterns of the POST endpoints under /api.
func APIPostRoutes() []string { return apiRoutes(http.MethodPost) }

func apiRoutes(method string) []string {
	r := chi.NewRouter()
	addRoutes(r, NewSnapshot(nil, nil), serverOptions{}, nil, nil)
	var out []string
	_ = chi.Walk(r, func(m, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if m == method && strings.HasPrefix(route, "/api/") {
			out = append(out, route)
		}
		return nil
	})
	return out
}
