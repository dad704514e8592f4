package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/httpapi"
)

// download fetches path and returns its body and response.
func download(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestExportFormats(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, tc := range []struct {
		query, contentType, file string
	}{
		{"format=gexf", "application/gexf+xml", "topicgraph.gexf"},
		{"format=graphml", "application/graphml+xml", "topicgraph.graphml"},
		{"format=csv", "application/zip", "topicgraph-csv.zip"},
		{"format=csv&part=nodes", "text/csv; charset=utf-8", "topicgraph-nodes.csv"},
		{"format=csv&part=links", "text/csv; charset=utf-8", "topicgraph-links.csv"},
		{"format=node-link", "application/json", "topicgraph.json"},
	} {
		resp, body := download(t, srv.URL+"/api/export?"+tc.query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export %s: %d %s", tc.query, resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != tc.contentType {
			t.Errorf("export %s: Content-Type %q, want %q", tc.query, ct, tc.contentType)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+tc.file+`"` {
			t.Errorf("export %s: Content-Disposition %q", tc.query, cd)
		}
		if len(body) == 0 {
			t.Errorf("export %s: empty body", tc.query)
		}
	}
}

func TestExportWhatIsOnScreen(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	nodeIDs := func(query string) []string {
		t.Helper()
		resp, body := download(t, srv.URL+"/api/export?format=csv&part=nodes&"+query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export %s: %d %s", query, resp.StatusCode, body)
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, row := range rows[1:] {
			ids = append(ids, row[0])
		}
		return ids
	}
	for query, want := range map[string]string{
		"":                    "ai hit-record residuals strike",
		"episode=ep-2":        "ai residuals",
		"from=2024-01-15":     "ai residuals",
		"to=2024-01":          "ai hit-record strike",
		"kind=organization":   "hit-record",
		"kind=concept,person": "ai residuals strike",
	} {
		if got := strings.Join(nodeIDs(query), " "); got != want {
			t.Errorf("export nodes with %q = %q, want %q", query, got, want)
		}
	}
	// A weight filter drops links, not concepts.
	resp, body := download(t, srv.URL+"/api/export?format=graphml&min_weight=1.5")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("graphml: %d", resp.StatusCode)
	}
	var doc struct {
		Nodes []struct{} `xml:"graph>node"`
		Edges []struct {
			Source string `xml:"source,attr"`
		} `xml:"graph>edge"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Nodes) != 4 || len(doc.Edges) != 1 {
		t.Errorf("min_weight=1.5 exports %d nodes and %d edges, want 4 and 1", len(doc.Nodes), len(doc.Edges))
	}
	// The hostile evidence line is not exported, but the zip must still open.
	resp, body = download(t, srv.URL+"/api/export?format=csv&theme=0")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("csv zip: %d", resp.StatusCode)
	}
	if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err != nil {
		t.Errorf("csv zip: %v", err)
	}
}

func TestExportBadRequests(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	for _, path := range []string{
		"/api/export",
		"/api/export?format=pdf",
		"/api/export?format=gexf&part=nodes",
		"/api/export?format=csv&part=edges",
		"/api/export?format=gexf&from=yesterday",
		"/api/export?format=gexf&from=2024-05&to=2024-01",
		"/api/export?format=gexf&kind=robot",
		"/api/export?format=gexf&theme=-1",
		"/api/export?format=gexf&min_weight=heavy",
		"/api/export?format=gexf&min_weight=-1",
	} {
		wantError(t, srv, path, http.StatusBadRequest, graph.EINVALID)
	}
	wantError(t, srv, "/api/export?format=gexf&episode=nope", http.StatusNotFound, graph.ENOTFOUND)
	before := newTestServer(t, httpapi.NewSnapshot(nil, nil))
	wantError(t, before, "/api/export?format=gexf", http.StatusServiceUnavailable, graph.EUNAVAILABLE)
}

func TestGraphWithFiltersAndWithoutEvidence(t *testing.T) {
	srv := newTestServer(t, httpapi.NewStaticSnapshot(testGraph()))
	var nl struct {
		Nodes []struct {
			ID       string          `json:"id"`
			Kind     string          `json:"kind"`
			Evidence json.RawMessage `json:"evidence"`
		} `json:"nodes"`
		Links []struct {
			Evidence json.RawMessage `json:"evidence"`
		} `json:"links"`
	}
	get(t, srv, "/api/graph?top=1&evidence=false", http.StatusOK, &nl)
	var concepts []string
	for _, n := range nl.Nodes {
		if n.Kind != "episode" {
			concepts = append(concepts, n.ID)
			if string(n.Evidence) != "[]" {
				t.Errorf("evidence=false still sends %s for %s", n.Evidence, n.ID)
			}
		}
	}
	if strings.Join(concepts, " ") != "ai" || len(nl.Links) != 0 {
		t.Errorf("top=1 gives concepts %v and %d links, want only ai", concepts, len(nl.Links))
	}
	nl.Nodes, nl.Links = nil, nil
	get(t, srv, "/api/graph?episode=ep-1", http.StatusOK, &nl)
	if len(nl.Links) != 1 || string(nl.Links[0].Evidence) == "[]" {
		t.Errorf("episode=ep-1 gives links %+v, want ai-strike with its evidence", nl.Links)
	}
	wantError(t, srv, "/api/graph?top=0", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/graph?evidence=maybe", http.StatusBadRequest, graph.EINVALID)
	wantError(t, srv, "/api/graph?episode=ep-9", http.StatusNotFound, graph.ENOTFOUND)
}
