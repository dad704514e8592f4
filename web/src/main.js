// The explorer's page: loads the concept graph from the JSON API, lays it out
// deterministically and renders it with sigma.js (WebGL). Everything the page
// shows follows from the URL's hash (route.js): links and forms only change
// the hash, and the hashchange handler below loads the graph the filters ask
// for and renders the view, so permalinks and the back button just work.

import Graph from "graphology";
import Sigma from "sigma";
import { EdgeLineProgram, EdgeRectangleProgram } from "sigma/rendering";
import { api } from "./api.js";
import { attachSearch } from "./search.js";
import { byId, clear, el } from "./dom.js";
import { placeExtraNodes } from "./layout.js";
import { communityColours, themeColour, OTHER_COLOUR } from "./palette.js";
import { renderLegend } from "./legend.js";
import { createCuration } from "./curation.js";
import { renderConcept } from "./panel.js";
import { parseHash, formatHash, serverQuery } from "./route.js";
import * as views from "./views.js";
import { downloadPNG } from "./png.js";
import { mountCypherConsole } from "./cypher.js";
import { hash32 } from "./layout.js";
import { LabelPlacer, labelSettings, fitCamera, Layout, enableDrag, mountPinLayer } from "./workbench.js";

const MIN_NODE_SIZE = 3;
const MAX_NODE_SIZE = 18;
const EPISODE_COLOUR = "#8a8f98";
// Above this many links, clicking a link is off (the concept panel's
// "evidence" links open the same table) so the pointer stays responsive.
const MAX_EDGES_FOR_EDGE_CLICKS = 10000;
const GUEST_COLOUR = "#b8860b";
// Above this many nodes a projection keeps the server's concept layout:
// ForceAtlas2 in the browser is for what an analyst looks at, not 10⁴ nodes.
const MAX_PROJECTION_LAYOUT = 5000;

// What is highlighted or hidden. The reducers read it on every refresh.
const state = {
  route: parseHash(""),
  selected: null, // concept id whose neighbourhood is highlighted
  neighbours: new Set(), // the selected concept and its neighbours
  marked: new Set(), // concepts an analysis view points at (an episode's, a comparison's)
  pathNodes: new Set(), // an answer's nodes (a path's, a gap's…), drawn in colour
  pathEdges: new Set(), // an answer's links, drawn thick
  highlighted: new Set(), // nodes ringed and labelled whatever the density (the path shown, the bridges…)
  answerColours: new Map(), // node -> colour overriding its theme's (a comparison's groups)
  visible: null, // focus mode: the only nodes shown; null shows all
  answerLinks: false, // whether the links among an answer's nodes show besides its own
  minWeight: 0,
};

// COMPARE_COLOURS colour a comparison's concepts by group.
const COMPARE_COLOURS = { shared: "#d6336c", a: "#4e79a7", b: "#f28e2b" };

const theme = { label: "#1f2328", dim: "#d9dce0", edge: "#c8ccd1", accent: "#d6336c", bg: "#f7f7f5" };

function readTheme() {
  const css = getComputedStyle(document.documentElement);
  for (const key of Object.keys(theme)) {
    const value = css.getPropertyValue(`--graph-${key}`).trim();
    if (value) theme[key] = value;
  }
}

function showStatus(message, isError) {
  const status = byId("status");
  status.textContent = message;
  status.classList.toggle("error", Boolean(isError));
  status.hidden = !message;
}

// graphRequest is the server query of the graph the filters select.
function graphRequest(filters) {
  const withMembers = filters.proj === "episodes" || filters.proj === "guests";
  return serverQuery(filters, withMembers ? { compact: "1", members: "1" } : { compact: "1" });
}

let prefetched = null; // {query, answer}: the opening graph, asked for early

function prefetchGraph(filters) {
  const query = graphRequest(filters);
  const answer = api.graph(query).then((compact) => ({ compact, built: buildGraph(compact, filters.proj) }));
  answer.catch(() => {}); // reported when loadGraph awaits it
  prefetched = { query, answer };
}

// fetchGraph returns the prefetched answer when it is the one wanted.
function fetchGraph(query) {
  const early = prefetched;
  prefetched = null;
  return early && early.query === query ? early.answer : api.graph(query).then((compact) => ({ compact }));
}

// buildGraph turns the server's compact graph (/api/graph?compact=1: one
// array per attribute, links as index pairs, positions from the server's
// layout) into a graphology graph in the chosen projection: concepts only,
// concepts with their episodes, or concepts with the guests of the episodes
// they occur in.
function buildGraph(cg, projection) {
  const graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  const colours = communityColours(cg.communities);
  const ids = cg.ids;
  for (let i = 0; i < ids.length; i++) {
    graph.addNode(ids[i], {
      label: cg.labels[i],
      kind: cg.kinds[i],
      community: cg.communities[i],
      pagerank: cg.pagerank[i] || 0,
      betweenness: cg.betweenness[i] || 0,
      degree: cg.degree[i] || 0,
      episodeCount: cg.episode_count[i] || 0,
      x: cg.x[i],
      y: cg.y[i],
      color: colours.get(cg.communities[i]),
    });
  }
  const links = cg.links;
  let maxWeight = 1e-12; // a loop: spreading 10⁵ weights into Math.max overflows the stack
  for (const w of links.weight) if (w > maxWeight) maxWeight = w;
  graph.setAttribute("maxWeight", maxWeight);
  for (let k = 0; k < links.source.length; k++) {
    const a = ids[links.source[k]];
    const b = ids[links.target[k]];
    if (a === b) continue;
    graph.mergeEdge(a, b, {
      type: "thin",
      relation: links.types[links.type[k]],
      weight: links.weight[k],
      size: 0.5 + 2.5 * Math.sqrt((links.weight[k] || 0) / maxWeight),
    });
  }
  if ((projection === "episodes" || projection === "guests") && cg.members) {
    const membersOf = cg.episodes.map(() => []);
    cg.members.forEach((eps, i) => {
      for (const j of eps) membersOf[j].push(i);
    });
    cg.episodes.forEach((e, j) => {
      const members = membersOf[j];
      if (members.length === 0) return;
      const targets = projection === "episodes" ? [{ id: `episode:${e.id}`, label: e.title || e.id, kind: "episode" }] : (e.guests || []).map((g) => ({ id: `guest:${g}`, label: g, kind: "guest" }));
      for (const t of targets) {
        if (!graph.hasNode(t.id)) {
          graph.addNode(t.id, {
            label: t.label, kind: t.kind, community: -1, pagerank: 0, betweenness: 0, degree: 0,
            episodes: new Set(), episodeCount: 0, color: t.kind === "episode" ? EPISODE_COLOUR : GUEST_COLOUR, extra: true,
          });
        }
        const attrs = graph.getNodeAttributes(t.id);
        attrs.episodes.add(e.id);
        attrs.episodeCount = attrs.episodes.size;
        for (const i of members) {
          graph.mergeEdge(t.id, ids[i], { type: "thin", relation: "in", weight: 1, size: 0.4, projection: true });
        }
      }
    });
    placeExtraNodes(graph);
  }
  return { graph, colours };
}

