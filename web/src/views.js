// The side panel's analysis views: themes, recurring concepts, bridges, gaps,
// episodes, one episode, a comparison, changes over time, a link's evidence
// and k paths. Each renders API data into the panel with textContent only
// (through el), and links to other views by their URL, so every click is a
// history entry the back button undoes.

import { clear, el, formatScore, appendAll } from "./dom.js";
import { quote, formatTime } from "./evidence.js";

// head is a view's title row with the close button.
function head(title, onClose, ...extra) {
  const close = el("button", { type: "button", class: "close", "aria-label": "Close panel", "data-testid": "panel-close" }, "×");
  close.addEventListener("click", onClose);
  return el("header", { class: "panel-head" }, el("h2", { "data-testid": "panel-label" }, title), close, ...extra);
}

function section(title, testid, ...children) {
  return el("section", { class: "panel-section", "data-testid": testid }, el("h3", {}, title), ...children);
}

// showOnMap links to the view that draws one item on the map; the drawn one says so.
function showOnMap(href, drawn, testid) {
  return drawn ? el("span", { class: "drawn-mark", "data-testid": `${testid}-current` }, "drawn on the map") : el("a", { href, "data-testid": testid }, "on the map");
}

// keyItem is a colour swatch and what it means.
function keyItem(colour, text) {
  const swatch = el("span", { class: "swatch" });
  swatch.style.backgroundColor = colour;
  return el("span", { class: "key-item" }, swatch, text);
}

function episodeName(e) {
  return [e.date, e.title || e.id].filter(Boolean).join(" — ");
}

// evidenceTable is the episode-by-quote table: one row per line, grouped
// under its episode, each with its context lines and terms (the two ends of
// the link) marked.
export function evidenceTable(rows, episodeInfo, testid, terms) {
  const table = el("table", { class: "evidence-table", "data-testid": testid || "evidence-table" });
  table.appendChild(el("thead", {}, el("tr", {}, el("th", {}, "Episode"), el("th", {}, "Line"), el("th", {}, "Quote"))));
  const body = el("tbody");
  let last = null;
  for (const row of rows) {
    const ep = episodeInfo(row.episode);
    const first = row.episode !== last;
    last = row.episode;
    body.appendChild(
      el(
        "tr",
        { class: first ? "group-start" : "", "data-testid": "evidence" },
        el("td", { class: "ep" }, first ? el("a", { href: ep.href }, episodeName(ep)) : ""),
        el("td", { class: "num" }, el("a", { href: ep.sourceHref ? ep.sourceHref(row.line) : undefined, title: "Open the note at this line", "data-testid": "evidence-source-link" }, String(row.line))),
        el("td", {}, ...quote(row, ep, terms)),
      ),
    );
  }
  table.appendChild(body);
  return table;
}

export function renderThemes(container, data, ctx) {
  clear(container);
  const themes = data.themes || [];
  appendAll(container, 
    head("Themes", ctx.close),
    el("p", { class: "muted" }, `${themes.length} themes (Louvain communities) · modularity ${formatScore(data.modularity)}`),
    el(
      "ol",
      { class: "rows" },
      themes.map((t) =>
        el(
          "li",
          { "data-testid": "theme", "data-id": String(t.id) },
          el("a", { href: ctx.href("", [], { theme: String(t.id) }), class: "row-title" }, el("span", { class: "swatch", "data-theme": String(t.id) }), t.label || `theme ${t.id}`),
          el("span", { class: "meta" }, `${t.size} concepts · ${t.episode_count} ep.`),
          el(
            "div",
            { class: "sub" },
            "strong in ",
            (t.episodes || []).slice(0, 3).map((e, i) => [i ? ", " : "", el("a", { href: ctx.href("episodes", [e.id]) }, e.title || e.id), ` (${Math.round(e.share * 100)}%)`]),
          ),
        ),
      ),
    ),
  );
  for (const swatch of container.querySelectorAll(".swatch[data-theme]")) swatch.style.backgroundColor = ctx.themeColour(Number(swatch.dataset.theme));
}

