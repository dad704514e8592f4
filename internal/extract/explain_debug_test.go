package extract

import (
	"os"
	"strings"
	"testing"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

func TestDebugExplain(t *testing.T) {
	p, term := os.Getenv("EXPLAIN_FILE"), os.Getenv("EXPLAIN_TERM")
	if p == "" {
		t.Skip()
	}
	x, _ := New(nil)
	data, _ := os.ReadFile(p)
	doc, _ := notes.Parse(p, data)
	x.Explain(doc, graph.Episode{ID: "x"}, nil, func(d Decision) {
		if strings.Contains(strings.ToLower(d.Surface), strings.ToLower(term)) {
			t.Logf("%d %q key=%q %s kept=%v %s", d.Line, d.Surface, d.Key, d.Kind, d.Kept, d.Reason)
		}
	})
}
