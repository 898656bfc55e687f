import type { Storage } from '@spanlens/clickhouse';
import {
  CATEGORICAL,
  chooseSample,
  feedbackScores,
  groupCounts,
  NUMERIC,
  numericEdges,
  OVERALL,
  sampleRate,
  termCounts,
  windowCounts,
  type Category,
  type DriftWindows,
  type Feature,
} from './queries.ts';
import { jsDistance, numericSeverity, psi, severity, termShifts, type Severity, type TermShift } from './stats.ts';

export interface FeatureDrift {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** null: the whole population. */
  group: string | null;
  statistic: 'psi' | 'js';
  value: number;
  severity: Severity;
  ks: { d: number; pValue: number } | null;
  baselineCount: number;
  currentCount: number;
  /** For the overlay chart: bin or category labels and each window's shares. */
  labels: string[];
  baseline: number[];
  current: number[];
}

export interface TextDrift {
  distance: number;
  severity: Severity;
  rose: TermShift[];
  fell: TermShift[];
}

export interface DriftReport {
  features: FeatureDrift[];
  text: { prompts: TextDrift; completions: TextDrift };
  /** LLM calls in each window, and the share of them the report read (1: all). */
  sample: { baselineCalls: number; currentCalls: number; baselineRate: number; currentRate: number; method: 'none' | 'traceRange' | 'traceHash' };
}

/**
 * Calls per window the report reads at most: above it, a sample of traces. Shares, PSI and JS
 * distance move by well under their thresholds' precision at this size, and the report's time
 * stops growing with the window (7 days against 7 on 10 M spans: 7.7 s before sampling).
 */
export const DRIFT_SAMPLE = 100_000;

const MAX_CATEGORIES = 12;
const round = (x: number) => Number(x.toPrecision(4));
const shares = (xs: number[]) => {
  const total = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => (total === 0 ? 0 : x / total));
};

/** Labels of the bins of `edges` (the baseline's minimum, then its deciles). */
function binLabels(edges: number[]): string[] {
  if (edges.length === 0) return ['all'];
  const span = (a: number, b: number) => (round(a) === round(b) ? `${round(b)}` : `${round(a)}–${round(b)}`);
  return [`< ${round(edges[0]!)}`, ...edges.slice(1).map((e, i) => span(edges[i]!, e)), `> ${round(edges[edges.length - 1]!)}`];
}

