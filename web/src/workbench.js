// The map as a workbench: how many labels are drawn and that they do not
// overlap, a camera that frames what a view is about (labels included), the
// ForceAtlas2 layout re-run in a web worker on what is on screen, and nodes
// dragged and pinned by hand. main.js wires these to the views; nothing here
// runs while the page opens, so the opening draw costs what it did.

import FA2Layout from "graphology-layout-forceatlas2/worker";
import forceAtlas2 from "graphology-layout-forceatlas2";
import Graph from "graphology";

// LABEL_LEVELS are the label densities the "Labels" control offers, as sigma
// settings: how many labels a grid cell of the screen may hold and how small
// a node may be drawn and still get one. "normal" is the page's former fixed
// setting, so the default map looks and costs as before.
export const LABEL_LEVELS = {
  few: { labelDensity: 0.25, labelGridCellSize: 160, labelRenderedSizeThreshold: 10 },
  normal: { labelDensity: 0.5, labelGridCellSize: 110, labelRenderedSizeThreshold: 7 },
  many: { labelDensity: 4, labelGridCellSize: 50, labelRenderedSizeThreshold: 1 },
};

// SMALL_MAP is the number of nodes under which "normal" labels every node
// there is room for: a theme or an episode alone is small enough to read
// whole (the issue saw 5 of a theme's 52 concepts labelled).
export const SMALL_MAP = 400;

// labelSettings returns the sigma settings of a label level for a map of
// order nodes.
export function labelSettings(level, order) {
  const chosen = LABEL_LEVELS[level] || LABEL_LEVELS.normal;
  // The grid's cell size stays the level's: changing it makes sigma
  // re-index the whole graph, which a click on a 10⁴-node map must not cost.
  if (level !== "few" && order <= SMALL_MAP) return { ...LABEL_LEVELS.many, labelDensity: 8, labelGridCellSize: chosen.labelGridCellSize };
  return chosen;
}

// LabelPlacer draws node labels so that none overlaps another: sigma picks
// the candidates (by its grid and the density), and a candidate whose box
// meets a label already drawn in this frame is skipped. Labels sigma is told
// to force (a selected concept, a path's stops) reserve their place before
// the others are drawn, so they are never the ones skipped.
export class LabelPlacer {
  constructor(sigma, forced) {
    this.sigma = sigma;
    this.forced = forced; // () => iterable of node ids whose labels must show
    this.boxes = [];
    this.drawn = 0;
    this.skipped = 0;
    this.lastDrawn = 0;
    this.lastSkipped = 0;
    // The forced labels' places are taken at the frame's first label, not
    // at beforeRender: sigma updates its camera matrix and node data after
    // that event, and boxes from the frame before would be one frame stale.
    sigma.on("beforeRender", () => {
      this.boxes = [];
      this.drawn = 0;
      this.skipped = 0;
      this.reserved = false;
    });
    sigma.on("afterRender", () => {
      this.lastDrawn = this.drawn;
      this.lastSkipped = this.skipped;
    });
  }

  reserve() {
    this.reserved = true;
    const sigma = this.sigma;
    const graph = sigma.getGraph();
    const size = sigma.getSetting("labelSize");
    for (const node of this.forced()) {
      if (!graph.hasNode(node)) continue;
      const data = sigma.getNodeDisplayData(node);
      if (!data || data.hidden || !data.label) continue;
      const at = sigma.framedGraphToViewport(data);
      const r = sigma.scaleSize(data.size);
      this.boxes.push(labelBox(at.x, at.y, r, approxWidth(data.label, size), size));
    }
  }

  // draw is sigma's defaultDrawNodeLabel.
  draw(context, data, settings) {
    if (!data.label) return;
    if (!this.reserved) this.reserve();
    const size = settings.labelSize;
    context.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
    const width = context.measureText(data.label).width;
    const box = labelBox(data.x, data.y, data.size, width, size);
    if (!data.forceLabel) {
      for (const other of this.boxes) {
        if (box.x0 < other.x1 && other.x0 < box.x1 && box.y0 < other.y1 && other.y0 < box.y1) {
          this.skipped++;
          return;
        }
      }
      this.boxes.push(box);
    }
    this.drawn++;
    context.fillStyle = settings.labelColor.color;
    context.fillText(data.label, data.x + data.size + 3, data.y + size / 3);
  }
}

function approxWidth(label, size) {
  return label.length * size * 0.55;
}

// labelBox is the screen box of a label drawn right of a node at (x, y) of
// radius r, with a little air around it.
function labelBox(x, y, r, width, size) {
  const pad = 2;
  return { x0: x + r + 3 - pad, x1: x + r + 3 + width + pad, y0: y - size * 0.7 - pad, y1: y + size * 0.4 + pad };
}

let measureContext = null;

// labelWidth measures a label in the page's label font.
function labelWidth(sigma, label) {
  if (!measureContext) measureContext = document.createElement("canvas").getContext("2d");
  measureContext.font = `${sigma.getSetting("labelWeight")} ${sigma.getSetting("labelSize")}px ${sigma.getSetting("labelFont")}`;
  return measureContext.measureText(label || "").width;
}