export function renderRecurring(container, data, ctx) {
  clear(container);
  appendAll(container, 
    head("Recurring concepts", ctx.close),
    el("p", { class: "muted" }, "Concepts that come back in the most episodes, with their first and last appearance."),
    el(
      "ol",
      { class: "rows" },
      (data.concepts || []).map((c) =>
        el(
          "li",
          { "data-testid": "recurring" },
          el("a", { href: ctx.href("concept", [c.id]), class: "row-title" }, c.label),
          el("span", { class: "meta" }, `${c.episodes} ep. · ${c.mentions} lines`),
          el("div", { class: "sub" }, `${c.first_date || "undated"} → ${c.last_date || "undated"}`),
        ),
      ),
    ),
  );
}

export function renderBridges(container, data, ctx) {
  clear(container);
  appendAll(container, 
    head("Bridges", ctx.close),
    el("p", { class: "muted" }, "Concepts that join themes, by betweenness; the episode that first linked them across themes. “on the map” draws one with the themes it joins."),
    el(
      "ol",
      { class: "rows" },
      (data.bridges || []).map((b) =>
        el(
          "li",
          { "data-testid": "bridge", class: ctx.drawn === b.id ? "drawn" : "" },
          el("a", { href: ctx.href("concept", [b.id]), class: "row-title" }, b.label),
          el("span", { class: "meta" }, `betweenness ${formatScore(b.betweenness)} · `, showOnMap(ctx.href("bridges", [b.id]), ctx.drawn === b.id, "bridge-draw")),
          el(
            "div",
            { class: "sub" },
            "joins ",
            (b.themes || []).map((t, i) => [i ? ", " : "", el("a", { href: ctx.href("", [], { theme: String(t) }), "data-testid": "bridge-theme" }, ctx.themeName(t))]),
            b.first_episode ? [" · first in ", el("a", { href: ctx.href("episodes", [b.first_episode]) }, b.first_date || b.first_episode)] : null,
          ),
        ),
      ),
    ),
  );
}

export function renderGaps(container, data, ctx) {
  clear(container);
  const gaps = data.gaps || [];
  appendAll(container, 
    head("Gaps", ctx.close),
    el("p", { class: "muted" }, "Pairs of frequent themes that meet in fewer episodes than chance predicts, with the concepts closest to bridging them. The map draws the marked gap: its two themes and the closest bridges with their links."),
    gaps.length === 0 ? el("p", { class: "muted" }, "No gaps: every pair of themes meets as often as expected.") : null,
    el(
      "ol",
      { class: "rows" },
      gaps.map((g, i) =>
        el(
          "li",
          { "data-testid": "gap", class: ctx.drawn === i ? "drawn" : "" },
          el(
            "div",
            { class: "row-title" },
            el("a", { href: ctx.href("", [], { theme: String(g.a.theme) }) }, g.a.label),
            " ⟷ ",
            el("a", { href: ctx.href("", [], { theme: String(g.b.theme) }) }, g.b.label),
          ),
          el("span", { class: "meta" }, `met in ${g.shared_episodes} ep., expected ${g.expected.toFixed(1)} · `, showOnMap(ctx.href("gaps", [String(i)]), ctx.drawn === i, "gap-draw")),
          el(
            "div",
            { class: "sub" },
            (g.closest || []).length === 0
              ? "no concept links both themes yet"
              : ["closest bridges: ", (g.closest || []).map((c, i) => [i ? ", " : "", el("a", { href: ctx.href("concept", [c.id]) }, c.label)])],
          ),
        ),
      ),
    ),
  );
}