/** Every feature's drift, overall and per group, worst first. */
export async function computeDrift(storage: Storage, windows: DriftWindows, sampleCap = DRIFT_SAMPLE): Promise<DriftReport> {
  const calls = await windowCounts(storage, windows);
  let sample = { baseline: chooseSample(calls.nb, sampleCap, true), current: chooseSample(calls.nc, sampleCap, true) };
  let edges = await numericEdges(storage, { ...windows, sample });
  // A trace-id range is a fair sample only of random ids. Time-ordered ids (X-Ray) or counters
  // put far more or fewer calls below the bound than its share: then sample by hash instead.
  const all = edges.find((e) => e.g === OVERALL) ?? { nb: 0, nc: 0 };
  const off = (n: number, kept: number, s: typeof sample.baseline) => s !== null && Math.abs(kept - n * sampleRate(s)) > 0.2 * n * sampleRate(s) + 10;
  if (off(calls.nb, all.nb, sample.baseline) || off(calls.nc, all.nc, sample.current)) {
    sample = { baseline: chooseSample(calls.nb, sampleCap, false), current: chooseSample(calls.nc, sampleCap, false) };
    edges = await numericEdges(storage, { ...windows, sample });
  }
  const q = { ...windows, sample };
  const counts = await groupCounts(storage, q, edges);
  const features: FeatureDrift[] = [];
  const groupOf = (g: string) => (g === OVERALL ? null : g);

  for (const feature of Object.keys(NUMERIC) as Feature[]) {
    for (const e of edges) {
      const c = counts.find((x) => x.g === e.g);
      const [b, cur] = c?.bins[feature] ?? [[], []];
      const nb = b.reduce((s, x) => s + x, 0);
      const nc = cur.reduce((s, x) => s + x, 0);
      if (nb === 0 && nc === 0) continue;
      const value = psi(b, cur);
      const ks = c?.ks[feature] ?? null;
      // A group seen in one window only (a new model, a retired prompt) has shifted completely.
      features.push({
        feature,
        kind: 'numeric',
        group: groupOf(e.g),
        statistic: 'psi',
        value,
        severity: numericSeverity(value, nb, nc, ks),
        ks,
        baselineCount: nb,
        currentCount: nc,
        labels: binLabels(e.edges[feature]),
        baseline: shares(b),
        current: shares(cur),
      });
    }
  }

  for (const feature of Object.keys(CATEGORICAL) as Category[]) {
    for (const c of counts) {
      // Within a group the grouped-by feature is constant: nothing to compare.
      if (c.g !== OVERALL && feature === q.groupBy) continue;
      const [b, cur] = c.categories[feature];
      const nb = [...b.values()].reduce((s, x) => s + x, 0);
      const nc = [...cur.values()].reduce((s, x) => s + x, 0);
      if (nb === 0 && nc === 0) continue;
      const value = jsDistance(b, cur);
      const labels = [...new Set([...b.keys(), ...cur.keys()])].sort((x, y) => (cur.get(y) ?? 0) + (b.get(y) ?? 0) - ((cur.get(x) ?? 0) + (b.get(x) ?? 0))).slice(0, MAX_CATEGORIES);
      features.push({
        feature,
        kind: 'categorical',
        group: groupOf(c.g),
        statistic: 'js',
        value,
        severity: severity('js', value),
        ks: null,
        baselineCount: nb,
        currentCount: nc,
        labels,
        baseline: labels.map((l) => (nb === 0 ? 0 : (b.get(l) ?? 0) / nb)),
        current: labels.map((l) => (nc === 0 ? 0 : (cur.get(l) ?? 0) / nc)),
      });
    }
  }

  // Feedback scores: the whole project, and per group by each rated trace's first LLM call.
  for (const fb of await feedbackScores(storage, q)) {
    const [fbBase, fbCur] = fb.counts;
    const fbNb = fbBase.reduce((a, b) => a + b, 0);
    const fbNc = fbCur.reduce((a, b) => a + b, 0);
    if (fbNb + fbNc === 0) continue;
    const value = psi(fbBase, fbCur);
    features.push({
      feature: 'feedbackScore',
      kind: 'numeric',
      group: groupOf(fb.g),
      statistic: 'psi',
      value,
      severity: numericSeverity(value, fbNb, fbNc, fb.ks),
      ks: fb.ks,
      baselineCount: fbNb,
      currentCount: fbNc,
      labels: binLabels(fb.edges),
      baseline: shares(fbBase),
      current: shares(fbCur),
    });
  }

  const terms = await termCounts(storage, q, edges.find((e) => e.g === OVERALL) ?? { nb: 0, nc: 0 });
  const [prompts, completions] = [terms.input, terms.output];
  const text = (t: Array<Map<string, number>>): TextDrift => {
    const distance = jsDistance(t[0]!, t[1]!);
    return { distance, severity: severity('js', distance), ...termShifts(t[0]!, t[1]!, 10) };
  };
  const rank = { significant: 2, moderate: 1, none: 0 };
  features.sort((a, b) => rank[b.severity] - rank[a.severity] || b.value - a.value || (a.group === null ? -1 : 1));
  return {
    features,
    text: { prompts: text(prompts), completions: text(completions) },
    sample: {
      baselineCalls: calls.nb,
      currentCalls: calls.nc,
      baselineRate: sampleRate(sample.baseline),
      currentRate: sampleRate(sample.current),
      method: (sample.baseline ?? sample.current) === null ? 'none' : (sample.baseline ?? sample.current)!.mode === 'prefix' ? 'traceRange' : 'traceHash',
    },
  };
}
