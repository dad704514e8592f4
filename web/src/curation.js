// Fixing the graph from the page: merge, rename, change kind, ban, pin and
// undo (POST /api/lexicon). The server writes each edit to its lexicon file
// and reloads the store, so an edit lasts and a later graphload with the
// same lexicon gives the same graph. When the explorer has a token, the page
// asks for it once and keeps it for the tab (sessionStorage).

import { ApiError } from "./api.js";
import { attachSearch } from "./search.js";
import { el } from "./dom.js";

const TOKEN_KEY = "topicgraph-token";
const KINDS = ["concept", "person", "organization", "work"];

// createCuration returns the page's editor. mode is /healthz's "edits":
// open, token or read-only. askToken(message) resolves to a token typed by
// the analyst, or null. onApplied(edit, answer) redraws after an edit.
export function createCuration({ mode, askToken, onApplied, onError }) {
  let busy = false;

  async function post(edit, token) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch("/api/lexicon", { method: "POST", headers, body: JSON.stringify(edit), credentials: "same-origin" });
    let body = null;
    try {
      body = await response.json();
    } catch {
      // reported below with the status
    }
    if (!response.ok) {
      const err = (body && body.error) || {};
      throw new ApiError(response.status, err.code || "internal", err.message || `edit failed: HTTP ${response.status}`);
    }
    return body;
  }

  async function apply(edit) {
    if (busy) return null;
    busy = true;
    try {
      let token = mode === "token" ? sessionStorage.getItem(TOKEN_KEY) : null;
      if (mode === "token" && !token) {
        token = await askToken("This explorer needs its token to save edits.");
        if (!token) return null;
      }
      let answer;
      try {
        answer = await post(edit, token);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) throw err;
        sessionStorage.removeItem(TOKEN_KEY);
        token = await askToken("That token was not accepted. Type the explorer's token:");
        if (!token) return null;
        answer = await post(edit, token);
      }
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      await onApplied(edit, answer);
      return answer;
    } catch (err) {
      onError(err);
      return null;
    } finally {
      busy = false;
    }
  }

  // editSection is the concept panel's "Fix this concept" part.
  function editSection(concept) {
    if (mode === "read-only") {
      return el("p", { class: "muted", "data-testid": "edits-read-only" }, "This explorer is read-only: start it with -lexicon FILE (and -token on a shared address) to fix the graph from here.");
    }
    const rename = el("input", { type: "text", value: concept.label, "aria-label": "New label", "data-testid": "edit-label", maxlength: "200" });
    const renameButton = el("button", { type: "button", "data-testid": "edit-rename" }, "Rename");
    renameButton.addEventListener("click", () => apply({ op: "rename", id: concept.id, label: rename.value }));

    const kind = el("select", { "aria-label": "Kind", "data-testid": "edit-kind" }, KINDS.map((k) => el("option", { value: k, selected: k === concept.kind }, k)));
    const kindButton = el("button", { type: "button", "data-testid": "edit-kind-apply" }, "Set kind");
    kindButton.addEventListener("click", () => apply({ op: "kind", id: concept.id, kind: kind.value }));

    const others = el("input", { id: `merge-${Math.random().toString(36).slice(2)}`, type: "search", placeholder: "merge another concept into this one", spellcheck: "false", "data-testid": "edit-merge" });
    const mergeHint = el("span", { class: "muted", "data-testid": "edit-merge-preview" });
    const mergeButton = el("button", { type: "button", disabled: true, "data-testid": "edit-merge-apply" }, "Merge");
    let picked = null;
    const mergeBox = el("div", { class: "combo" }, others);
    attachSearch(others, {
      onPick: (result) => {
        if (result.id === concept.id) return;
        picked = result;
        others.value = result.label;
        mergeHint.textContent = `“${result.label}” (${result.episodes} ep.) becomes an alias of “${concept.label}”: its episodes, links and evidence join this concept.`;
        mergeButton.disabled = false;
      },
      onError,
    });
    others.addEventListener("input", () => {
      picked = null;
      mergeButton.disabled = true;
      mergeHint.textContent = "";
    });
    mergeButton.addEventListener("click", () => picked && apply({ op: "merge", into: concept.id, from: [picked.id] }));

    const ban = el("button", { type: "button", class: "danger", "data-testid": "edit-ban" }, "Ban this term");
    ban.addEventListener("click", () => apply({ op: "ban", id: concept.id }));

    return el(
      "div",
      { class: "edit-grid", "data-testid": "panel-edit-controls" },
      el("div", { class: "edit-row" }, rename, renameButton),
      el("div", { class: "edit-row" }, kind, kindButton),
      el("div", { class: "edit-row" }, mergeBox, mergeButton),
      mergeHint,
      el("div", { class: "edit-row" }, ban, el("span", { class: "muted" }, "Every edit is saved to the lexicon file; Undo takes back the last one.")),
    );
  }

  // pinForm pins a term the extractor missed.
  function pinForm() {
    if (mode === "read-only") return null;
    const term = el("input", { type: "text", placeholder: "a term the graph should keep", "aria-label": "Term to pin", "data-testid": "edit-pin-term", maxlength: "200" });
    const button = el("button", { type: "submit", "data-testid": "edit-pin" }, "Pin");
    const form = el("form", { class: "edit-row", "data-testid": "pin-form" }, term, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (term.value.trim()) apply({ op: "pin", term: term.value.trim() });
    });
    return form;
  }

  return { mode, apply, editSection, pinForm, undo: () => apply({ op: "undo" }) };
}
