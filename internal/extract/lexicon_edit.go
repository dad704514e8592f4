package extract

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// LexiconFile is the content of a lexicon file as its YAML writes it (see
// Lexicon for what each part means). It is what an editor of the file, such
// as the explorer's curation, reads and writes back.
type LexiconFile struct {
	Concepts []LexiconConcept `yaml:"concepts,omitempty"`
	Ban      []string         `yaml:"ban,omitempty,flow"`
}

// LexiconConcept is one pinned concept of a lexicon file.
type LexiconConcept struct {
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases,omitempty,flow"`
	Label   string   `yaml:"label,omitempty"`
	Kind    string   `yaml:"kind,omitempty"`
}

// DecodeLexiconFile reads a lexicon file's YAML as written, refusing fields
// it does not know. Empty data is an empty lexicon.
func DecodeLexiconFile(data []byte) (LexiconFile, error) {
	var f LexiconFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && err.Error() != "EOF" {
		return LexiconFile{}, err
	}
	return f, nil
}

// lexiconHeader opens every lexicon file the explorer writes.
const lexiconHeader = `# Analyst lexicon (see README "Lexicon"): pinned concepts with their aliases,
# labels and kinds, and banned terms. graphload -lexicon FILE reads it; the
# explorer writes edits made on its page here.
`

// Encode writes the lexicon file's YAML.
func (f LexiconFile) Encode() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(lexiconHeader)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Concept returns the entry whose name or one of whose aliases folds to the
// same key as name, adding an entry named name when there is none.
func (f *LexiconFile) Concept(name string) *LexiconConcept {
	key := Key(name)
	for i := range f.Concepts {
		c := &f.Concepts[i]
		if Key(c.Name) == key || slices.ContainsFunc(c.Aliases, func(a string) bool { return Key(a) == key }) {
			return c
		}
	}
	f.Concepts = append(f.Concepts, LexiconConcept{Name: name})
	return &f.Concepts[len(f.Concepts)-1]
}

// Unpin removes the entry of name, if there is one, and returns it.
func (f *LexiconFile) Unpin(name string) (LexiconConcept, bool) {
	key := Key(name)
	for i, c := range f.Concepts {
		if Key(c.Name) == key {
			f.Concepts = slices.Delete(f.Concepts, i, i+1)
			return c, true
		}
	}
	return LexiconConcept{}, false
}

// AddAliases adds forms to c's aliases, skipping its name and forms it has.
func (c *LexiconConcept) AddAliases(forms ...string) {
	for _, a := range forms {
		a = strings.TrimSpace(a)
		if a == "" || Key(a) == Key(c.Name) || slices.ContainsFunc(c.Aliases, func(x string) bool { return Key(x) == Key(a) }) {
			continue
		}
		c.Aliases = append(c.Aliases, a)
	}
}

// AddBan bans terms (skipping ones already banned) and unbans nothing.
func (f *LexiconFile) AddBan(terms ...string) {
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if t == "" || slices.ContainsFunc(f.Ban, func(b string) bool { return Key(b) == Key(t) }) {
			continue
		}
		f.Ban = append(f.Ban, t)
	}
}

// Unban removes term from the banned terms.
func (f *LexiconFile) Unban(term string) {
	f.Ban = slices.DeleteFunc(f.Ban, func(b string) bool { return Key(b) == Key(term) })
}

// CheckKind reports whether kind is one a lexicon entry may set.
func CheckKind(kind string) error {
	switch strings.ToLower(kind) {
	case "concept", "person", "organization", "work":
		return nil
	}
	return fmt.Errorf("kind %q: use concept, person, organization or work", kind)
}
