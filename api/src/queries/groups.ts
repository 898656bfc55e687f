import { toIso8601, type Storage } from '@spanlens/clickhouse';
import { afterCursor, type Cursor } from '../cursor.ts';
import { SqlFilter, type FilterQuery, type TimeRange } from '../filters.ts';

/** Sessions and users: spans grouped by one identity column. */
export type GroupKind = 'session' | 'user';

export const GROUP_SORTS = {
  lastSeen: { expr: 'last_seen', type: "DateTime64(9, 'UTC')" },
  costUsd: { expr: 'cost_usd', type: 'Float64' },
  traceCount: { expr: 'trace_count', type: 'UInt64' },
  totalTokens: { expr: 'total_tokens', type: 'UInt64' },
  errorRate: { expr: 'error_rate', type: 'Float64' },
} as const;

export type GroupSort = keyof typeof GROUP_SORTS;

export interface GroupListParams {
  projectId: string;
  range: TimeRange;
  filters: FilterQuery;
  sort: GroupSort;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: Cursor;
}

export interface GroupSummary {
  key: string;
  userId: string | null;
  traceCount: number;
  sessionCount: number;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  costUsd: number;
  errorCount: number;
  errorRate: number;
  firstSeen: string;
  lastSeen: string;
  sortValue: string;
}

type Num = number | string;
interface GroupRow {
  key: string;
  any_user: string;
  trace_count: Num;
  session_count: Num;
  span_count: Num;
  input_tokens: Num;
  output_tokens: Num;
  total_tokens: Num;
  cost_usd: Num;
  error_count: Num;
  error_rate: Num;
  first_seen: string;
  last_seen: string;
}

const COLUMN: Record<GroupKind, string> = { session: 'session_id', user: 'user_id' };

export async function listGroups(storage: Storage, kind: GroupKind, p: GroupListParams): Promise<GroupSummary[]> {
  const sql = new SqlFilter();
  const column = COLUMN[kind];
  const project = sql.param(p.projectId, 'String');
  const range = sql.timeRange('start_time', p.range.from, p.range.to);
  const where = [`project_id = ${project}`, range, `${column} != ''`];
  const conds = sql.spanConditions(p.filters, { spanStatus: true });
  if (conds.length) {
    where.push(`trace_id IN (SELECT trace_id FROM spans WHERE project_id = ${project} AND ${range} AND ${conds.join(' AND ')})`);
  }
  const sort = GROUP_SORTS[p.sort];
  const having = p.cursor ? `HAVING ${afterCursor(sort.expr, 'key', p.order, sql.param(p.cursor.v, sort.type), sql.param(p.cursor.id, 'String'))}` : '';
  const rs = await storage.client.query({
    query: `
      SELECT
        ${column} AS key,
        anyIf(user_id, user_id != '') AS any_user,
        uniqExact(trace_id) AS trace_count,
        uniqExactIf(session_id, session_id != '') AS session_count,
        count() AS span_count,
        sum(input_tokens) AS input_tokens,
        sum(output_tokens) AS output_tokens,
        sum(total_tokens) AS total_tokens,
        -- Summed as decimals: a float sum depends on the order threads add in, and a cursor needs the same value twice.
        toFloat64(sum(toDecimal128(cost_usd, 12))) AS cost_usd,
        uniqExactIf(trace_id, status = 'error') AS error_count,
        error_count / trace_count AS error_rate,
        min(start_time) AS first_seen,
        max(start_time) AS last_seen
      FROM spans
      WHERE ${where.join(' AND ')}
      GROUP BY key
      ${having}
      ORDER BY ${sort.expr} ${p.order}, key ${p.order}
      LIMIT ${sql.param(p.limit, 'UInt32')}`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  return (await rs.json<GroupRow>()).map((r) => ({
    key: r.key,
    userId: r.any_user === '' ? null : r.any_user,
    traceCount: Number(r.trace_count),
    sessionCount: Number(r.session_count),
    spanCount: Number(r.span_count),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    totalTokens: Number(r.total_tokens),
    costUsd: Number(r.cost_usd),
    errorCount: Number(r.error_count),
    errorRate: Number(r.error_rate),
    firstSeen: toIso8601(r.first_seen),
    lastSeen: toIso8601(r.last_seen),
    sortValue: p.sort === 'lastSeen' ? r.last_seen : String(r[sort.expr]),
  }));
}