export function renderEpisodes(container, data, ctx) {
  clear(container);
  const episodes = data.episodes || [];
  appendAll(container, 
    head(`Episodes (${episodes.length})`, ctx.close),
    el(
      "ol",
      { class: "rows" },
      episodes.map((e) =>
        el(
          "li",
          { "data-testid": "episode-row" },
          el("a", { href: ctx.href("episodes", [e.id]), class: "row-title", "data-id": e.id }, e.title || e.id),
          el("span", { class: "meta" }, `${e.date || "undated"} · ${e.concepts} concepts`),
          e.guests && e.guests.length ? el("div", { class: "sub" }, `with ${e.guests.join(", ")}`) : null,
        ),
      ),
    ),
  );
}

// SIMILARITY_MEANING says in words what the similarity percentage is.
const SIMILARITY_MEANING =
  "Similarity is the cosine of the two episodes' concept profiles, each concept weighted by how often the episode mentions it and how rare it is across episodes (TF-IDF): 100% means the same concepts in the same proportions, 0% no concept in common.";

// percent shows a similarity in [0, 1] as a percentage, keeping small values visible.
function percent(x) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  const p = x * 100;
  return p > 0 && p < 1 ? "<1%" : `${Math.round(p)}%`;
}

// speakersSection lists what each speaker of a transcript brought up most.
function speakersSection(speakers, ctx) {
  if (!speakers || speakers.length === 0) return null;
  return section(
    `Speakers (${speakers.length})`,
    "episode-speakers",
    el(
      "ul",
      { class: "rows" },
      speakers.map((sp) =>
        el(
          "li",
          { "data-testid": "speaker" },
          el("span", { class: "row-title" }, sp.speaker),
          el("div", { class: "sub" }, "talked most about ", sp.concepts.map((c, i) => [i ? ", " : "", el("a", { href: ctx.href("concept", [c.id]) }, c.label), ` (${c.mentions})`])),
        ),
      ),
    ),
  );
}

export function renderEpisode(container, data, ctx) {
  clear(container);
  const e = data.episode;
  const similar = data.similar || [];
  appendAll(container, 
    head(e.title || e.id, ctx.close),
    el("p", { class: "muted" }, [e.date || "undated", e.show, e.source].filter(Boolean).join(" · ")),
    e.guests && e.guests.length ? el("p", {}, `Guests: ${e.guests.join(", ")}`) : null,
    speakersSection(data.speakers, ctx),
    section(
      `Similar episodes (${similar.length})`,
      "similar",
      el("p", { class: "muted" }, SIMILARITY_MEANING),
      el(
        "ol",
        { class: "rows" },
        similar.map((s) =>
          el(
            "li",
            { "data-testid": "similar-episode" },
            el("a", { href: ctx.href("episodes", [s.id]), class: "row-title" }, s.title || s.id),
            el("span", { class: "meta", title: SIMILARITY_MEANING }, `${percent(s.similarity)} similar · ${s.shared_concepts} shared`),
            el("div", { class: "sub" }, el("a", { href: ctx.href("compare", [e.id, s.id]), "data-testid": "compare-link" }, "compare")),
          ),
        ),
      ),
    ),
    section(
      `Concepts (${(data.concepts || []).length})`,
      "episode-concepts",
      el(
        "ul",
        { class: "chips" },
        (data.concepts || []).slice(0, 80).map((c) => el("li", {}, el("a", { href: ctx.href("concept", [c.id]) }, c.label), el("span", { class: "meta" }, `${c.mentions}×`))),
      ),
    ),
  );
}

// renderComparePicker shows two episode selects; choosing both opens the comparison.
export function renderComparePicker(container, episodes, args, ctx) {
  clear(container);
  const pick = (name, value) => {
    const select = el("select", { id: `compare-${name}`, "data-testid": `compare-${name}` }, el("option", { value: "" }, "choose an episode"));
    for (const e of episodes) select.appendChild(el("option", { value: e.id }, episodeName(e)));
    select.value = value || "";
    return select;
  };
  const a = pick("a", args[0]);
  const b = pick("b", args[1]);
  const go = el("button", { type: "button", "data-testid": "compare-go" }, "Compare");
  go.addEventListener("click", () => {
    if (a.value && b.value) ctx.go("compare", [a.value, b.value]);
  });
  appendAll(container, head("Compare two episodes", ctx.close), el("div", { class: "compare-pick" }, el("label", {}, "A ", a), el("label", {}, "B ", b), go), el("div", { id: "compare-result" }));
  return container.querySelector("#compare-result");
}

