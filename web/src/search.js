// A search box with suggestions, used by the header search and by both ends of
// the path finder. It follows the WAI-ARIA combobox pattern: arrow keys move the
// active suggestion, Enter picks it, Escape closes the list.

import { api } from "./api.js";
import { clear, debounce, el } from "./dom.js";

let instances = 0;

// attachSearch turns input into a combobox whose suggestions come from
// GET /api/search. onPick receives the chosen result ({id, label, kind, ...}).
export function attachSearch(input, { onPick, limit = 8, onError }) {
  const listId = `${input.id || "search"}-suggestions-${++instances}`;
  const list = el("ul", { id: listId, class: "suggestions", role: "listbox", hidden: true, "data-testid": `${input.dataset.testid || "search"}-suggestions` });
  input.insertAdjacentElement("afterend", list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.setAttribute("autocomplete", "off");

  let results = [];
  let active = -1;
  let controller = null;
  let lastQuery = "";

  function close() {
    setActive(-1);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function setActive(i) {
    active = i;
    [...list.children].forEach((item, j) => item.setAttribute("aria-selected", String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute("aria-activedescendant", list.children[i].id);
      list.children[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(i) {
    const result = results[i];
    if (!result) return;
    input.value = result.label;
    close();
    onPick(result);
  }

  function render(query) {
    clear(list);
    if (results.length === 0) {
      list.appendChild(el("li", { class: "empty", role: "presentation" }, `No concept matches “${query}”`));
    }
    results.forEach((result, i) => {
      const alias = result.matched && result.matched !== result.label ? el("span", { class: "alias" }, `“${result.matched}”`) : null;
      const item = el(
        "li",
        { id: `${listId}-${i}`, role: "option", "aria-selected": "false", "data-testid": "suggestion", "data-id": result.id },
        el("span", { class: "label" }, result.label),
        alias,
        el("span", { class: "meta" }, `${result.kind} · ${result.episodes} ep.`),
      );
      // mousedown, not click: it fires before the input's blur closes the list.
      item.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(i);
      });
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    setActive(results.length > 0 ? 0 : -1);
  }

  const lookup = debounce(async (query) => {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const body = await api.search(query, limit, controller.signal);
      if (query !== input.value.trim()) return; // the user typed on meanwhile
      results = body.results || [];
      render(query);
    } catch (err) {
      if (err.name === "AbortError") return;
      results = [];
      close();
      if (onError) onError(err);
    }
  }, 150);

  input.addEventListener("input", () => {
    const query = input.value.trim();
    lastQuery = query;
    if (query === "") {
      results = [];
      close();
      return;
    }
    lookup(query);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && results.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (open) setActive((active + 1) % results.length);
      else if (lastQuery) lookup(lastQuery);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) setActive((active - 1 + results.length) % results.length);
    } else if (event.key === "Enter") {
      if (open) {
        event.preventDefault();
        pick(active >= 0 ? active : 0);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        event.stopPropagation();
        close();
      } else {
        input.blur();
      }
    }
  });

  input.addEventListener("blur", close);

  return { close };
}
