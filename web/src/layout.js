// Deterministic layout. ForceAtlas2 (Jacomy, Venturini, Heymann & Bastian 2014,
// "ForceAtlas2, a continuous graph layout algorithm for handy network
// visualization", PLoS ONE 9(6)) settles a graph from its starting positions, and
// has no randomness of its own. So the starting positions decide the picture: we
// place each community on a circle and its members around the community's centre
// at angles and radii drawn from a hash of the concept id. Same data, same map,
// every load.

import forceAtlas2 from "graphology-layout-forceatlas2";

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

// iterationsFor scales the number of ForceAtlas2 iterations down as graphs grow,
// keeping the first paint fast on large graphs while small ones fully settle.
export function iterationsFor(order) {
  if (order <= 100) return 400;
  return Math.max(60, Math.round(400 * Math.sqrt(100 / order)));
}

// placeNodes assigns x and y to every node of graph: communities on a circle,
// larger communities first, members scattered around their centre.
export function placeNodes(graph) {
  const members = new Map();
  graph.forEachNode((node, attrs) => {
    const c = attrs.community;
    if (!members.has(c)) members.set(c, []);
    members.get(c).push(node);
  });
  const communities = [...members.keys()].sort((a, b) => members.get(b).length - members.get(a).length || a - b);
  const ringRadius = 10 * Math.sqrt(graph.order + 1);
  communities.forEach((community, i) => {
    const angle = (2 * Math.PI * i) / communities.length;
    const cx = communities.length > 1 ? ringRadius * Math.cos(angle) : 0;
    const cy = communities.length > 1 ? ringRadius * Math.sin(angle) : 0;
    const spread = 3 * Math.sqrt(members.get(community).length + 1);
    for (const node of members.get(community)) {
      const a = 2 * Math.PI * unit(node, 1);
      // sqrt keeps the scatter uniform over the disc instead of crowding its centre.
      const r = spread * Math.sqrt(unit(node, 2));
      graph.mergeNodeAttributes(node, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) });
    }
  });
}

// layout places every node and runs ForceAtlas2 synchronously.
export function layout(graph) {
  placeNodes(graph);
  if (graph.order < 2) return;
  const settings = forceAtlas2.inferSettings(graph);
  settings.barnesHutOptimize = graph.order > 500;
  forceAtlas2.assign(graph, {
    iterations: iterationsFor(graph.order),
    settings,
    getEdgeWeight: "weight",
  });
}
