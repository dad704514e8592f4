package httpapi

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/topicgraph/topicgraph/internal/graph"
)

// Editing modes, as /healthz reports them.
const (
	EditsOpen     = "open"      // edits accepted from this machine without a token (loopback address)
	EditsToken    = "token"     // edits need Authorization: Bearer TOKEN
	EditsReadOnly = "read-only" // no edits: no lexicon file, or a public address without a token
)

// maxEditBody bounds the body of POST /api/lexicon: an edit is a few names.
const maxEditBody = 64 << 10

// writePolicy says who may edit the graph. The zero value allows no edits.
type writePolicy struct {
	curator graph.Curator // nil: read-only
	token   string        // when set, every edit must carry it
	why     string        // why the explorer is read-only, for its 403
}

// WithCurator lets analysts edit the graph through curator (POST
// /api/lexicon). With a token, every edit must carry it; without one, edits
// are accepted only when loopbackOnly says the explorer listens on a loopback
// address, and the explorer is otherwise read-only.
func WithCurator(curator graph.Curator, token string, loopbackOnly bool) Option {
	return func(o *serverOptions) {
		switch {
		case curator == nil:
			o.writes = writePolicy{why: "this explorer has no lexicon file to write edits to: start it with -lexicon FILE"}
		case token == "" && !loopbackOnly:
			o.writes = writePolicy{why: "this explorer listens beyond this machine without a token, so it is read-only: start it with -token (or TOPICGRAPH_TOKEN) to allow edits"}
		default:
			o.writes = writePolicy{curator: curator, token: token}
		}
	}
}

// mode is the editing mode /healthz and the page report.
func (p writePolicy) mode() string {
	switch {
	case p.curator == nil:
		return EditsReadOnly
	case p.token != "":
		return EditsToken
	}
	return EditsOpen
}

// allow checks that r may write: the explorer accepts edits, r carries the
// token when one is set, and r comes from the explorer's own page or from a
// client that is no browser (no Origin, no Sec-Fetch-Site), so that another
// site cannot make an analyst's browser edit the graph.
func (p writePolicy) allow(r *http.Request) error {
	if p.curator == nil {
		why := p.why
		if why == "" {
			why = "this explorer is read-only"
		}
		return graph.Errorf(graph.EFORBIDDEN, "%s", why)
	}
	if p.token != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(p.token)) != 1 {
			return graph.Errorf(graph.EAUTH, "edits need the explorer's token: Authorization: Bearer TOKEN")
		}
	}
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return graph.Errorf(graph.EFORBIDDEN, "edits are accepted only from the explorer's own page (Sec-Fetch-Site: %s)", site)
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return graph.Errorf(graph.EFORBIDDEN, "edits are accepted only from the explorer's own page, not from %q", origin)
		}
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
		return graph.Errorf(graph.EINVALID, "an edit is a JSON body (Content-Type: application/json)")
	}
	return nil
}

// editResponse is the answer to an edit: what it did, and the concept it is
// about as the graph now has it (absent when it no longer exists).
type editResponse struct {
	Result  graph.EditResult `json:"result"`
	Concept *graph.Concept   `json:"concept"`
}

// handleLexicon serves POST /api/lexicon: one edit, applied at once and kept
// in the lexicon file (see internal/curate).
func handleLexicon(snap *Snapshot, policy writePolicy, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if err := policy.allow(r); err != nil {
			writeError(w, r, logger, err)
			return
		}
		var e graph.Edit
		dec := json.NewDecoder(io.LimitReader(r.Body, maxEditBody+1))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			writeError(w, r, logger, graph.Errorf(graph.EINVALID, "malformed edit: %v", describeJSONError(err)))
			return
		}
		if dec.More() {
			writeError(w, r, logger, graph.Errorf(graph.EINVALID, "malformed edit: one JSON object, please"))
			return
		}
		st := snap.current()
		if st.loaded == nil {
			writeError(w, r, logger, graph.Errorf(graph.EUNAVAILABLE, "no graph is loaded yet"))
			return
		}
		lookup := conceptLookup(st.loaded.graph)
		result, err := policy.curator.Apply(r.Context(), e, lookup)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		if err := snap.Refresh(r.Context()); err != nil {
			writeError(w, r, logger, err)
			return
		}
		resp := editResponse{Result: result}
		if now := snap.current().loaded; now != nil {
			if c, ok := conceptLookup(now.graph)(result.Concept); ok {
				c.Evidence = nil // the concept's detail has them; keep the answer small
				resp.Concept = &c
			}
		}
		logger.Info("graph edited", "op", result.Op, "undone", result.Undone, "concept", result.Concept)
		writeJSON(w, r, logger, http.StatusOK, resp)
	})
}

// conceptLookup finds concepts of g by id (concepts are sorted by id).
func conceptLookup(g *graph.Graph) graph.ConceptLookup {
	return func(id string) (graph.Concept, bool) {
		lo, hi := 0, len(g.Concepts)
		for lo < hi {
			mid := (lo + hi) / 2
			if g.Concepts[mid].ID < id {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo < len(g.Concepts) && g.Concepts[lo].ID == id {
			return g.Concepts[lo], true
		}
		return graph.Concept{}, false
	}
}

// describeJSONError says what is wrong with a body in words.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case errors.As(err, &syntax):
		return "not JSON"
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type"
	}
	return err.Error()
}