// sizeNodes sets node sizes from one measure: area grows with the measure, so
// the radius grows with its square root.
function sizeNodes(graph, measure) {
  let max = 1e-12;
  graph.forEachNode((_, a) => {
    if (!a.extra) max = Math.max(max, a[measure] || 0);
  });
  graph.updateEachNodeAttributes((node, a) => {
    const value = a.extra ? 0.25 * max : a[measure] || 0;
    return { ...a, size: MIN_NODE_SIZE + (MAX_NODE_SIZE - MIN_NODE_SIZE) * Math.sqrt(value / max) };
  });
}

// focusSet is the set of nodes drawn in colour, the rest dimmed; null for none.
function focusSet() {
  if (state.pathNodes.size > 0) return state.pathNodes;
  if (state.selected) return state.neighbours;
  return state.marked.size > 0 ? state.marked : null;
}

// The reducers get a copy of each item's attributes from sigma, so they
// change it in place; with nothing highlighted they return it untouched,
// which keeps a full redraw of 10⁴ concepts cheap.
function nodeReducer() {
  return (node, attrs) => {
    const out = attrs;
    const focus = focusSet();
    if (state.visible) {
      if (!state.visible.has(node)) {
        out.hidden = true;
        return out;
      }
    } else if (!focus) return out;
    if (node === state.selected || state.highlighted.has(node)) {
      out.highlighted = true;
      out.forceLabel = true;
      out.zIndex = 3;
    }
    if (!focus) return out;
    if (focus.has(node)) {
      const colour = state.answerColours.get(node);
      if (colour) out.color = colour;
      if (!out.zIndex) out.zIndex = 2;
    } else {
      out.color = theme.dim;
      out.label = "";
      out.zIndex = 0;
    }
    return out;
  };
}

// edgeReducer takes a function returning sigma's current graph: the page
// swaps graphs when the filters change, and the reducer must read the one
// sigma is drawing.
function edgeReducer(currentGraph) {
  return (edge, attrs) => {
    const out = attrs;
    if (!attrs.fromDetail && state.minWeight === 0 && !focusSet() && !state.visible) return out;
    const graph = currentGraph();
    out.color = theme.edge;
    if (!attrs.projection && !attrs.temp && attrs.weight < state.minWeight) {
      out.hidden = true;
      return out;
    }
    const [a, b] = graph.extremities(edge);
    if (state.visible) {
      // Focus mode: every link between two shown nodes, nothing else.
      out.hidden = !(state.visible.has(a) && state.visible.has(b));
      if (!out.hidden && attrs.temp) out.type = "line";
      return out;
    }
    // A link drawn for an opened concept shows only while that concept is.
    if (attrs.fromDetail && !(state.selected && (a === state.selected || b === state.selected))) {
      out.hidden = true;
      return out;
    }
    if (state.pathNodes.size > 0) {
      if (state.pathEdges.has(edge)) {
        out.type = "line";
        out.color = theme.accent;
        out.size = Math.max(3, attrs.size * 1.5);
        out.zIndex = 2;
      } else if (state.answerLinks && state.pathNodes.has(a) && state.pathNodes.has(b)) {
        // The other links among an answer's nodes (a comparison's, a gap's themes'), drawn plain.
        out.zIndex = 1;
      } else out.hidden = true;
    } else if (state.selected) {
      if (a === state.selected || b === state.selected) {
        out.type = "line";
        out.color = graph.getNodeAttribute(state.selected, "color");
        out.zIndex = 1;
      } else out.hidden = true;
    } else if (state.marked.size > 0 && !(state.marked.has(a) && state.marked.has(b))) {
      out.hidden = true;
    }
    return out;
  };
}

// drawHover marks the hovered node with a ring; the DOM tooltip carries the text.
function drawHover(context, data) {
  context.beginPath();
  context.arc(data.x, data.y, data.size + 3, 0, Math.PI * 2);
  context.lineWidth = 2;
  context.strokeStyle = theme.label;
  context.stroke();
}

