package httpapi_test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
)

// compactGraph mirrors the JSON of /api/graph?compact=1.
type compactGraph struct {
	Graph struct {
		Episodes, Concepts, Relations, Links, Shown int
	} `json:"graph"`
	IDs         []string    `json:"ids"`
	Labels      []string    `json:"labels"`
	Kinds       []string    `json:"kinds"`
	Communities []int       `json:"communities"`
	PageRank    []float64   `json:"pagerank"`
	Degree      []int       `json:"degree"`
	EpisodeN    []int       `json:"episode_count"`
	X           []float64   `json:"x"`
	Y           []float64   `json:"y"`
	Links       compactLink `json:"links"`
	Episodes    []struct {
		ID     string   `json:"id"`
		Guests []string `json:"guests"`
	} `json:"episodes"`
	Members [][]int `json:"members"`
}

type compactLink struct {
	Source, Target []int
	Weight         []float64
	Type           []int
	Types          []string
}

// pairs lists the links as "a-b" with a < b.
func (cg compactGraph) pairs() []string {
	var out []string
	for k := range cg.Links.Source {
		a, b := cg.IDs[cg.Links.Source[k]], cg.IDs[cg.Links.Target[k]]
		if a > b {
			a, b = b, a
		}
		out = append(out, a+"-"+b)
	}
	slices.Sort(out)
	return out
}

// weightedGraph has one episode where a links to b (weight 3), c (2) and d
// (0.5), and b links to c (1): with one link per concept, b–c is the one
// no concept counts among its strongest.
func weightedGraph() *graph.Graph {
	l := func(a, b string, w float64) graph.Link {
		return graph.Link{Source: a, Target: b, Type: graph.RelCooccurs, Strength: w, Line: 1, Text: a + " " + b}
	}
	var mentions []graph.Mention
	for _, id := range []string{"a", "b", "c", "d"} {
		mentions = append(mentions, graph.Mention{Concept: id, Label: id, Kind: graph.KindConcept, Line: 1, Text: "x", Weight: 1})
	}
	return graph.Build([]graph.EpisodeFacts{{
		Episode:  graph.Episode{ID: "ep", Title: "Ep", Guests: []string{"Grace"}},
		Mentions: mentions,
		Links:    []graph.Link{l("a", "b", 3), l("a", "c", 2), l("a", "d", 0.5), l("b", "c", 1)},
	}})
}

func TestCompactGraphKeepsEachConceptsStrongestLinks(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(weightedGraph()))
	var one, all compactGraph
	get(t, srv, "/api/graph?compact=1&links=1", http.StatusOK, &one)
	if got, want := one.pairs(), []string{"a-b", "a-c", "a-d"}; !slices.Equal(got, want) {
		t.Errorf("links=1 keeps %v, want %v", got, want)
	}
	if one.Graph.Links != 4 || one.Graph.Shown != 3 || one.Graph.Concepts != 4 {
		t.Errorf("counts %+v, want 4 concepts, 4 links of which 3 shown", one.Graph)
	}
	get(t, srv, "/api/graph?compact=1&links=10", http.StatusOK, &all)
	if got := all.pairs(); len(got) != 4 {
		t.Errorf("links=10 keeps %v, want all four", got)
	}
	for k, s := range one.Links.Source {
		if one.IDs[s] == "a" && one.IDs[one.Links.Target[k]] == "b" {
			if one.Links.Weight[k] != 3 || one.Links.Types[one.Links.Type[k]] != graph.RelCooccurs {
				t.Errorf("a–b has weight %v and type %q, want 3 and cooccurs", one.Links.Weight[k], one.Links.Types[one.Links.Type[k]])
			}
		}
	}
}

func TestCompactGraphHasEveryConceptWithAPosition(t *testing.T) {
	g := testGraph()
	srv := newTestServer(t, httpapi.NewStaticSnapshot(g))
	var cg compactGraph
	get(t, srv, "/api/graph?compact=1", http.StatusOK, &cg)
	if len(cg.IDs) != len(g.Concepts) || len(cg.X) != len(cg.IDs) || len(cg.Y) != len(cg.IDs) || len(cg.Labels) != len(cg.IDs) {
		t.Fatalf("%d ids, %d x, %d y, %d labels; want %d of each", len(cg.IDs), len(cg.X), len(cg.Y), len(cg.Labels), len(g.Concepts))
	}
	seen := map[[2]float64]string{}
	for i, id := range cg.IDs {
		p := [2]float64{cg.X[i], cg.Y[i]}
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			t.Errorf("%s has no position", id)
		}
		if other, ok := seen[p]; ok {
			t.Errorf("%s and %s share position %v", id, other, p)
		}
		seen[p] = id
		if id == "ai" && (cg.PageRank[i] != 0.5 || cg.EpisodeN[i] != 2 || cg.Labels[i] != "AI") {
			t.Errorf("ai: pagerank %v, %d episodes, label %q; want 0.5, 2, AI", cg.PageRank[i], cg.EpisodeN[i], cg.Labels[i])
		}
	}
	if cg.Members != nil || cg.Episodes != nil {
		t.Errorf("memberships sent without members=1")
	}
	// A filtered part keeps each concept where the whole map has it.
	var part compactGraph
	get(t, srv, "/api/graph?compact=1&kind=organization", http.StatusOK, &part)
	if len(part.IDs) != 1 || part.IDs[0] != "hit-record" {
		t.Fatalf("kind=organization gives %v, want [hit-record]", part.IDs)
	}
	at := slices.Index(cg.IDs, "hit-record")
	if part.X[0] != cg.X[at] || part.Y[0] != cg.Y[at] {
		t.Errorf("hit-record at (%v, %v) in the part, (%v, %v) in the whole", part.X[0], part.Y[0], cg.X[at], cg.Y[at])
	}
}

