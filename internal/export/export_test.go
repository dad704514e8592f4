package export_test

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/export"
	"github.com/topicgraph/topicgraph/internal/graph"
)

// hostile is text no export may turn into markup, a formula or a broken file:
// XML metacharacters, quotes, a CSV delimiter and line break, and a NUL that
// XML 1.0 cannot carry at all.
const hostile = "<b>\"AT&T\"</b>, 'x'\nline\x00end"

// testGraph is three episodes, four concepts, three relations, with a label
// that is hostile and one that starts like a spreadsheet formula.
func testGraph() *graph.Graph {
	mention := func(id, label string, kind graph.Kind, line int) graph.Mention {
		return graph.Mention{Concept: id, Label: label, Kind: kind, Line: line, Text: label, Weight: 1}
	}
	link := func(a, b string, w float64, line int) graph.Link {
		return graph.Link{Source: a, Target: b, Type: graph.RelCooccurs, Strength: w, Line: line, Text: hostile}
	}
	g := graph.Build([]graph.EpisodeFacts{
		{
			Episode:  graph.Episode{ID: "ep-1", Title: "One", Date: "2024-01-05"},
			Mentions: []graph.Mention{mention("ai", hostile, graph.KindConcept, 1), mention("strike", "Strike", graph.KindConcept, 1), mention("guild", "=SUM(A1)", graph.KindOrganization, 2)},
			Links:    []graph.Link{link("ai", "strike", 2, 1), link("guild", "strike", 0.5, 2)},
		},
		{
			Episode:  graph.Episode{ID: "ep-2", Title: "Two", Date: "2024-03"},
			Mentions: []graph.Mention{mention("ai", hostile, graph.KindConcept, 1), mention("ada", "Ada", graph.KindPerson, 1)},
			Links:    []graph.Link{link("ada", "ai", 1, 1)},
		},
		{Episode: graph.Episode{ID: "ep-3", Title: "Three"}},
	})
	graph.Analyze(g)
	return g
}

func write(t *testing.T, g *graph.Graph, f export.Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := export.Write(&buf, g, f); err != nil {
		t.Fatalf("Write %s: %v", f, err)
	}
	return buf.Bytes()
}

// wantConcept is what every format must say about a concept.
func conceptByID(g *graph.Graph) map[string]graph.Concept {
	out := map[string]graph.Concept{}
	for _, c := range g.Concepts {
		out[c.ID] = c
	}
	return out
}