export function renderComparison(container, data, ctx) {
  clear(container);
  const list = (items, testid) =>
    el(
      "ul",
      { class: "chips", "data-testid": testid },
      items.slice(0, 60).map((c) => el("li", {}, el("a", { href: ctx.href("concept", [c.id]) }, c.label))),
    );
  const links = data.shared_links || [];
  appendAll(container, 
    el("p", { "data-testid": "compare-summary" }, `${percent(data.similarity)} similar · ${data.shared.length} shared concepts · ${links.length} shared links`),
    el("p", { class: "muted", "data-testid": "similarity-meaning" }, SIMILARITY_MEANING),
    ctx.compareColours ? el("p", { class: "map-key", "data-testid": "compare-key" }, "On the map: ", keyItem(ctx.compareColours.shared, "shared"), keyItem(ctx.compareColours.a, "only in A"), keyItem(ctx.compareColours.b, "only in B")) : null,
    section(`Shared (${data.shared.length})`, "compare-shared", list(data.shared, "shared")),
    section(`Only in A (${data.only_a.length})`, "compare-only-a", list(data.only_a, "only-a")),
    section(`Only in B (${data.only_b.length})`, "compare-only-b", list(data.only_b, "only-b")),
    section(
      `Shared links (${links.length})`,
      "compare-links",
      el(
        "ol",
        { class: "rows" },
        links.slice(0, 30).map((l) =>
          el(
            "li",
            {},
            el("a", { href: ctx.href("link", [l.source, l.target]), class: "row-title" }, `${ctx.label(l.source)} — ${ctx.label(l.target)}`),
            el("span", { class: "meta" }, l.type),
            el("blockquote", { class: "sub" }, `A: ${(l.evidence_a[0] || {}).text || ""}`),
            el("blockquote", { class: "sub" }, `B: ${(l.evidence_b[0] || {}).text || ""}`),
          ),
        ),
      ),
    ),
  );
}

// renderLink shows the evidence for one link: every line, by episode.
export function renderLink(container, a, b, neighbour, ctx) {
  clear(container);
  appendAll(container, 
    head(`${ctx.label(a)} — ${ctx.label(b)}`, ctx.close),
    el(
      "p",
      { class: "muted" },
      `${neighbour.type} · weight ${formatScore(neighbour.weight)} · ${neighbour.episodes.length} episodes · `,
      el("a", { href: ctx.href("concept", [a]) }, ctx.label(a)),
      " · ",
      el("a", { href: ctx.href("concept", [b]) }, ctx.label(b)),
    ),
    evidenceTable(neighbour.evidence || [], ctx.episodeInfo, "link-evidence", [ctx.label(a), ctx.label(b)]),
  );
}

