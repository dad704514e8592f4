package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
)

// analysedGraph is the test graph with real analytics, so themes and bridges
// have communities to work with.
func analysedGraph() *graph.Graph {
	g := graph.Build(testFacts())
	graph.Analyze(g)
	return g
}

func TestAnalysisEndpoints(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(analysedGraph()))

	var themes graph.ThemesResult
	get(t, srv, "/api/themes", http.StatusOK, &themes)
	size := 0
	for _, th := range themes.Themes {
		size += th.Size
	}
	if size != 3 {
		t.Errorf("themes cover %d concepts, want the 3 linked ones (a loner is no theme): %+v", size, themes)
	}

	var recurring struct{ Concepts []graph.RecurringConcept }
	get(t, srv, "/api/recurring?limit=1", http.StatusOK, &recurring)
	if len(recurring.Concepts) != 1 || recurring.Concepts[0].ID != "ai" || recurring.Concepts[0].Episodes != 2 {
		t.Errorf("recurring = %+v, want ai in 2 episodes", recurring.Concepts)
	}
	if c := recurring.Concepts[0]; c.FirstEpisode != "ep-1" || c.LastEpisode != "ep-2" {
		t.Errorf("ai first/last = %s/%s, want ep-1/ep-2 by date", c.FirstEpisode, c.LastEpisode)
	}

	var bridges struct{ Bridges []graph.Bridge }
	get(t, srv, "/api/bridges", http.StatusOK, &bridges)
	if bridges.Bridges == nil {
		t.Error("bridges is null, want a list")
	}
	var gaps struct{ Gaps []graph.Gap }
	get(t, srv, "/api/gaps?limit=5", http.StatusOK, &gaps)
	if gaps.Gaps == nil {
		t.Error("gaps is null, want a list")
	}

	var timeline graph.ConceptTimeline
	get(t, srv, "/api/concepts/ai/timeline", http.StatusOK, &timeline)
	if len(timeline.Episodes) != 2 || timeline.First != "ep-1" || timeline.Last != "ep-2" || timeline.Episodes[0].Mentions != 1 || timeline.Episodes[1].Mentions != 2 {
		t.Errorf("ai timeline = %+v, want ep-1 (1 line) then ep-2 (2 lines)", timeline)
	}

	var paths struct {
		K     int
		Paths []graph.KPathResult
	}
	get(t, srv, "/api/paths?from=residuals&to=strike&k=3", http.StatusOK, &paths)
	if paths.K != 3 || len(paths.Paths) != 1 || paths.Paths[0].Length != 2 || len(paths.Paths[0].ByEpisode) != 2 {
		t.Errorf("paths residuals→strike = %+v, want the one 2-hop path with evidence from both episodes", paths)
	}
	get(t, srv, "/api/paths?from=hit-record&to=ai", http.StatusOK, &paths)
	if len(paths.Paths) != 0 {
		t.Errorf("paths to an isolated concept = %+v, want none", paths.Paths)
	}

	var episode struct {
		Episode graph.EpisodeSummary
		Similar []graph.EpisodeSimilarity
		Graph   *struct {
			Nodes []map[string]any
			Links []map[string]any
		}
	}
	get(t, srv, "/api/episodes/ep-2", http.StatusOK, &episode)
	if episode.Episode.ID != "ep-2" || episode.Graph != nil || episode.Similar == nil {
		t.Errorf("episode without graph=1 = %+v", episode)
	}
	get(t, srv, "/api/episodes/ep-2?graph=1", http.StatusOK, &episode)
	if episode.Graph == nil || len(episode.Graph.Links) != 1 || len(episode.Graph.Nodes) != 3 {
		t.Errorf("episode graph = %+v, want ep-2's episode node, 2 concepts and 1 link", episode.Graph)
	}

	var cmp graph.Comparison
	get(t, srv, "/api/compare?a=ep-1&b=ep-2", http.StatusOK, &cmp)
	if len(cmp.Shared) != 1 || cmp.Shared[0].ID != "ai" || len(cmp.OnlyA) != 2 || len(cmp.OnlyB) != 1 {
		t.Errorf("compare = %+v, want ai shared, 2 only in ep-1, 1 only in ep-2", cmp)
	}

	var window struct {
		Nodes []map[string]any
		Links []map[string]any
	}
	get(t, srv, "/api/window?from=2024-02", http.StatusOK, &window)
	if len(window.Nodes) != 3 || len(window.Links) != 1 {
		t.Errorf("window from 2024-02 has %d nodes, %d links; want ep-2, ai, residuals and their link", len(window.Nodes), len(window.Links))
	}

	var changes graph.ChangeResult
	get(t, srv, "/api/changes?a_to=2024-01&b_from=2024-02", http.StatusOK, &changes)
	if changes.A.Episodes != 1 || changes.B.Episodes != 1 || len(changes.Rose) == 0 {
		t.Errorf("changes = %+v, want one episode per window and something rising", changes)
	}
}

