// The read-only Cypher console: a panel behind a "Cypher" toggle in the header,
// shown only when the explorer runs on Neo4j (GET /api/cypher says so). The
// server refuses anything but reads; the page only shows what comes back, and
// every value reaches the page through textContent.

import { clear, el } from "./dom.js";

const EXAMPLE = `MATCH (c:Concept)
RETURN c.label AS concept, c.kind AS kind, c.pagerank AS pagerank
ORDER BY pagerank DESC LIMIT 10`;

// cellText renders one value of a result row: nodes as (:Label {id}),
// relationships as [:TYPE], paths by their nodes, lists and maps as JSON.
function cellText(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  if (Array.isArray(value.labels) && value.properties) {
    const name = value.properties.label ?? value.properties.title ?? value.properties.id ?? value.id;
    return `(:${value.labels.join(":")} ${JSON.stringify(name)})`;
  }
  if (typeof value.type === "string" && value.start !== undefined && value.properties) {
    return `[:${value.type}]`;
  }
  if (Array.isArray(value.nodes) && Array.isArray(value.relationships)) {
    return value.nodes.map(cellText).join("-");
  }
  return JSON.stringify(value);
}

async function runQuery(query, params) {
  const response = await fetch("/api/cypher", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, params }),
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Reported below with the status.
  }
  if (!response.ok || body === null) {
    throw new Error(body?.error?.message || `HTTP ${response.status}`);
  }
  return body;
}

// mountCypherConsole wires the console into details (the header toggle,
// hidden until the server has a console) and fills panel with its form.
export async function mountCypherConsole(details, panel) {
  let available = false;
  try {
    const response = await fetch("/api/cypher", { headers: { Accept: "application/json" } });
    available = response.ok && (await response.json()).available === true;
  } catch {
    available = false;
  }
  // Tests (and anyone curious) can tell "no console" from "not asked yet".
  details.dataset.probed = "true";
  if (!available) return;

  const query = el("textarea", {
    id: "cypher-query", rows: 6, spellcheck: "false", "aria-label": "Cypher query", "data-testid": "cypher-query",
  });
  query.value = EXAMPLE;
  const params = el("input", {
    id: "cypher-params", type: "text", spellcheck: "false", placeholder: 'parameters as JSON, e.g. {"id": "moloch"}',
    "aria-label": "Query parameters (JSON)", "data-testid": "cypher-params",
  });
  const run = el("button", { type: "submit", "data-testid": "cypher-run" }, "Run");
  const status = el("p", { class: "muted", role: "status", "data-testid": "cypher-status" });
  const error = el("p", { class: "error", role: "alert", "data-testid": "cypher-error", hidden: true });
  const results = el("div", { "data-testid": "cypher-results" });
  const form = el("form", { autocomplete: "off" },
    el("p", { class: "muted" }, "Read-only Cypher over the Neo4j store (writes are refused; 10 s, 1,000 rows). Ctrl+Enter runs."),
    query, params, run);
  panel.append(form, error, status, results);
  // The panel is a drop-down like the export menu, but wide enough for a table.
  Object.assign(panel.style, { width: "min(760px, 92vw)", maxHeight: "75vh", overflow: "auto" });
  Object.assign(query.style, { width: "100%", boxSizing: "border-box", fontFamily: "ui-monospace, monospace" });
  Object.assign(params.style, { width: "100%", boxSizing: "border-box" });
  Object.assign(form.style, { display: "grid", gap: "6px" });

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  async function submit() {
    error.hidden = true;
    status.textContent = "Running…";
    clear(results);
    let parsed = {};
    if (params.value.trim() !== "") {
      try {
        parsed = JSON.parse(params.value);
      } catch (err) {
        status.textContent = "";
        showError(`Parameters are not JSON: ${err.message}`);
        return;
      }
    }
    run.disabled = true;
    try {
      const res = await runQuery(query.value, parsed);
      const rows = res.rows.length === 1 ? "1 row" : `${res.rows.length} rows`;
      status.textContent = `${rows} in ${res.elapsed_ms} ms${res.truncated ? ` (cut short: ${res.truncation || "only the first rows are shown"})` : ""}`;
      const table = el("table", { class: "evidence-table", "data-testid": "cypher-table" },
        el("thead", null, el("tr", null, res.columns.map((c) => el("th", null, c)))),
        el("tbody", null, res.rows.map((row) =>
          el("tr", { "data-testid": "cypher-row" }, row.map((v) => el("td", null, cellText(v)))))));
      results.append(table);
    } catch (err) {
      status.textContent = "";
      showError(err.message);
    } finally {
      run.disabled = false;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  query.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit();
    }
  });
  details.hidden = false;
}