// fitCamera moves the camera so that the nodes ids, their labels included,
// fill the view with a margin: the ratio makes the widest extent fit, then
// the centre moves so the box of nodes and labels sits in the middle (labels
// run to the right, so centring the nodes alone cuts them at the right edge
// and leaves the left empty). A large map jumps instead of gliding: every
// frame of a glide redraws it.
export function fitCamera(sigma, ids, options) {
  // Sigma's display data is in framed coordinates only once it has
  // processed the graph: a view opened with the page (or just after a
  // refresh) would be framed on raw positions. Framing after the draw that
  // is then pending (sigma always has one) reads processed positions.
  if (sigma.needToProcess) sigma.once("afterRender", () => fitNow(sigma, ids, options));
  else fitNow(sigma, ids, options);
}

function fitNow(sigma, ids, options) {
  const graph = sigma.getGraph();
  const nodes = ids.filter((id) => graph.hasNode(id));
  if (nodes.length === 0) return;
  const margin = 24;
  const { width, height } = sigma.getDimensions();
  if (!width || !height) return;
  const labelSize = sigma.getSetting("labelSize");
  const data = nodes.map((id) => sigma.getNodeDisplayData(id)).filter((d) => d && !d.hidden);
  if (data.length === 0) return;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const d of data) {
    minX = Math.min(minX, d.x);
    maxX = Math.max(maxX, d.x);
    minY = Math.min(minY, d.y);
    maxY = Math.max(maxY, d.y);
  }
  const centre = { x: (minX + maxX) / 2, y: (minY + maxY) / 2, angle: 0 };
  // Pixel spans at ratio 1, which scale as 1/ratio.
  const one = { ...centre, ratio: 1 };
  const a = sigma.framedGraphToViewport({ x: minX, y: minY }, { cameraState: one });
  const b = sigma.framedGraphToViewport({ x: maxX, y: maxY }, { cameraState: one });
  const spanX = Math.abs(b.x - a.x);
  const spanY = Math.abs(b.y - a.y);
  const widest = Math.max(0, ...data.map((d) => labelWidth(sigma, d.label)));
  const room = (px) => Math.max(40, px);
  // A panel over the map's left side (the open legend) is no room to draw in.
  const inset = Math.min(width / 3, Math.max(0, (options && options.insetLeft) || 0));
  let ratio = Math.max(spanX / room(width - inset - 2 * margin - widest - 2 * MAX_RADIUS), spanY / room(height - 2 * margin - labelSize - 2 * MAX_RADIUS));
  const min = sigma.getSetting("minCameraRatio") || 0.05;
  const max = sigma.getSetting("maxCameraRatio") || 4;
  ratio = Math.min(max, Math.max(Math.max(min, 0.08), ratio || 0));
  // Centre the box of nodes and labels at that ratio.
  const trial = { ...centre, ratio };
  let left = Infinity;
  let right = -Infinity;
  let top = Infinity;
  let bottom = -Infinity;
  for (const d of data) {
    const v = sigma.framedGraphToViewport(d, { cameraState: trial });
    const r = sigma.scaleSize(d.size, ratio);
    left = Math.min(left, v.x - r);
    right = Math.max(right, v.x + r + 3 + labelWidth(sigma, d.label));
    top = Math.min(top, v.y - r - labelSize / 2);
    bottom = Math.max(bottom, v.y + r + labelSize / 2);
  }
  // The box's centre goes to the middle of the free room, right of the inset.
  const shift = width / 2 - (inset + width) / 2;
  const target = sigma.viewportToFramedGraph({ x: (left + right) / 2 + shift, y: (top + bottom) / 2 }, { cameraState: trial });
  const state = { x: target.x, y: target.y, ratio, angle: 0 };
  if (options && options.jump) sigma.getCamera().setState(state);
  else sigma.getCamera().animate(state, { duration: 300 });
}

const MAX_RADIUS = 18;

// Layout re-runs ForceAtlas2 on the nodes on screen in a web worker, so the
// page stays responsive: a copy of the visible subgraph is laid out, its
// positions copied to the drawn graph at each frame, and the worker stopped
// after a time that grows with the graph. Pinned nodes (attribute fixed) do
// not move.
export class Layout {
  constructor(onChange) {
    this.onChange = onChange; // (running: boolean) => void
    this.supervisor = null;
    this.frame = 0;
    this.timer = 0;
    this.runs = 0;
  }

  running() {
    return this.supervisor !== null;
  }

