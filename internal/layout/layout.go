// Package layout places the nodes of a graph on a plane, so the explorer's
// page can draw a graph of tens of thousands of nodes without running a force
// layout in the browser. The server computes one layout per loaded graph and
// sends the coordinates with the nodes.
//
// The layout is ForceAtlas2 (Jacomy, Venturini, Heymann & Bastian 2014,
// "ForceAtlas2, a continuous graph layout algorithm for handy network
// visualization designed for the Gephi software", PLoS ONE 9(6): e98679) with
// the Barnes–Hut approximation of repulsion (Barnes & Hut 1986, "A hierarchical
// O(N log N) force-calculation algorithm", Nature 324). It is deterministic:
// the same graph and start positions give the same coordinates, bit for bit,
// however many goroutines share the work.
package layout

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Point is a node's position.
type Point struct{ X, Y float64 }

// Edge joins nodes A and B (positions in the start slice) with a weight.
type Edge struct {
	A, B   int
	Weight float64
}

// ForceAtlas2 holds the settings of the layout. The zero value is not useful;
// start from DefaultForceAtlas2.
type ForceAtlas2 struct {
	// Iterations is the number of steps to run.
	Iterations int
	// Scaling is k_r, the strength of repulsion: larger spreads the graph.
	Scaling float64
	// Gravity is k_g, a pull towards the origin that keeps components together.
	Gravity float64
	// EdgeWeightInfluence is δ: attraction along an edge grows with weight^δ.
	EdgeWeightInfluence float64
	// Theta is the Barnes–Hut criterion: a cell of width w at distance d is
	// treated as one body when w/d < Theta. Zero computes every pair exactly.
	Theta float64
	// JitterTolerance is τ of the adaptive speed: how much swinging the
	// global speed tolerates. Larger is faster and less precise.
	JitterTolerance float64
}

// DefaultForceAtlas2 returns the paper's defaults for a graph of n nodes:
// linear attraction, k_r = 2 (10 above 100 nodes, as Gephi infers), gravity 1,
// θ = 1.2 and a jitter tolerance that grows with the square root of n, which
// is what Gephi estimates for large graphs. Above 5,000 nodes it runs fewer
// iterations (100·√(5000/n), at least 40), so a graph of 15,000 nodes takes
// about 1.5 s on two cores; the seed already places communities apart.
func DefaultForceAtlas2(n int) ForceAtlas2 {
	fa := ForceAtlas2{Iterations: 100, Scaling: 2, Gravity: 1, EdgeWeightInfluence: 1, Theta: 1.2, JitterTolerance: 1}
	if n > 5000 {
		fa.Iterations = max(40, int(100*math.Sqrt(5000/float64(n))))
	}
	if n > 100 {
		fa.Scaling = 10
	}
	if n > 1000 {
		fa.JitterTolerance = min(10, math.Sqrt(0.05*math.Sqrt(float64(n))))
	}
	return fa
}

