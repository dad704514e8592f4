// The side panel's concept view (GET /api/concepts/{id}), built from API data
// with textContent only. The analysis views are in views.js.

import { clear, el, formatScore, appendAll } from "./dom.js";
import { quote } from "./evidence.js";

// How many neighbours and evidence lines to show before a "show all" button,
// so a hub concept does not produce a panel thousands of lines long.
const FIRST_NEIGHBOURS = 25;
const FIRST_EVIDENCE = 30;
const FIRST_EPISODES = 50;

function section(title, testid, ...children) {
  return el("section", { class: "panel-section", "data-testid": testid }, el("h3", {}, title), ...children);
}

// capped renders the first `first` items and a button revealing the rest.
function capped(tag, items, first, renderItem, attrs) {
  const list = el(tag, attrs || {});
  const shown = items.slice(0, first).map(renderItem);
  shown.forEach((item) => list.appendChild(item));
  if (items.length <= first) return list;
  const more = el("button", { type: "button", class: "link more" }, `Show all ${items.length}`);
  more.addEventListener("click", () => {
    items.slice(first).forEach((item) => list.appendChild(renderItem(item)));
    more.remove();
  });
  return el("div", {}, list, more);
}

function evidenceItem(title, ev, episode, terms) {
  return el(
    "li",
    { class: "evidence", "data-testid": "evidence" },
    el("div", { class: "evidence-source" }, title, el("a", { class: "line", href: episode && episode.sourceHref ? episode.sourceHref(ev.line) : undefined, title: "Open the note at this line", "data-testid": "evidence-source-link" }, `line ${ev.line}`)),
    ...quote(ev, episode, terms),
  );
}

// renderConcept fills container with a concept's details. episodeTitles maps
// episode ids to titles; onSelect is called with a neighbour's id when it is clicked.
export function renderConcept(container, data, { colour, themeName, themeHref, episodeTitles, episodeInfo, onSelect, onClose, linkHref, focusHref, editSection }) {
  const c = data.concept;
  clear(container);
  const close = el("button", { type: "button", class: "close", "aria-label": "Close panel", "data-testid": "panel-close" }, "×");
  close.addEventListener("click", onClose);

  const head = el(
    "header",
    { class: "panel-head" },
    el("h2", { "data-testid": "panel-label" }, c.label),
    close,
    el(
      "p",
      { class: "kind-line" },
      el("span", { class: `kind kind-${c.kind}`, "data-testid": "panel-kind" }, c.kind),
      el("span", { class: "swatch", "data-colour": colour }),
      c.degree > 0 ? el("a", { href: themeHref(c.community), "data-testid": "panel-theme", title: "Show this theme only" }, themeName(c.community)) : el("span", { class: "muted" }, "no theme: no links"),
      focusHref ? el("a", { href: focusHref, class: "focus-link", "data-testid": "panel-focus", title: "Show only this concept and its neighbours" }, "focus") : null,
    ),
  );
  // The swatch colour comes from our own palette, never from the notes; setting
  // it as a style property keeps the page free of inline style attributes in HTML.
  head.querySelector(".swatch").style.backgroundColor = colour;

  const aliases = (c.aliases || []).filter((a) => a !== c.label);
  const stats = el(
    "dl",
    { class: "stats" },
    el("dt", {}, "Degree"),
    el("dd", { "data-testid": "panel-degree" }, String(c.degree)),
    el("dt", {}, "PageRank"),
    el("dd", {}, formatScore(c.pagerank)),
    el("dt", {}, "Mentions"),
    el("dd", {}, String(c.mentions)),
    el("dt", {}, "Betweenness"),
    el("dd", {}, formatScore(c.betweenness)),
  );

  const episodes = data.episodes || [];
  const neighbours = data.neighbours || [];
  const evidence = data.evidence || [];

  appendAll(container, 
    head,
    stats,
    aliases.length ? el("p", { class: "aliases" }, "Also written: ", aliases.join(", ")) : null,
    section(
      `Episodes (${episodes.length})`,
      "panel-episodes",
      capped(
        "ul",
        episodes,
        FIRST_EPISODES,
        (e) => el("li", {}, el("span", { class: "title" }, e.title || e.id), el("span", { class: "meta" }, [e.date, `${e.mentions}×`].filter(Boolean).join(" · "))),
        { class: "episodes" },
      ),
    ),
    section(
      `Neighbours (${data.neighbour_count ?? neighbours.length})`,
      "panel-neighbours",
      neighbours.length === 0
        ? el("p", { class: "muted" }, "No related concepts.")
        : capped(
            "ol",
            neighbours,
            FIRST_NEIGHBOURS,
            (n) => {
              const button = el(
                "button",
                { type: "button", class: "neighbour", "data-testid": "neighbour", "data-id": n.id },
                el("span", { class: "label" }, n.label),
                el("span", { class: "meta" }, `${n.type} · ${formatScore(n.weight)}`),
              );
              button.addEventListener("click", () => onSelect(n.id));
              const evidence = el("a", { href: linkHref(n.id), class: "evidence-link", "data-testid": "link-evidence-open", "data-id": n.id, title: "The lines that link them" }, "evidence");
              return el("li", {}, button, evidence);
            },
            { class: "neighbours" },
          ),
    ),
    section(
      `Evidence (${data.evidence_count ?? evidence.length})`,
      "panel-evidence",
      evidence.length === 0
        ? el("p", { class: "muted" }, "No evidence lines.")
        : capped(
            "ul",
            evidence,
            FIRST_EVIDENCE,
            (ev) => evidenceItem(ev.episode_title || episodeTitles.get(ev.episode) || ev.episode, ev, episodeInfo ? episodeInfo(ev.episode) : {}, [c.label, ...aliases]),
            { class: "evidence-list" },
          ),
    ),
    editSection ? section("Fix this concept", "panel-edit", editSection(c)) : null,
  );
}
