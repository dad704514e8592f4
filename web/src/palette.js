// Community colours. Twelve mid-lightness hues (after Tableau 10 and the
// Okabe–Ito colour-blind-safe set) that stay readable on both the light and the
// dark background. The largest communities get their own colour; the long tail
// shares a neutral grey, since beyond a dozen hues nobody can tell them apart.

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

// communityColours maps each community id to a colour, ranking communities by
// size (ties by id) so the same data always gets the same colours.
export function communityColours(communityOfNode) {
  const sizes = new Map();
  for (const community of communityOfNode) sizes.set(community, (sizes.get(community) || 0) + 1);
  const ranked = [...sizes.keys()].sort((a, b) => sizes.get(b) - sizes.get(a) || a - b);
  const colours = new Map();
  ranked.forEach((community, rank) => {
    colours.set(community, rank < COMMUNITY_COLOURS.length ? COMMUNITY_COLOURS[rank] : OTHER_COLOUR);
  });
  return colours;
}
