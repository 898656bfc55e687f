import type { Storage } from '@spanlens/clickhouse';
import { SqlFilter, msToCh, type FilterQuery } from '../filters.ts';

/** Numeric features of LLM calls and the SQL that reads each (NULL: not measured). */
export const NUMERIC = {
  inputTokens: 'toFloat64(input_tokens)',
  outputTokens: 'toFloat64(output_tokens)',
  latencyMs: 'duration_ns / 1e6',
  ttftMs: 'ttft_ms',
  costUsd: 'cost_usd',
} as const;

/** Categorical features of LLM calls, each an array of categories per call. */
export const CATEGORICAL = {
  model: '[model]',
  finishReason: "[if(finish_reason = '', '(none)', finish_reason)]",
  // The tools the model called (from the answer's tool calls), or '(none)'.
  toolCall: "if(position(output, '\"toolCalls\"') = 0, ['(none)'], arrayDistinct(arrayFlatten(arrayMap(m -> arrayMap(c -> JSONExtractString(c, 'name'), JSONExtractArrayRaw(m, 'toolCalls')), JSONExtractArrayRaw(output)))))",
  qualitySignal: "[multiIf(status = 'error', 'error', q_refusal, 'refusal', q_empty, 'empty', q_truncated, 'truncated', q_invalid_json, 'invalid_json', 'none')]",
  errorType: "[if(status = 'error', if(status_message = '', '(no message)', lower(substring(status_message, 1, 40))), 'ok')]",
} as const;

export const DRIFT_GROUPS = { model: 'model', provider: 'provider', service: 'service', environment: 'environment', promptName: 'prompt_name', promptVersion: 'prompt_version' } as const;
export type DriftGroup = keyof typeof DRIFT_GROUPS;

export interface DriftWindows {
  projectId: string;
  baseline: { fromMs: number; toMs: number };
  current: { fromMs: number; toMs: number };
  filters: FilterQuery;
  groupBy?: DriftGroup;
}

const DECILES = '0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9';
/** Group key of the whole population in results (never a real group's value). */
export const OVERALL = '\u0000overall';

/** The LLM calls of both windows, w = 1 for the current one. */
function base(sql: SqlFilter, q: DriftWindows): string {
  const group = q.groupBy ? DRIFT_GROUPS[q.groupBy] : "''";
  const where = [
    `project_id = ${sql.param(q.projectId, 'String')}`,
    "model != ''",
    `((${sql.timeRange('start_time', msToCh(q.baseline.fromMs), msToCh(q.baseline.toMs))}) OR (${sql.timeRange('start_time', msToCh(q.current.fromMs), msToCh(q.current.toMs))}))`,
    ...sql.spanConditions(q.filters, { spanStatus: true }),
  ];
  const current = sql.param(msToCh(q.current.fromMs), "DateTime64(9, 'UTC')");
  return `SELECT *, q_empty, q_refusal, q_truncated, q_invalid_json, output_text, ${group} AS g, toUInt8(start_time >= ${current}) AS w FROM spans WHERE ${where.join(' AND ')}`;
}

type Num = number | string;
export interface GroupEdges { g: string; nb: number; nc: number; edges: Record<keyof typeof NUMERIC, number[]> }

/** Per group and overall: counts per window and the baseline's deciles of each numeric feature. */
export async function numericEdges(storage: Storage, q: DriftWindows): Promise<GroupEdges[]> {
  const sql = new SqlFilter();
  const cols = Object.entries(NUMERIC).map(([k, expr]) => `arrayDistinct(quantilesIf(${DECILES})(ifNull(${expr}, 0), w = 0 AND ${expr} IS NOT NULL)) AS e_${k}`);
  const rs = await storage.client.query({
    query: `SELECT if(grouping(g) = 1, ${sql.param(OVERALL, 'String')}, g) AS gk, countIf(w = 0) AS nb, countIf(w = 1) AS nc, ${cols.join(', ')}
            FROM (${base(sql, q)}) GROUP BY GROUPING SETS ((g), ())`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Record<string, unknown> & { gk: string; nb: Num; nc: Num }>();
  return rows.map((r) => ({
    g: r.gk, nb: Number(r.nb), nc: Number(r.nc),
    edges: Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, ((r[`e_${k}`] as Array<number | null>) ?? []).filter((x): x is number => x !== null && Number.isFinite(x))])) as GroupEdges['edges'],
  }));
}

export interface BinCounts { g: string; w: number; counts: Record<keyof typeof NUMERIC, number[]> }