func TestCompactGraphMembers(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var cg compactGraph
	get(t, srv, "/api/graph?compact=1&members=1", http.StatusOK, &cg)
	if len(cg.Members) != len(cg.IDs) || len(cg.Episodes) != 2 {
		t.Fatalf("%d member lists for %d concepts, %d episodes", len(cg.Members), len(cg.IDs), len(cg.Episodes))
	}
	ai := slices.Index(cg.IDs, "ai")
	var eps []string
	for _, j := range cg.Members[ai] {
		eps = append(eps, cg.Episodes[j].ID)
	}
	slices.Sort(eps)
	if !slices.Equal(eps, []string{"ep-1", "ep-2"}) {
		t.Errorf("ai is in %v, want ep-1 and ep-2", eps)
	}
	for _, e := range cg.Episodes {
		if e.ID == "ep-2" && !slices.Equal(e.Guests, []string{"Ada"}) {
			t.Errorf("ep-2 guests %v, want Ada", e.Guests)
		}
	}
}

func TestCompactGraphRejectsBadParameters(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, path := range []string{
		"/api/graph?compact=maybe",
		"/api/graph?compact=1&links=-1",
		"/api/graph?compact=1&links=many",
		"/api/graph?compact=1&links=1001",
		"/api/graph?compact=1&members=yes%20please",
		"/api/graph?links=3",
		"/api/graph?members=1",
		"/api/graph?compact=1&top=0",
	} {
		wantError(t, srv, path, http.StatusBadRequest, graph.EINVALID)
	}
}

// catalogue is n concepts in one episode, each linked to the next: a graph
// whose answers are large enough to be kept gzipped.
func catalogue(n int) *graph.Graph {
	facts := graph.EpisodeFacts{Episode: graph.Episode{ID: "ep", Title: "Ep"}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("concept-%03d", i)
		facts.Mentions = append(facts.Mentions, graph.Mention{Concept: id, Label: id, Kind: graph.KindConcept, Line: i + 1, Text: "line about " + id, Weight: 1})
		if i > 0 {
			facts.Links = append(facts.Links, graph.Link{Source: fmt.Sprintf("concept-%03d", i-1), Target: id, Type: graph.RelCooccurs, Strength: 1, Line: i + 1, Text: "line"})
		}
	}
	return graph.Build([]graph.EpisodeFacts{facts})
}

func TestCachedAnswersAreTheSamePlainOrGzipped(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(catalogue(200)))
	fetch := func(path string, gzipped bool) ([]byte, *http.Response) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		// Go's client unzips transparently only when it asked for gzip
		// itself; asking explicitly shows the raw encoding.
		if gzipped {
			req.Header.Set("Accept-Encoding", "gzip")
		} else {
			req.Header.Set("Accept-Encoding", "identity")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		}
		body, err := io.ReadAll(r)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return body, resp
	}
	for _, path := range []string{"/api/graph?compact=1", "/api/graph", "/api/export?format=gexf", "/api/export?format=csv&part=links"} {
		plain, plainResp := fetch(path, false)
		zipped, zippedResp := fetch(path, true)
		again, _ := fetch(path, true)
		if plainResp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Encoding %q without Accept-Encoding gzip", path, plainResp.Header.Get("Content-Encoding"))
		}
		if zippedResp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want gzip", path, zippedResp.Header.Get("Content-Encoding"))
		}
		if string(plain) != string(zipped) || string(zipped) != string(again) {
			t.Errorf("%s: plain, gzipped and repeated bodies differ (%d, %d, %d bytes)", path, len(plain), len(zipped), len(again))
		}
		if plainResp.Header.Get("Content-Type") != zippedResp.Header.Get("Content-Type") || plainResp.Header.Get("Content-Disposition") != zippedResp.Header.Get("Content-Disposition") {
			t.Errorf("%s: headers differ between plain and gzipped answers", path)
		}
	}
	// A compact answer decodes to the whole catalogue.
	body, _ := fetch("/api/graph?compact=1&links=2", true)
	var cg compactGraph
	if err := json.Unmarshal(body, &cg); err != nil || len(cg.IDs) != 200 || len(cg.Links.Source) != 199 {
		t.Errorf("compact catalogue: %v, %d concepts, %d links; want 200 and 199", err, len(cg.IDs), len(cg.Links.Source))
	}
}
