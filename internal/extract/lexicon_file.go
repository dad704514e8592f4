package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"gopkg.in/yaml.v3"

	"github.com/topicgraph/topicgraph/internal/graph"
	"github.com/topicgraph/topicgraph/internal/notes"
)

// Lexicon is an analyst's control over extraction, read from a YAML file
// (concepts.yaml):
//
//	concepts:
//	  - name: universal basic income   # pinned: always a concept where mentioned
//	    aliases: [UBI, basic income]   # forms merged into it
//	    label: Universal basic income  # the label shown (a rename)
//	    kind: concept                  # concept, person, organization or work
//	ban: [great insights, deep dive]   # never concepts
//
// Names and aliases are compared after Key folding (case, plurals, hyphens).
type Lexicon struct {
	Pin    map[string]bool       // keys always kept
	Ban    map[string]bool       // keys never kept
	Merge  map[string]string     // alias key → concept key
	Labels map[string]string     // concept key → label
	Kinds  map[string]graph.Kind // concept key → kind
	terms  []string              // pinned names and aliases, searched for in the text
	// Digest identifies the lexicon's content, so a changed lexicon re-extracts every file.
	Digest string
}

// MaxLexiconSize bounds a lexicon file: an analyst's list of concepts is
// small, and the loader must not read a device or a huge file without end.
const MaxLexiconSize = 4 << 20

// LoadLexicon reads a lexicon file. Errors name the file and line. Only a
// regular file is read (a named pipe would block for ever), opened without
// blocking, and no more than MaxLexiconSize bytes of it.
func LoadLexicon(path string) (*Lexicon, error) {
	name := notes.Quote(path)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("lexicon %s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("lexicon %s: %w", name, errors.Unwrap(err))
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("lexicon %s: not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxLexiconSize+1))
	if err != nil {
		return nil, fmt.Errorf("lexicon %s: %w", name, errors.Unwrap(err))
	}
	if len(data) > MaxLexiconSize {
		return nil, fmt.Errorf("lexicon %s: larger than the %d MB limit for a lexicon", name, MaxLexiconSize>>20)
	}
	return ParseLexicon(path, data)
}

// ParseLexicon parses a lexicon's YAML.
func ParseLexicon(path string, data []byte) (*Lexicon, error) {
	var f LexiconFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err.Error() != "EOF" {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		if strings.HasPrefix(msg, "line ") {
			return nil, fmt.Errorf("lexicon %s:%s", path, strings.TrimPrefix(msg, "line "))
		}
		return nil, fmt.Errorf("lexicon %s: %s", path, msg)
	}
	lex := &Lexicon{Pin: map[string]bool{}, Ban: map[string]bool{}, Merge: map[string]string{},
		Labels: map[string]string{}, Kinds: map[string]graph.Kind{}, Digest: fmt.Sprintf("%x", data)}
	for i, c := range f.Concepts {
		key := Key(c.Name)
		if key == "" {
			return nil, fmt.Errorf("lexicon %s: concept %d has no name", path, i+1)
		}
		lex.Pin[key] = true
		lex.terms = append(lex.terms, c.Name)
		for _, a := range c.Aliases {
			if ak := Key(a); ak != "" && ak != key {
				if prev, ok := lex.Merge[ak]; ok && prev != key {
					return nil, fmt.Errorf("lexicon %s: alias %q belongs to both %q and %q", path, a, prev, c.Name)
				}
				lex.Merge[ak] = key
				lex.terms = append(lex.terms, a)
			}
		}
		if c.Label != "" {
			lex.Labels[key] = c.Label
		}
		switch k := graph.Kind(strings.ToLower(c.Kind)); k {
		case "":
		case graph.KindConcept, graph.KindPerson, graph.KindOrganization, graph.KindWork:
			lex.Kinds[key] = k
		default:
			return nil, fmt.Errorf("lexicon %s: concept %q has kind %q; use concept, person, organization or work", path, c.Name, c.Kind)
		}
	}
	for _, b := range f.Ban {
		if k := Key(b); k != "" {
			if lex.Pin[k] {
				return nil, fmt.Errorf("lexicon %s: %q is both pinned and banned", path, b)
			}
			lex.Ban[k] = true
		}
	}
	return lex, nil
}

func (l *Lexicon) banned(key string) bool { return l != nil && l.Ban[key] }
func (l *Lexicon) pinned(key string) bool { return l != nil && l.Pin[key] }

// canonical maps a key through the lexicon's merges.
func (l *Lexicon) canonical(key string) string {
	if l != nil {
		if k, ok := l.Merge[key]; ok {
			return k
		}
	}
	return key
}

// apply rewrites a candidate by the lexicon: merges, label and kind.
func (l *Lexicon) apply(c candidate) candidate {
	if l == nil {
		return c
	}
	c.key = l.canonical(c.key)
	if lab, ok := l.Labels[c.key]; ok {
		c.surface = lab
	}
	if k, ok := l.Kinds[c.key]; ok {
		c.kind = k
	}
	if l.Pin[c.key] {
		c.strong = true
	}
	return c
}
