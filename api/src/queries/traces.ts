import { toIso8601, type Storage } from '@spanlens/clickhouse';
import type { z } from 'zod';
import type { traceSummary } from '../schemas.ts';
import { afterCursor, type Cursor } from '../cursor.ts';
import { asArray, chToMs, msToCh, SqlFilter, type FilterQuery, type TimeRange } from '../filters.ts';
import { n, nullIfEmpty, type Num } from './values.ts';
import { hasScoreFilter, scoredTraces, type ScoreFilter } from './scores.ts';

export const TRACE_SORTS = {
  startTime: { expr: 'trace_start', type: "DateTime64(9, 'UTC')" },
  durationMs: { expr: 'duration_ns', type: 'Int64' },
  costUsd: { expr: 'cost_usd', type: 'Float64' },
  totalTokens: { expr: 'total_tokens', type: 'UInt64' },
  spanCount: { expr: 'span_count', type: 'UInt64' },
} as const;

export type TraceSort = keyof typeof TRACE_SORTS;

export interface TraceListParams {
  projectId: string;
  range: TimeRange;
  filters: FilterQuery;
  minLatencyMs?: number;
  maxLatencyMs?: number;
  minCostUsd?: number;
  maxCostUsd?: number;
  scores?: ScoreFilter;
  sort: TraceSort;
  order: 'asc' | 'desc';
  /** Rows wanted (the route asks one more than a page to know whether another follows). */
  limit: number;
  cursor?: Cursor;
}

export type TraceSummaryRow = z.infer<typeof traceSummary> & { sortValue: string };

interface TraceTotalsRow {
  trace_id: string;
  trace_start: string;
  duration_ns: Num;
  span_count: Num;
  input_tokens: Num;
  output_tokens: Num;
  total_tokens: Num;
  cost_usd: Num;
  error_count: Num;
  has_ok: Num;
}
interface TraceDetailRow {
  trace_id: string;
  root_name: string;
  models: string[];
  service: string;
  environment: string;
  user_id: string;
  session_id: string;
  tags: string[];
}
type TraceListRow = TraceTotalsRow & TraceDetailRow;

const HOUR_MS = 3_600_000;
// A newest-first list usually fills from the last hour; widening windows keep that case
// to a small scan and stay exact, since every trace outside a window is older.
const WINDOWS_MS = [HOUR_MS, 6 * HOUR_MS, 24 * HOUR_MS, 7 * 24 * HOUR_MS];
// Spans of one trace are gathered this far around the window, so a trace's totals are whole
// for traces up to an hour long.
const TRACE_MARGIN_MS = HOUR_MS;

/** Traces matching the filters, sorted, keyset-paginated on (sort value, trace id). */
export async function listTraces(storage: Storage, p: TraceListParams): Promise<TraceSummaryRow[]> {
  for (const w of traceWindows(p)) {
    const rows = await listTracesIn(storage, p, w.lo, w.hi);
    if (rows.length >= p.limit || w.last) return rows;
  }
  return [];
}

const now = () => Date.now();

function traceWindows(p: TraceListParams): Array<{ lo: number; hi: number; last: boolean }> {
  const { fromMs, toMs } = p.range;
  if (p.sort !== 'startTime') return [{ lo: fromMs, hi: toMs, last: true }];
  const cursorMs = p.cursor ? chToMs(p.cursor.v) : undefined;
  const out: Array<{ lo: number; hi: number; last: boolean }> = [];
  if (p.order === 'desc') {
    const hi = cursorMs === undefined ? toMs : Math.min(toMs, cursorMs + 1);
    // Windows grow back from now when `to` lies ahead (its default is a day ahead, for skewed
    // clocks); each still ends at `hi`, so none skips a trace.
    const anchor = Math.min(hi, now());
    for (const size of WINDOWS_MS) {
      const lo = Math.max(fromMs, anchor - size);
      out.push({ lo, hi, last: lo === fromMs });
      if (lo === fromMs) return out;
    }
    out.push({ lo: fromMs, hi, last: true });
  } else {
    const lo = cursorMs === undefined ? fromMs : Math.max(fromMs, cursorMs);
    for (const size of WINDOWS_MS) {
      const hi = Math.min(toMs, lo + size);
      out.push({ lo, hi, last: hi === toMs });
      if (hi === toMs) return out;
    }
    out.push({ lo, hi: toMs, last: true });
  }
  return out;
}

