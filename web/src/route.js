// The page's address: every view lives in the URL's hash, so it can be
// bookmarked, shared and reached with the back button. The hash is
// "#/<view>/<arg>/<arg>?<filters>", for example "#/concept/ai?kind=person" or
// "#/path/a/b?k=3". Navigation only changes the hash; the hashchange handler
// in main.js turns the hash into what the page shows.

// FILTER_KEYS are the query parameters that describe what the graph shows.
// Of these, labels (the label density: few, normal, many) and depth (a
// focus's depth, 1–3) are the page's own: serverQuery never sends them.
export const FILTER_KEYS = ["episode", "from", "to", "kind", "theme", "min_weight", "size", "proj", "top", "k", "labels", "depth"];

// DEFAULTS are the filter values a URL may omit.
export const DEFAULTS = { size: "pagerank", proj: "concepts", top: "all", k: "3", labels: "normal", depth: "1" };

// parseHash reads a location hash into {view, args, filters}.
export function parseHash(hash) {
  const body = (hash || "").replace(/^#\/?/, "");
  const q = body.indexOf("?");
  const path = q >= 0 ? body.slice(0, q) : body;
  const query = new URLSearchParams(q >= 0 ? body.slice(q + 1) : "");
  const parts = path.split("/").filter((p) => p !== "").map(safeDecode);
  const filters = {};
  for (const key of FILTER_KEYS) {
    const value = query.get(key);
    filters[key] = value !== null && value !== "" ? value : DEFAULTS[key] || "";
  }
  return { view: parts[0] || "", args: parts.slice(1), filters };
}

function safeDecode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

// formatHash writes a route back as a hash; filters at their defaults are left out.
export function formatHash({ view, args, filters }) {
  const path = [view || "", ...(args || []).map(encodeURIComponent)].filter((p, i) => i === 0 || p !== "").join("/");
  const query = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters && filters[key];
    if (value !== undefined && value !== null && value !== "" && value !== DEFAULTS[key]) query.set(key, value);
  }
  const qs = query.toString();
  return `#/${path}${qs ? `?${qs}` : ""}`;
}

// serverFilters are the filters the server applies when it sends the graph
// (and an export): which concepts are on screen.
export function serverQuery(filters, extra) {
  const query = new URLSearchParams();
  for (const key of ["episode", "from", "to", "kind", "theme"]) {
    if (filters[key]) query.set(key, filters[key]);
  }
  if (filters.top && filters.top !== "all") query.set("top", filters.top);
  for (const [key, value] of Object.entries(extra || {})) query.set(key, value);
  return query.toString();
}
