/**
 * Drift statistics. Small enough to write here (no maintained npm package covers PSI and
 * Jensen-Shannon for count tables); the Kolmogorov-Smirnov test runs in ClickHouse.
 */

/** Laplace smoothing: a bin empty in one window must not give an infinite PSI. */
const SMOOTHING = 0.5;

/** Population Stability Index of current against baseline counts over the same bins. */
export function psi(baseline: number[], current: number[], smoothing = SMOOTHING): number {
  const k = Math.max(baseline.length, current.length);
  const b = sumOf(baseline) + smoothing * k;
  const c = sumOf(current) + smoothing * k;
  let out = 0;
  for (let i = 0; i < k; i++) {
    const p = ((baseline[i] ?? 0) + smoothing) / b;
    const q = ((current[i] ?? 0) + smoothing) / c;
    out += (q - p) * Math.log(q / p);
  }
  return out;
}

/** Jensen-Shannon distance (square root of the divergence, base 2): 0 identical, 1 disjoint. */
export function jsDistance(baseline: Map<string, number>, current: Map<string, number>): number {
  const b = sumOf([...baseline.values()]);
  const c = sumOf([...current.values()]);
  if (b === 0 || c === 0) return b === c ? 0 : 1;
  let divergence = 0;
  for (const key of new Set([...baseline.keys(), ...current.keys()])) {
    const p = (baseline.get(key) ?? 0) / b;
    const q = (current.get(key) ?? 0) / c;
    const m = (p + q) / 2;
    if (p > 0) divergence += 0.5 * p * Math.log2(p / m);
    if (q > 0) divergence += 0.5 * q * Math.log2(q / m);
  }
  return Math.sqrt(Math.max(0, divergence));
}

export type Severity = 'none' | 'moderate' | 'significant';

/**
 * Documented thresholds. PSI: under 0.1 no shift, 0.1-0.2 moderate, above 0.2 significant
 * (the usual credit-scoring reading). Jensen-Shannon distance: under 0.1 none, 0.1-0.2
 * moderate, above 0.2 significant.
 */
export const THRESHOLDS = { psi: { moderate: 0.1, significant: 0.2 }, js: { moderate: 0.1, significant: 0.2 } } as const;

export function severity(statistic: 'psi' | 'js', value: number): Severity {
  const t = THRESHOLDS[statistic];
  return value > t.significant ? 'significant' : value >= t.moderate ? 'moderate' : 'none';
}

/**
 * Below this many values in either window, PSI over ten bins is mostly noise (17 calls
 * against 131 gave PSI 0.48 with a KS p-value of 0.86 in the demo), so the severity of a
 * numeric feature comes from its Kolmogorov-Smirnov p-value instead.
 */
export const MIN_PSI_SAMPLE = 100;

/** A numeric feature's severity: PSI, or for small samples the KS p-value (< 0.001 significant, < 0.05 moderate). */
export function numericSeverity(value: number, nb: number, nc: number, ks: { pValue: number } | null): Severity {
  if (nb === 0 || nc === 0) return 'significant';
  if (Math.min(nb, nc) >= MIN_PSI_SAMPLE) return severity('psi', value);
  if (!ks) return 'none';
  return ks.pValue < 0.001 ? 'significant' : ks.pValue < 0.05 ? 'moderate' : 'none';
}

/** Terms whose share moved most between the windows, with smoothed shares. */
export function termShifts(baseline: Map<string, number>, current: Map<string, number>, n: number): { rose: TermShift[]; fell: TermShift[] } {
  const b = sumOf([...baseline.values()]);
  const c = sumOf([...current.values()]);
  const all: TermShift[] = [];
  for (const term of new Set([...baseline.keys(), ...current.keys()])) {
    const before = b === 0 ? 0 : (baseline.get(term) ?? 0) / b;
    const after = c === 0 ? 0 : (current.get(term) ?? 0) / c;
    all.push({ term, baselineShare: before, currentShare: after, change: after - before });
  }
  all.sort((x, y) => y.change - x.change || (x.term < y.term ? -1 : 1));
  return {
    rose: all.filter((t) => t.change > 0).slice(0, n),
    fell: all
      .filter((t) => t.change < 0)
      .reverse()
      .slice(0, n),
  };
}

export interface TermShift {
  term: string;
  baselineShare: number;
  currentShare: number;
  change: number;
}

function sumOf(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