// Run lays out the graph whose nodes start at start and returns the new
// positions; start is not modified. Edges naming a node outside start, or
// with a weight that is negative or not a number, are an error.
func (fa ForceAtlas2) Run(start []Point, edges []Edge) ([]Point, error) {
	n := len(start)
	for i, e := range edges {
		if e.A < 0 || e.A >= n || e.B < 0 || e.B >= n {
			return nil, fmt.Errorf("layout: edge %d joins nodes %d and %d; there are %d nodes", i, e.A, e.B, n)
		}
		if !(e.Weight >= 0) || math.IsInf(e.Weight, 0) {
			return nil, fmt.Errorf("layout: edge %d has weight %v; want a finite number of 0 or more", i, e.Weight)
		}
	}
	for i, p := range start {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
			return nil, fmt.Errorf("layout: node %d starts at (%v, %v); want finite coordinates", i, p.X, p.Y)
		}
	}
	pos := append([]Point(nil), start...)
	if n < 2 {
		return pos, nil
	}
	// The mass of a node is its degree plus one (the paper's deg(n)+1), so
	// hubs push harder and leaves are not pushed to infinity.
	mass := make([]float64, n)
	for i := range mass {
		mass[i] = 1
	}
	strength := make([]float64, len(edges))
	for i, e := range edges {
		if e.A != e.B {
			mass[e.A]++
			mass[e.B]++
		}
		strength[i] = math.Pow(e.Weight, fa.EdgeWeightInfluence)
	}
	force := make([]Point, n)
	previous := make([]Point, n)
	speed := 1.0
	workers := max(1, min(runtime.GOMAXPROCS(0), n/512))
	for iter := 0; iter < fa.Iterations; iter++ {
		copy(previous, force)
		tree := buildQuadtree(pos, mass)
		// Repulsion: every node from every other (or from far cells as one
		// body). Each worker writes only its own nodes' forces, so the result
		// does not depend on scheduling.
		var wg sync.WaitGroup
		chunk := (n + workers - 1) / workers
		for w := 0; w < workers; w++ {
			lo, hi := w*chunk, min(n, (w+1)*chunk)
			wg.Add(1)
			go func() {
				defer wg.Done()
				stack := make([]int32, 0, 64)
				for i := lo; i < hi; i++ {
					force[i] = tree.repulsion(i, pos, mass, fa.Scaling, fa.Theta, &stack)
				}
			}()
		}
		wg.Wait()
		// Gravity: a pull of constant magnitude k_g·mass towards the origin.
		for i, p := range pos {
			d := math.Hypot(p.X, p.Y)
			if d > 0 {
				g := fa.Gravity * mass[i] / d
				force[i].X -= p.X * g
				force[i].Y -= p.Y * g
			}
		}
		// Attraction: linear in distance along each edge, times weight^δ.
		for k, e := range edges {
			if e.A == e.B {
				continue
			}
			dx, dy := pos[e.A].X-pos[e.B].X, pos[e.A].Y-pos[e.B].Y
			f := strength[k]
			force[e.A].X -= dx * f
			force[e.A].Y -= dy * f
			force[e.B].X += dx * f
			force[e.B].Y += dy * f
		}
		speed = fa.move(pos, force, previous, mass, speed, iter == 0)
	}
	return pos, nil
}

// move applies the paper's adaptive speed (section "Adaptive speed"): the
// global speed rises while nodes move steadily (traction) and falls when they
// oscillate (swinging); each node slows further by its own swinging.
func (fa ForceAtlas2) move(pos, force, previous []Point, mass []float64, speed float64, first bool) float64 {
	var swinging, traction float64
	for i := range pos {
		if first {
			previous[i] = force[i]
		}
		swg := math.Hypot(force[i].X-previous[i].X, force[i].Y-previous[i].Y)
		tra := math.Hypot(force[i].X+previous[i].X, force[i].Y+previous[i].Y) / 2
		swinging += mass[i] * swg
		traction += mass[i] * tra
	}
	target := speed
	if swinging > 0 {
		target = fa.JitterTolerance * traction / swinging
	}
	// The paper caps the rise of the global speed at 50% per step.
	speed = min(target, 1.5*speed)
	if !(speed > 0) {
		speed = 1e-9
	}
	const nodeSpeedFactor, maxDisplacementFactor = 0.1, 10.0
	for i := range pos {
		swg := math.Hypot(force[i].X-previous[i].X, force[i].Y-previous[i].Y)
		s := nodeSpeedFactor * speed / (1 + speed*math.Sqrt(swg))
		f := math.Hypot(force[i].X, force[i].Y)
		if f > 0 {
			s = min(s, maxDisplacementFactor/f)
		}
		pos[i].X += s * force[i].X
		pos[i].Y += s * force[i].Y
	}
	return speed
}

// quadtree is a Barnes–Hut tree over the nodes, in flat arrays.
type quadtree struct {
	cells  []cell
	bodies []int32 // node indexes; a leaf's bodies are bodies[first:first+count]
}

type cell struct {
	width        float64 // side of the square the cell covers
	cx, cy       float64 // its centre
	mass         float64 // total mass of the bodies below
	x, y         float64 // their centre of mass
	child        [4]int32
	first, count int32 // bodies of a leaf; count is 0 for an inner cell
}

// leafSize is the most bodies a leaf holds before it splits; maxDepth stops
// splitting when bodies share a point.
const (
	leafSize = 4
	maxDepth = 32
)

