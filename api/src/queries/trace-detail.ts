import { toIso8601, type LogItemDoc, type Storage } from '@spanlens/clickhouse';
import type { z } from 'zod';
import type { feedbackSchema, spanSchema } from '../schemas.ts';
import { n, nullIfEmpty, type Num } from './values.ts';

export interface TraceDetail {
  spans: Array<z.infer<typeof spanSchema>>;
  feedback: Array<z.infer<typeof feedbackSchema>>;
}

/** A trace_items row as JSONCompactEachRow gives it: item, item_id, time, version, doc. */
type ItemRow = [item: 'span' | 'feedback' | 'log', itemId: string, time: string, version: string, doc: string];

/**
 * One trace: its spans in start order, with the content their GenAI log records carried, and its
 * feedback, from trace_items (migrations 0010, 0012) in one primary-key lookup. An item stored twice and not yet merged away keeps its latest
 * copy, as ReplacingMergeTree(version) will; sorting and that choice run here rather than
 * in the statement (FINAL or ORDER BY cost the engine more than they cost here).
 */
export async function getTrace(storage: Storage, projectId: string, traceId: string): Promise<TraceDetail | null> {
  const rs = await storage.client.query({
    query: `
      SELECT item, item_id, time, version, doc FROM trace_items
      WHERE project_id = {projectId:String} AND trace_id = {traceId:String}`,
    query_params: { projectId, traceId },
    format: 'JSONCompactEachRow',
  });
  const latest = new Map<string, ItemRow>();
  for (const r of await rs.json<ItemRow>()) {
    const key = `${r[0]}\u0000${r[1]}`;
    const seen = latest.get(key);
    if (!seen || seen[3] <= r[3]) latest.set(key, r);
  }
  const spans: ItemRow[] = [];
  const feedback: ItemRow[] = [];
  const logs: ItemRow[] = [];
  for (const r of latest.values()) (r[0] === 'span' ? spans : r[0] === 'feedback' ? feedback : logs).push(r);
  if (spans.length === 0) return null;
  // Fixed-width 'YYYY-MM-DD hh:mm:ss.fffffffff' times sort as text.
  const byTime = (a: ItemRow, b: ItemRow) => (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
  const content = logContent(logs);
  return {
    spans: inStartOrder(spans.map((r) => ({ time: r[2], span: withLogContent(toSpan(r), content.get(r[1])) }))),
    feedback: feedback.sort(byTime).map(toFeedback),
  };
}

interface LogContent {
  input: unknown[];
  output: unknown[];
  finishReason?: string;
}

/** GenAI log records by span: their messages in record order (time, then order in the request). */
function logContent(logs: ItemRow[]): Map<string, LogContent> {
  const docs = logs.map((r) => ({ time: r[2], doc: JSON.parse(r[4]) as LogItemDoc })).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.doc.seq - b.doc.seq));
  const out = new Map<string, LogContent>();
  for (const { doc } of docs) {
    let c = out.get(doc.span_id);
    if (!c) out.set(doc.span_id, (c = { input: [], output: [] }));
    if (doc.input) c.input.push(...doc.input);
    if (doc.output) c.output.push(...doc.output);
    c.finishReason ??= doc.finish_reason;
  }
  return out;
}

/** What the span itself carries wins; log records fill what it lacks. */
function withLogContent(span: z.infer<typeof spanSchema>, c: LogContent | undefined): z.infer<typeof spanSchema> {
  if (!c) return span;
  if (span.input === null && c.input.length) span.input = JSON.stringify(c.input);
  if (span.output === null && c.output.length) span.output = JSON.stringify(c.output);
  span.finishReason ??= c.finishReason ?? null;
  return span;
}

/**
 * Spans by start time; at equal times a parent comes before its children. OpenTelemetry JS
 * takes start times from Date.now(), so a span and the child it starts at once often share
 * the same millisecond.
 */
function inStartOrder(items: Array<{ time: string; span: z.infer<typeof spanSchema> }>): Array<z.infer<typeof spanSchema>> {
  const parentOf = new Map(items.map(({ span }) => [span.spanId, span.parentSpanId]));
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    let d = depth.get(id);
    if (d !== undefined) return d;
    d = 0;
    // Bounded by the trace's size, so a parent cycle in bad data cannot loop forever.
    for (let p = parentOf.get(id), hops = 0; p && parentOf.has(p) && hops < parentOf.size; p = parentOf.get(p), hops++) d++;
    depth.set(id, d);
    return d;
  };
  return items
    .map((it) => ({ ...it, depth: depthOf(it.span.spanId) }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.depth - b.depth || (a.span.spanId < b.span.spanId ? -1 : a.span.spanId > b.span.spanId ? 1 : 0)))
    .map((it) => it.span);
}

