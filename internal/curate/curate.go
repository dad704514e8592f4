// Package curate makes an analyst's edits to the graph last: merge, rename,
// change a kind, ban, pin, and undo. Each edit is written into the lexicon
// file that graphload reads (-lexicon FILE), and the stored episodes are then
// loaded again with that lexicon, so the store holds exactly what a later
// `graphload -lexicon FILE NOTES` of the same notes gives: the lexicon file is
// the one place an edit lives, and the loader the one place it is applied.
package curate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/topicgraph/topicgraph/internal/extract"
	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/load"
)

var _ graph.Curator = (*Curator)(nil)

// MaxUndo is how many edits can be undone, newest first.
const MaxUndo = 100

// maxLabel bounds a label or term an edit sets.
const maxLabel = 200

// Curator applies edits to one lexicon file and one store. It is safe for
// concurrent use: edits are applied one at a time.
type Curator struct {
	path  string
	store graph.Store
	opts  load.Options // without Extractor, which each reload makes from the lexicon

	mu      sync.Mutex
	written string   // digest of the file as last read or written here
	undo    []change // the edits that can be undone, oldest first
}

// change is one applied edit: the file before and after it.
type change struct {
	before, after []byte
	result        graph.EditResult
}

// New returns a curator of the lexicon file at path (which need not exist
// yet; its folder must) over store. opts are the load options of a reload
// (CacheDir for feeds).
func New(path string, store graph.Store, opts load.Options) (*Curator, error) {
	if path == "" {
		return nil, graph.Errorf(graph.EINVALID, "curate: no lexicon file")
	}
	if info, err := os.Stat(filepath.Dir(path)); err != nil || !info.IsDir() {
		return nil, graph.Errorf(graph.EINVALID, "lexicon %s: its folder does not exist", path)
	}
	data, err := readLexicon(path)
	if err != nil {
		return nil, err
	}
	if _, err := extract.ParseLexicon(path, data); err != nil {
		return nil, graph.Errorf(graph.EINVALID, "%v", err)
	}
	opts.Extractor = nil
	return &Curator{path: path, store: store, opts: opts, written: digest(data)}, nil
}

// Path is the lexicon file's path.
func (c *Curator) Path() string { return c.path }

// Apply carries out one edit: it checks the edit against the concepts the
// analyst sees, writes the lexicon file, and reloads the store with it.
func (c *Curator) Apply(ctx context.Context, e graph.Edit, concepts graph.ConceptLookup) (graph.EditResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	current, err := readLexicon(c.path)
	if err != nil {
		return graph.EditResult{}, err
	}
	if digest(current) != c.written {
		return graph.EditResult{}, graph.Errorf(graph.ECONFLICT,
			"lexicon %s changed since the explorer last read it; reload the page (the explorer now uses the file as it is)", c.path)
	}
	if e.Op == graph.EditUndo {
		return c.undoLast(ctx, current)
	}
	file, err := extract.DecodeLexiconFile(current)
	if err != nil {
		return graph.EditResult{}, graph.Errorf(graph.EINVALID, "lexicon %s: %v", c.path, err)
	}
	result, err := edit(&file, e, concepts)
	if err != nil {
		return graph.EditResult{}, err
	}
	next, err := file.Encode()
	if err != nil {
		return graph.EditResult{}, err
	}
	if _, err := extract.ParseLexicon(c.path, next); err != nil {
		return graph.EditResult{}, graph.Errorf(graph.EINVALID, "this edit would make the lexicon invalid: %v", err)
	}
	if err := c.writeAndReload(ctx, current, next); err != nil {
		return graph.EditResult{}, err
	}
	c.undo = append(c.undo, change{before: current, after: next, result: result})
	if len(c.undo) > MaxUndo {
		c.undo = c.undo[len(c.undo)-MaxUndo:]
	}
	return result, nil
}

// undoLast restores the file as it was before the last edit and reloads.
func (c *Curator) undoLast(ctx context.Context, current []byte) (graph.EditResult, error) {
	if len(c.undo) == 0 {
		return graph.EditResult{}, graph.Errorf(graph.EINVALID, "undo: there is no edit to undo")
	}
	last := c.undo[len(c.undo)-1]
	if !bytes.Equal(current, last.after) {
		return graph.EditResult{}, graph.Errorf(graph.ECONFLICT, "undo: lexicon %s is no longer as the last edit left it", c.path)
	}
	if err := c.writeAndReload(ctx, current, last.before); err != nil {
		return graph.EditResult{}, err
	}
	c.undo = c.undo[:len(c.undo)-1]
	result := last.result
	result.Undone = true
	return result, nil
}

// writeAndReload writes next over the file and loads the store again with
// it; when the load fails, the file goes back to before (the store may hold
// a partial reload, which the analytics-due mark lets the next load finish).
func (c *Curator) writeAndReload(ctx context.Context, before, next []byte) error {
	if err := writeFile(c.path, next); err != nil {
		return err
	}
	c.written = digest(next)
	lex, err := extract.ParseLexicon(c.path, next)
	if err == nil {
		err = c.reload(ctx, lex)
	}
	if err != nil {
		if werr := writeFile(c.path, before); werr == nil {
			c.written = digest(before)
		}
		return err
	}
	return nil
}