func buildQuadtree(pos []Point, mass []float64) *quadtree {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pos {
		minX, maxX = min(minX, p.X), max(maxX, p.X)
		minY, maxY = min(minY, p.Y), max(maxY, p.Y)
	}
	width := max(maxX-minX, maxY-minY, 1e-9)
	t := &quadtree{cells: make([]cell, 0, 2*len(pos)/leafSize+1), bodies: make([]int32, len(pos))}
	for i := range t.bodies {
		t.bodies[i] = int32(i)
	}
	t.build(pos, mass, 0, int32(len(pos)), minX+width/2, minY+width/2, width, 0)
	return t
}

// build makes the cell for bodies[first:end] in the square centred on
// (cx, cy), sorting those bodies into quadrants in place, and returns its index.
func (t *quadtree) build(pos []Point, mass []float64, first, end int32, cx, cy, width float64, depth int) int32 {
	at := int32(len(t.cells))
	t.cells = append(t.cells, cell{width: width, cx: cx, cy: cy, child: [4]int32{-1, -1, -1, -1}})
	var m, sx, sy float64
	for _, b := range t.bodies[first:end] {
		m += mass[b]
		sx += mass[b] * pos[b].X
		sy += mass[b] * pos[b].Y
	}
	t.cells[at].mass, t.cells[at].x, t.cells[at].y = m, sx/m, sy/m
	if end-first <= leafSize || depth >= maxDepth {
		t.cells[at].first, t.cells[at].count = first, end-first
		return at
	}
	quadrant := func(b int32) int {
		q := 0
		if pos[b].X >= cx {
			q |= 1
		}
		if pos[b].Y >= cy {
			q |= 2
		}
		return q
	}
	// A counting sort of the bodies by quadrant keeps the tree's shape, and
	// so the sums, independent of anything but the positions.
	var counts [4]int32
	for _, b := range t.bodies[first:end] {
		counts[quadrant(b)]++
	}
	sorted := make([]int32, 0, end-first)
	for q := 0; q < 4; q++ {
		for _, b := range t.bodies[first:end] {
			if quadrant(b) == q {
				sorted = append(sorted, b)
			}
		}
	}
	copy(t.bodies[first:end], sorted)
	half, quarter := width/2, width/4
	start := first
	for q := 0; q < 4; q++ {
		if counts[q] == 0 {
			continue
		}
		qx, qy := cx-quarter, cy-quarter
		if q&1 != 0 {
			qx = cx + quarter
		}
		if q&2 != 0 {
			qy = cy + quarter
		}
		child := t.build(pos, mass, start, start+counts[q], qx, qy, half, depth+1)
		t.cells[at].child[q] = child
		start += counts[q]
	}
	return at
}

// repulsion is the force on node i from all others: k_r·m_i·m_j/d, directed
// away from each, with far cells taken as one body at their centre of mass.
func (t *quadtree) repulsion(i int, pos []Point, mass []float64, scaling, theta float64, stack *[]int32) Point {
	var f Point
	p, mi := pos[i], mass[i]
	push := func(dx, dy, m float64) {
		d2 := dx*dx + dy*dy
		if d2 == 0 {
			return // coincident bodies: no direction to push in
		}
		k := scaling * mi * m / d2 // (k_r·m_i·m_j/d) times the unit vector (dx,dy)/d
		f.X += dx * k
		f.Y += dy * k
	}
	s := append((*stack)[:0], 0)
	for len(s) > 0 {
		c := &t.cells[s[len(s)-1]]
		s = s[:len(s)-1]
		if c.count > 0 {
			for _, b := range t.bodies[c.first : c.first+c.count] {
				if int(b) != i {
					push(p.X-pos[b].X, p.Y-pos[b].Y, mass[b])
				}
			}
			continue
		}
		dx, dy := p.X-c.x, p.Y-c.y
		// A cell holding i itself is always opened, so i never pushes itself.
		inside := math.Abs(p.X-c.cx) <= c.width/2 && math.Abs(p.Y-c.cy) <= c.width/2
		if d := math.Hypot(dx, dy); !inside && d > 0 && c.width/d < theta {
			push(dx, dy, c.mass)
			continue
		}
		for _, ch := range c.child {
			if ch >= 0 {
				s = append(s, ch)
			}
		}
	}
	*stack = s
	return f
}