/** A span's doc: the spans columns but the trace_items key ones. */
interface SpanDoc {
  parent_span_id: string;
  name: string;
  kind: string;
  model: string;
  request_model: string;
  provider: string;
  operation: string;
  end_time: string;
  duration_ns: Num;
  input_tokens: Num;
  output_tokens: Num;
  total_tokens: Num;
  cached_tokens: Num;
  reasoning_tokens: Num;
  tokens_estimated: boolean;
  cost_usd: Num;
  cost_estimated: boolean;
  cost_source: string;
  ttft_ms: number | null;
  finish_reason: string;
  status: 'ok' | 'error' | 'unset';
  status_message: string;
  input: string;
  output: string;
  user_id: string;
  session_id: string;
  service: string;
  environment: string;
  release: string;
  prompt_name: string;
  prompt_version: string;
  tags: string[];
  attributes: Record<string, string>;
  resource_attributes: Record<string, string>;
  events: string;
  redactions: Num;
}

function toSpan([, spanId, startTime, , doc]: ItemRow): z.infer<typeof spanSchema> {
  const r = JSON.parse(doc) as SpanDoc;
  return {
    spanId,
    parentSpanId: nullIfEmpty(r.parent_span_id),
    name: r.name,
    kind: r.kind,
    model: nullIfEmpty(r.model),
    requestModel: nullIfEmpty(r.request_model),
    provider: nullIfEmpty(r.provider),
    operation: nullIfEmpty(r.operation),
    startTime: toIso8601(startTime),
    endTime: toIso8601(r.end_time),
    durationMs: n(r.duration_ns) / 1e6,
    inputTokens: n(r.input_tokens),
    outputTokens: n(r.output_tokens),
    totalTokens: n(r.total_tokens),
    cachedTokens: n(r.cached_tokens),
    reasoningTokens: n(r.reasoning_tokens),
    tokensEstimated: Boolean(r.tokens_estimated),
    costUsd: n(r.cost_usd),
    costEstimated: Boolean(r.cost_estimated),
    costSource: r.cost_source,
    ttftMs: r.ttft_ms === null ? null : n(r.ttft_ms),
    finishReason: nullIfEmpty(r.finish_reason),
    status: r.status,
    statusMessage: nullIfEmpty(r.status_message),
    input: nullIfEmpty(r.input),
    output: nullIfEmpty(r.output),
    userId: nullIfEmpty(r.user_id),
    sessionId: nullIfEmpty(r.session_id),
    service: nullIfEmpty(r.service),
    environment: nullIfEmpty(r.environment),
    release: nullIfEmpty(r.release),
    promptName: nullIfEmpty(r.prompt_name),
    promptVersion: nullIfEmpty(r.prompt_version),
    tags: r.tags,
    attributes: r.attributes,
    resourceAttributes: r.resource_attributes,
    redactions: n(r.redactions),
    events: r.events ? (JSON.parse(r.events) as Array<{ time: string; name: string; attributes: Record<string, unknown> }>).map((e) => ({ ...e, time: toIso8601(e.time) })) : [],
  };
}

/** A score's doc: the feedback columns but the trace_items key ones. */
interface FeedbackDoc {
  span_id: string;
  name: string;
  data_type: string;
  value: Num;
  string_value: string;
  comment: string;
  source: string;
  author: string;
  user_id: string;
  /** Since migration 0013; absent in docs written before it. */
  evaluator_id?: string;
  evaluator_version?: number;
  judge_cost_usd?: number;
}

function toFeedback([, id, createdAt, , doc]: ItemRow): z.infer<typeof feedbackSchema> {
  const r = JSON.parse(doc) as FeedbackDoc;
  return {
    id,
    spanId: nullIfEmpty(r.span_id),
    name: r.name,
    dataType: r.data_type,
    value: n(r.value),
    stringValue: nullIfEmpty(r.string_value),
    comment: nullIfEmpty(r.comment),
    source: r.source,
    author: nullIfEmpty(r.author),
    userId: nullIfEmpty(r.user_id),
    evaluatorId: nullIfEmpty(r.evaluator_id ?? ''),
    evaluatorVersion: r.evaluator_version ? n(r.evaluator_version) : null,
    judgeCostUsd: r.judge_cost_usd ? n(r.judge_cost_usd) : null,
    // Scores are kept to the millisecond; the item's time column has nine digits.
    createdAt: toIso8601(createdAt.slice(0, 23)),
  };
}
