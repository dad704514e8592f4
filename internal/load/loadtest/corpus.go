// Package loadtest makes small synthetic notes for tests of the loader. Its
// episodes share plain words that some files repeat (so extraction keeps them)
// and others mention once (so extraction drops them unless another episode
// made them concepts): what one episode yields depends on the rest of the
// corpus, which is what makes incremental loads hard to get right.
package loadtest

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// words are everyday nouns, none of them a name, acronym or abstract term, so
// each is kept only where it recurs within one episode or is known from others.
var words = []string{
	"lantern", "harbour", "ladder", "orchard", "compass", "anchor", "saddle", "kettle",
	"glacier", "meadow", "furnace", "violin", "quarry", "pebble", "chimney", "beacon",
	"canyon", "tractor", "pottery", "marble", "lagoon", "thimble", "walnut", "falcon",
}

// names are always kept: they give every episode a few certain concepts.
var names = []string{
	"Ada Lovelace", "Alan Turing", "Grace Hopper", "Claude Shannon", "Moloch", "Norbert Wiener",
	"John von Neumann", "Barbara Liskov",
}

// Episode returns the text of episode number i in version v of a corpus made
// from seed; the same arguments always give the same text, and another
// version gives an edited episode.
func Episode(seed int64, i, v int) string {
	r := rand.New(rand.NewSource(seed*1_000_003 + int64(i)*7919 + int64(v)))
	var b strings.Builder
	fmt.Fprintf(&b, "Episode %d, take %d\n", i, v)
	for s := 0; s < 1+r.Intn(3); s++ {
		fmt.Fprintf(&b, "\nPart %d\n", s+1)
		for l := 0; l < 2+r.Intn(4); l++ {
			name := names[r.Intn(len(names))]
			w1, w2 := words[r.Intn(len(words))], words[r.Intn(len(words))]
			switch r.Intn(3) {
			case 0: // a word said twice: kept here
				fmt.Fprintf(&b, "- %s said the %s matters; the %s came up again.\n", name, w1, w1)
			case 1: // said once: kept only when the corpus knows it
				fmt.Fprintf(&b, "- %s mentioned a %s near the %s.\n", name, w1, w2)
			default:
				fmt.Fprintf(&b, "- The %s and %s were discussed.\n", w1, w2)
			}
		}
	}
	return b.String()
}

// Name is the file name of episode i.
func Name(i int) string { return fmt.Sprintf("episode-%03d.txt", i) }

// Write writes episodes first..first+n-1 (version 0) into dir.
func Write(dir string, seed int64, first, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := first; i < first+n; i++ {
		if err := os.WriteFile(filepath.Join(dir, Name(i)), []byte(Episode(seed, i, 0)), 0o644); err != nil {
			return err
		}
	}
	return nil
}
