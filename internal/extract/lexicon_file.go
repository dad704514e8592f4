package extract

// Lexicon is an analyst's control over extraction: terms to pin, ban, merge,
// rename or classify. Keys are compared after Key folding.
type Lexicon struct {
	Pin map[string]bool
	Ban map[string]bool
}

func (l *Lexicon) banned(key string) bool { return l != nil && l.Ban[key] }
func (l *Lexicon) pinned(key string) bool { return l != nil && l.Pin[key] }