func TestAnalysisErrors(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(analysedGraph()))
	for _, path := range []string{
		"/api/recurring?limit=0",
		"/api/bridges?limit=x",
		"/api/gaps?limit=-2",
		"/api/paths?to=ai",
		"/api/paths?from=ai&to=strike&k=0",
		"/api/paths?from=ai&to=strike&k=99",
		"/api/episodes/ep-1?graph=perhaps",
		"/api/episodes/ep-1?similar=0",
		"/api/compare?a=ep-1",
		"/api/window",
		"/api/window?from=last-week",
		"/api/window?from=2024&top=0",
		"/api/changes?a_from=2024",
		"/api/changes?a_from=2024&b_to=soon",
	} {
		wantError(t, srv, path, http.StatusBadRequest, graph.EINVALID)
	}
	for _, path := range []string{
		"/api/concepts/nope/timeline",
		"/api/paths?from=ai&to=nope",
		"/api/episodes/nope",
		"/api/compare?a=ep-1&b=nope",
		"/api/window?from_episode=nope",
	} {
		wantError(t, srv, path, http.StatusNotFound, graph.ENOTFOUND)
	}
	before := newTestServer(t, httpapi.NewSnapshot(nil, nil))
	for _, path := range []string{"/api/themes", "/api/gaps", "/api/bridges", "/api/recurring", "/api/compare?a=x&b=y", "/api/paths?from=a&to=b", "/api/window?from=2024", "/api/changes?a_from=1&b_from=2"} {
		wantError(t, before, path, http.StatusServiceUnavailable, graph.EUNAVAILABLE)
	}
}

// TestOpenAPIDescribesEveryRoute checks the served OpenAPI document against
// the router: every /api route has a path entry, and nothing else does.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(analysedGraph()))
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	get(t, srv, "/api/openapi.json", http.StatusOK, &doc)
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	routes := httpapi.APIRoutes()
	if len(routes) < 15 {
		t.Fatalf("APIRoutes = %v, want every endpoint", routes)
	}
	for _, route := range routes {
		if _, ok := doc.Paths[route]["get"]; !ok {
			t.Errorf("OpenAPI document lacks GET %s", route)
		}
	}
	posts := httpapi.APIPostRoutes()
	for _, route := range posts {
		if _, ok := doc.Paths[route]["post"]; !ok {
			t.Errorf("OpenAPI document lacks POST %s", route)
		}
	}
	for path := range doc.Paths {
		if !slices.Contains(routes, path) && !slices.Contains(posts, path) {
			t.Errorf("OpenAPI document describes %s, which is not routed", path)
		}
	}
}

func TestConceptTrimmed(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(analysedGraph()))
	var c struct {
		Neighbours     []graph.Neighbour
		Evidence       []graph.EpisodeEvidence
		NeighbourCount int `json:"neighbour_count"`
		EvidenceCount  int `json:"evidence_count"`
	}
	get(t, srv, "/api/concepts/ai?neighbours=1&evidence=1", http.StatusOK, &c)
	if len(c.Neighbours) != 1 || len(c.Evidence) != 1 || c.NeighbourCount != 2 || c.EvidenceCount != 3 {
		t.Errorf("trimmed ai = %d neighbours of %d, %d lines of %d; want 1 of 2, 1 of 3", len(c.Neighbours), c.NeighbourCount, len(c.Evidence), c.EvidenceCount)
	}
	get(t, srv, "/api/concepts/ai?neighbour=strike", http.StatusOK, &c)
	if len(c.Neighbours) != 1 || c.Neighbours[0].ID != "strike" || len(c.Neighbours[0].Evidence) != 1 {
		t.Errorf("ai?neighbour=strike = %+v", c.Neighbours)
	}
	wantError(t, srv, "/api/concepts/ai?neighbours=-1", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/concepts/ai?neighbour=hit-record", http.StatusNotFound, graph.ENOTFOUND)
}