// reload re-extracts every stored episode from its source with lex, as
// graphload -lexicon FILE does when the lexicon changed.
func (c *Curator) reload(ctx context.Context, lex *extract.Lexicon) error {
	x, err := extract.New(lex)
	if err != nil {
		return err
	}
	opts := c.opts
	opts.Extractor = x
	opts.Force = true
	res, err := load.Run(ctx, c.store, nil, opts)
	if err != nil {
		return fmt.Errorf("reloading the store with the edited lexicon: %w", err)
	}
	if len(res.Failed) > 0 {
		return graph.Errorf(graph.EUNAVAILABLE, "reloading the store with the edited lexicon: %d episodes could not be read again (first: %v); the edit is not applied",
			len(res.Failed), res.Failed[0])
	}
	return nil
}

// edit applies e to the lexicon file and says what it is about.
func edit(f *extract.LexiconFile, e graph.Edit, concepts graph.ConceptLookup) (graph.EditResult, error) {
	lookup := func(field, id string) (graph.Concept, error) {
		if strings.TrimSpace(id) == "" {
			return graph.Concept{}, graph.Errorf(graph.EINVALID, "%s %s: a concept id is required", e.Op, field)
		}
		c, ok := concepts(id)
		if !ok {
			return graph.Concept{}, graph.Errorf(graph.ENOTFOUND, "%s %s: no concept %q", e.Op, field, id)
		}
		return c, nil
	}
	result := graph.EditResult{Op: e.Op}
	switch e.Op {
	case graph.EditMerge:
		into, err := lookup("into", e.Into)
		if err != nil {
			return result, err
		}
		if len(e.From) == 0 {
			return result, graph.Errorf(graph.EINVALID, "merge: from lists no concept")
		}
		entry := f.Concept(into.Label)
		for _, id := range e.From {
			from, err := lookup("from", id)
			if err != nil {
				return result, err
			}
			if from.ID == into.ID {
				return result, graph.Errorf(graph.EINVALID, "merge: %q cannot be merged into itself", id)
			}
			forms := append([]string{from.Label}, from.Aliases...)
			if old, ok := f.Unpin(from.Label); ok {
				forms = append(forms, old.Name)
				forms = append(forms, old.Aliases...)
				entry = f.Concept(into.Label) // Unpin may have moved the entry
			}
			for _, form := range forms {
				f.Unban(form)
			}
			entry.AddAliases(forms...)
		}
		result.Concept = into.ID
	case graph.EditRename:
		c, err := lookup("id", e.ID)
		if err != nil {
			return result, err
		}
		label, err := cleanText("label", e.Label)
		if err != nil {
			return result, err
		}
		f.Concept(c.Label).Label = label
		result.Concept = c.ID
	case graph.EditKind:
		c, err := lookup("id", e.ID)
		if err != nil {
			return result, err
		}
		if err := extract.CheckKind(e.Kind); err != nil {
			return result, graph.Errorf(graph.EINVALID, "kind: %v", err)
		}
		f.Concept(c.Label).Kind = strings.ToLower(e.Kind)
		result.Concept = c.ID
	case graph.EditBan:
		c, err := lookup("id", e.ID)
		if err != nil {
			return result, err
		}
		forms := append([]string{c.Label}, c.Aliases...)
		if old, ok := f.Unpin(c.Label); ok {
			forms = append(forms, old.Name)
			forms = append(forms, old.Aliases...)
		}
		f.AddBan(forms...)
		result.Concept = c.ID
	case graph.EditPin:
		term, err := cleanText("term", e.Term)
		if err != nil {
			return result, err
		}
		if extract.Key(term) == "" {
			return result, graph.Errorf(graph.EINVALID, "pin: %q has no word to pin", term)
		}
		f.Unban(term)
		f.Concept(term)
		result.Concept = extract.ID(extract.Key(term))
	case "":
		return result, graph.Errorf(graph.EINVALID, "op is required: merge, rename, kind, ban, pin or undo")
	default:
		return result, graph.Errorf(graph.EINVALID, "op %q: use merge, rename, kind, ban, pin or undo", e.Op)
	}
	return result, nil
}

// cleanText checks a label or term an analyst typed.
func cleanText(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", graph.Errorf(graph.EINVALID, "%s is required", field)
	case utf8.RuneCountInString(s) > maxLabel:
		return "", graph.Errorf(graph.EINVALID, "%s is longer than %d characters", field, maxLabel)
	case strings.ContainsAny(s, "\r\n\t\x00"):
		return "", graph.Errorf(graph.EINVALID, "%s must be one line of text", field)
	}
	return s, nil
}

// readLexicon reads the file, or nothing when it does not exist yet.
func readLexicon(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("lexicon %s: %w", path, err)
	case len(data) > extract.MaxLexiconSize:
		return nil, graph.Errorf(graph.EINVALID, "lexicon %s is larger than %d bytes", path, extract.MaxLexiconSize)
	}
	return data, nil
}

// writeFile replaces the file in one rename, so a reader (graphload, or an
// editor) never sees half of it.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("lexicon %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("lexicon %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("lexicon %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("lexicon %s: %w", path, err)
	}
	return nil
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
