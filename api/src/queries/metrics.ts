import type { GroupBy } from '../contract/alerts.ts';
import type { Storage } from '@spanlens/clickhouse';
import { ApiError } from '../errors.ts';
import { HOUR_ROLLUP_FIELDS, rollupCompatible, SqlFilter, msToCh, type FilterQuery } from '../filters.ts';

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
} as const satisfies Record<GroupBy, string>;

export type GroupDimension = keyof typeof GROUP_DIMENSIONS;
export const ROLLUP_DIMENSIONS: ReadonlySet<GroupDimension> = new Set(['model', 'provider', 'service', 'environment', 'kind']);

export type Scope = 'llm' | 'root' | 'all';

/** The scope's condition on raw span rows. */
export function rawScope(scope: Scope): string[] {
  return scope === 'llm' ? ["model != ''"] : scope === 'root' ? ["parent_span_id = ''"] : [];
}
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
// (and merged hourly by spans_1h_mv) from the same expressions, so both forms give the same
// numbers for whole minutes.
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
  t?: string;
  g_key?: string;
  m_requests: Num;
  m_errors: Num;
  m_in: Num;
  m_out: Num;
  m_total: Num;
  m_cost: Num;
  m_lat: Array<number | null>;
  m_ttft: Array<number | null>;
  m_q_empty: Num;
  m_q_refusal: Num;
  m_q_truncated: Num;
  m_q_invalid_json: Num;
}

const HOUR_MS = 3_600_000;
const ROLLUP_COLUMNS = `spans, errors, input_tokens, output_tokens, total_tokens, cost_usd, duration_ms_q, ttft_ms_q,
  q_empty, q_refusal, q_truncated, q_invalid_json`;

/**
 * The rollup rows of [from, to) with their time as `at`. spans_1h holds whole hours without
 * the model, provider, service and environment; a query that needs none of them and no
 * bucket finer than an hour reads it, with the minutes at either edge from spans_1m.
 */
function rollupRows(sql: SqlFilter, q: AggregateQuery, shared: string[], groupColumn: string | undefined): string {
  const minute = (ms: number) => sql.param(msToCh(ms).slice(0, 19), "DateTime('UTC')");
  const at = (table: 'spans_1m' | 'spans_1h', time: string, conditions: string[]) => {
    const scope = q.scope === 'llm' ? [table === 'spans_1h' ? 'llm' : "model != ''"] : q.scope === 'root' ? ['is_root'] : [];
    const cols = ['kind', ...(groupColumn && groupColumn !== 'kind' ? [groupColumn] : [])];
    return `SELECT ${time} AS at, ${cols.join(', ')}, ${ROLLUP_COLUMNS} FROM ${table} WHERE ${[...conditions, ...shared, ...scope].join(' AND ')}`;
  };
  const h0 = Math.ceil(q.fromMs / HOUR_MS) * HOUR_MS;
  const h1 = Math.floor(q.toMs / HOUR_MS) * HOUR_MS;
  const hourly = h0 < h1 && (!q.bucketSeconds || q.bucketSeconds % 3600 === 0) && rollupCompatible(q.filters, HOUR_ROLLUP_FIELDS) && (!q.groupBy || HOUR_ROLLUP_FIELDS.has(q.groupBy));
  if (!hourly) return at('spans_1m', 'minute', [`minute >= ${minute(q.fromMs)}`, `minute < ${minute(q.toMs)}`]);
  const edges = [...(q.fromMs < h0 ? [`(minute >= ${minute(q.fromMs)} AND minute < ${minute(h0)})`] : []), ...(h1 < q.toMs ? [`(minute >= ${minute(h1)} AND minute < ${minute(q.toMs)})`] : [])];
  const hours = at('spans_1h', 'hour', [`hour >= ${minute(h0)}`, `hour < ${minute(h1)}`]);
  return edges.length === 0 ? hours : `${hours}\n      UNION ALL ${at('spans_1m', 'minute', [`(${edges.join(' OR ')})`])}`;
}

export async function aggregate(storage: Storage, q: AggregateQuery): Promise<AggregateRow[]> {
  const sql = new SqlFilter();
  const rollup = q.source === 'rollup';
  // Conditions on columns the raw spans and the rollups share; time range and scope are per table.
  const where = [`project_id = ${sql.param(q.projectId, 'String')}`, ...sql.spanConditions(q.filters, { spanStatus: true })];

  const select: string[] = [];
  const groupBy: string[] = [];
  if (q.bucketSeconds) {
    select.push(`toStartOfInterval(${rollup ? 'at' : 'toDateTime(start_time)'}, INTERVAL ${sql.param(q.bucketSeconds, 'UInt32')} SECOND) AS t`);
    groupBy.push('t');
  }
  const arrayJoin = q.groupBy === 'tag' ? 'ARRAY JOIN tags AS g_tag' : '';
  const column = q.groupBy ? GROUP_DIMENSIONS[q.groupBy] : undefined;
  if (column) {
    select.push(`${column} AS g_key`);
    groupBy.push('g_key');
    if (q.groupKeys) where.push(`has(${sql.param(q.groupKeys, 'Array(String)')}, ${column})`);
  }
  const from = rollup
    ? `(${rollupRows(sql, q, where, column)})`
    : `spans ${arrayJoin} WHERE ${[sql.timeRange('start_time', msToCh(q.fromMs), msToCh(q.toMs)), ...where, ...rawScope(q.scope)].join(' AND ')}`;
  const order = q.orderBy ? `ORDER BY ${METRIC_SQL[q.orderBy.metric]} ${q.orderBy.order} NULLS LAST, g_key LIMIT ${sql.param(q.orderBy.limit, 'UInt32')}` : q.bucketSeconds ? 'ORDER BY t' : '';
  const rs = await storage.client.query({
    query: `
      SELECT ${[...select, AGGREGATES[q.source]].join(',\n')}
      FROM ${from}
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
    requests: 0,
    errors: 0,
    errorRate: 0,
    latencyP50Ms: null,
    latencyP95Ms: null,
    latencyP99Ms: null,
    ttftP50Ms: null,
    ttftP95Ms: null,
    inputTokens: 0,
    outputTokens: 0,
    totalTokens: 0,
    costUsd: 0,
    emptyOutputs: 0,
    refusals: 0,
    truncated: 0,
    invalidJson: 0,
  };
}