// renderPaths shows k paths, each hop with its evidence grouped by episode.
export function renderPaths(container, data, ctx) {
  clear(container);
  const paths = data.paths || [];
  appendAll(container, head(`Paths: ${ctx.label(data.from)} → ${ctx.label(data.to)}`, ctx.close));
  if (paths.length === 0) {
    container.appendChild(el("p", { class: "muted", "data-testid": "path-none" }, "No path connects these concepts."));
    return;
  }
  paths.forEach((p, i) => {
    const hops = el("ol", { class: "hops" });
    p.hops.forEach((hop, h) => {
      const lines = [];
      for (const ep of p.by_episode || []) {
        for (const ev of ep.evidence || []) if (ev.hop === h) lines.push({ ...ev, episode: ep.episode });
      }
      hops.appendChild(
        el(
          "li",
          { class: "hop", "data-testid": "hop" },
          el(
            "div",
            { class: "hop-head" },
            el("a", { href: ctx.href("concept", [hop.source]) }, ctx.label(hop.source, p)),
            el("span", { class: "rel" }, ` — ${hop.type} — `),
            el("a", { href: ctx.href("concept", [hop.target]) }, ctx.label(hop.target, p)),
            " ",
            el("a", { href: ctx.href("link", [hop.source, hop.target]), class: "muted" }, "all evidence"),
          ),
          evidenceTable(lines.slice(0, 6), ctx.episodeInfo, "hop-evidence", [ctx.label(hop.source, p), ctx.label(hop.target, p)]),
        ),
      );
    });
    const show = el("button", { type: "button", class: "link", "data-testid": "path-show" }, "highlight");
    show.addEventListener("click", () => ctx.highlightPath(p));
    container.appendChild(
      el("section", { class: "panel-section path", "data-testid": "path" }, el("h3", {}, `Path ${i + 1}: ${p.length} ${p.length === 1 ? "hop" : "hops"} `, show), hops),
    );
  });
}

// renderChanges shows a form for two windows and the concepts that rose and fell.
export function renderChanges(container, params, data, ctx) {
  clear(container);
  const input = (name, value) => el("input", { name, value: value || "", placeholder: "YYYY-MM", size: "8", "data-testid": `changes-${name}` });
  const form = el(
    "form",
    { class: "changes-form", "data-testid": "changes-form" },
    el("label", {}, "A from ", input("a_from", params.get("a_from")), " to ", input("a_to", params.get("a_to"))),
    el("label", {}, "B from ", input("b_from", params.get("b_from")), " to ", input("b_to", params.get("b_to"))),
    el("button", { type: "submit" }, "Compare windows"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams(new FormData(form));
    ctx.go("changes", [query.toString()]);
  });
  appendAll(container, head("Change over time", ctx.close), el("p", { class: "muted" }, "PageRank within each date window; the concepts that rose and fell most."), form);
  if (!data) return;
  const rows = (items, testid) =>
    el(
      "ol",
      { class: "rows", "data-testid": testid },
      items.map((c) =>
        el(
          "li",
          {},
          el("a", { href: ctx.href("concept", [c.id]), class: "row-title" }, c.label),
          el("span", { class: "meta" }, `${formatScore(c.pagerank_a)} → ${formatScore(c.pagerank_b)}${c.new ? " (new)" : ""}${c.gone ? " (gone)" : ""}`),
        ),
      ),
    );
  appendAll(container, 
    el("p", {}, `A: ${data.a.episodes} episodes, ${data.a.concepts} concepts · B: ${data.b.episodes} episodes, ${data.b.concepts} concepts`),
    section("Rose", "changes-rose", rows(data.rose || [], "rose")),
    section("Fell", "changes-fell", rows(data.fell || [], "fell")),
  );
}

