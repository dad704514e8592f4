// Evidence lines as the analyst reads them: the quoted line with its
// neighbouring context lines (the heading or parent bullet that makes a link
// visible), the speaker and time of a transcript line, the two concepts
// marked, and a link to the moment in the episode when it has a URL. Text
// from the notes reaches the page through text nodes only (see dom.js).

import { el } from "./dom.js";

// formatTime shows seconds as H:MM:SS (or M:SS under an hour).
export function formatTime(seconds) {
  if (typeof seconds !== "number" || !isFinite(seconds) || seconds < 0) return "";
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

// safeURL returns u when it is an absolute http(s) URL, else "": a URL from a
// feed must never become a javascript: or data: link.
export function safeURL(u) {
  if (typeof u !== "string" || u === "") return "";
  try {
    const url = new URL(u);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : "";
  } catch {
    return "";
  }
}

// momentHref is where a time links to: the audio at that second (a media
// fragment), else the episode's page as it is.
export function momentHref(episode, seconds) {
  const audio = safeURL(episode && episode.audio);
  if (audio && typeof seconds === "number") return `${audio.split("#")[0]}#t=${Math.floor(seconds)}`;
  return safeURL(episode && episode.url);
}

// marked splits text into text nodes and <mark> elements for every
// case-insensitive occurrence of one of terms.
export function marked(text, terms) {
  const words = (terms || []).filter((t) => typeof t === "string" && t.trim().length > 1);
  if (!text || words.length === 0) return [text || ""];
  const lower = text.toLowerCase();
  const hits = [];
  for (const w of words) {
    const needle = w.toLowerCase();
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + needle.length)) hits.push([i, i + needle.length]);
  }
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out = [];
  let at = 0;
  for (const [start, end] of hits) {
    if (start < at) continue; // overlaps an earlier, longer mark
    if (start > at) out.push(text.slice(at, start));
    out.push(el("mark", {}, text.slice(start, end)));
    at = end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

// speakerLine is "SPEAKER · 0:12:31" for a transcript line, the time linking
// to that moment when the episode has a URL; null for a line of notes.
export function speakerLine(ev, episode) {
  const time = formatTime(ev.time);
  if (!ev.speaker && !time) return null;
  const href = time ? momentHref(episode, ev.time) : "";
  const timeNode = time
    ? href
      ? el("a", { href, class: "moment", target: "_blank", rel: "noopener noreferrer", "data-testid": "evidence-time" }, time)
      : el("span", { class: "moment", "data-testid": "evidence-time" }, time)
    : null;
  return el(
    "div",
    { class: "speaker-line" },
    ev.speaker ? el("span", { class: "speaker", "data-testid": "evidence-speaker" }, ev.speaker) : null,
    ev.speaker && timeNode ? " · " : null,
    timeNode,
  );
}

// quote renders an evidence item's line with its context lines in line
// order: context before and after in a muted style, the line itself as a
// blockquote, each with the terms marked.
export function quote(ev, episode, terms) {
  const context = Array.isArray(ev.context) ? ev.context.filter((c) => c && typeof c.text === "string") : [];
  const contextLine = (c) => el("div", { class: "context-line", "data-testid": "evidence-context" }, el("span", { class: "line" }, String(c.line)), " ", ...marked(c.text, terms));
  const before = context.filter((c) => c.line < ev.line).sort((a, b) => a.line - b.line).map(contextLine);
  const after = context.filter((c) => c.line > ev.line).sort((a, b) => a.line - b.line).map(contextLine);
  return [speakerLine(ev, episode), ...before, el("blockquote", {}, ...marked(ev.text, terms)), ...after];
}
