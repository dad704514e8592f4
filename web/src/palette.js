// Community colours. Twelve mid-lightness hues (after Tableau 10 and the
// Okabe–Ito colour-blind-safe set) that stay readable on both the light and the
// dark background. The twelve largest communities get their own colour; the
// long tail shares a neutral grey, since beyond a dozen hues nobody can tell
// them apart.

export const COMMUNITY_COLOURS = [
  "#4e79a7", // blue
  "#f28e2b", // orange
  "#e15759", // red
  "#59a14f", // green
  "#b07aa1", // purple
  "#76b7b2", // teal
  "#edc948", // yellow
  "#ff9da7", // pink
  "#9c755f", // brown
  "#0072b2", // deep blue
  "#d55e00", // vermilion
  "#009e73", // bluish green
];

export const OTHER_COLOUR = "#9aa0a6";

// themeColour is the colour of a community. Analyze numbers communities by
// decreasing size, so the number itself ranks them: colouring by number gives
// a theme the same colour in every view and under every filter.
export function themeColour(community) {
  return Number.isInteger(community) && community >= 0 && community < COMMUNITY_COLOURS.length ? COMMUNITY_COLOURS[community] : OTHER_COLOUR;
}

// communityColours maps each community id present to its colour.
export function communityColours(communityOfNode) {
  const colours = new Map();
  for (const community of communityOfNode) if (!colours.has(community)) colours.set(community, themeColour(community));
  return colours;
}
