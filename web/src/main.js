// The explorer's page: loads the concept graph from the JSON API, lays it out
// deterministically, renders it with sigma.js (WebGL) and wires the search box,
// the concept panel, the path finder and the episode filter.

import Graph from "graphology";
import Sigma from "sigma";
import { api } from "./api.js";
import { attachSearch } from "./search.js";
import { byId, clear, el } from "./dom.js";
import { layout } from "./layout.js";
import { communityColours } from "./palette.js";
import { renderConcept, renderPath } from "./panel.js";

const MIN_NODE_SIZE = 3;
const MAX_NODE_SIZE = 18;

// What is highlighted or hidden. The reducers read it on every refresh.
const state = {
  selected: null, // concept id whose neighbourhood is highlighted
  neighbours: new Set(),
  pathNodes: new Set(),
  pathEdges: new Set(),
  episode: "", // episode id the graph is filtered to, "" for all
};

const theme = { label: "#1f2328", dim: "#d9dce0", edge: "#c8ccd1", accent: "#d6336c" };

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

// buildGraph turns node-link JSON into a graphology graph of concepts (episode
// nodes become the filter's options, not graph nodes).
function buildGraph(nodeLink) {
  const graph = new Graph({ type: "undirected", multi: false, allowSelfLoops: false });
  const concepts = nodeLink.nodes.filter((n) => n.kind !== "episode");
  const maxRank = Math.max(1e-12, ...concepts.map((c) => c.pagerank || 0));
  const colours = communityColours(concepts.map((c) => c.community));
  for (const c of concepts) {
    graph.addNode(c.id, {
      label: c.label,
      kind: c.kind,
      community: c.community,
      pagerank: c.pagerank,
      degree: c.degree,
      episodes: new Set(c.episodes || []),
      // Area grows with PageRank, so the radius grows with its square root.
      size: MIN_NODE_SIZE + (MAX_NODE_SIZE - MIN_NODE_SIZE) * Math.sqrt((c.pagerank || 0) / maxRank),
      color: colours.get(c.community),
    });
  }
  const maxWeight = Math.max(1e-12, ...nodeLink.links.map((l) => l.weight || 0));
  for (const l of nodeLink.links) {
    if (l.source === l.target || !graph.hasNode(l.source) || !graph.hasNode(l.target)) continue;
    graph.mergeEdge(l.source, l.target, {
      type: "line",
      relation: l.type,
      weight: l.weight,
      episodes: new Set(l.episodes || []),
      size: 0.5 + 2.5 * Math.sqrt((l.weight || 0) / maxWeight),
    });
  }
  return { graph, colours };
}

function nodeVisible(attrs) {
  return state.episode === "" || attrs.episodes.has(state.episode);
}

function nodeReducer(graph) {
  return (node, attrs) => {
    const out = { ...attrs };
    if (!nodeVisible(attrs)) {
      out.hidden = true;
      return out;
    }
    if (state.pathNodes.size > 0) {
      if (state.pathNodes.has(node)) {
        out.highlighted = true;
        out.forceLabel = true;
        out.zIndex = 2;
      } else {
        out.color = theme.dim;
        out.label = "";
      }
    } else if (state.selected) {
      if (node === state.selected) {
        out.highlighted = true;
        out.forceLabel = true;
        out.zIndex = 2;
      } else if (state.neighbours.has(node)) {
        out.zIndex = 1;
      } else {
        out.color = theme.dim;
        out.label = "";
      }
    }
    return out;
  };
}

function edgeReducer(graph) {
  return (edge, attrs) => {
    const out = { ...attrs, color: theme.edge };
    const [a, b] = graph.extremities(edge);
    if (state.episode !== "" && !attrs.episodes.has(state.episode)) {
      out.hidden = true;
      return out;
    }
    if (state.pathNodes.size > 0) {
      if (state.pathEdges.has(edge)) {
        out.color = theme.accent;
        out.size = Math.max(3, attrs.size * 1.5);
        out.zIndex = 2;
      } else {
        out.hidden = true;
      }
    } else if (state.selected) {
      if (a === state.selected || b === state.selected) {
        out.color = graph.getNodeAttribute(state.selected, "color");
        out.zIndex = 1;
      } else {
        out.hidden = true;
      }
    }
    return out;
  };
}

