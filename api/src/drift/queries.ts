import type { DRIFT_CATEGORICAL_FEATURES, DRIFT_NUMERIC_FEATURES } from '../contract/alerts.ts';
import type { Storage } from '@spanlens/clickhouse';
import { SqlFilter, msToCh, type FilterQuery } from '../filters.ts';

/** Numeric features of LLM calls and the SQL that reads each (NULL: not measured). */
export const NUMERIC = {
  inputTokens: 'toFloat64(input_tokens)',
  outputTokens: 'toFloat64(output_tokens)',
  latencyMs: 'duration_ns / 1e6',
  ttftMs: 'ttft_ms',
  costUsd: 'cost_usd',
} as const satisfies Record<(typeof DRIFT_NUMERIC_FEATURES)[number], string>;

/** Categorical features of LLM calls, each an array of categories per call. */
export const CATEGORICAL = {
  model: '[model]',
  finishReason: "[if(finish_reason = '', '(none)', finish_reason)]",
  // The tools the model called (from the answer's tool calls), or '(none)'.
  toolCall:
    "if(position(output, '\"toolCalls\"') = 0, ['(none)'], arrayDistinct(arrayFlatten(arrayMap(m -> arrayMap(c -> JSONExtractString(c, 'name'), JSONExtractArrayRaw(m, 'toolCalls')), JSONExtractArrayRaw(output)))))",
  qualitySignal: "[multiIf(status = 'error', 'error', q_refusal, 'refusal', q_empty, 'empty', q_truncated, 'truncated', q_invalid_json, 'invalid_json', 'none')]",
  errorType: "[if(status = 'error', if(status_message = '', '(no message)', lower(substring(status_message, 1, 40))), 'ok')]",
} as const satisfies Record<(typeof DRIFT_CATEGORICAL_FEATURES)[number], string>;

export const DRIFT_GROUPS = { model: 'model', provider: 'provider', service: 'service', environment: 'environment', promptName: 'prompt_name', promptVersion: 'prompt_version' } as const;
export type DriftGroup = keyof typeof DRIFT_GROUPS;

export interface DriftWindows {
  projectId: string;
  baseline: { fromMs: number; toMs: number };
  current: { fromMs: number; toMs: number };
  filters: FilterQuery;
  groupBy?: DriftGroup;
  /** The feedbackScore feature over scores of this name only (an evaluator's, a rating); default: every score. */
  feedbackName?: string;
  /** Per window, its sample (null: every call). */
  sample?: { baseline: WindowSample | null; current: WindowSample | null };
}

const DECILES = '0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9';
/** Group key of the whole population in results (never a real group's value). */
export const OVERALL = '\u0000overall';

/**
 * How a window is sampled. `prefix`: the traces whose id sorts below a bound. Spans are ordered
 * by (hour, trace id), so the primary key skips the granules outside it and a 10 % sample
 * reads ~10 % of the data; only sound when ids are random, as W3C ids should be. `hash`: a
 * hash of the trace id, for any id scheme (time-ordered X-Ray ids, counters), reading everything.
 */
export type WindowSample = { mode: 'prefix'; bound: string } | { mode: 'hash'; below: number };

const PREFIX_SPACE = 16 ** 6;
const HASH_SPACE = 2 ** 20;

function window(sql: SqlFilter, w: { fromMs: number; toMs: number }, sample: WindowSample | null | undefined): string {
  const range = sql.timeRange('start_time', msToCh(w.fromMs), msToCh(w.toMs));
  if (!sample) return range;
  return sample.mode === 'prefix' ? `${range} AND trace_id < ${sql.param(sample.bound, 'String')}` : `${range} AND cityHash64(trace_id) % ${HASH_SPACE} < ${sql.param(sample.below, 'UInt32')}`;
}

/** The sample that keeps about `cap` of a window's `n` calls (null: keep all). */
export function chooseSample(n: number, cap: number, randomIds: boolean): WindowSample | null {
  if (n <= cap) return null;
  const rate = cap / n;
  return randomIds
    ? {
        mode: 'prefix',
        bound: Math.max(1, Math.floor(rate * PREFIX_SPACE))
          .toString(16)
          .padStart(6, '0'),
      }
    : { mode: 'hash', below: Math.max(1, Math.floor(rate * HASH_SPACE)) };
}