  // run lays out the nodes of graph that visible(node) accepts; it resolves
  // when the worker has stopped.
  run(graph, visible) {
    this.stop();
    const copy = new Graph({ type: "undirected" });
    graph.forEachNode((node, a) => {
      if (visible(node)) copy.addNode(node, { x: a.x, y: a.y, size: a.size, fixed: Boolean(a.fixed) });
    });
    graph.forEachEdge((edge, a, source, target) => {
      if (copy.hasNode(source) && copy.hasNode(target) && !copy.hasEdge(source, target)) copy.addEdge(source, target, { weight: a.weight || 1 });
    });
    if (copy.order < 2) return Promise.resolve(copy.order);
    const settings = { ...forceAtlas2.inferSettings(copy), barnesHutOptimize: copy.order > 500, adjustSizes: false };
    const supervisor = new FA2Layout(copy, { settings, getEdgeWeight: "weight" });
    this.supervisor = supervisor;
    this.runs++;
    this.onChange(true);
    const copyBack = () => {
      copy.forEachNode((node, a) => {
        if (!a.fixed && graph.hasNode(node)) {
          graph.setNodeAttribute(node, "x", a.x);
          graph.setNodeAttribute(node, "y", a.y);
        }
      });
    };
    const tick = () => {
      copyBack();
      this.frame = requestAnimationFrame(tick);
    };
    supervisor.start();
    this.frame = requestAnimationFrame(tick);
    const duration = Math.min(6000, 1200 + 2 * copy.order);
    return new Promise((resolve) => {
      this.finish = () => {
        copyBack();
        resolve(copy.order);
      };
      this.timer = setTimeout(() => this.stop(), duration);
    });
  }

  stop() {
    if (!this.supervisor) return;
    clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
    this.supervisor.kill();
    this.supervisor = null;
    const finish = this.finish;
    this.finish = null;
    if (finish) finish();
    this.onChange(false);
  }
}

// enableDrag lets the user drag a node with the mouse; a dragged node is
// pinned where it is dropped (attribute fixed, which the layout respects).
// The camera is off while dragging so the stage does not pan along, and the
// click that ends a drag does not count as a click on the node. A node
// dropped onto another one is handed to onDrop(dragged, target) too: the
// page offers to merge them.
export function enableDrag(sigma, onPin, onDrop) {
  let dragged = null;
  let moved = false;
  let suppressClickUntil = 0;
  sigma.on("downNode", ({ node, event }) => {
    if (event.original && event.original.button !== 0) return; // a right click expands, it does not drag
    dragged = node;
    moved = false;
    sigma.getCamera().disable();
  });
  sigma.on("moveBody", ({ event }) => {
    if (!dragged) return;
    const graph = sigma.getGraph();
    if (!graph.hasNode(dragged)) return;
    const pos = sigma.viewportToGraph(event);
    graph.mergeNodeAttributes(dragged, { x: pos.x, y: pos.y, fixed: true });
    moved = true;
    event.preventSigmaDefault();
    event.original.preventDefault();
    event.original.stopPropagation();
  });
  const release = () => {
    if (dragged && moved) {
      suppressClickUntil = performance.now() + 400;
      onPin(dragged);
      const target = onDrop ? nodeUnder(sigma, dragged) : null;
      if (target) onDrop(dragged, target);
    }
    dragged = null;
    moved = false;
    sigma.getCamera().enable();
  };
  sigma.on("upNode", release);
  sigma.on("upStage", release);
  return { wasDrag: () => performance.now() < suppressClickUntil };
}

// nodeUnder is the node drawn under node, if any: the one whose disc the
// dragged node's centre falls in, nearest first.
function nodeUnder(sigma, node) {
  const at = sigma.getNodeDisplayData(node);
  if (!at) return null;
  const centre = sigma.framedGraphToViewport(at);
  let best = null;
  let bestDistance = Infinity;
  sigma.getGraph().forEachNode((other) => {
    if (other === node) return;
    const d = sigma.getNodeDisplayData(other);
    if (!d || d.hidden) return;
    const p = sigma.framedGraphToViewport(d);
    const distance = Math.hypot(p.x - centre.x, p.y - centre.y);
    if (distance <= Math.max(d.size, 6) && distance < bestDistance) {
      best = other;
      bestDistance = distance;
    }
  });
  return best;
}

// mountPinLayer rings each pinned node on a canvas layer above the nodes.
export function mountPinLayer(sigma, pinned) {
  sigma.createCanvasContext("pins", { afterLayer: "nodes" });
  const context = sigma.canvasContexts.pins;
  const canvas = sigma.getCanvases().pins;
  sigma.on("afterRender", () => {
    const { width, height } = sigma.getDimensions();
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const graph = sigma.getGraph();
    if (pinned().size === 0) return;
    context.strokeStyle = getComputedStyle(document.documentElement).getPropertyValue("--graph-label").trim() || "#1f2328";
    context.lineWidth = 2;
    context.setLineDash([3, 2]);
    for (const node of pinned()) {
      if (!graph.hasNode(node) || !graph.getNodeAttribute(node, "fixed")) continue;
      const d = sigma.getNodeDisplayData(node);
      if (!d || d.hidden) continue;
      const v = sigma.framedGraphToViewport(d);
      context.beginPath();
      context.arc(v.x, v.y, sigma.scaleSize(d.size) + 4, 0, Math.PI * 2);
      context.stroke();
    }
  });
}