// timeline draws a concept's life history: one bar per episode it occurs in,
// in date order, its height the lines that mention it.
export function timeline(data, ctx) {
  const eps = data.episodes || [];
  const NS = "http://www.w3.org/2000/svg";
  const width = 340;
  const height = 70;
  const maxMentions = Math.max(1, ...eps.map((e) => e.mentions));
  const barWidth = Math.max(1, Math.min(24, (width - 2) / Math.max(1, eps.length) - 1));
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height + 14}`);
  svg.setAttribute("class", "timeline");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Mentions in ${eps.length} episodes`);
  svg.dataset.testid = "timeline";
  eps.forEach((e, i) => {
    const h = Math.max(2, (height * e.mentions) / maxMentions);
    const link = document.createElementNS(NS, "a");
    link.setAttribute("href", ctx.href("episodes", [e.id]));
    const bar = document.createElementNS(NS, "rect");
    bar.setAttribute("x", String(1 + i * (barWidth + 1)));
    bar.setAttribute("y", String(height - h));
    bar.setAttribute("width", String(barWidth));
    bar.setAttribute("height", String(h));
    bar.setAttribute("class", "bar");
    const title = document.createElementNS(NS, "title");
    title.textContent = `${e.date || "undated"} — ${e.title || e.id}: ${e.mentions} lines`;
    bar.appendChild(title);
    link.appendChild(bar);
    svg.appendChild(link);
  });
  const axis = (x, anchor, text) => {
    const t = document.createElementNS(NS, "text");
    t.setAttribute("x", String(x));
    t.setAttribute("y", String(height + 12));
    t.setAttribute("text-anchor", anchor);
    t.setAttribute("class", "axis");
    t.textContent = text;
    svg.appendChild(t);
  };
  if (eps.length) {
    axis(1, "start", eps[0].date || "undated");
    axis(width - 1, "end", eps[eps.length - 1].date || "undated");
  }
  return svg;
}

// renderSource shows an episode's note as stored, the line `at` marked and
// scrolled into view: the place an evidence line comes from.
export function renderSource(container, data, at, ctx) {
  clear(container);
  const lines = data.lines || [];
  const list = el("ol", { class: "source", "data-testid": "source" });
  let target = null;
  for (const l of lines) {
    const meta = [l.speaker, typeof l.time === "number" ? formatTime(l.time) : ""].filter(Boolean).join(" · ");
    const item = el(
      "li",
      { class: `source-line kind-${l.kind || "paragraph"}${l.line === at ? " at" : ""}`, "data-line": String(l.line), "data-testid": "source-line" },
      el("span", { class: "line" }, String(l.line)),
      meta ? el("span", { class: "speaker-line" }, meta, " ") : null,
      l.kind === "heading" || l.kind === "title" ? el("strong", {}, l.text) : l.text,
    );
    if (l.line === at) target = item;
    list.appendChild(item);
  }
  const ep = data.episode || {};
  appendAll(container,
    head(ep.title || ep.id || "Source", ctx.close),
    el("p", { class: "muted" }, el("a", { href: ctx.href("episodes", [ep.id]) }, "the episode's concepts"), ` · ${lines.length} lines${ep.source ? ` · ${ep.source}` : ""}`),
    lines.length === 0 ? el("p", { class: "muted" }, "No lines are stored for this episode.") : list,
  );
  if (target) target.scrollIntoView({ block: "center" });
}

// renderFocus is the panel of a focus: the concept, the depth to choose,
// and what the map lets one do there.
export function renderFocus(container, info, ctx) {
  clear(container);
  const depths = el(
    "p",
    { class: "depths", "data-testid": "focus-depths" },
    "Depth ",
    [1, 2, 3].map((d) =>
      d === info.depth
        ? el("strong", { "data-testid": "focus-depth-current" }, ` ${d} `)
        : [" ", el("a", { href: ctx.href("focus", [info.id], { depth: String(d) }), "data-testid": `focus-depth-${d}` }, String(d)), " "],
    ),
  );
  appendAll(
    container,
    head(`Focus: ${info.label}`, ctx.close),
    el("p", { class: "muted", "data-testid": "focus-count" }, `${info.shown} nodes within ${info.depth} ${info.depth === 1 ? "hop" : "hops"}; the rest of the map is hidden.`),
    depths,
    el("p", {}, el("a", { href: ctx.href("concept", [info.id]) }, `Open ${info.label}`)),
    el(
      "ul",
      { class: "muted hints" },
      el("li", {}, "Drag a node to pin it where you drop it (ringed); double-click it, or “Unpin”, to let it go."),
      el("li", {}, "Right-click a node to expand it: its strongest neighbours join the map around it."),
      el("li", {}, "“Re-run layout” lays out what is on screen again; pinned nodes stay put."),
    ),
  );
}
