// The map's legend: what colour and size mean on screen. Colour is the theme
// (named as /api/themes names it, coloured by community number so a theme
// keeps its colour in every view); size is the measure the "Size by" filter
// chose, with its range among the concepts on screen.

import { clear, el, formatScore } from "./dom.js";
import { themeColour, COMMUNITY_COLOURS, OTHER_COLOUR } from "./palette.js";

const MEASURE_NAMES = { pagerank: "PageRank", betweenness: "betweenness", degree: "degree" };

// renderLegend fills container for graph (a graphology graph whose concept
// nodes carry community and the measures), naming themes with themeName.
export function renderLegend(container, graph, measure, themeName, extraKinds) {
  clear(container);
  const present = new Map(); // community -> concepts on screen
  let low = Infinity;
  let high = -Infinity;
  graph.forEachNode((_, a) => {
    if (a.extra) return;
    present.set(a.community, (present.get(a.community) || 0) + 1);
    const v = a[measure] || 0;
    if (v < low) low = v;
    if (v > high) high = v;
  });
  if (present.size === 0) {
    container.hidden = true;
    return;
  }
  const coloured = [...present.keys()].filter((c) => c >= 0 && c < COMMUNITY_COLOURS.length).sort((a, b) => a - b);
  const others = [...present.keys()].filter((c) => !(c >= 0 && c < COMMUNITY_COLOURS.length));
  const item = (colour, text, attrs) => {
    const swatch = el("span", { class: "swatch" });
    swatch.style.backgroundColor = colour; // our palette, never the notes'
    return el("li", attrs || {}, swatch, text);
  };
  const items = coloured.map((c) => item(themeColour(c), themeName(c), { "data-testid": "legend-theme", "data-theme": String(c) }));
  if (others.length > 0) {
    const n = others.reduce((sum, c) => sum + present.get(c), 0);
    items.push(item(OTHER_COLOUR, `${others.length} smaller ${others.length === 1 ? "theme" : "themes"} and unlinked concepts (${n})`, { "data-testid": "legend-other" }));
  }
  for (const [colour, text] of extraKinds || []) items.push(item(colour, text, {}));
  const range = high > low ? `${formatScore(low)} – ${formatScore(high)}` : formatScore(high);
  container.append(
    el("h3", {}, "Colour: theme"),
    el("ul", { class: "legend-themes" }, items),
    el("p", { class: "legend-size", "data-testid": "legend-size" }, `Size: ${MEASURE_NAMES[measure] || measure} (${range} on screen)`),
  );
  container.hidden = false;
}
