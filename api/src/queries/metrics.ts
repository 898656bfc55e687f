import type { Storage } from '@spanlens/clickhouse';
import { ApiError } from '../errors.ts';
import { rollupCompatible, SqlFilter, msToCh, type FilterQuery } from '../filters.ts';

/** What a group-by may name, and the column each reads in the raw spans. */
export const GROUP_DIMENSIONS = {
  model: 'model',
  provider: 'provider',
  service: 'service',
  environment: 'environment',
  release: 'release',
  kind: 'kind',
  status: 'status',
  user: 'user_id',
  session: 'session_id',
  promptName: 'prompt_name',
  promptVersion: 'prompt_version',
  tag: 'g_tag',
} as const;

export type GroupDimension = keyof typeof GROUP_DIMENSIONS;
export const ROLLUP_DIMENSIONS: ReadonlySet<GroupDimension> = new Set(['model', 'provider', 'service', 'environment', 'kind']);

export type Scope = 'llm' | 'root' | 'all';
export type Source = 'rollup' | 'spans';

/** Ranges longer than this read the minute rollups when the filters allow it. */
const ROLLUP_AFTER_MS = 6 * 3_600_000;

/** Which table answers: the rollups for long ranges whose filters and group-by they keep, else raw spans. */
export function pickSource(requested: 'auto' | Source, f: FilterQuery, lengthMs: number, groupBy?: GroupDimension): Source {
  const compatible = rollupCompatible(f) && (!groupBy || ROLLUP_DIMENSIONS.has(groupBy));
  if (requested === 'rollup' && !compatible) {
    throw new ApiError('invalid_request', `source: the rollups keep only ${[...ROLLUP_DIMENSIONS].join(', ')}; filter or group by those, or use source=spans`);
  }
  if (requested !== 'auto') return requested;
  return compatible && lengthMs > ROLLUP_AFTER_MS ? 'rollup' : 'spans';
}

export interface Totals {
  requests: number;
  errors: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  /** Quality signals: LLM calls that answered nothing, refused, were cut off, or broke requested JSON. */
  emptyOutputs: number;
  refusals: number;
  truncated: number;
  invalidJson: number;
}

export type MetricName = keyof Totals;

/** ORDER BY text of each metric over the aggregate aliases below. */
const METRIC_SQL: Record<MetricName, string> = {
  requests: 'm_requests',
  errors: 'm_errors',
  errorRate: 'if(m_requests = 0, 0, m_errors / m_requests)',
  latencyP50Ms: 'm_lat[1]',
  latencyP95Ms: 'm_lat[2]',
  latencyP99Ms: 'm_lat[3]',
  ttftP50Ms: 'm_ttft[1]',
  ttftP95Ms: 'm_ttft[2]',
  inputTokens: 'm_in',
  outputTokens: 'm_out',
  totalTokens: 'm_total',
  costUsd: 'm_cost',
  emptyOutputs: 'm_q_empty',
  refusals: 'm_q_refusal',
  truncated: 'm_q_truncated',
  invalidJson: 'm_q_invalid_json',
};

export const METRIC_NAMES = Object.keys(METRIC_SQL) as [MetricName, ...MetricName[]];

// The raw and rollup forms of each aggregate; the rollup states were built by spans_1m_mv
// from the same expressions, so both forms give the same numbers for whole minutes.
const AGGREGATES: Record<Source, string> = {
  spans: `
    count() AS m_requests,
    countIf(status = 'error') AS m_errors,
    sum(input_tokens) AS m_in,
    sum(output_tokens) AS m_out,
    sum(total_tokens) AS m_total,
    sum(cost_usd) AS m_cost,
    quantilesTDigest(0.5, 0.95, 0.99)(duration_ns / 1e6) AS m_lat,
    quantilesTDigestIf(0.5, 0.95, 0.99)(ifNull(ttft_ms, 0), ttft_ms IS NOT NULL) AS m_ttft,
    countIf(q_empty) AS m_q_empty,
    countIf(q_refusal) AS m_q_refusal,
    countIf(q_truncated) AS m_q_truncated,
    countIf(q_invalid_json) AS m_q_invalid_json`,
  rollup: `
    sum(spans) AS m_requests,
    sum(errors) AS m_errors,
    sum(input_tokens) AS m_in,
    sum(output_tokens) AS m_out,
    sum(total_tokens) AS m_total,
    sum(cost_usd) AS m_cost,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(duration_ms_q) AS m_lat,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(ttft_ms_q) AS m_ttft,
    sum(q_empty) AS m_q_empty,
    sum(q_refusal) AS m_q_refusal,
    sum(q_truncated) AS m_q_truncated,
    sum(q_invalid_json) AS m_q_invalid_json`,
};