/** The share of calls a sample keeps. */
export function sampleRate(sample: WindowSample | null): number {
  if (!sample) return 1;
  return sample.mode === 'prefix' ? parseInt(sample.bound, 16) / PREFIX_SPACE : sample.below / HASH_SPACE;
}

/** LLM calls of each window (no sample; reads only the key and model columns). */
export async function windowCounts(storage: Storage, q: DriftWindows): Promise<{ nb: number; nc: number }> {
  const sql = new SqlFilter();
  const { sample: _s, ...all } = q;
  const rs = await storage.client.query({
    query: `SELECT countIf(w = 0) AS nb, countIf(w = 1) AS nc FROM (${base(sql, all, 'start_time')})`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ nb: Num; nc: Num }>();
  return { nb: Number(r?.nb ?? 0), nc: Number(r?.nc ?? 0) };
}

/** The LLM calls of both windows, w = 1 for the current one. */
function base(sql: SqlFilter, q: DriftWindows, columns = '*, q_empty, q_refusal, q_truncated, q_invalid_json, output_text', extra: string[] = []): string {
  const group = q.groupBy ? DRIFT_GROUPS[q.groupBy] : "''";
  const where = [
    `project_id = ${sql.param(q.projectId, 'String')}`,
    "model != ''",
    `((${window(sql, q.baseline, q.sample?.baseline)}) OR (${window(sql, q.current, q.sample?.current)}))`,
    ...sql.spanConditions(q.filters, { spanStatus: true }),
    ...extra,
  ];
  const current = sql.param(msToCh(q.current.fromMs), "DateTime64(9, 'UTC')");
  return `SELECT ${columns}, ${group} AS g, toUInt8(start_time >= ${current}) AS w FROM spans WHERE ${where.join(' AND ')}`;
}

type Num = number | string;
export type Feature = keyof typeof NUMERIC;
export type Category = keyof typeof CATEGORICAL;
const FEATURES = Object.keys(NUMERIC) as Feature[];
const CATEGORIES = Object.keys(CATEGORICAL) as Category[];

export interface GroupEdges {
  g: string;
  /** Calls of each window (in its sample). */
  nb: number;
  nc: number;
  edges: Record<Feature, number[]>;
  /** Calls with a value of each feature, per window. */
  valued: Record<Feature, [number, number]>;
}

/**
 * Bin edges: the baseline's minimum, then its distinct deciles. Bin 0 holds values below the
 * minimum, bin 1 the minimum up to the first decile, and so on: a baseline of all thumbs-up
 * (every decile 1) still tells a current 0 apart from a 1.
 */
function withFloor(min: number, deciles: Array<number | null> | undefined): number[] {
  const d = (deciles ?? []).filter((x): x is number => x !== null && Number.isFinite(x));
  return d.length === 0 || !Number.isFinite(min) ? [] : [min, ...d];
}

/** SQL: the bin of `value` against `edges` (see withFloor). */
const binOf = (value: string, edges: string) => `if(${value} < ${edges}[1], 0, 1 + arrayCount(e -> ${value} > e, arrayPopFront(${edges})))`;

/**
 * SQL: the two-sample KS test of `value` by window `w` for the populations named in `sizes`
 * (value counts per window, both non-zero). The exact p-value costs n x m, so only samples up
 * to KS_EXACT_MAX pairs get it (ClickHouse's 'auto' picks it up to 10,000 values a side, 0.5 s
 * of the pass grouped by model on 10 M spans); the asymptotic one above. -OrNull: NULL for
 * populations not listed (the test refuses an empty sample).
 */
function ksColumn(sql: SqlFilter, value: string, cond: string, sizes: Array<{ g: string; n: [number, number] }>): string {
  const who = (exact: boolean) =>
    sql.param(
      sizes.filter((s) => s.n[0] * s.n[1] <= KS_EXACT_MAX === exact).map((s) => s.g),
      'Array(String)',
    );
  const ks = (method: string, list: string) => `kolmogorovSmirnovTestIfOrNull('two-sided', '${method}')(${value}, w, ${cond} AND has(${list}, gk))`;
  return `ifNull(${ks('exact', who(true))}, ${ks('asymp', who(false))})`;
}

/** A sumMap result ([bin], [count]) as counts for `size` bins (a bin past the last is the last). */
function denseBins(m: [number[], Num[]] | undefined, size: number): number[] {
  const out = new Array<number>(size).fill(0);
  const [idx, n] = m ?? [[], []];
  idx.forEach((b, i) => {
    const j = Math.min(b, size - 1);
    out[j] = (out[j] ?? 0) + Number(n[i]);
  });
  return out;
}

/** Pass 1, per group and overall: calls per window, the baseline's deciles and how many calls have each feature. */
export async function numericEdges(storage: Storage, q: DriftWindows): Promise<GroupEdges[]> {
  const sql = new SqlFilter();
  const cols = FEATURES.map(
    (k) =>
      `minIf(ifNull(${NUMERIC[k]}, 0), w = 0 AND ${NUMERIC[k]} IS NOT NULL) AS m_${k}, arrayDistinct(quantilesIf(${DECILES})(ifNull(${NUMERIC[k]}, 0), w = 0 AND ${NUMERIC[k]} IS NOT NULL)) AS e_${k}, countIf(w = 0 AND ${NUMERIC[k]} IS NOT NULL) AS vb_${k}, countIf(w = 1 AND ${NUMERIC[k]} IS NOT NULL) AS vc_${k}`,
  );
  const rs = await storage.client.query({
    query: `SELECT if(grouping(g) = 1, ${sql.param(OVERALL, 'String')}, g) AS gk, countIf(w = 0) AS nb, countIf(w = 1) AS nc, ${cols.join(', ')}
            FROM (${base(sql, q)}) GROUP BY GROUPING SETS ((g), ())`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Record<string, unknown> & { gk: string; nb: Num; nc: Num }>();
  return rows.map((r) => ({
    g: r.gk,
    nb: Number(r.nb),
    nc: Number(r.nc),
    edges: Object.fromEntries(FEATURES.map((k) => [k, withFloor(Number(r[`m_${k}`] as Num), r[`e_${k}`] as Array<number | null>)])) as GroupEdges['edges'],
    valued: Object.fromEntries(FEATURES.map((k) => [k, [Number(r[`vb_${k}`] as Num), Number(r[`vc_${k}`] as Num)]])) as GroupEdges['valued'],
  }));
}

/** Calls per window and population the Kolmogorov-Smirnov test reads, at most (about). */
export const KS_SAMPLE = 20_000;
const KS_EXACT_MAX = 1_000_000;

export interface GroupCounts {
  g: string;
  /** Per feature, calls per baseline-decile bin: [baseline, current]. */
  bins: Record<Feature, [number[], number[]]>;
  /** Per categorical feature, calls per category: [baseline, current]. */
  categories: Record<Category, [Map<string, number>, Map<string, number>]>;
  /** Two-sample Kolmogorov-Smirnov per feature, where both windows have values. */
  ks: Partial<Record<Feature, { d: number; pValue: number }>>;
}

/**
 * Pass 2: bins against each population's own edges, category counts and the two-sample
 * Kolmogorov-Smirnov test (ClickHouse's kolmogorovSmirnovTest) of every feature, for the groups
 * and the whole population at once (each call counted under its group and under the whole).
 * The KS function refuses an empty sample, so it reads only populations with values in both
 * windows, and -OrNull makes the others NULL.
 */
export async function groupCounts(storage: Storage, q: DriftWindows, edges: GroupEdges[]): Promise<GroupCounts[]> {
  const sql = new SqlFilter();
  const keys = sql.param(
    edges.map((e) => e.g),
    'Array(String)',
  );
  const overall = sql.param(OVERALL, 'String');
  const cols: string[] = [];
  // The KS test keeps every value and sorts them, and dominated the pass (2.3 of 3 s grouped
  // by model on 10 M spans): it reads at most KS_SAMPLE calls per window and population.
  // One value in `mod` by a hash, per feature, window and population: 1 up to KS_SAMPLE values,
  // so a window with any value keeps at least one (an empty sample would make the test throw).
  const ksKeep = (k: Feature) => {
    const mods = (side: 0 | 1) =>
      sql.param(
        edges.map((e) => Math.max(1, Math.ceil(e.valued[k][side] / KS_SAMPLE))),
        'Array(UInt32)',
      );
    return `cityHash64(span_id) % if(w = 0, ${mods(0)}, ${mods(1)})[indexOf(${keys}, gk)] = 0`;
  };
  for (const k of FEATURES) {
    const expr = NUMERIC[k];
    const table = sql.param(
      edges.map((e) => e.edges[k]),
      'Array(Array(Float64))',
    );
    const bin = `[toUInt8(${binOf(expr, `${table}[indexOf(${keys}, gk)]`)})]`;
    cols.push(`sumMapIf(${bin}, [toUInt64(1)], w = 0 AND ${expr} IS NOT NULL) AS bb_${k}`, `sumMapIf(${bin}, [toUInt64(1)], w = 1 AND ${expr} IS NOT NULL) AS bc_${k}`);
    const sizes = edges.filter((e) => e.valued[k][0] > 0 && e.valued[k][1] > 0).map((e) => ({ g: e.g, n: e.valued[k].map((v) => Math.min(v, KS_SAMPLE)) as [number, number] }));
    cols.push(`${ksColumn(sql, `toFloat64(ifNull(${expr}, 0))`, `${expr} IS NOT NULL AND ${ksKeep(k)}`, sizes)} AS ks_${k}`);
  }
  for (const k of CATEGORIES) {
    const expr = CATEGORICAL[k];
    cols.push(`sumMapIf(${expr}, arrayMap(x -> toUInt64(1), ${expr}), w = 0) AS cb_${k}`, `sumMapIf(${expr}, arrayMap(x -> toUInt64(1), ${expr}), w = 1) AS cc_${k}`);
  }
  // Without a group-by every call is in the whole population only.
  const gk = q.groupBy ? `arrayJoin([g, ${overall}])` : overall;
  const rs = await storage.client.query({
    query: `SELECT ${gk} AS gk, ${cols.join(', ')} FROM (${base(sql, q)}) GROUP BY gk`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<Record<string, unknown> & { gk: string }>();
  return rows.map((r) => {
    const bins = Object.fromEntries(
      FEATURES.map((k) => {
        const size = (edges.find((e) => e.g === r.gk)?.edges[k].length ?? 0) + 1;
        return [k, [denseBins(r[`bb_${k}`] as [number[], Num[]], size), denseBins(r[`bc_${k}`] as [number[], Num[]], size)]];
      }),
    ) as GroupCounts['bins'];
    const categories = Object.fromEntries(
      CATEGORIES.map((k) => {
        const map = (m: unknown) => {
          const [ks, n] = (m as [string[], Num[]]) ?? [[], []];
          return new Map(ks.map((key, i) => [key, Number(n[i])]));
        };
        return [k, [map(r[`cb_${k}`]), map(r[`cc_${k}`])]];
      }),
    ) as GroupCounts['categories'];
    const ks: GroupCounts['ks'] = {};
    for (const k of FEATURES) {
      const t = r[`ks_${k}`] as { d_statistic: number; p_value: number } | null;
      if (t && Number.isFinite(t.d_statistic)) ks[k] = { d: t.d_statistic, pValue: t.p_value };
    }
    return { g: r.gk, bins, categories, ks };
  });
}

const STOPWORDS = [
  'the',
  'and',
  'for',
  'you',
  'your',
  'are',
  'with',
  'that',
  'this',
  'have',
  'has',
  'was',
  'were',
  'not',
  'but',
  'can',
  'will',
  'from',
  'what',
  'how',
  'our',
  'please',
  'there',
  'their',
  'they',
  'them',
  'about',
  'would',
  'could',
  'should',
  'into',
  'also',
  'just',
  'any',
  'all',
  'its',
  "it's",
  'then',
  'than',
  'when',
  'which',
  'who',
  'here',
  'more',
  'some',
  'only',
  'one',
];
const TEXT_SAMPLE = 20_000;
/** Hours of each window the vocabulary pass reads, at most. */
const TEXT_HOURS = 24;
const HOUR_MS = 3_600_000;

/**
 * Hours spread evenly over a window, for the vocabulary pass: texts are the largest columns,
 * and unlike a sample of calls a sample of hours lets the primary key skip the rest. The
 * stride is odd and not a multiple of 3, so the hours rotate through the times of day.
 */
export function textHours(w: { fromMs: number; toMs: number }, max = TEXT_HOURS): number[] | null {
  const first = Math.floor(w.fromMs / HOUR_MS);
  const count = Math.ceil(w.toMs / HOUR_MS) - first;
  if (count <= max) return null;
  let stride = Math.floor(count / max);
  while (stride % 2 === 0 || stride % 3 === 0) stride++;
  return Array.from({ length: Math.ceil(count / stride) }, (_, i) => (first + i * stride) * HOUR_MS);
}

/** Term counts (each term once per call) of prompts (side 0) and completions (side 1) per window, on a sample. */
export async function termCounts(storage: Storage, q: DriftWindows, populations: { nb: number; nc: number }): Promise<Record<'input' | 'output', Array<Map<string, number>>>> {
  const sql = new SqlFilter();
  const prompt = "if(startsWith(input, '[{'), arrayStringConcat(arrayMap(m -> JSONExtractString(m, 'content'), JSONExtractArrayRaw(input)), ' '), input)";
  const terms = (text: string) =>
    `arrayDistinct(arrayFilter(t -> length(t) BETWEEN 3 AND 30 AND NOT has(${sql.param(STOPWORDS, 'Array(String)')}, t), splitByNonAlpha(lower(substring(${text}, 1, 4000)))))`;
  const hours = [textHours(q.baseline), textHours(q.current)];
  const share = (h: number[] | null, w: { fromMs: number; toMs: number }) => (h ? (h.length * HOUR_MS) / (w.toMs - w.fromMs) : 1);
  // Calls the hours hold, about; then one call in `mod` of them.
  const held = Math.max(populations.nb * share(hours[0]!, q.baseline), populations.nc * share(hours[1]!, q.current));
  const mod = Math.max(1, Math.ceil(held / TEXT_SAMPLE));
  const hourSet = (h: number[]) =>
    sql.param(
      h.map((ms) => msToCh(ms).slice(0, 19)),
      "Array(DateTime('UTC'))",
    );
  const cut = sql.param(msToCh(q.current.fromMs), "DateTime64(9, 'UTC')");
  const [hb, hc] = hours;
  const inHours =
    hb && hc
      ? [`toStartOfHour(start_time) IN ${hourSet([...hb, ...hc])}`]
      : hb
        ? [`(start_time >= ${cut} OR toStartOfHour(start_time) IN ${hourSet(hb)})`]
        : hc
          ? [`(start_time < ${cut} OR toStartOfHour(start_time) IN ${hourSet(hc)})`]
          : [];
  const rs = await storage.client.query({
    query: `
      SELECT w, side, term, count() AS n FROM (
        SELECT w, arrayJoin([(0, ${terms(prompt)}), (1, ${terms('output_text')})]) AS st, st.1 AS side, arrayJoin(st.2) AS term
        FROM (${base(sql, q, 'input, output, output_text, start_time, span_id', [...inHours, `cityHash64(span_id) % ${sql.param(mod, 'UInt64')} = 0`])})
      ) GROUP BY w, side, term ORDER BY n DESC, term LIMIT 400 BY w, side`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const out = { input: [new Map<string, number>(), new Map<string, number>()], output: [new Map<string, number>(), new Map<string, number>()] };
  for (const r of await rs.json<{ w: number; side: number; term: string; n: Num }>()) out[Number(r.side) === 0 ? 'input' : 'output'][Number(r.w)]!.set(r.term, Number(r.n));
  return out;
}

export interface FeedbackDrift {
  g: string;
  edges: number[];
  counts: [number[], number[]];
  ks: { d: number; pValue: number } | null;
}

/** How far back from the baseline a rated trace's spans are looked for (ratings come later). */
const FEEDBACK_TRACE_LOOKBACK_MS = 7 * 24 * HOUR_MS;

/**
 * Feedback scores (numeric and thumbs) of each window, with the baseline's deciles, bins and
 * KS, for the whole project and, with a group-by, per group: a score's group is that of its
 * trace's first LLM call (a score rates a trace, not one call). Scores of traces with no LLM
 * call count in the whole only.
 */
export async function feedbackScores(storage: Storage, q: DriftWindows): Promise<FeedbackDrift[]> {
  const sql = new SqlFilter();
  const project = sql.param(q.projectId, 'String');
  const inWindows = `((${sql.timeRange('created_at', msToCh(q.baseline.fromMs), msToCh(q.baseline.toMs))}) OR (${sql.timeRange('created_at', msToCh(q.current.fromMs), msToCh(q.current.toMs))}))`;
  const named = q.feedbackName === undefined ? '' : ` AND name = ${sql.param(q.feedbackName, 'String')}`;
  const rated = `SELECT trace_id, value, created_at FROM feedback FINAL WHERE project_id = ${project} AND data_type != 'categorical' AND ${inWindows}${named}`;
  const groups = q.groupBy
    ? `
    LEFT JOIN (
      SELECT trace_id, argMin(${DRIFT_GROUPS[q.groupBy]}, start_time) AS g FROM spans
      WHERE project_id = ${project} AND model != ''
        AND ${sql.timeRange('start_time', msToCh(q.baseline.fromMs - FEEDBACK_TRACE_LOOKBACK_MS), msToCh(q.current.toMs))}
        AND trace_id IN (SELECT trace_id FROM feedback WHERE project_id = ${project} AND ${inWindows}${named})
      GROUP BY trace_id) AS t ON f.trace_id = t.trace_id`
    : '';
  const scores = `SELECT f.value AS value, toUInt8(f.created_at >= ${sql.param(msToCh(q.current.fromMs), "DateTime64(9, 'UTC')")}) AS w, ${q.groupBy ? 't.g' : "''"} AS g
    FROM (${rated}) AS f ${groups}`;
  const overall = sql.param(OVERALL, 'String');
  const first = await storage.client.query({
    query: `SELECT if(grouping(g) = 1, ${overall}, g) AS gk, minIf(value, w = 0) AS m, arrayDistinct(quantilesIf(${DECILES})(value, w = 0)) AS e, countIf(w = 0) AS nb, countIf(w = 1) AS nc
            FROM (${scores}) GROUP BY GROUPING SETS ((g), ())`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  // '' is no group: traces without an LLM call, or no group-by at all.
  const heads = (await first.json<{ gk: string; m: Num; e: Array<number | null>; nb: Num; nc: Num }>())
    .filter((r) => r.gk !== '' && Number(r.nb) + Number(r.nc) > 0)
    .map((r) => ({ g: r.gk, nb: Number(r.nb), nc: Number(r.nc), edges: withFloor(Number(r.m), r.e) }));
  if (heads.length === 0) return [];
  const keys = sql.param(
    heads.map((h) => h.g),
    'Array(String)',
  );
  const table = sql.param(
    heads.map((h) => h.edges),
    'Array(Array(Float64))',
  );
  const bin = `[toUInt8(${binOf('value', `${table}[indexOf(${keys}, gk)]`)})]`;
  const sizes = heads.filter((h) => h.nb > 0 && h.nc > 0).map((h) => ({ g: h.g, n: [h.nb, h.nc] as [number, number] }));
  const rs = await storage.client.query({
    query: `SELECT ${q.groupBy ? `arrayJoin([g, ${overall}])` : overall} AS gk,
              sumMapIf(${bin}, [toUInt64(1)], w = 0) AS bb, sumMapIf(${bin}, [toUInt64(1)], w = 1) AS bc,
              ${ksColumn(sql, 'value', '1', sizes)} AS ks
            FROM (${scores}) WHERE has(${keys}, gk) GROUP BY gk`,
    query_params: sql.params,
    format: 'JSONEachRow',
  });
  const rows = new Map((await rs.json<{ gk: string; bb: [number[], Num[]]; bc: [number[], Num[]]; ks: { d_statistic: number; p_value: number } | null }>()).map((r) => [r.gk, r]));
  return heads.map((h) => {
    const r = rows.get(h.g);
    const t = r?.ks;
    const size = h.edges.length + 1;
    return { g: h.g, edges: h.edges, counts: [denseBins(r?.bb, size), denseBins(r?.bc, size)], ks: t && Number.isFinite(t.d_statistic) ? { d: t.d_statistic, pValue: t.p_value } : null };
  });
}
