// Positions. The server lays out the whole concept graph once per load
// (ForceAtlas2 with Barnes–Hut repulsion, internal/layout) and sends every
// concept's x and y, so the page never runs a force layout: a graph of
// 10⁴ concepts opens as fast as it downloads. The page only places the nodes
// it adds itself (episodes and guests in the bipartite projections).

// hash32 is FNV-1a over the UTF-16 code units of text, with a seed so one id can
// give several independent numbers.
export function hash32(text, seed) {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// unit maps a hash to [0, 1).
function unit(text, seed) {
  return hash32(text, seed) / 4294967296;
}

// placeExtraNodes puts each node marked extra (an episode or a guest) at the
// centre of the concepts it links to, nudged by a hash of its id so that two
// with the same concepts do not sit on top of each other. The concepts keep
// the server's layout, so switching projections does not move the map.
export function placeExtraNodes(graph) {
  let minX = Infinity;
  let maxX = -Infinity;
  graph.forEachNode((_, a) => {
    if (a.extra) return;
    minX = Math.min(minX, a.x);
    maxX = Math.max(maxX, a.x);
  });
  const nudge = Number.isFinite(maxX - minX) && maxX > minX ? (maxX - minX) / 100 : 1;
  graph.forEachNode((node, a) => {
    if (!a.extra) return;
    let sx = 0;
    let sy = 0;
    let n = 0;
    graph.forEachNeighbor(node, (_, b) => {
      if (b.extra) return;
      sx += b.x;
      sy += b.y;
      n++;
    });
    const angle = 2 * Math.PI * unit(node, 1);
    const r = nudge * (0.5 + unit(node, 2));
    graph.mergeNodeAttributes(node, { x: (n ? sx / n : 0) + r * Math.cos(angle), y: (n ? sy / n : 0) + r * Math.sin(angle) });
  });
}