// TestConceptDefaultBounds builds a hub bigger than the default bounds: 600
// neighbours, 1,100 lines of its own, and 25 lines linking it to topic-000.
func TestConceptDefaultBounds(t *testing.T) {
	facts := graph.EpisodeFacts{Episode: graph.Episode{ID: "e", Title: "E"}}
	for line := 1; line <= 1100; line++ {
		facts.Mentions = append(facts.Mentions, graph.Mention{Concept: "hub", Label: "Hub", Kind: graph.KindConcept, Line: line, Text: fmt.Sprintf("hub line %d", line), Weight: 1})
	}
	for i := range 600 {
		topic := fmt.Sprintf("topic-%03d", i)
		facts.Mentions = append(facts.Mentions, graph.Mention{Concept: topic, Label: topic, Kind: graph.KindConcept, Line: i + 1, Text: fmt.Sprintf("hub line %d", i+1), Weight: 1})
		lines := 1
		if i == 0 {
			lines = 25
		}
		for k := range lines {
			facts.Links = append(facts.Links, graph.Link{Source: "hub", Target: topic, Type: graph.RelCooccurs, Strength: 1, Line: 1000 + k, Text: "both"})
		}
	}
	srv := newTestServer(t, httpapi.NewStaticSnapshot(graph.Build([]graph.EpisodeFacts{facts})))
	type detail struct {
		Concept        graph.Concept
		Neighbours     []graph.Neighbour
		Evidence       []graph.EpisodeEvidence
		NeighbourCount int `json:"neighbour_count"`
		EvidenceCount  int `json:"evidence_count"`
	}
	check := func(path string, neighbours, firstLines, evidence int) {
		t.Helper()
		var d detail
		get(t, srv, path, http.StatusOK, &d)
		if len(d.Neighbours) != neighbours || len(d.Evidence) != evidence || len(d.Concept.Evidence) != evidence {
			t.Errorf("%s: %d neighbours, %d lines (concept.evidence %d); want %d and %d", path, len(d.Neighbours), len(d.Evidence), len(d.Concept.Evidence), neighbours, evidence)
		}
		if len(d.Neighbours) > 0 && (d.Neighbours[0].ID != "topic-000" || len(d.Neighbours[0].Evidence) != firstLines) {
			t.Errorf("%s: strongest neighbour %s with %d lines, want topic-000 with %d", path, d.Neighbours[0].ID, len(d.Neighbours[0].Evidence), firstLines)
		}
		if d.NeighbourCount != 600 || d.EvidenceCount != 1100 {
			t.Errorf("%s: totals %d neighbours, %d lines; want 600 and 1100", path, d.NeighbourCount, d.EvidenceCount)
		}
	}
	check("/api/concepts/hub", 500, 20, 1000)
	check("/api/concepts/hub?neighbours=all&neighbour_evidence=all&evidence=all", 600, 25, 1100)
	check("/api/concepts/hub?neighbour=topic-000", 1, 25, 1000)
	check("/api/concepts/hub?neighbour=topic-000&evidence=0", 1, 0, 0)
	check("/api/concepts/hub?neighbour=topic-000&evidence=0&neighbour_evidence=all", 1, 25, 0)
	check("/api/concepts/hub?neighbours=3&evidence=2", 3, 2, 2)
	check("/api/concepts/hub?neighbours=3&neighbour_evidence=0", 3, 0, 1000)
	for _, bad := range []string{"neighbours=al", "evidence=-2", "neighbour_evidence=1.5"} {
		wantError(t, srv, "/api/concepts/hub?"+bad, http.StatusBadRequest, graph.EINVALID)
	}
}