async function main() {
  readTheme();
  // The console needs only the server, not the graph: mount it even if the graph fails.
  mountCypherConsole(byId("cypher"), byId("cypher-panel")).catch((err) => console.warn("Cypher console:", err));
  showStatus("Loading graph…");
  // The graph of the address the page opens on and the episodes are asked
  // for at once: sigma's start (three WebGL contexts and their shaders) takes
  // a software-rendered browser half a second, and both requests are in
  // flight while it runs.
  prefetchGraph(parseHash(location.hash).filters);
  const episodesAnswer = api.episodes();
  episodesAnswer.catch(() => {}); // reported once sigma is ready, below

  const container = byId("graph");
  const panel = byId("panel");
  const tooltip = byId("tooltip");
  let graph = new Graph();
  let colours = new Map();
  let loadedKey = null;
  let labels = new Map(); // concept id -> label, from every graph seen, for view titles

  const sigma = new Sigma(graph, container, {
    renderEdgeLabels: false,
    // The overview's links are one-pixel lines, far cheaper to draw than
    // sigma's default quads; a highlighted link becomes a "line" with its
    // width. Sigma adds its arrow program to any list, so "arrow" names the
    // cheap one too rather than compiling shaders the page never uses.
    edgeProgramClasses: { thin: EdgeLineProgram, line: EdgeRectangleProgram, arrow: EdgeLineProgram },
    // Edge picking costs a pass over every edge on each pointer move; it is
    // switched on per graph (see loadGraph) only when the graph is small.
    enableEdgeEvents: false,
    labelFont: getComputedStyle(document.body).fontFamily || "system-ui, sans-serif",
    labelSize: 13,
    labelWeight: "500",
    labelColor: { color: theme.label },
    // How many labels: the "Labels" control (workbench.js LABEL_LEVELS);
    // the placer skips any that would overlap one already drawn.
    ...labelSettings(parseHash(location.hash).filters.labels, Infinity),
    defaultDrawNodeLabel: (context, data, settings) => placer.draw(context, data, settings),
    defaultEdgeColor: theme.edge,
    defaultDrawNodeHover: drawHover,
    zIndex: true,
    allowInvalidContainer: true,
    minCameraRatio: 0.05,
    maxCameraRatio: 4,
    nodeReducer: nodeReducer(),
    edgeReducer: edgeReducer(() => sigma.getGraph()),
  });
  window.__sigma = sigma;
  // The labels sigma must show (the selected concept, an answer's stops)
  // keep their place; the others give way.
  const placer = new LabelPlacer(sigma, () => (state.selected ? [state.selected, ...state.highlighted] : state.highlighted));
  window.__labels = placer;
  const pinned = new Set(); // nodes dragged into place; the layout leaves them there
  mountPinLayer(sigma, () => pinned);
  const layout = new Layout((running) => {
    document.body.dataset.layout = running ? "running" : "done";
    const button = byId("relayout");
    button.textContent = running ? "Stop layout" : "Re-run layout";
    button.setAttribute("aria-pressed", String(running));
  });
  performance.mark("sigma created");
  let episodes;
  try {
    episodes = (await episodesAnswer).episodes || [];
  } catch (err) {
    showStatus(`Could not load the graph: ${err.message}`, true);
    return;
  }
  const episodeByID = new Map(episodes.map((e) => [e.id, e]));
  const health = await api.health().catch(() => ({}));
  const curation = createCuration({
    mode: health.edits || "read-only",
    askToken,
    onError: (err) => showStatus(`Edit refused: ${err.message}`, true),
    onApplied: async (edit, answer) => {
      // The store changed: forget what was drawn and what the themes were.
      loadedKey = null;
      themeInfo = null;
      byId("f-theme").replaceChildren(el("option", { value: "" }, "All themes"));
      fillThemes().catch(() => {});
      const gone = !answer.concept;
      const about = answer.result && answer.result.concept;
      // Said once the view the edit leads to is drawn (see idleStatus).
      notice = `${answer.result.undone ? "Undid" : "Saved"} ${answer.result.op}${about ? ` of “${answer.concept ? answer.concept.label : about}”` : ""}.`;
      if (edit.op === "ban" && !answer.result.undone) go("", []);
      else if (!gone && about && (edit.op !== "undo" || state.route.view === "concept")) {
        if (state.route.view === "concept" && state.route.args[0] === about) await applyRoute();
        else go("concept", [about]);
      } else await applyRoute();
    },
  });
  mountCurationBox(curation);
  let themeInfo = null; // /api/themes, loaded once for the theme filter's labels
  let themeNames = new Map(); // community -> theme name, from themeInfo
  const themeName = (c) => themeNames.get(c) || (c >= 0 ? `theme ${c}` : "no theme");
  // idleStatus is the status line when nothing is loading: empty, or how to
  // fill an empty store.
  let notice = ""; // what the last edit did, shown once its view is drawn
  const idleStatus = (final = true) => {
    if (notice) {
      showStatus(notice);
      if (final) notice = "";
      return;
    }
    const command = health.load_command || "go run ./cmd/graphload -store STORE NOTES (STORE as this explorer was started with)";
    showStatus(episodes.length === 0 ? `This store holds no episodes yet. Load notes into it with graphload: ${command} — then reload this page.` : "");
  };
  function updateLegend() {
    const proj = state.route && state.route.filters.proj;
    const extra = proj === "episodes" ? [[EPISODE_COLOUR, "episode"]] : proj === "guests" ? [[GUEST_COLOUR, "guest"]] : [];
    renderLegend(byId("legend"), graph, sizedBy || "pagerank", themeName, extra);
  }

  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    readTheme();
    sigma.setSetting("labelColor", { color: theme.label });
    sigma.setSetting("defaultEdgeColor", theme.edge);
    sigma.refresh();
  });

  // Navigation: every change of view or filter goes through the hash.
  const href = (view, args, filterPatch) => formatHash({ view, args: args || [], filters: { ...state.route.filters, ...(filterPatch || {}) } });
  const go = (view, args, filterPatch) => {
    location.hash = href(view, args, filterPatch);
  };
  const close = () => go("", []);
  const label = (id, path) => {
    if (path) {
      const n = (path.nodes || []).find((x) => x.id === id);
      if (n) return n.label;
    }
    return labels.get(id) || id;
  };
  const episodeInfo = (id) => {
    const e = episodeByID.get(id) || { id, title: id };
    return { ...e, href: href("episodes", [id]), sourceHref: (line) => href("source", [id, String(line)]) };
  };
  const ctx = {
    href, go, close, label, episodeInfo, themeName,
    themeColour: (c) => colours.get(c) || OTHER_COLOUR,
    highlightPath: (p) => markPath(p.nodes.map((n) => n.id)),
    expand: (id) => expand(id).catch((err) => showStatus(`Could not expand: ${err.message}`, true)),
    unpinAll: () => unpinAll(),
  };
  const focusDepth = (value) => Math.min(3, Math.max(1, Number.parseInt(value, 10) || 1));
  function unpinAll() {
    for (const node of pinned) if (graph.hasNode(node)) graph.setNodeAttribute(node, "fixed", false);
    pinned.clear();
    updatePinCount();
    sigma.refresh();
  }
  function updatePinCount() {
    const button = byId("unpin");
    button.hidden = pinned.size === 0;
    button.textContent = `Unpin ${pinned.size}`;
    document.body.dataset.pinned = String(pinned.size);
  }

  // focusCamera frames the subject of a view, labels included.
  function focusCamera(ids) {
    const legend = byId("legend-box");
    const insetLeft = legend.open ? legend.getBoundingClientRect().right - container.getBoundingClientRect().left : 0;
    fitCamera(sigma, ids, { jump: graph.size > MAX_EDGES_FOR_EDGE_CLICKS, insetLeft });
  }

  // Temporary nodes and links: an answer or a focus may need a link the map
  // left out (it shows each concept's strongest) or a concept the filters
  // left out. They are added marked temp and dropped when the view changes.
  let temps = { nodes: [], edges: [] };
  function dropTemps() {
    for (const e of temps.edges) if (graph.hasEdge(e)) graph.dropEdge(e);
    for (const n of temps.nodes) if (graph.hasNode(n)) graph.dropNode(n);
    temps = { nodes: [], edges: [] };
  }
  // ensureNode adds a concept the map lacks near the nodes it is drawn
  // with (near), nudged by a hash of its id so two do not coincide.
  function ensureNode(id, info, near) {
    if (graph.hasNode(id)) return;
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (const m of near || []) {
      if (!graph.hasNode(m)) continue;
      sx += graph.getNodeAttribute(m, "x");
      sy += graph.getNodeAttribute(m, "y");
      n++;
    }
    const box = sigma.getBBox();
    const spread = Math.max(1e-6, Math.max(box.x[1] - box.x[0], box.y[1] - box.y[0]) || 1) / 40;
    const angle = (2 * Math.PI * hash32(id, 3)) / 4294967296;
    const r = spread * (0.6 + hash32(id, 4) / 4294967296);
    const community = Number.isInteger(info && info.community) ? info.community : -1;
    graph.addNode(id, {
      label: (info && info.label) || labels.get(id) || id, kind: (info && info.kind) || "concept", community,
      pagerank: 0, betweenness: 0, degree: 0, episodeCount: 0, size: MIN_NODE_SIZE + 2,
      x: (n ? sx / n : (box.x[0] + box.x[1]) / 2) + r * Math.cos(angle), y: (n ? sy / n : (box.y[0] + box.y[1]) / 2) + r * Math.sin(angle),
      color: community >= 0 ? themeColour(community) : OTHER_COLOUR, temp: true,
    });
    temps.nodes.push(id);
  }
  // ensureEdge returns the link between a and b, added if the map left it out.
  function ensureEdge(a, b, relation, weight) {
    if (a === b || !graph.hasNode(a) || !graph.hasNode(b)) return undefined;
    const found = graph.edge(a, b);
    if (found !== undefined) return found;
    const maxWeight = graph.getAttribute("maxWeight") || 1e-12;
    const w = weight || 0;
    const edge = graph.addEdge(a, b, { type: "line", relation: relation || "cooccurs", weight: w, size: 0.5 + 2.5 * Math.sqrt(Math.min(1, w / maxWeight)), temp: true });
    temps.edges.push(edge);
    return edge;
  }
  // addNeighbours adds a concept's neighbours (from its detail) around it.
  function addNeighbours(id, neighbours) {
    for (const n of neighbours || []) {
      if (n.id === id) continue;
      ensureNode(n.id, n, [id]);
      ensureEdge(id, n.id, n.type, n.weight);
    }
  }

  // showNeighbourLinks draws the links from a concept to the neighbours its
  // detail lists (its strongest) that the overview left out, since the map
  // shows only each concept's strongest links, and highlights them all.
  function showNeighbourLinks(id, neighbours) {
    const maxWeight = graph.getAttribute("maxWeight") || 1e-12;
    for (const n of neighbours) {
      if (!graph.hasNode(n.id) || n.id === id) continue;
      state.neighbours.add(n.id);
      if (!graph.hasEdge(id, n.id)) {
        graph.addEdge(id, n.id, { type: "line", relation: n.type, weight: n.weight, size: 0.5 + 2.5 * Math.sqrt(Math.min(1, n.weight / maxWeight)), fromDetail: true });
      }
    }
  }

  // drawAnswer draws an answer as a subgraph: its nodes in colour (added if
  // the map lacks them), every one of its links drawn (added if the map
  // left them out), the rest faded; the camera frames it.
  function drawAnswer({ nodes, links, highlight, colours, plainLinks }) {
    for (const n of nodes) ensureNode(n.id, n, n.near || []);
    const edges = new Set();
    for (const l of links) {
      const e = ensureEdge(l.source, l.target, l.type, l.weight);
      if (e !== undefined) edges.add(e);
    }
    state.pathNodes = new Set(nodes.map((n) => n.id).filter((id) => graph.hasNode(id)));
    state.pathEdges = edges;
    state.highlighted = new Set((highlight || []).filter((id) => graph.hasNode(id)));
    state.answerColours = colours || new Map();
    state.answerLinks = Boolean(plainLinks);
    sigma.refresh();
    focusCamera([...state.pathNodes]);
  }

  // drawPaths draws every path found, the one at index picked out.
  function drawPaths(paths, index) {
    const nodes = [];
    const links = [];
    for (const p of paths) {
      p.nodes.forEach((n, i) => nodes.push({ ...n, near: [p.nodes[i - 1], p.nodes[i + 1]].filter(Boolean).map((x) => x.id) }));
      for (const h of p.hops) links.push(h);
    }
    drawAnswer({ nodes, links, highlight: (paths[index] || paths[0]).nodes.map((n) => n.id) });
  }

  // markPath picks one of the drawn paths out: its stops ringed and labelled.
  function markPath(ids) {
    state.highlighted = new Set(ids.filter((id) => graph.hasNode(id)));
    sigma.refresh();
    focusCamera(ids);
  }

  // themeNodes lists the nodes on the map of the given themes.
  function themeNodes(themes) {
    return graph.filterNodes((_, a) => !a.temp && themes.has(a.community)).map((id) => ({ id }));
  }

  // drawThemesAndBridges draws themes and the concepts that join them: each
  // bridge's links into the themes, from its detail, drawn even where the
  // map left them out.
  async function drawThemesAndBridges(seq, themes, bridges) {
    const details = await Promise.all(bridges.map((b) => api.neighbours(b.id, 100).catch(() => null)));
    if (seq !== routeSeq) return;
    const nodes = themeNodes(themes);
    const links = [];
    bridges.forEach((b, i) => {
      const neighbours = ((details[i] || {}).neighbours || []).filter((n) => graph.hasNode(n.id) && themes.has(graph.getNodeAttribute(n.id, "community")));
      nodes.push({ ...b, community: graph.hasNode(b.id) ? graph.getNodeAttribute(b.id, "community") : b.theme, near: neighbours.map((n) => n.id) });
      for (const n of neighbours) links.push({ source: b.id, target: n.id, type: n.type, weight: n.weight });
    });
    drawAnswer({ nodes, links, highlight: bridges.map((b) => b.id), plainLinks: true });
  }

  // focusOn shows only a concept and its neighbours up to depth hops, like
  // a local graph: the links the map draws, and each level's strongest
  // neighbours from the API beyond them. Each level is capped so depth 3
  // of a hub stays a readable few hundred nodes.
  async function focusOn(seq, id, depth) {
    const FOCUS_CAPS = [1, 40, 120, 300];
    const FETCHED_PER_LEVEL = 12;
    const centre = await api.neighbours(id, FOCUS_CAPS[1]);
    if (seq !== routeSeq) return null;
    labels.set(id, centre.concept.label);
    ensureNode(id, centre.concept, []);
    addNeighbours(id, centre.neighbours);
    const distance = new Map([[id, 0]]);
    let frontier = [id];
    for (let d = 1; d <= depth && frontier.length; d++) {
      const best = new Map();
      for (const f of frontier) {
        graph.forEachEdge(f, (_, a, source, target) => {
          const n = source === f ? target : source;
          if (distance.has(n)) return;
          const w = a.weight || 0;
          if (!best.has(n) || best.get(n) < w) best.set(n, w);
        });
      }
      const next = [...best].sort((x, y) => y[1] - x[1]).slice(0, FOCUS_CAPS[d]).map(([n]) => n);
      for (const n of next) distance.set(n, d);
      if (d < depth) {
        const widen = next.filter((n) => !n.includes(":")).slice(0, FETCHED_PER_LEVEL);
        const more = await Promise.all(widen.map((n) => api.neighbours(n, 15).catch(() => null)));
        if (seq !== routeSeq) return null;
        more.forEach((m, i) => m && addNeighbours(widen[i], m.neighbours));
      }
      frontier = next;
    }
    return distance;
  }

  // expand adds a node's strongest neighbours around it, in place.
  async function expand(id) {
    if (id.includes(":")) return; // an episode or a guest has no concept detail
    const data = await api.neighbours(id, 15);
    if (!graph.hasNode(id)) return;
    addNeighbours(id, data.neighbours);
    if (state.visible) {
      state.visible.add(id);
      for (const n of data.neighbours || []) if (graph.hasNode(n.id)) state.visible.add(n.id);
      graph.forEachNeighbor(id, (n) => state.visible.add(n));
    }
    if (state.pathNodes.size > 0) {
      for (const n of data.neighbours || []) {
        if (!graph.hasNode(n.id)) continue;
        state.pathNodes.add(n.id);
        const e = graph.edge(id, n.id);
        if (e !== undefined) state.pathEdges.add(e);
      }
    }
    document.body.dataset.expanded = id;
    sigma.refresh();
  }

  // relayout re-runs ForceAtlas2 on what is on screen; pinned nodes stay.
  async function relayout() {
    if (layout.running()) {
      layout.stop();
      return;
    }
    const shown = (node) => !sigma.getNodeDisplayData(node)?.hidden;
    await layout.run(graph, shown);
    const subject = state.visible ? [...state.visible] : state.pathNodes.size ? [...state.pathNodes] : null;
    if (subject) focusCamera(subject);
  }

  // loadGraph fetches the graph the server-side filters select, unless it is
  // already on screen, and hands it to sigma, which draws it once. It
  // reports whether it did.
  async function loadGraph(filters) {
    const key = `${serverQuery(filters)}|${filters.proj}`;
    if (key === loadedKey) return false;
    showStatus("Loading graph…");
    const fetched = await fetchGraph(graphRequest(filters));
    const compact = fetched.compact;
    const built = fetched.built || buildGraph(compact, filters.proj);
    performance.mark("graph built");
    layout.stop();
    dropTemps();
    pinned.clear();
    graph = built.graph;
    colours = built.colours;
    compact.ids.forEach((id, i) => labels.set(id, compact.labels[i]));
    loadedKey = key;
    // Sized and configured before sigma sees it: each full draw of a large
    // graph costs a software-rendered browser a few hundred milliseconds.
    sizeNodes(graph, filters.size);
    sizedBy = filters.size;
    resetHighlights();
    applyLabelDensity(filters.labels);
    sigma.setSetting("enableEdgeEvents", graph.size <= MAX_EDGES_FOR_EDGE_CLICKS);
    // Redrawing 10⁴ links on every frame of a drag is what makes a large
    // map stutter; they come back when the camera stops.
    sigma.setSetting("hideEdgesOnMove", graph.size > MAX_EDGES_FOR_EDGE_CLICKS);
    sigma.setGraph(graph);
    performance.mark("graph handed to sigma");
    const counts = compact.graph;
    const shown = counts.shown < counts.links ? `${counts.shown} of ${counts.links} links shown (each concept's strongest)` : `${counts.links} links shown`;
    byId("counts").textContent = `${episodes.length} episodes · ${counts.concepts} concepts · ${shown}`;
    byId("filter-count").textContent = `${graph.order} nodes on screen`;
    if (graph.order === 0 && episodes.length > 0) showStatus("Nothing matches these filters.");
    else idleStatus(false);
    // A projection's episodes or guests sit at the centre of their concepts
    // (layout.js), a hairball: it gets a layout of its own, in the worker.
    if ((filters.proj === "episodes" || filters.proj === "guests") && graph.order <= MAX_PROJECTION_LAYOUT) layout.run(graph, () => true);
    return true;
  }
  let sizedBy = null;

  // Export links follow the filters, so they export what is on screen.
  function updateExports(filters) {
    const extra = filters.min_weight ? { min_weight: filters.min_weight } : {};
    for (const format of ["gexf", "graphml", "csv", "node-link"]) {
      byId(`export-${format}`).setAttribute("href", `/api/export?${serverQuery(filters, { ...extra, format })}`);
    }
  }

  // The filter form mirrors the route; changing a field navigates.
  const form = byId("filters");
  const fields = { episode: "f-episode", from: "f-from", to: "f-to", kind: "f-kind", theme: "f-theme", min_weight: "f-min-weight", size: "f-size", proj: "f-proj", top: "f-top", labels: "f-labels" };
  const episodeSelect = byId("f-episode");
  for (const e of episodes) episodeSelect.appendChild(el("option", { value: e.id }, e.date ? `${e.date} — ${e.title || e.id}` : e.title || e.id));
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.validity && !input.validity.valid) {
      showStatus(`${input.name}: ${input.validationMessage}`, true);
      return;
    }
    const patch = {};
    for (const [key, id] of Object.entries(fields)) patch[key] = byId(id).value.trim();
    go(state.route.view, state.route.args, patch);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  function syncForm(filters) {
    for (const [key, id] of Object.entries(fields)) byId(id).value = filters[key] || "";
  }

  async function fillThemes() {
    if (themeInfo) return;
    themeInfo = await api.themes();
    const select = byId("f-theme");
    themeNames = new Map((themeInfo.themes || []).map((t) => [t.id, t.label]));
    for (const t of themeInfo.themes || []) select.appendChild(el("option", { value: String(t.id) }, t.label));
    select.value = state.route.filters.theme || "";
    updateLegend();
  }

  function resetHighlights() {
    dropTemps();
    state.selected = null;
    state.neighbours = new Set();
    state.marked = new Set();
    state.pathNodes = new Set();
    state.pathEdges = new Set();
    state.highlighted = new Set();
    state.answerColours = new Map();
    state.answerLinks = false;
    state.visible = null;
  }

  // applyLabelDensity sets sigma's label settings for the chosen density
  // and the number of nodes shown; unchanged settings are not set again, so
  // the opening draw is not repeated.
  function applyLabelDensity(level) {
    // Only an answer's or a neighbourhood's nodes keep their labels (the
    // faded ones lose them), so a small one is labelled as fully as a small map.
    const focus = focusSet();
    const shown = state.visible ? state.visible.size : focus ? focus.size : graph.order;
    const wanted = labelSettings(level, shown);
    let changed = false;
    for (const [key, value] of Object.entries(wanted)) {
      if (sigma.getSetting(key) === value) continue;
      changed = true;
      // The grid is rebuilt when sigma processes the graph, so its cell size
      // goes through setSetting; density and threshold are read at each
      // draw, and setSetting would re-index all 10⁴ nodes for each.
      if (key === "labelGridCellSize") sigma.setSetting(key, value);
      else sigma.settings[key] = value;
    }
    if (changed) sigma.scheduleRender();
  }

  function openPanel() {
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    panel.parentElement.scrollTop = 0;
  }

  // Views. Each is async and checks it is still the current one before drawing.
  let routeSeq = 0;
  const routes = {
    "": async () => {
      panel.hidden = true;
      clear(panel);
    },
    concept: async (seq, [id]) => {
      if (graph.hasNode(id)) {
        state.selected = id;
        state.neighbours = new Set([id, ...graph.neighbors(id)]); // the concept itself included
        focusCamera([...state.neighbours]);
      }
      const [data, life] = await Promise.all([api.concept(id), api.timeline(id)]);
      if (seq !== routeSeq) return;
      labels.set(id, data.concept.label);
      if (graph.hasNode(id)) {
        showNeighbourLinks(id, data.neighbours || []);
        focusCamera([...state.neighbours]);
      }
      renderConcept(panel, data, { editSection: curation.editSection, colour: colours.get(data.concept.community) || OTHER_COLOUR, themeName, themeHref: (c) => href("", [], { theme: String(c) }), episodeTitles: new Map(episodes.map((e) => [e.id, e.title])), episodeInfo, onSelect: (n) => go("concept", [n]), onClose: close, linkHref: (n) => href("link", [id, n]), focusHref: href("focus", [id]) });
      const timelineSection = el("section", { class: "panel-section", "data-testid": "panel-timeline" }, el("h3", {}, `Timeline · first ${life.first ? episodeInfo(life.first).date || life.first : "–"}, last ${life.last ? episodeInfo(life.last).date || life.last : "–"}`), views.timeline(life, ctx));
      panel.querySelector(".stats").after(timelineSection);
    },
    link: async (seq, [a, b]) => {
      state.pathNodes = new Set([a, b].filter((x) => graph.hasNode(x)));
      if (graph.hasNode(a) && graph.hasNode(b) && graph.hasEdge(a, b)) state.pathEdges = new Set([graph.edge(a, b)]);
      focusCamera([a, b]);
      const data = await api.link(a, b);
      if (seq !== routeSeq) return;
      labels.set(a, data.concept.label);
      const n = (data.neighbours || []).find((x) => x.id === b);
      if (!n) throw new Error(`“${label(a)}” and “${label(b)}” are not linked`);
      labels.set(b, n.label);
      views.renderLink(panel, a, b, n, ctx);
      drawAnswer({ nodes: [{ ...data.concept, near: [b] }, { ...n, near: [a] }], links: [{ source: a, target: b, type: n.type, weight: n.weight }], highlight: [a, b] });
    },
    path: async (seq, [from, to]) => {
      const data = await api.paths(from, to, state.route.filters.k || "3");
      if (seq !== routeSeq) return;
      for (const p of data.paths) for (const n of p.nodes) labels.set(n.id, n.label);
      views.renderPaths(panel, data, ctx);
      if (data.paths.length) drawPaths(data.paths, 0);
    },
    focus: async (seq, [id]) => {
      const depth = focusDepth(state.route.filters.depth);
      const distance = await focusOn(seq, id, depth);
      if (!distance || seq !== routeSeq) return;
      state.visible = new Set(distance.keys());
      state.highlighted = new Set([id]);
      applyLabelDensity(state.route.filters.labels);
      views.renderFocus(panel, { id, label: label(id), depth, shown: state.visible.size, pinned: pinned.size }, ctx);
      sigma.refresh();
      focusCamera([...state.visible]);
    },
    themes: async (seq) => {
      await fillThemes();
      if (seq === routeSeq) views.renderThemes(panel, themeInfo, ctx);
    },
    recurring: async (seq) => {
      const data = await api.recurring();
      if (seq === routeSeq) views.renderRecurring(panel, data, ctx);
    },
    bridges: async (seq, [id]) => {
      const data = await api.bridges();
      if (seq !== routeSeq) return;
      views.renderBridges(panel, data, { ...ctx, drawn: id });
      const bridge = id && (data.bridges || []).find((b) => b.id === id);
      if (!bridge) {
        state.marked = new Set(data.bridges.slice(0, 30).map((b) => b.id));
        return;
      }
      // One bridge: it and the themes it joins, with its links into them.
      await drawThemesAndBridges(seq, new Set(bridge.themes || []), [bridge]);
    },
    gaps: async (seq, [index]) => {
      const data = await api.gaps();
      if (seq !== routeSeq) return;
      const drawn = Math.max(0, Number.parseInt(index || "0", 10) || 0);
      views.renderGaps(panel, data, { ...ctx, drawn });
      const gap = (data.gaps || [])[drawn];
      // The gap's two themes and the concepts closest to bridging them.
      if (gap) await drawThemesAndBridges(seq, new Set([gap.a.theme, gap.b.theme]), gap.closest || []);
    },
    episodes: async (seq, [id]) => {
      if (!id) {
        views.renderEpisodes(panel, { episodes }, ctx);
        return;
      }
      const data = await api.episode(id);
      if (seq !== routeSeq) return;
      views.renderEpisode(panel, data, ctx);
      state.marked = new Set(data.concepts.map((c) => c.id));
    },
    source: async (seq, [id, line]) => {
      const data = await api.source(id);
      if (seq === routeSeq) views.renderSource(panel, data, Number(line) || 0, ctx);
    },
    compare: async (seq, [a, b]) => {
      const result = views.renderComparePicker(panel, episodes, [a, b], ctx);
      if (!a || !b) return;
      const data = await api.compare(a, b);
      if (seq !== routeSeq) return;
      views.renderComparison(result, data, { ...ctx, compareColours: COMPARE_COLOURS });
      // The two episodes' concepts coloured by group, with the links they share.
      const colours = new Map();
      const nodes = [];
      // Only the concepts the filters keep: a comparison under an episode
      // filter colours that episode's map, it does not bring the rest back.
      for (const [group, items] of [["a", data.only_a], ["b", data.only_b], ["shared", data.shared]]) {
        for (const c of items || []) {
          if (!graph.hasNode(c.id)) continue;
          colours.set(c.id, COMPARE_COLOURS[group]);
          nodes.push(c);
        }
      }
      const links = (data.shared_links || []).map((l) => ({ source: l.source, target: l.target, type: l.type, weight: l.weight }));
      drawAnswer({ nodes, links, colours, plainLinks: true });
    },
    changes: async (seq, [query]) => {
      const params = new URLSearchParams(query || "");
      const data = query ? await api.changes(query) : null;
      if (seq === routeSeq) views.renderChanges(panel, params, data, ctx);
    },
  };

  async function applyRoute() {
    const seq = ++routeSeq;
    const route = parseHash(location.hash);
    state.route = route;
    syncForm(route.filters);
    updateExports(route.filters);
    for (const link of document.querySelectorAll("nav.views a")) link.classList.toggle("current", link.dataset.view === route.view);
    try {
      // The filters that change what is drawn are in place before the
      // graph's first draw, so a freshly loaded map is drawn once.
      state.minWeight = Number(route.filters.min_weight) || 0;
      const fresh = await loadGraph(route.filters);
      if (seq !== routeSeq) return;
      let redraw = !fresh;
      if (sizedBy !== route.filters.size) {
        sizeNodes(graph, route.filters.size);
        sizedBy = route.filters.size;
        redraw = true;
      }
      if (fresh || redraw) updateLegend();
      resetHighlights();
      const view = routes[route.view];
      if (!view) throw new Error(`there is no view “${route.view}”`);
      if (route.view !== "") {
        openPanel();
        redraw = true;
      }
      const pending = view(seq, route.args);
      // Highlight at the next frame; a view that answers at once is drawn
      // only once, by the refresh below.
      if (redraw) sigma.scheduleRefresh();
      await pending;
      if (seq !== routeSeq) return;
      applyLabelDensity(route.filters.labels);
      if (redraw) sigma.refresh();
      performance.mark("view drawn");
      idleStatus();
    } catch (err) {
      if (seq !== routeSeq) return;
      clear(panel);
      panel.hidden = false;
      panel.appendChild(el("p", { class: "error", "data-testid": "view-error" }, err.message));
      idleStatus();
    } finally {
      if (seq === routeSeq) {
        panel.removeAttribute("aria-busy");
        document.body.dataset.view = route.view || "graph";
        document.body.dataset.route = location.hash;
        window.__graphReady = true;
        document.body.dataset.ready = "true";
      }
    }
  }

  const drag = enableDrag(
    sigma,
    (node) => {
      pinned.add(node);
      updatePinCount();
    },
    (dragged, target) => {
      // Dropping one concept onto another offers to merge them.
      const isConcept = (n) => !n.startsWith("episode:") && !n.startsWith("guest:");
      if (curation.mode === "read-only" || !isConcept(dragged) || !isConcept(target)) return;
      confirmMerge(graph.getNodeAttributes(dragged), graph.getNodeAttributes(target)).then((ok) => {
        if (ok) curation.apply({ op: "merge", into: target, from: [dragged] });
      });
    },
  );
  // A double click on a pinned node lets it go (and does not zoom).
  sigma.on("doubleClickNode", ({ node, preventSigmaDefault }) => {
    if (!pinned.has(node)) return;
    preventSigmaDefault();
    if (graph.hasNode(node)) graph.setNodeAttribute(node, "fixed", false);
    pinned.delete(node);
    updatePinCount();
    sigma.refresh();
  });
  // A right click expands a node in place: its strongest neighbours around it.
  sigma.on("rightClickNode", ({ node, event }) => {
    if (event.original) event.original.preventDefault();
    ctx.expand(node);
  });
  byId("relayout").addEventListener("click", () => relayout().catch((err) => showStatus(`Layout failed: ${err.message}`, true)));
  byId("unpin").addEventListener("click", unpinAll);
  document.body.dataset.layout = "idle";
  updatePinCount();

  sigma.on("clickNode", ({ node }) => {
    if (drag.wasDrag()) return;
    if (node.startsWith("episode:")) go("episodes", [node.slice("episode:".length)]);
    else if (!node.startsWith("guest:")) go("concept", [node]);
  });
  sigma.on("clickEdge", ({ edge }) => {
    if (graph.getEdgeAttribute(edge, "projection")) return;
    const [a, b] = graph.extremities(edge);
    go("link", a < b ? [a, b] : [b, a]);
  });
  sigma.on("clickStage", () => {
    if (drag.wasDrag()) return;
    if (state.route.view !== "") close();
  });
  sigma.on("enterNode", ({ node, event }) => {
    const attrs = graph.getNodeAttributes(node);
    clear(tooltip);
    tooltip.append(el("strong", {}, attrs.label), el("span", { class: "meta" }, `${attrs.kind} · ${attrs.episodeCount} ep. · degree ${attrs.extra ? graph.degree(node) : attrs.degree}`));
    tooltip.hidden = false;
    tooltip.style.transform = `translate(${Math.round(event.x + 14)}px, ${Math.round(event.y + 14)}px)`;
    container.classList.add("pointing");
  });
  sigma.on("leaveNode", () => {
    tooltip.hidden = true;
    container.classList.remove("pointing");
  });
  sigma.on("enterEdge", () => container.classList.add("pointing"));
  sigma.on("leaveEdge", () => container.classList.remove("pointing"));

  // Header search.
  const searchInput = byId("search");
  attachSearch(searchInput, {
    onPick: (result) => {
      go("concept", [result.id]);
      searchInput.blur();
    },
    onError: (err) => showStatus(`Search failed: ${err.message}`, true),
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      searchInput.focus();
      searchInput.select();
    } else if (event.key === "Escape" && !typing) {
      const menu = document.querySelector("details.export[open]");
      if (menu) menu.open = false;
      else if (state.route.view !== "") close();
    }
  });

  // Path finder: picking both ends and submitting opens #/path/A/B.
  const ends = { from: null, to: null };
  const findButton = byId("path-find");
  const refreshFindButton = () => {
    findButton.disabled = !(ends.from && ends.to);
  };
  for (const end of ["from", "to"]) {
    const input = byId(`path-${end}`);
    attachSearch(input, {
      onPick: (result) => {
        ends[end] = result.id;
        refreshFindButton();
      },
      onError: (err) => showStatus(`Search failed: ${err.message}`, true),
    });
    input.addEventListener("input", () => {
      ends[end] = null;
      refreshFindButton();
    });
  }
  byId("path-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (ends.from && ends.to) go("path", [ends.from, ends.to]);
  });

  byId("export-png").addEventListener("click", () => {
    downloadPNG(sigma, theme.bg, `topicgraph-${state.route.view || "graph"}.png`);
    document.querySelector("details.export").open = false;
  });

  window.addEventListener("hashchange", applyRoute);
  fillThemes().catch((err) => showStatus(`Could not load themes: ${err.message}`, true));
  await applyRoute();
}

