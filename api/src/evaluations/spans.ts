import { createHash } from 'node:crypto';
import type { Storage } from '@spanlens/clickhouse';
import { msToCh, SqlFilter, type FilterQuery } from '../filters.ts';
import { rawScope } from '../queries/metrics.ts';
import type { Evaluator } from './definition.ts';

/** What an evaluator reads of a span. */
export interface EvaluatedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  model: string;
  provider: string;
  input: string;
  output: string;
  attributes: Record<string, string>;
  durationMs: number;
  costUsd: number;
  status: string;
}

/** A span found by a scan, before sampling: its key, where the scan stands after it, and (evaluator scans) its content. */
export interface Candidate {
  traceId: string;
  spanId: string;
  at: string;
  span?: EvaluatedSpan;
}

const CONTENT = 'trace_id, span_id, parent_span_id, name, kind, model, provider, input, output, attributes, duration_ns, cost_usd, status';
type ContentRow = {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: string;
  model: string;
  provider: string;
  input: string;
  output: string;
  attributes: Record<string, string>;
  duration_ns: string;
  cost_usd: number;
  status: string;
};
const toSpan = (r: ContentRow): EvaluatedSpan => ({
  traceId: r.trace_id,
  spanId: r.span_id,
  parentSpanId: r.parent_span_id,
  name: r.name,
  kind: r.kind,
  model: r.model,
  provider: r.provider,
  input: r.input,
  output: r.output,
  attributes: r.attributes,
  durationMs: Number(r.duration_ns) / 1e6,
  costUsd: Number(r.cost_usd),
  status: r.status,
});

/**
 * Sampling by a hash of (evaluator, span): the same spans on every run, in every process and
 * after a restart, and independent between evaluators.
 */
export function isSampled(evaluatorId: string, spanId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  const h = createHash('sha1').update(evaluatorId).update('\0').update(spanId).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000 < rate;
}

/** Which spans an evaluator or an annotation queue takes: a project's LLM calls or root spans, filtered. */
export interface Selection {
  projectId: string;
  scope: 'llm' | 'root';
  filters: FilterQuery;
}

/**
 * The selection's conditions; `time` bounds start_time. Filters name any span of a trace (a
 * root span has no model), so for traces they select the root spans of matching traces.
 */
function matching(sql: SqlFilter, s: Selection, time: string): string[] {
  const project = `project_id = ${sql.param(s.projectId, 'String')}`;
  const conds = sql.spanConditions(s.filters, { spanStatus: true });
  if (s.scope === 'llm' || conds.length === 0) return [project, time, ...rawScope(s.scope), ...conds];
  return [project, time, ...rawScope(s.scope), `trace_id IN (SELECT trace_id FROM spans WHERE ${[project, time, ...conds].join(' AND ')})`];
}

/**
 * Spans stored after the cursor (by ingestion time, then span id) and at least `settleMs`
 * ago: with one writer, rows commit in ingestion order, and the margin covers the rest.
 * Spans are looked for up to a day before their ingestion (long traces).
 */
export async function storedAfter(storage: Storage, ev: Evaluator, cursor: { at: string; spanId: string }, settleMs: number, limit: number): Promise<Candidate[]> {
  const sql = new SqlFilter();
  const at = sql.param(cursor.at, "DateTime64(3, 'UTC')");
  const where = [
    ...matching(sql, ev, `start_time >= ${at} - INTERVAL 1 DAY`),
    `(ingested_at, span_id) > (${at}, ${sql.param(cursor.spanId, 'String')})`,
    `ingested_at <= now64(3) - toIntervalMillisecond(${sql.param(settleMs, 'UInt32')})`,
  ];
  // Content in the same statement: the conditions run first (PREWHERE), so only matching rows' content is read.
  return candidates(storage, sql, `SELECT ${CONTENT}, toString(ingested_at) AS at FROM spans WHERE ${where.join(' AND ')} ORDER BY ingested_at, span_id LIMIT ${sql.param(limit, 'UInt32')}`, true);
}

/** Spans that started in [from, to), after the keyset cursor (start time, span id). */
export async function startedIn(storage: Storage, ev: Selection, fromMs: number, toMs: number, cursor: { at: string; spanId: string } | null, limit: number, content = false): Promise<Candidate[]> {
  const sql = new SqlFilter();
  const where = matching(sql, ev, sql.timeRange('start_time', msToCh(fromMs), msToCh(toMs)));
  if (cursor) where.push(`(start_time, span_id) > (${sql.param(cursor.at, "DateTime64(9, 'UTC')")}, ${sql.param(cursor.spanId, 'String')})`);
  return candidates(
    storage,
    sql,
    `SELECT ${content ? CONTENT : 'trace_id, span_id'}, toString(start_time) AS at FROM spans WHERE ${where.join(' AND ')} ORDER BY start_time, span_id LIMIT ${sql.param(limit, 'UInt32')}`,
    content,
  );
}

/** How many spans a backfill over [from, to) looks at, before sampling. */
export async function countStartedIn(storage: Storage, ev: Selection, fromMs: number, toMs: number): Promise<number> {
  const sql = new SqlFilter();
  const where = matching(sql, ev, sql.timeRange('start_time', msToCh(fromMs), msToCh(toMs)));
  const rs = await storage.client.query({ query: `SELECT count() AS n FROM spans WHERE ${where.join(' AND ')}`, query_params: sql.params, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
}

async function candidates(storage: Storage, sql: SqlFilter, query: string, content: boolean): Promise<Candidate[]> {
  const rs = await storage.client.query({ query, query_params: sql.params, format: 'JSONEachRow' });
  return (await rs.json<ContentRow & { at: string }>()).map((r) => ({ traceId: r.trace_id, spanId: r.span_id, at: r.at, ...(content ? { span: toSpan(r) } : {}) }));
}

/** The spans' content, read by their primary key's trace ids. */
export async function loadSpans(storage: Storage, projectId: string, keys: ReadonlyArray<{ traceId: string; spanId: string }>): Promise<EvaluatedSpan[]> {
  if (keys.length === 0) return [];
  const rs = await storage.client.query({
    query: `SELECT ${CONTENT} FROM spans WHERE project_id = {p:String} AND trace_id IN {t:Array(String)} AND span_id IN {s:Array(String)}
            ORDER BY ingested_at DESC LIMIT 1 BY span_id`,
    query_params: { p: projectId, t: [...new Set(keys.map((k) => k.traceId))], s: keys.map((k) => k.spanId) },
    format: 'JSONEachRow',
  });
  return (await rs.json<ContentRow>()).map(toSpan);
}

/** The output of a trace's retriever spans: the context a groundedness judge checks against. */
export async function retrievedContext(storage: Storage, projectId: string, traceId: string): Promise<string> {
  const rs = await storage.client.query({
    query: `SELECT output FROM spans WHERE project_id = {p:String} AND trace_id = {t:String} AND kind = 'retriever' AND output != ''
            ORDER BY start_time LIMIT 1 BY span_id LIMIT 20`,
    query_params: { p: projectId, t: traceId },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ output: string }>()).map((r) => r.output).join('\n\n');
}
