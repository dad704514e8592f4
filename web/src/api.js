// Client for the explorer's JSON API (see internal/httpapi and docs/api.md).
// Every call returns parsed JSON or throws an ApiError carrying the server's
// error code and message.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

async function getJSON(path, signal) {
  const response = await fetch(path, { signal, headers: { Accept: "application/json" } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    // A non-JSON body is reported below with the HTTP status.
  }
  if (!response.ok) {
    const err = body && body.error ? body.error : {};
    throw new ApiError(response.status, err.code || "internal", err.message || `${path}: HTTP ${response.status}`);
  }
  if (body === null) throw new ApiError(response.status, "internal", `${path}: response is not JSON`);
  return body;
}

const q = encodeURIComponent;

export const api = {
  health: () => fetch("/healthz", { headers: { Accept: "application/json" } }).then((r) => r.json()),
  // graph takes the server-side filters as a query string (see route.js serverQuery).
  graph: (query) => getJSON(`/api/graph?${query}`),
  search: (text, limit, signal) => getJSON(`/api/search?q=${q(text)}&limit=${limit}`, signal),
  // A hub's full detail runs to megabytes: the panel asks for the strongest
  // neighbours without their lines (it lists only their names) and a few
  // lines of the concept; a link's view asks for that one link's lines.
  concept: (id) => getJSON(`/api/concepts/${q(id)}?neighbours=200&neighbour_evidence=0&evidence=60`),
  // A concept's strongest neighbours, names only: what focus, expand and
  // the drawn answers add to the map.
  neighbours: (id, n) => getJSON(`/api/concepts/${q(id)}?neighbours=${n}&neighbour_evidence=0&evidence=0`),
  link: (a, b) => getJSON(`/api/concepts/${q(a)}?neighbour=${q(b)}&evidence=0&neighbour_evidence=all`),
  timeline: (id) => getJSON(`/api/concepts/${q(id)}/timeline`),
  paths: (from, to, k) => getJSON(`/api/paths?from=${q(from)}&to=${q(to)}&k=${q(k)}`),
  episodes: () => getJSON("/api/episodes"),
  episode: (id) => getJSON(`/api/episodes/${q(id)}`),
  source: (id) => getJSON(`/api/episodes/${q(id)}/source`),
  themes: () => getJSON("/api/themes"),
  recurring: () => getJSON("/api/recurring?limit=100"),
  bridges: () => getJSON("/api/bridges?limit=100"),
  gaps: () => getJSON("/api/gaps?limit=30"),
  compare: (a, b) => getJSON(`/api/compare?a=${q(a)}&b=${q(b)}`),
  changes: (query) => getJSON(`/api/changes?${query}`),
};