// drawHover marks the hovered node with a ring; the DOM tooltip carries the text,
// so the canvas does not need sigma's default white label box (unreadable in dark mode).
function drawHover(context, data) {
  context.beginPath();
  context.arc(data.x, data.y, data.size + 3, 0, Math.PI * 2);
  context.lineWidth = 2;
  context.strokeStyle = theme.label;
  context.stroke();
}

async function main() {
  readTheme();
  showStatus("Loading graph…");
  let nodeLink;
  let episodeList;
  try {
    [nodeLink, episodeList] = await Promise.all([api.graph(), api.episodes()]);
  } catch (err) {
    showStatus(`Could not load the graph: ${err.message}`, true);
    return;
  }
  const { graph, colours } = buildGraph(nodeLink);
  const episodes = episodeList.episodes || [];
  const episodeTitles = new Map(episodes.map((e) => [e.id, e.title || e.id]));
  layout(graph);

  byId("counts").textContent = `${episodes.length} episodes · ${graph.order} concepts · ${graph.size} links`;
  if (graph.order === 0) {
    showStatus("The graph is empty: load some notes first.", false);
  } else {
    showStatus("");
  }

  const container = byId("graph");
  const sigma = new Sigma(graph, container, {
    renderEdgeLabels: false,
    labelFont: getComputedStyle(document.body).fontFamily || "system-ui, sans-serif",
    labelSize: 13,
    labelWeight: "500",
    labelColor: { color: theme.label },
    labelDensity: 0.6,
    labelGridCellSize: 90,
    labelRenderedSizeThreshold: 7,
    defaultEdgeColor: theme.edge,
    defaultDrawNodeHover: drawHover,
    zIndex: true,
    // A window being resized (or a browser capturing a screenshot) can leave the
    // container without width for a frame; draw nothing then instead of throwing.
    allowInvalidContainer: true,
    minCameraRatio: 0.05,
    maxCameraRatio: 4,
    nodeReducer: nodeReducer(graph),
    edgeReducer: edgeReducer(graph),
  });
  window.__sigma = sigma;

  // The constructor renders synchronously, before any listener could be attached:
  // listen, then render once more so the flag marks a frame that really happened.
  sigma.once("afterRender", () => {
    window.__graphReady = true;
    document.body.dataset.ready = "true";
  });
  sigma.refresh();

  // Light/dark: re-read the colours when the system scheme changes.
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
    readTheme();
    sigma.setSetting("labelColor", { color: theme.label });
    sigma.refresh();
  });

  const panel = byId("panel");
  const pathResult = byId("path-result");
  const tooltip = byId("tooltip");

  // focusCamera frames the given nodes: never closer than a quarter of the
  // whole map, so the selection keeps its surroundings in view.
  function focusCamera(ids) {
    const points = ids.map((id) => sigma.getNodeDisplayData(id)).filter(Boolean);
    if (points.length === 0) return;
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const x = (Math.min(...xs) + Math.max(...xs)) / 2;
    const y = (Math.min(...ys) + Math.max(...ys)) / 2;
    const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
    const ratio = Math.min(1, Math.max(0.25, extent * 1.4));
    sigma.getCamera().animate({ x, y, ratio }, { duration: 400 });
  }

  function clearPath() {
    state.pathNodes = new Set();
    state.pathEdges = new Set();
  }

  let selectSeq = 0;
  async function select(id) {
    if (!graph.hasNode(id)) {
      showStatus(`Concept “${id}” is not in the graph.`, true);
      return;
    }
    const seq = ++selectSeq;
    clearPath();
    state.selected = id;
    state.neighbours = new Set(graph.neighbors(id));
    sigma.refresh();
    focusCamera([id, ...state.neighbours]);
    panel.hidden = false;
    panel.setAttribute("aria-busy", "true");
    try {
      const data = await api.concept(id);
      if (seq !== selectSeq) return; // a later selection won
      renderConcept(panel, data, {
        colour: graph.getNodeAttribute(id, "color"),
        episodeTitles,
        onSelect: select,
        onClose: deselect,
      });
      // A new concept starts at the top of the sidebar, not where the last one was scrolled to.
      panel.parentElement.scrollTop = 0;
      showStatus("");
    } catch (err) {
      if (seq !== selectSeq) return;
      clear(panel);
      panel.appendChild(el("p", { class: "error" }, `Could not load “${graph.getNodeAttribute(id, "label")}”: ${err.message}`));
    } finally {
      if (seq === selectSeq) panel.removeAttribute("aria-busy");
    }
  }

  function deselect() {
    selectSeq++;
    state.selected = null;
    state.neighbours = new Set();
    panel.hidden = true;
    clear(panel);
    sigma.refresh();
  }

  sigma.on("clickNode", ({ node }) => select(node));
  sigma.on("clickStage", () => {
    if (state.pathNodes.size > 0) {
      clearPath();
      sigma.refresh();
    } else if (state.selected) {
      deselect();
    }
  });
  sigma.on("enterNode", ({ node, event }) => {
    const attrs = graph.getNodeAttributes(node);
    clear(tooltip);
    tooltip.append(
      el("strong", {}, attrs.label),
      el("span", { class: "meta" }, `${attrs.kind} · ${attrs.episodes.size} ep. · degree ${graph.degree(node)}`),
    );
    tooltip.hidden = false;
    tooltip.style.transform = `translate(${Math.round(event.x + 14)}px, ${Math.round(event.y + 14)}px)`;
    container.classList.add("pointing");
  });
  sigma.on("leaveNode", () => {
    tooltip.hidden = true;
    container.classList.remove("pointing");
  });

  // Header search.
  const searchInput = byId("search");
  attachSearch(searchInput, {
    onPick: (result) => {
      select(result.id);
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
    } else if (event.key === "Escape" && !typing && state.selected) {
      deselect();
    }
  });

  // Path finder.
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
  const clearButton = byId("path-clear");
  clearButton.addEventListener("click", () => {
    clearPath();
    clear(pathResult);
    pathResult.hidden = true;
    clearButton.hidden = true;
    sigma.refresh();
  });
  byId("path-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!ends.from || !ends.to) return;
    pathResult.setAttribute("aria-busy", "true");
    try {
      const data = await api.path(ends.from, ends.to);
      state.selected = null;
      state.neighbours = new Set();
      clearPath();
      if (data.found) {
        const ids = data.nodes.map((n) => n.id);
        state.pathNodes = new Set(ids);
        for (let i = 0; i + 1 < ids.length; i++) {
          const edge = graph.edge(ids[i], ids[i + 1]);
          if (edge !== undefined) state.pathEdges.add(edge);
        }
        // A path may run through concepts the episode filter hides: show everything.
        if (state.episode !== "") setEpisode("");
        focusCamera(ids);
      }
      sigma.refresh();
      renderPath(pathResult, data, { episodeTitles, onSelect: select });
      pathResult.hidden = false;
      clearButton.hidden = false;
    } catch (err) {
      clear(pathResult);
      pathResult.appendChild(el("p", { class: "error" }, `Path search failed: ${err.message}`));
      pathResult.hidden = false;
    } finally {
      pathResult.removeAttribute("aria-busy");
    }
  });

  // Episode filter.
  const filter = byId("episode-filter");
  for (const e of episodes) {
    const label = e.date ? `${e.date} — ${e.title || e.id}` : e.title || e.id;
    filter.appendChild(el("option", { value: e.id }, label));
  }
  function setEpisode(id) {
    state.episode = id;
    filter.value = id;
    if (state.selected && !nodeVisible(graph.getNodeAttributes(state.selected))) deselect();
    let shown = 0;
    graph.forEachNode((_, attrs) => {
      if (nodeVisible(attrs)) shown++;
    });
    byId("filter-count").textContent = id === "" ? "" : `${shown} of ${graph.order} concepts`;
    sigma.refresh();
  }
  filter.addEventListener("change", () => setEpisode(filter.value));
}

main().catch((err) => {
  showStatus(`The page failed: ${err.message}`, true);
  throw err;
});
