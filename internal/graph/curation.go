package graph

import "context"

// The operations of an analyst's edit (Edit.Op).
const (
	EditMerge  = "merge"  // fold From into Into
	EditRename = "rename" // give ID the label Label
	EditKind   = "kind"   // give ID the kind Kind
	EditBan    = "ban"    // never keep ID as a concept
	EditPin    = "pin"    // always keep Term as a concept where it occurs
	EditUndo   = "undo"   // undo the last edit
)

// Edit is one change an analyst makes to the graph from the explorer.
// Which fields apply depends on Op.
type Edit struct {
	Op    string   `json:"op"`
	Into  string   `json:"into,omitempty"`
	From  []string `json:"from,omitempty"`
	ID    string   `json:"id,omitempty"`
	Label string   `json:"label,omitempty"`
	Kind  string   `json:"kind,omitempty"`
	Term  string   `json:"term,omitempty"`
}

// EditResult says what an edit did: the operation carried out (for undo,
// the one undone) and the concept it is about, which may no longer exist
// (a ban) or exist again (an undone ban or merge).
type EditResult struct {
	Op      string `json:"op"`
	Undone  bool   `json:"undone,omitempty"`
	Concept string `json:"concept"`
}

// ConceptLookup finds a concept of the graph the analyst is looking at.
type ConceptLookup func(id string) (Concept, bool)

// Curator applies analysts' edits so that they last: internal/curate keeps
// them in the lexicon file graphload reads and reloads the store with it.
// Errors: EINVALID for a malformed edit, ENOTFOUND for an unknown concept,
// ECONFLICT when the lexicon file changed underneath.
type Curator interface {
	Apply(ctx context.Context, e Edit, concepts ConceptLookup) (EditResult, error)
}
