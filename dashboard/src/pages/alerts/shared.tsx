// Pieces shared by the Alerts page: one-shot actions, metric and duration formatting, badges.
import type { AlertMetric, Comparator, Rule } from '../../alerts-api.ts';
import { fmtCount, fmtMs, fmtPct, fmtUsd } from '../../format.ts';

export { useAction, type Action } from '../../hooks.ts';

export const METRIC_LABELS: Record<AlertMetric, string> = {
  requests: 'Requests',
  errorRate: 'Error rate',
  latencyP50Ms: 'Latency p50',
  latencyP95Ms: 'Latency p95',
  latencyP99Ms: 'Latency p99',
  ttftP50Ms: 'TTFT p50',
  ttftP95Ms: 'TTFT p95',
  inputTokens: 'Input tokens',
  outputTokens: 'Output tokens',
  totalTokens: 'Total tokens',
  costUsd: 'Cost (USD)',
  feedbackScore: 'Feedback score (avg)',
  negativeFeedbackRate: 'Negative feedback rate',
  emptyOutputRate: 'Empty output rate',
  refusalRate: 'Refusal rate',
  truncatedRate: 'Truncated rate',
  invalidJsonRate: 'Invalid JSON rate',
  drift: 'Drift (PSI / JS distance)',
};

const isRate = (m: string) => m.endsWith('Rate');
const isMs = (m: string) => m.endsWith('Ms');

/** How the threshold is typed for a metric (shown under the threshold input). */
export function thresholdHint(m: AlertMetric): string {
  if (isRate(m)) return 'a ratio: 0.2 = 20%';
  if (isMs(m)) return 'milliseconds';
  if (m === 'costUsd') return 'US dollars';
  if (m === 'feedbackScore') return 'average value';
  if (m === 'drift') return 'PSI or JS distance: 0.2 = significant';
  return 'a count';
}

/** A metric's value as the rest of the dashboard shows it: 20%, 1.2 s, $0.42, 1.2k. */
export function fmtMetric(metric: string, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (isRate(metric)) return fmtPct(v);
  if (isMs(metric)) return fmtMs(v);
  if (metric === 'costUsd') return fmtUsd(v);
  if (metric === 'feedbackScore' || metric === 'drift') return String(Math.round(v * 1000) / 1000);
  return fmtCount(v);
}

/** Seconds as a short duration: 30s, 5m, 1h, 1h 30m, 24h, 7d. */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s / 60}m`;
  if (s <= 86_400 || s % 86_400) return s % 3600 ? `${Math.floor(s / 3600)}h ${Math.round((s % 3600) / 60)}m` : `${s / 3600}h`;
  return `${s / 86_400}d`;
}

export const WINDOWS = [60, 300, 900, 3600, 21_600, 86_400];

export function conditionText(r: { metric: AlertMetric; comparator: Comparator; threshold: number; windowSeconds: number }): string {
  return `${r.comparator} ${fmtMetric(r.metric, r.threshold)} over ${fmtSeconds(r.windowSeconds)}`;
}

/** The group of a state or event: the rule's only group, or a group-by value. */
export function groupLabel(group: string, groupBy: string | undefined | null): string {
  if (!groupBy) return 'all';
  return group === '' ? '(none)' : group;
}

export function RuleStateBadge({ rule }: { rule: Rule }) {
  if (!rule.enabled) return <span className="badge st-unset">disabled</span>;
  if ((rule.firing ?? 0) > 0)
    return (
      <span className="badge st-error" data-state="firing">
        firing
      </span>
    );
  if ((rule.groups ?? 0) > 0)
    return (
      <span className="badge st-ok" data-state="ok">
        ok
      </span>
    );
  return (
    <span className="badge st-unset" title="Not evaluated yet, or no data in its window">
      no data
    </span>
  );
}

const KIND_CLASS: Record<string, string> = { firing: 'st-error', resolved: 'st-ok', reminder: 'al-warn', ok: 'st-ok', success: 'st-ok', failed: 'st-error', retry: 'al-warn' };

/** firing / resolved / reminder, ok / firing, success / retry / failed. */
export function KindBadge({ kind }: { kind: string }) {
  return <span className={`badge ${KIND_CLASS[kind] ?? 'st-unset'}`}>{kind}</span>;
}

export const SEVERITY_CLASS: Record<string, string> = { critical: 'st-error', warning: 'al-warn', info: 'st-unset' };