// xmlSafe is what a string becomes in XML: NUL and other characters XML 1.0
// cannot hold turn into U+FFFD.
func xmlSafe(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

func TestGEXFReadsBack(t *testing.T) {
	g := testGraph()
	data := write(t, g, export.GEXF)
	var doc struct {
		XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
		Version string   `xml:"version,attr"`
		Graph   struct {
			DefaultEdgeType string `xml:"defaultedgetype,attr"`
			Attributes      []struct {
				Class     string `xml:"class,attr"`
				Attribute []struct {
					ID   string `xml:"id,attr"`
					Type string `xml:"type,attr"`
				} `xml:"attribute"`
			} `xml:"attributes"`
			Nodes []struct {
				ID     string `xml:"id,attr"`
				Label  string `xml:"label,attr"`
				Values []struct {
					For   string `xml:"for,attr"`
					Value string `xml:"value,attr"`
				} `xml:"attvalues>attvalue"`
			} `xml:"nodes>node"`
			Edges []struct {
				Source string  `xml:"source,attr"`
				Target string  `xml:"target,attr"`
				Weight float64 `xml:"weight,attr"`
				Label  string  `xml:"label,attr"`
			} `xml:"edges>edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("GEXF is not well-formed: %v\n%s", err, data)
	}
	if doc.Version != "1.3" || doc.Graph.DefaultEdgeType != "undirected" {
		t.Errorf("version %q, defaultedgetype %q", doc.Version, doc.Graph.DefaultEdgeType)
	}
	if len(doc.Graph.Nodes) != len(g.Concepts) || len(doc.Graph.Edges) != len(g.Relations) {
		t.Fatalf("GEXF has %d nodes, %d edges; want %d, %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), len(g.Concepts), len(g.Relations))
	}
	declared := map[string]string{}
	for _, attrs := range doc.Graph.Attributes {
		for _, a := range attrs.Attribute {
			declared[attrs.Class+"."+a.ID] = a.Type
		}
	}
	for _, want := range []string{"node.kind", "node.pagerank", "node.betweenness", "node.degree", "node.community", "node.episodes", "edge.type", "edge.episodes"} {
		if declared[want] == "" {
			t.Errorf("GEXF declares no attribute %s (declared: %v)", want, declared)
		}
	}
	concepts := conceptByID(g)
	for _, n := range doc.Graph.Nodes {
		c := concepts[n.ID]
		if n.Label != xmlSafe(c.Label) {
			t.Errorf("node %s label %q, want %q", n.ID, n.Label, xmlSafe(c.Label))
		}
		values := map[string]string{}
		for _, v := range n.Values {
			values[v.For] = v.Value
		}
		if pr, err := strconv.ParseFloat(values["pagerank"], 64); err != nil || pr != c.PageRank {
			t.Errorf("node %s pagerank %q, want exactly %v", n.ID, values["pagerank"], c.PageRank)
		}
		if values["kind"] != string(c.Kind) || values["episodes"] != strconv.Itoa(len(c.Episodes)) || values["community"] != strconv.Itoa(c.Community) {
			t.Errorf("node %s attributes %v, want kind %s, %d episodes, community %d", n.ID, values, c.Kind, len(c.Episodes), c.Community)
		}
	}
	for i, e := range doc.Graph.Edges {
		r := g.Relations[i]
		if e.Source != r.Source || e.Target != r.Target || e.Weight != r.Weight || e.Label != r.Type {
			t.Errorf("edge %d = %+v, want %s-%s weight %v type %s", i, e, r.Source, r.Target, r.Weight, r.Type)
		}
	}
}

func TestGraphMLReadsBack(t *testing.T) {
	g := testGraph()
	data := write(t, g, export.GraphML)
	type data_ struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	}
	var doc struct {
		Keys []struct {
			ID   string `xml:"id,attr"`
			For  string `xml:"for,attr"`
			Name string `xml:"attr.name,attr"`
			Type string `xml:"attr.type,attr"`
		} `xml:"key"`
		Graph struct {
			EdgeDefault string `xml:"edgedefault,attr"`
			Nodes       []struct {
				ID   string  `xml:"id,attr"`
				Data []data_ `xml:"data"`
			} `xml:"node"`
			Edges []struct {
				Source string  `xml:"source,attr"`
				Target string  `xml:"target,attr"`
				Data   []data_ `xml:"data"`
			} `xml:"edge"`
		} `xml:"graph"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("GraphML is not well-formed: %v\n%s", err, data)
	}
	keys := map[string]bool{}
	for _, k := range doc.Keys {
		keys[k.ID] = true
		if k.Name == "" || (k.Type != "string" && k.Type != "int" && k.Type != "double") {
			t.Errorf("key %+v lacks a name or a GraphML type", k)
		}
	}
	if len(doc.Graph.Nodes) != len(g.Concepts) || len(doc.Graph.Edges) != len(g.Relations) || doc.Graph.EdgeDefault != "undirected" {
		t.Fatalf("GraphML has %d nodes, %d edges (%s); want %d, %d undirected", len(doc.Graph.Nodes), len(doc.Graph.Edges), doc.Graph.EdgeDefault, len(g.Concepts), len(g.Relations))
	}
	concepts := conceptByID(g)
	for _, n := range doc.Graph.Nodes {
		values := map[string]string{}
		for _, d := range n.Data {
			if !keys[d.Key] {
				t.Errorf("node %s uses undeclared key %q", n.ID, d.Key)
			}
			values[d.Key] = d.Value
		}
		c := concepts[n.ID]
		if values["n_label"] != xmlSafe(c.Label) || values["n_betweenness"] != strconv.FormatFloat(c.Betweenness, 'g', -1, 64) {
			t.Errorf("node %s data %v, want label %q and betweenness %v", n.ID, values, c.Label, c.Betweenness)
		}
	}
	for i, e := range doc.Graph.Edges {
		for _, d := range e.Data {
			if !keys[d.Key] {
				t.Errorf("edge %d uses undeclared key %q", i, d.Key)
			}
		}
	}
}

func TestCSVZipReadsBack(t *testing.T) {
	g := testGraph()
	data := write(t, g, export.CSV)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	tables := map[string][][]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(rc).ReadAll()
		rc.Close()
		if err != nil {
			t.Fatalf("%s is not CSV: %v", f.Name, err)
		}
		tables[f.Name] = rows
	}
	nodes, links := tables[export.NodesCSV], tables[export.LinksCSV]
	if len(nodes) != len(g.Concepts)+1 || len(links) != len(g.Relations)+1 {
		t.Fatalf("zip holds %v with %d node rows and %d link rows; want %d and %d plus headers", len(tables), len(nodes), len(links), len(g.Concepts), len(g.Relations))
	}
	if strings.Join(nodes[0], ",") != "id,label,kind,pagerank,betweenness,degree,weighted_degree,community,episodes,mentions" {
		t.Errorf("nodes header %v", nodes[0])
	}
	if strings.Join(links[0], ",") != "source,target,weight,type,episodes,evidence" {
		t.Errorf("links header %v", links[0])
	}
	concepts := conceptByID(g)
	for _, row := range nodes[1:] {
		c := concepts[row[0]]
		want := c.Label
		if strings.HasPrefix(want, "=") {
			want = "'" + want // defused formula
		}
		if row[1] != want {
			t.Errorf("node %s label %q, want %q (multi-line, quoted text must survive)", row[0], row[1], want)
		}
	}
	// The same tables one by one, as ?part=nodes|links serves them.
	var nodesOnly bytes.Buffer
	if err := export.WriteNodesCSV(&nodesOnly, g); err != nil {
		t.Fatal(err)
	}
	first, _ := zr.File[0].Open()
	fromZip, _ := io.ReadAll(first)
	if !bytes.Equal(fromZip, nodesOnly.Bytes()) {
		t.Error("nodes.csv in the zip differs from WriteNodesCSV")
	}
	if again := write(t, g, export.CSV); !bytes.Equal(again, data) {
		t.Error("two CSV zips of one graph differ")
	}
}

func TestNodeLinkReadsBack(t *testing.T) {
	g := testGraph()
	var nl struct {
		Nodes []map[string]any `json:"nodes"`
		Links []map[string]any `json:"links"`
	}
	if err := json.Unmarshal(write(t, g, export.NodeLink), &nl); err != nil {
		t.Fatal(err)
	}
	if len(nl.Nodes) != len(g.Episodes)+len(g.Concepts) || len(nl.Links) != len(g.Relations) {
		t.Errorf("node-link has %d nodes, %d links", len(nl.Nodes), len(nl.Links))
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range export.Formats {
		if got, err := export.ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	for _, bad := range []string{"", "GEXF", "xlsx"} {
		_, err := export.ParseFormat(bad)
		if graph.ErrorCode(err) != graph.EINVALID || !strings.Contains(err.Error(), "format") {
			t.Errorf("ParseFormat(%q) = %v, want an invalid error naming format", bad, err)
		}
	}
}

func TestFilter(t *testing.T) {
	g := testGraph()
	ids := func(h *graph.Graph) (concepts, relations []string) {
		for _, c := range h.Concepts {
			concepts = append(concepts, c.ID)
		}
		for _, r := range h.Relations {
			relations = append(relations, r.Source+"-"+r.Target)
		}
		return strings.Split(strings.Join(concepts, " "), " "), strings.Split(strings.Join(relations, " "), " ")
	}
	for _, tc := range []struct {
		name                string
		filter              export.Filter
		concepts, relations string
	}{
		{"everything", export.Filter{}, "ada ai guild strike", "ada-ai ai-strike guild-strike"},
		{"one episode", export.Filter{Episode: "ep-2"}, "ada ai", "ada-ai"},
		{"from a month", export.Filter{From: "2024-02"}, "ada ai", "ada-ai"},
		{"to a day inside a month", export.Filter{To: "2024-03-01"}, "ada ai guild strike", "ada-ai ai-strike guild-strike"},
		{"to a month", export.Filter{To: "2024-01"}, "ai guild strike", "ai-strike guild-strike"},
		{"people", export.Filter{Kinds: []graph.Kind{graph.KindPerson}}, "ada", ""},
		{"heavy links", export.Filter{MinWeight: 1}, "ada ai guild strike", "ada-ai ai-strike"},
		{"a range with nothing", export.Filter{From: "2030"}, "", ""},
	} {
		concepts, relations := ids(tc.filter.Apply(g))
		if strings.Join(concepts, " ") != tc.concepts || strings.Join(relations, " ") != tc.relations {
			t.Errorf("%s: concepts %q relations %q, want %q and %q", tc.name, concepts, relations, tc.concepts, tc.relations)
		}
	}
	// Top keeps the concepts of highest PageRank and the relations among them.
	best := slices.Clone(g.Concepts)
	slices.SortFunc(best, func(a, b graph.Concept) int { return cmp.Compare(b.PageRank, a.PageRank) })
	top := (export.Filter{Top: 2}).Apply(g)
	if len(top.Concepts) != 2 || !slices.ContainsFunc(top.Concepts, func(c graph.Concept) bool { return c.ID == best[0].ID }) {
		t.Errorf("Top 2 kept %v, want the two of highest PageRank", top.Concepts)
	}
	for _, r := range top.Relations {
		if !slices.ContainsFunc(top.Concepts, func(c graph.Concept) bool { return c.ID == r.Source }) ||
			!slices.ContainsFunc(top.Concepts, func(c graph.Concept) bool { return c.ID == r.Target }) {
			t.Errorf("Top 2 kept relation %s-%s to a dropped concept", r.Source, r.Target)
		}
	}
	theme := g.Concepts[0].Community
	for _, c := range (export.Filter{Theme: theme, HasTheme: true}).Apply(g).Concepts {
		if c.Community != theme {
			t.Errorf("theme %d filter kept %s of community %d", theme, c.ID, c.Community)
		}
	}
	if _, err := export.ParseKinds("person,robot"); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("ParseKinds with a bad kind: %v", err)
	}
}

// TestNetworkXReadsTheFiles has NetworkX, the reference reader, open the GEXF
// and GraphML files when Python with networkx is installed.
func TestNetworkXReadsTheFiles(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil || exec.Command(python, "-c", "import networkx").Run() != nil {
		t.Skip("python3 with networkx is not installed")
	}
	g := testGraph()
	dir := t.TempDir()
	for _, f := range []export.Format{export.GEXF, export.GraphML} {
		path := filepath.Join(dir, f.FileName("graph"))
		if err := os.WriteFile(path, write(t, g, f), 0o644); err != nil {
			t.Fatal(err)
		}
		script := `import sys, networkx as nx
g = (nx.read_gexf if sys.argv[1].endswith(".gexf") else nx.read_graphml)(sys.argv[1])
pr = {n: d["pagerank"] for n, d in g.nodes(data=True)}
print(g.number_of_nodes(), g.number_of_edges(), g.is_directed(), repr(pr["ai"]))`
		out, err := exec.Command(python, "-c", script, path).CombinedOutput()
		if err != nil {
			t.Fatalf("networkx cannot read %s: %v\n%s", f, err, out)
		}
		var ai float64
		for _, c := range g.Concepts {
			if c.ID == "ai" {
				ai = c.PageRank
			}
		}
		want := strconv.Itoa(len(g.Concepts)) + " " + strconv.Itoa(len(g.Relations)) + " False " + strconv.FormatFloat(ai, 'g', -1, 64)
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("networkx reads %s as %q, want %q", f, got, want)
		}
	}
}