// confirmMerge previews what merging concept a into b does and resolves to
// whether the analyst confirmed it.
function confirmMerge(a, b) {
  const dialog = byId("merge-dialog");
  byId("merge-preview").textContent =
    `Merge “${a.label}” into “${b.label}”? “${a.label}” (${a.episodeCount || 0} episodes, degree ${a.degree || 0}) becomes an alias of “${b.label}” (${b.episodeCount || 0} episodes): its episodes, links and evidence join it. Undo takes it back.`;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "merge"), { once: true });
    dialog.showModal();
  });
}

// askToken shows the token dialog and resolves to what was typed, or null.
function askToken(message) {
  const dialog = byId("token-dialog");
  byId("token-message").textContent = message;
  const input = byId("token-input");
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" && input.value.trim() ? input.value.trim() : null), { once: true });
    dialog.showModal();
    input.focus();
  });
}

// mountCurationBox shows the sidebar's pin form and undo button when the
// explorer takes edits, and says which kind of editing it allows.
function mountCurationBox(curation) {
  const box = byId("curate-box");
  const modeText = {
    open: "Edits are saved to the explorer's lexicon file.",
    token: "Edits need the explorer's token; it is asked for once per tab.",
    "read-only": "Read-only: the explorer has no lexicon file, or is shared without a token.",
  };
  byId("edits-mode").textContent = modeText[curation.mode] || "";
  box.dataset.mode = curation.mode;
  if (curation.mode === "read-only") {
    byId("undo").hidden = true;
  } else {
    byId("pin-slot").append(curation.pinForm());
    byId("undo").addEventListener("click", () => curation.undo());
  }
  box.hidden = false;
}

main().catch((err) => {
  showStatus(`The page failed: ${err.message}`, true);
  throw err;
});