export interface AggregateQuery {
  projectId: string;
  /** Whole minutes, epoch ms. */
  fromMs: number;
  toMs: number;
  filters: FilterQuery;
  scope: Scope;
  source: Source;
  bucketSeconds?: number;
  groupBy?: GroupDimension;
  /** Only these group keys. */
  groupKeys?: string[];
  orderBy?: { metric: MetricName; order: 'asc' | 'desc'; limit: number };
}

export interface AggregateRow extends Totals {
  /** Bucket start, epoch ms, when bucketed. */
  time?: number;
  key?: string;
}

type Num = number | string;
interface DbRow {
  t?: string; g_key?: string; m_requests: Num; m_errors: Num; m_in: Num; m_out: Num; m_total: Num; m_cost: Num;
  m_lat: Array<number | null>; m_ttft: Array<number | null>;
  m_q_empty: Num; m_q_refusal: Num; m_q_truncated: Num; m_q_invalid_json: Num;
}

export async function aggregate(storage: Storage, q: AggregateQuery): Promise<AggregateRow[]> {
  const sql = new SqlFilter();
  const rollup = q.source === 'rollup';
  const where = [`project_id = ${sql.param(q.projectId, 'String')}`];
  where.push(rollup
    ? sql.timeRange('minute', msToCh(q.fromMs).slice(0, 19), msToCh(q.toMs).slice(0, 19), "DateTime('UTC')")
    : sql.timeRange('start_time', msToCh(q.fromMs), msToCh(q.toMs)));
  if (q.scope === 'llm') where.push("model != ''");
  if (q.scope === 'root') where.push(rollup ? 'is_root' : "parent_span_id = ''");
  where.push(...sql.spanConditions(q.filters, { spanStatus: true }));

  const select: string[] = [];
  const groupBy: string[] = [];
  if (q.bucketSeconds) {
    select.push(`toStartOfInterval(${rollup ? 'minute' : 'toDateTime(start_time)'}, INTERVAL ${sql.param(q.bucketSeconds, 'UInt32')} SECOND) AS t`);
    groupBy.push('t');
  }
  const arrayJoin = q.groupBy === 'tag' ? 'ARRAY JOIN tags AS g_tag' : '';
  if (q.groupBy) {
    const column = GROUP_DIMENSIONS[q.groupBy];
    select.push(`${column} AS g_key`);
    groupBy.push('g_key');
    if (q.groupKeys) where.push(`has(${sql.param(q.groupKeys, 'Array(String)')}, ${column})`);
  }
  const order = q.orderBy
    ? `ORDER BY ${METRIC_SQL[q.orderBy.metric]} ${q.orderBy.order} NULLS LAST, g_key LIMIT ${sql.param(q.orderBy.limit, 'UInt32')}`
    : q.bucketSeconds ? 'ORDER BY t' : '';
  const rs = await storage.client.query({
    query: `
      SELECT ${[...select, AGGREGATES[q.source]].join(',\n')}
      FROM ${rollup ? 'spans_1m' : 'spans'} ${arrayJoin}
      WHERE ${where.join(' AND ')}
      ${groupBy.length ? `GROUP BY ${groupBy.join(', ')}` : ''}
      ${order}`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  return (await rs.json<DbRow>()).map((r) => ({
    ...(r.t !== undefined ? { time: Date.parse(`${r.t.replace(' ', 'T')}Z`) } : {}),
    ...(r.g_key !== undefined ? { key: r.g_key } : {}),
    ...toTotals(r),
  }));
}

const quantile = (v: number | null | undefined): number | null => (v === null || v === undefined || Number.isNaN(v) ? null : v);

function toTotals(r: DbRow): Totals {
  const requests = Number(r.m_requests);
  const errors = Number(r.m_errors);
  return {
    requests,
    errors,
    errorRate: requests === 0 ? 0 : errors / requests,
    latencyP50Ms: requests === 0 ? null : quantile(r.m_lat[0]),
    latencyP95Ms: requests === 0 ? null : quantile(r.m_lat[1]),
    latencyP99Ms: requests === 0 ? null : quantile(r.m_lat[2]),
    ttftP50Ms: quantile(r.m_ttft[0]),
    ttftP95Ms: quantile(r.m_ttft[1]),
    inputTokens: Number(r.m_in),
    outputTokens: Number(r.m_out),
    totalTokens: Number(r.m_total),
    costUsd: Number(r.m_cost),
    emptyOutputs: Number(r.m_q_empty),
    refusals: Number(r.m_q_refusal),
    truncated: Number(r.m_q_truncated),
    invalidJson: Number(r.m_q_invalid_json),
  };
}

export function emptyTotals(): Totals {
  return {
    requests: 0, errors: 0, errorRate: 0, latencyP50Ms: null, latencyP95Ms: null, latencyP99Ms: null,
    ttftP50Ms: null, ttftP95Ms: null, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0,
    emptyOutputs: 0, refusals: 0, truncated: 0, invalidJson: 0,
  };
}
