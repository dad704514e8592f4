// Small DOM helpers. Every piece of text from the notes reaches the page through
// textContent (never innerHTML), so a line of notes can never become markup.

// el creates an element with attributes and children. Strings among the children
// become text nodes; null and undefined children are skipped.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

// appendAll appends children to node, skipping null, undefined and false and
// flattening arrays (the DOM's own append would write "null" as text).
export function appendAll(node, ...children) {
  append(node, children);
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else if (child instanceof Node) node.appendChild(child);
    else node.appendChild(document.createTextNode(String(child)));
  }
}

// clear removes every child of node.
export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// byId returns the element with the given id, failing loudly when the page
// and the script disagree about the markup.
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page element #${id} is missing`);
  return node;
}

// debounce delays fn until wait milliseconds have passed without another call.
export function debounce(fn, wait) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

// formatScore shows a small score with a few significant digits.
export function formatScore(x) {
  if (typeof x !== "number" || !isFinite(x)) return "–";
  if (x === 0) return "0";
  return x < 0.001 ? x.toExponential(2) : x.toPrecision(3);
}
