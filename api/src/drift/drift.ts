import type { Storage } from '@spanlens/clickhouse';
import { CATEGORICAL, categoryCounts, feedbackScores, ksTest, NUMERIC, numericBins, numericEdges, OVERALL, termCounts, type DriftWindows } from './queries.ts';
import { jsDistance, psi, severity, termShifts, type Severity, type TermShift } from './stats.ts';

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
}

const MAX_CATEGORIES = 12;
const round = (x: number) => Number(x.toPrecision(4));
const shares = (xs: number[]) => {
  const total = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => (total === 0 ? 0 : x / total));
};

function binLabels(edges: number[]): string[] {
  if (edges.length === 0) return ['all'];
  return [`≤ ${round(edges[0]!)}`, ...edges.slice(1).map((e, i) => `${round(edges[i]!)}–${round(e)}`), `> ${round(edges[edges.length - 1]!)}`];
}

/** Every feature's drift, overall and per group, worst first. */
export async function computeDrift(storage: Storage, q: DriftWindows): Promise<DriftReport> {
  const edges = await numericEdges(storage, q);
  const [bins, categories] = await Promise.all([numericBins(storage, q, edges), categoryCounts(storage, q)]);
  const features: FeatureDrift[] = [];
  const groupOf = (g: string) => (g === OVERALL ? null : g);

  for (const feature of Object.keys(NUMERIC) as Array<keyof typeof NUMERIC>) {
    const eligible: string[] = [];
    const rows: Array<Omit<FeatureDrift, 'ks'> & { g: string }> = [];
    for (const e of edges) {
      const b = bins.find((x) => x.g === e.g && x.w === 0)?.counts[feature] ?? [];
      const c = bins.find((x) => x.g === e.g && x.w === 1)?.counts[feature] ?? [];
      const nb = b.reduce((s, x) => s + x, 0);
      const nc = c.reduce((s, x) => s + x, 0);
      if (nb === 0 && nc === 0) continue;
      if (nb > 0 && nc > 0) eligible.push(e.g);
      const size = e.edges[feature].length + 1;
      const pad = (xs: number[]) => Array.from({ length: size }, (_, i) => xs[i] ?? 0);
      const value = psi(pad(b), pad(c));
      // A group seen in one window only (a new model, a retired prompt) has shifted completely.
      const oneSided = nb === 0 || nc === 0;
      rows.push({
        g: e.g, feature, kind: 'numeric', group: groupOf(e.g), statistic: 'psi', value, severity: oneSided ? 'significant' : severity('psi', value),
        baselineCount: nb, currentCount: nc, labels: binLabels(e.edges[feature]), baseline: shares(pad(b)), current: shares(pad(c)),
      });
    }
    const ks = eligible.length ? await ksTest(storage, q, feature, eligible) : new Map();
    for (const { g, ...r } of rows) features.push({ ...r, ks: ks.get(g) ?? null });
  }

  const groups = new Set(categories.map((c) => c.g));
  for (const feature of Object.keys(CATEGORICAL) as Array<keyof typeof CATEGORICAL>) {
    for (const g of groups) {
      // Within a group the grouped-by feature is constant: nothing to compare.
      if (g !== OVERALL && feature === q.groupBy) continue;
      const b = categories.find((x) => x.g === g && x.w === 0)?.counts[feature] ?? new Map<string, number>();
      const c = categories.find((x) => x.g === g && x.w === 1)?.counts[feature] ?? new Map<string, number>();
      const nb = [...b.values()].reduce((s, x) => s + x, 0);
      const nc = [...c.values()].reduce((s, x) => s + x, 0);
      if (nb === 0 && nc === 0) continue;
      const value = jsDistance(b, c);
      const labels = [...new Set([...b.keys(), ...c.keys()])].sort((x, y) => ((c.get(y) ?? 0) + (b.get(y) ?? 0)) - ((c.get(x) ?? 0) + (b.get(x) ?? 0))).slice(0, MAX_CATEGORIES);
      features.push({
        feature, kind: 'categorical', group: groupOf(g), statistic: 'js', value, severity: severity('js', value), ks: null,
        baselineCount: nb, currentCount: nc, labels,
        baseline: labels.map((l) => (nb === 0 ? 0 : (b.get(l) ?? 0) / nb)), current: labels.map((l) => (nc === 0 ? 0 : (c.get(l) ?? 0) / nc)),
      });
    }
  }

  // Feedback scores: the whole project (a score belongs to a trace, not to one model's call).
  const fb = await feedbackScores(storage, q);
  const [fbBase, fbCur] = fb.counts;
  const fbNb = fbBase.reduce((a, b) => a + b, 0);
  const fbNc = fbCur.reduce((a, b) => a + b, 0);
  if (fbNb + fbNc > 0) {
    const value = psi(fbBase, fbCur);
    features.push({
      feature: 'feedbackScore', kind: 'numeric', group: null, statistic: 'psi', value,
      severity: fbNb === 0 || fbNc === 0 ? 'significant' : severity('psi', value), ks: fb.ks,
      baselineCount: fbNb, currentCount: fbNc, labels: binLabels(fb.edges), baseline: shares(fbBase), current: shares(fbCur),
    });
  }

  const overall = edges.find((e) => e.g === OVERALL) ?? { nb: 0, nc: 0 };
  const [prompts, completions] = await Promise.all([termCounts(storage, q, 'input', overall), termCounts(storage, q, 'output', overall)]);
  const text = (t: Array<Map<string, number>>): TextDrift => {
    const distance = jsDistance(t[0]!, t[1]!);
    return { distance, severity: severity('js', distance), ...termShifts(t[0]!, t[1]!, 10) };
  };
  const rank = { significant: 2, moderate: 1, none: 0 };
  features.sort((a, b) => rank[b.severity] - rank[a.severity] || (b.value - a.value) || (a.group === null ? -1 : 1));
  return { features, text: { prompts: text(prompts), completions: text(completions) } };
}
