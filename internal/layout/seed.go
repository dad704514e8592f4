package layout

import (
	"cmp"
	"math"
	"slices"
)

// Seed gives the start positions ForceAtlas2 settles from, which decide the
// picture, since the layout has no randomness of its own. Groups (for
// example communities) sit on a circle, largest first; each node is scattered
// over a disc around its group's centre at an angle and radius drawn from a
// hash of its id. The same ids and groups always give the same positions.
func Seed(ids []string, groups []int) []Point {
	members := map[int][]int{}
	for i := range ids {
		g := 0
		if i < len(groups) {
			g = groups[i]
		}
		members[g] = append(members[g], i)
	}
	order := make([]int, 0, len(members))
	for g := range members {
		order = append(order, g)
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(len(members[b]), len(members[a])), cmp.Compare(a, b))
	})
	pos := make([]Point, len(ids))
	ring := 10 * math.Sqrt(float64(len(ids)+1))
	for k, g := range order {
		var cx, cy float64
		if len(order) > 1 {
			angle := 2 * math.Pi * float64(k) / float64(len(order))
			cx, cy = ring*math.Cos(angle), ring*math.Sin(angle)
		}
		spread := 3 * math.Sqrt(float64(len(members[g])+1))
		for _, i := range members[g] {
			a := 2 * math.Pi * unit(ids[i], 1)
			// The square root spreads nodes evenly over the disc rather than
			// crowding its centre.
			r := spread * math.Sqrt(unit(ids[i], 2))
			pos[i] = Point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
		}
	}
	return pos
}

// unit maps a string to [0, 1) with FNV-1a, seeded so one id gives several
// independent numbers.
func unit(text string, seed uint32) float64 {
	h := uint32(0x811c9dc5) ^ seed
	for i := 0; i < len(text); i++ {
		h ^= uint32(text[i])
		h *= 0x01000193
	}
	return float64(h) / 4294967296
}