/** Counts per baseline-decile bin, per window and group (each group against its own edges). */
export async function numericBins(storage: Storage, q: DriftWindows, edges: GroupEdges[]): Promise<BinCounts[]> {
  const run = async (overall: boolean): Promise<BinCounts[]> => {
    const sql = new SqlFilter();
    const chosen = edges.filter((e) => (e.g === OVERALL) === overall);
    if (chosen.length === 0) return [];
    const keys = sql.param(chosen.map((e) => (overall ? '' : e.g)), 'Array(String)');
    const bins = Object.entries(NUMERIC).map(([k, expr]) => {
      const table = sql.param(chosen.map((e) => e.edges[k as keyof typeof NUMERIC]), 'Array(Array(Float64))');
      return `sumMapIf([toUInt8(arrayCount(e -> ${expr} > e, ${table}[indexOf(${keys}, gk)]))], [toUInt64(1)], ${expr} IS NOT NULL) AS b_${k}`;
    });
    const rs = await storage.client.query({
      query: `SELECT ${overall ? "''" : 'g'} AS gk, w, ${bins.join(', ')} FROM (${base(sql, q)}) GROUP BY gk, w`,
      query_params: sql.params,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<Record<string, unknown> & { gk: string; w: number }>();
    return rows.map((r) => ({
      g: overall ? OVERALL : r.gk, w: Number(r.w),
      counts: Object.fromEntries(Object.keys(NUMERIC).map((k) => {
        const [idx, n] = (r[`b_${k}`] as [number[], Array<Num>]) ?? [[], []];
        const size = (chosen.find((e) => e.g === (overall ? OVERALL : r.gk))?.edges[k as keyof typeof NUMERIC].length ?? 0) + 1;
        const out = new Array<number>(size).fill(0);
        idx.forEach((b, i) => { out[Math.min(b, size - 1)] = Number(n[i]); });
        return [k, out];
      })) as BinCounts['counts'],
    }));
  };
  return [...await run(false), ...await run(true)];
}

/**
 * Two-sample Kolmogorov-Smirnov (ClickHouse's kolmogorovSmirnovTest) of one feature, for the
 * populations that have values in both windows (the function refuses an empty sample).
 */
export async function ksTest(storage: Storage, q: DriftWindows, feature: keyof typeof NUMERIC, eligible: string[]): Promise<Map<string, { d: number; pValue: number }>> {
  const out = new Map<string, { d: number; pValue: number }>();
  const expr = NUMERIC[feature];
  for (const overall of [false, true]) {
    const groups = eligible.filter((g) => (g === OVERALL) === overall);
    if (groups.length === 0) continue;
    const sql = new SqlFilter();
    const where = [`${expr} IS NOT NULL`, ...(overall ? [] : [`has(${sql.param(groups, 'Array(String)')}, g)`])];
    const rs = await storage.client.query({
      query: `SELECT ${overall ? "''" : 'g'} AS gk, kolmogorovSmirnovTest('two-sided')(toFloat64(${expr}), w) AS ks
              FROM (${base(sql, q)}) WHERE ${where.join(' AND ')} GROUP BY gk`,
      query_params: sql.params,
      format: 'JSONEachRow',
    });
    for (const r of await rs.json<{ gk: string; ks: { d_statistic: number; p_value: number } }>()) {
      if (Number.isFinite(r.ks.d_statistic)) out.set(overall ? OVERALL : r.gk, { d: r.ks.d_statistic, pValue: r.ks.p_value });
    }
  }
  return out;
}

export interface CategoryCounts { g: string; w: number; counts: Record<keyof typeof CATEGORICAL, Map<string, number>> }

export async function categoryCounts(storage: Storage, q: DriftWindows): Promise<CategoryCounts[]> {
  const sql = new SqlFilter();
  const cols = Object.entries(CATEGORICAL).map(([k, expr]) => `sumMap(${expr}, arrayMap(x -> toUInt64(1), ${expr})) AS c_${k}`);
  const rs = await storage.client.query({
    query: `SELECT if(grouping(g) = 1, ${sql.param(OVERALL, 'String')}, g) AS gk, w, ${cols.join(', ')}
            FROM (${base(sql, q)}) GROUP BY GROUPING SETS ((g, w), (w))`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  return (await rs.json<Record<string, unknown> & { gk: string; w: number }>()).map((r) => ({
    g: r.gk, w: Number(r.w),
    counts: Object.fromEntries(Object.keys(CATEGORICAL).map((k) => {
      const [keys, n] = (r[`c_${k}`] as [string[], Array<Num>]) ?? [[], []];
      return [k, new Map(keys.map((key, i) => [key, Number(n[i])]))];
    })) as CategoryCounts['counts'],
  }));
}

const STOPWORDS = ['the', 'and', 'for', 'you', 'your', 'are', 'with', 'that', 'this', 'have', 'has', 'was', 'were', 'not', 'but', 'can', 'will', 'from', 'what', 'how', 'our', 'please', 'there', 'their', 'they', 'them', 'about', 'would', 'could', 'should', 'into', 'also', 'just', 'any', 'all', 'its', 'it\'s', 'then', 'than', 'when', 'which', 'who', 'here', 'more', 'some', 'only', 'one'];
const TEXT_SAMPLE = 20_000;

/** Term counts (each term once per call) of prompts or completions per window, on a sample of calls. */
export async function termCounts(storage: Storage, q: DriftWindows, side: 'input' | 'output', populations: { nb: number; nc: number }): Promise<Array<Map<string, number>>> {
  const sql = new SqlFilter();
  const text = side === 'input'
    ? "if(startsWith(input, '[{'), arrayStringConcat(arrayMap(m -> JSONExtractString(m, 'content'), JSONExtractArrayRaw(input)), ' '), input)"
    : 'output_text';
  const mod = Math.max(1, Math.ceil(Math.max(populations.nb, populations.nc) / TEXT_SAMPLE));
  const rs = await storage.client.query({
    query: `
      SELECT w, term, count() AS n FROM (
        SELECT w, arrayJoin(arrayDistinct(arrayFilter(t -> length(t) BETWEEN 3 AND 30 AND NOT has(${sql.param(STOPWORDS, 'Array(String)')}, t),
               splitByNonAlpha(lower(substring(${text}, 1, 4000)))))) AS term
        FROM (${base(sql, q)}) WHERE cityHash64(span_id) % ${sql.param(mod, 'UInt64')} = 0
      ) GROUP BY w, term ORDER BY n DESC, term LIMIT 400 BY w`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const out = [new Map<string, number>(), new Map<string, number>()];
  for (const r of await rs.json<{ w: number; term: string; n: Num }>()) out[Number(r.w)]!.set(r.term, Number(r.n));
  return out;
}

/** Feedback scores (numeric and thumbs) of each window, with the baseline's deciles; the whole project. */
export async function feedbackScores(storage: Storage, q: DriftWindows): Promise<{ edges: number[]; counts: [number[], number[]]; ks: { d: number; pValue: number } | null }> {
  const sql = new SqlFilter();
  const scores = `
    SELECT value, toUInt8(created_at >= ${sql.param(msToCh(q.current.fromMs), "DateTime64(9, 'UTC')")}) AS w
    FROM feedback FINAL
    WHERE project_id = ${sql.param(q.projectId, 'String')} AND data_type != 'categorical'
      AND ((${sql.timeRange('created_at', msToCh(q.baseline.fromMs), msToCh(q.baseline.toMs))}) OR (${sql.timeRange('created_at', msToCh(q.current.fromMs), msToCh(q.current.toMs))}))`;
  const first = await storage.client.query({
    query: `SELECT arrayDistinct(quantilesIf(${DECILES})(value, w = 0)) AS e, countIf(w = 0) AS nb, countIf(w = 1) AS nc FROM (${scores})`,
    query_params: sql.params, format: 'JSONEachRow',
  });
  const [head] = await first.json<{ e: Array<number | null>; nb: Num; nc: Num }>();
  const edges = (head?.e ?? []).filter((x): x is number => x !== null && Number.isFinite(x));
  const counts: [number[], number[]] = [new Array<number>(edges.length + 1).fill(0), new Array<number>(edges.length + 1).fill(0)];
  if (Number(head?.nb ?? 0) + Number(head?.nc ?? 0) === 0) return { edges, counts, ks: null };
  const both = Number(head?.nb ?? 0) > 0 && Number(head?.nc ?? 0) > 0;
  const rs = await storage.client.query({
    query: `SELECT w, toUInt8(arrayCount(e -> value > e, ${sql.param(edges, 'Array(Float64)')})) AS bin, count() AS n FROM (${scores}) GROUP BY w, bin`,
    query_params: sql.params, format: 'JSONEachRow',
  });
  for (const r of await rs.json<{ w: number; bin: number; n: Num }>()) counts[Number(r.w) as 0 | 1][Number(r.bin)] = Number(r.n);
  let ks: { d: number; pValue: number } | null = null;
  if (both) {
    const t = await storage.client.query({ query: `SELECT kolmogorovSmirnovTest('two-sided')(value, w) AS ks FROM (${scores})`, query_params: sql.params, format: 'JSONEachRow' });
    const [row] = await t.json<{ ks: { d_statistic: number; p_value: number } }>();
    if (row && Number.isFinite(row.ks.d_statistic)) ks = { d: row.ks.d_statistic, pValue: row.ks.p_value };
  }
  return { edges, counts, ks };
}
