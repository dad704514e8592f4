// Client for the explorer's JSON API (see internal/httpapi). Every call returns
// parsed JSON or throws an ApiError carrying the server's error code and message.

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
  graph: () => getJSON("/api/graph"),
  search: (text, limit, signal) => getJSON(`/api/search?q=${q(text)}&limit=${limit}`, signal),
  concept: (id) => getJSON(`/api/concepts/${q(id)}`),
  path: (from, to) => getJSON(`/api/path?from=${q(from)}&to=${q(to)}`),
  episodes: () => getJSON("/api/episodes"),
  episode: (id) => getJSON(`/api/episodes/${q(id)}`),
};
