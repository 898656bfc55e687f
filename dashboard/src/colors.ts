// Series colours that stay with their series: a model keeps its colour across ranges and pages.

// d3's category10 without its red (red means errors) and its gray (reads as "other"): eight
// strong hues told apart at a glance.
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#bcbd22', '#17becf'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/**
 * One colour per key, chosen from the key itself (so the same model has the same colour in every
 * chart and range); two keys of one chart never share a colour while the palette lasts.
 */
export function seriesColors(keys: ReadonlyArray<string | null>): string[] {
  // Collisions are settled in name order, not in the (changing) order of the series.
  const byKey = new Map<string, string>();
  const used = new Set<number>();
  for (const key of [...new Set(keys.map((k) => k ?? ''))].sort()) {
    let i = hash(key) % PALETTE.length;
    for (let n = 0; n < PALETTE.length && used.has(i); n++) i = (i + 1) % PALETTE.length;
    used.add(i);
    byKey.set(key, PALETTE[i]!);
  }
  return keys.map((k) => byKey.get(k ?? '')!);
}