async function listTracesIn(storage: Storage, p: TraceListParams, loMs: number, hiMs: number): Promise<TraceSummaryRow[]> {
  const sql = new SqlFilter();
  const project = sql.param(p.projectId, 'String');
  // The range's own bounds keep their nanoseconds; inner window edges are whole milliseconds.
  const exact = (ms: number) => (ms === p.range.fromMs ? p.range.from : ms === p.range.toMs ? p.range.to : msToCh(ms));
  const lo = exact(loMs);
  const hi = exact(hiMs);
  const where = [`project_id = ${project}`, sql.timeRange('hour', msToCh(Math.floor((loMs - TRACE_MARGIN_MS) / HOUR_MS) * HOUR_MS), msToCh(hiMs + TRACE_MARGIN_MS))];
  const conds = sql.spanConditions(p.filters, { spanStatus: false });
  if (conds.length) {
    where.push(`trace_id IN (SELECT trace_id FROM spans WHERE project_id = ${project} AND ${sql.timeRange('start_time', lo, hi)} AND ${conds.join(' AND ')})`);
  }
  if (p.scores && hasScoreFilter(p.scores)) where.push(`trace_id IN (SELECT trace_id FROM (${scoredTraces(sql, project, p.scores)}))`);
  const having = [`trace_start >= ${sql.param(lo, "DateTime64(9, 'UTC')")}`, `trace_start < ${sql.param(hi, "DateTime64(9, 'UTC')")}`];
  const status = asArray(p.filters.status);
  if (status.length) {
    const byStatus = { error: 'error_count > 0', ok: 'error_count = 0 AND has_ok > 0', unset: 'error_count = 0 AND has_ok = 0' };
    having.push(`(${status.map((s) => `(${byStatus[s]})`).join(' OR ')})`);
  }
  if (p.minLatencyMs !== undefined) having.push(`duration_ns >= ${sql.param(Math.round(p.minLatencyMs * 1e6), 'Int64')}`);
  if (p.maxLatencyMs !== undefined) having.push(`duration_ns <= ${sql.param(Math.round(p.maxLatencyMs * 1e6), 'Int64')}`);
  if (p.minCostUsd !== undefined) having.push(`cost_usd >= ${sql.param(p.minCostUsd, 'Float64')}`);
  if (p.maxCostUsd !== undefined) having.push(`cost_usd <= ${sql.param(p.maxCostUsd, 'Float64')}`);
  const sort = TRACE_SORTS[p.sort];
  if (p.cursor) having.push(afterCursor(sort.expr, 'trace_id', p.order, sql.param(p.cursor.v, sort.type), sql.param(p.cursor.id, 'String')));
  // Two steps over the per-trace totals kept at insert (trace_totals): the page's ids from the
  // sums only, then names, models, tags and identity for those ids alone (the array merges
  // are what cost, and only the page needs them).
  const rs = await storage.client.query({
    query: `
      SELECT
        trace_id,
        min(start_min) AS trace_start,
        toUnixTimestamp64Nano(max(end_max)) - toUnixTimestamp64Nano(min(start_min)) AS duration_ns,
        sum(spans) AS span_count,
        sum(input_sum) AS input_tokens,
        sum(output_sum) AS output_tokens,
        sum(total_sum) AS total_tokens,
        toFloat64(sum(cost_sum)) AS cost_usd,
        sum(errors) AS error_count,
        sum(oks) AS has_ok
      FROM trace_totals
      WHERE ${where.join(' AND ')}
      GROUP BY trace_id
      HAVING ${having.join(' AND ')}
      ORDER BY ${sort.expr} ${p.order}, trace_id ${p.order}
      LIMIT ${sql.param(p.limit, 'UInt32')}`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const page = await rs.json<TraceTotalsRow>();
  if (page.length === 0) return [];
  const detail = await storage.client.query({
    query: `
      SELECT
        trace_id,
        tupleElement(min(root), 3) AS root_name,
        arraySort(groupUniqArrayArray(models)) AS models,
        max(service) AS service,
        max(environment) AS environment,
        max(user_id) AS user_id,
        max(session_id) AS session_id,
        arraySort(groupUniqArrayArray(tags)) AS tags
      FROM trace_totals
      WHERE project_id = {project:String}
        -- (hour, trace id) pairs: the primary key's own prefix, so only the page's granules are read.
        AND (hour, trace_id) IN (
          SELECT tupleElement(x, 1), tupleElement(x, 2) FROM (SELECT arrayJoin(arrayZip({hours:Array(DateTime('UTC'))}, {ids:Array(String)})) AS x))
      GROUP BY trace_id`,
    query_params: { project: p.projectId, ...traceHours(page) },
    format: 'JSONEachRow',
  });
  const parts = new Map((await detail.json<TraceDetailRow>()).map((r) => [r.trace_id, r]));
  return page.map((r) => ({
    // A trace dropped by retention between the two statements keeps its totals.
    ...toTraceSummary({ ...r, ...(parts.get(r.trace_id) ?? { root_name: '', models: [], service: '', environment: '', user_id: '', session_id: '', tags: [] }) }),
    sortValue: p.sort === 'startTime' ? r.trace_start : String(r[sort.expr]),
  }));
}

/** Every (hour, trace id) pair the page's traces have spans in. */
function traceHours(page: TraceTotalsRow[]): { hours: string[]; ids: string[] } {
  const hours: string[] = [];
  const ids: string[] = [];
  for (const r of page) {
    const start = chToMs(r.trace_start);
    // +1 ms: trace_start is cut to milliseconds.
    const last = Math.floor((start + n(r.duration_ns) / 1e6 + 1) / HOUR_MS);
    for (let h = Math.floor(start / HOUR_MS); h <= last; h++) {
      hours.push(msToCh(h * HOUR_MS).slice(0, 19));
      ids.push(r.trace_id);
    }
  }
  return { hours, ids };
}

function toTraceSummary(r: TraceListRow): z.infer<typeof traceSummary> {
  return {
    traceId: r.trace_id,
    name: r.root_name,
    startTime: toIso8601(r.trace_start),
    durationMs: n(r.duration_ns) / 1e6,
    spanCount: n(r.span_count),
    inputTokens: n(r.input_tokens),
    outputTokens: n(r.output_tokens),
    totalTokens: n(r.total_tokens),
    costUsd: n(r.cost_usd),
    errorCount: n(r.error_count),
    status: n(r.error_count) > 0 ? 'error' : n(r.has_ok) > 0 ? 'ok' : 'unset',
    models: r.models,
    service: nullIfEmpty(r.service),
    environment: nullIfEmpty(r.environment),
    userId: nullIfEmpty(r.user_id),
    sessionId: nullIfEmpty(r.session_id),
    tags: r.tags,
  };
}
