import type { Storage } from '@spanlens/clickhouse';
import { SqlFilter, msToCh, type FilterQuery } from '../filters.ts';
import { aggregate, GROUP_DIMENSIONS, pickSource, type Totals } from '../queries/metrics.ts';
import { computeDrift } from '../drift/drift.ts';
import { DRIFT_GROUPS, type DriftGroup } from '../drift/queries.ts';
import { FEEDBACK_METRICS, type Rule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/** The group key of a rule without group-by. */
export const ALL = '';

const MINUTE_MS = 60_000;
/** Quality-signal rates: the signal's count over the requests. */
const SIGNAL_COUNTS: Partial<Record<Rule['metric'], 'emptyOutputs' | 'refusals' | 'truncated' | 'invalidJson'>> = {
  emptyOutputRate: 'emptyOutputs',
  refusalRate: 'refusals',
  truncatedRate: 'truncated',
  invalidJsonRate: 'invalidJson',
};

/** The rule's metric per group over its window ending at `now`. */
export async function observe(storage: Storage, rule: Rule, now: number): Promise<Map<string, Observation>> {
  // Whole minutes, as the metrics API does, so the value matches what the dashboard shows.
  const toMs = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const fromMs = toMs - rule.windowSeconds * 1000;
  const filters: FilterQuery = rule.filters;
  if (rule.metric === 'drift') return observeDrift(storage, rule, filters, fromMs, toMs);
  return FEEDBACK_METRICS.has(rule.metric) ? observeFeedback(storage, rule, filters, fromMs, toMs) : observeSpans(storage, rule, filters, fromMs, toMs);
}

/** The drift statistic of one feature: the window against the baseline just before it. */
async function observeDrift(storage: Storage, rule: Rule, filters: FilterQuery, fromMs: number, toMs: number): Promise<Map<string, Observation>> {
  const baselineMs = (rule.driftBaselineSeconds ?? 7 * rule.windowSeconds) * 1000;
  const report = await computeDrift(storage, {
    projectId: rule.projectId,
    filters,
    current: { fromMs, toMs },
    baseline: { fromMs: fromMs - baselineMs, toMs: fromMs },
    ...(rule.groupBy && rule.groupBy in DRIFT_GROUPS ? { groupBy: rule.groupBy as DriftGroup } : {}),
    ...(rule.feedbackName ? { feedbackName: rule.feedbackName } : {}),
  });
  const out = new Map<string, Observation>();
  for (const f of report.features) {
    if (f.feature !== rule.driftFeature || (rule.groupBy ? f.group === null : f.group !== null)) continue;
    out.set(f.group ?? ALL, { value: f.value, count: f.currentCount });
  }
  return out;
}

async function observeSpans(storage: Storage, rule: Rule, filters: FilterQuery, fromMs: number, toMs: number): Promise<Map<string, Observation>> {
  const rows = await aggregate(storage, {
    projectId: rule.projectId,
    fromMs,
    toMs,
    filters,
    scope: rule.scope,
    source: pickSource('auto', filters, toMs - fromMs, rule.groupBy),
    ...(rule.groupBy ? { groupBy: rule.groupBy } : {}),
  });
  const out = new Map<string, Observation>();
  for (const r of rows) {
    const signal = SIGNAL_COUNTS[rule.metric];
    const value = signal ? (r.requests === 0 ? null : r[signal] / r.requests) : r[rule.metric as keyof Totals];
    out.set(rule.groupBy ? (r.key ?? '') : ALL, { value: typeof value === 'number' || value === null ? value : null, count: r.requests });
  }
  return out;
}

/**
 * Feedback metrics: feedback created in the window on traces that match the filters. The
 * group of a feedback entry is that of its trace. Negative means a value of 0 or below
 * (thumbs down is 0 or -1).
 */
async function observeFeedback(storage: Storage, rule: Rule, filters: FilterQuery, fromMs: number, toMs: number): Promise<Map<string, Observation>> {
  const sql = new SqlFilter();
  const project = sql.param(rule.projectId, 'String');
  // A trace's spans start before its feedback; an hour of slack finds them.
  const spanWhere = [`project_id = ${project}`, sql.timeRange('start_time', msToCh(fromMs - 3_600_000), msToCh(toMs)), ...sql.spanConditions(filters, { spanStatus: false })];
  const groupColumn = rule.groupBy ? GROUP_DIMENSIONS[rule.groupBy] : "''";
  const arrayJoin = rule.groupBy === 'tag' ? 'ARRAY JOIN tags AS g_tag' : '';
  const fbWhere = [`f.project_id = ${project}`, sql.timeRange('f.created_at', msToCh(fromMs), msToCh(toMs))];
  if (rule.feedbackName) fbWhere.push(`f.name = ${sql.param(rule.feedbackName, 'String')}`);
  const rs = await storage.client.query({
    query: `
      SELECT t.g_key AS g_key, avg(f.value) AS score, countIf(f.value <= 0) / count() AS negative, count() AS n
      FROM (SELECT * FROM feedback FINAL) AS f
      INNER JOIN (
        SELECT trace_id, ${groupColumn} AS g_key FROM spans ${arrayJoin}
        WHERE ${spanWhere.join(' AND ')} GROUP BY trace_id, g_key
      ) AS t ON t.trace_id = f.trace_id
      WHERE ${fbWhere.join(' AND ')}
      GROUP BY g_key`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const out = new Map<string, Observation>();
  for (const r of await rs.json<{ g_key: string; score: number; negative: number; n: string | number }>()) {
    out.set(rule.groupBy ? r.g_key : ALL, { value: rule.metric === 'feedbackScore' ? Number(r.score) : Number(r.negative), count: Number(r.n) });
  }
  return out;
}
