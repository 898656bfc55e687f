/** Row shapes as written to and read from ClickHouse, shared by collector and api. */

/** What a span does; `span` for anything else. The one list: conventions, normalization and the API read it. */
export const SPAN_KINDS = ['llm', 'chain', 'tool', 'retriever', 'embedding', 'agent', 'reranker', 'guardrail', 'evaluator', 'span'] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export type SpanStatus = 'ok' | 'error' | 'unset';

export type CostSource = 'client' | 'custom' | 'table' | 'none';

/** One `spans` row. DateTime64 values travel as 'YYYY-MM-DD hh:mm:ss.fffffffff' strings (UTC). */
export interface SpanRow {
  project_id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  name: string;
  kind: SpanKind;
  otel_kind: string;
  start_time: string;
  end_time: string;
  duration_ns: number;
  model: string;
  request_model: string;
  provider: string;
  operation: string;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  tokens_estimated: boolean;
  cost_usd: number;
  cost_estimated: boolean;
  cost_source: CostSource;
  ttft_ms: number | null;
  finish_reason: string;
  status: SpanStatus;
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
  /** JSON array of { time, name, attributes }. */
  events: string;
  /** Values the collector masked in this span (redaction at ingest). */
  redactions: number;
}

export type FeedbackDataType = 'numeric' | 'boolean' | 'categorical';

export interface FeedbackRow {
  project_id: string;
  id: string;
  trace_id: string;
  span_id: string;
  name: string;
  data_type: FeedbackDataType;
  value: number;
  string_value: string;
  comment: string;
  source: string;
  author: string;
  user_id: string;
  created_at: string;
}

/**
 * GenAI content a log record carried for one span (OTLP logs: gen_ai.user.message, gen_ai.choice,
 * gen_ai.client.inference.operation.details, ...), stored beside the span in trace_items as item
 * 'log' and merged into the span when it is read, whichever arrived first.
 */
export interface LogItemRow {
  project_id: string;
  trace_id: string;
  item: 'log';
  /** Stable per record (span, time, event, content): a record sent twice is stored once. */
  item_id: string;
  time: string;
  /** JSON of LogItemDoc. */
  doc: string;
}

/** The messages, in the stored { role, content, toolCalls?, toolCallId? } shape. */
export interface LogItemDoc {
  span_id: string;
  event: string;
  /** When the collector took the record (µs, increasing): orders records that share a time. */
  seq: number;
  input?: unknown[];
  output?: unknown[];
  finish_reason?: string;
}

export const LOG_ITEM_COLUMNS = ['project_id', 'trace_id', 'item', 'item_id', 'time', 'doc'] as const satisfies ReadonlyArray<keyof LogItemRow>;

/** Epoch milliseconds as ClickHouse reads a DateTime64 (UTC): 2026-11-28 03:00:00.123. */
export function formatMillis(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Formats nanoseconds since the epoch as a ClickHouse DateTime64(9) literal. */
export function formatDateTime64(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString(); // 2026-11-28T03:00:00.123Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${frac}`;
}

/** Converts a ClickHouse DateTime64 string (UTC) to ISO 8601, keeping every fractional digit. */
export function toIso8601(value: string): string {
  const [date, time = '00:00:00'] = value.split(' ');
  return `${date}T${time}Z`;
}

/** Column order of the compact wire form of a span in Kafka record format spans.v1. */
export const SPAN_COLUMNS_V1 = [
  'project_id',
  'trace_id',
  'span_id',
  'parent_span_id',
  'name',
  'kind',
  'otel_kind',
  'start_time',
  'end_time',
  'duration_ns',
  'model',
  'request_model',
  'provider',
  'operation',
  'input_tokens',
  'output_tokens',
  'total_tokens',
  'cached_tokens',
  'reasoning_tokens',
  'tokens_estimated',
  'cost_usd',
  'cost_estimated',
  'cost_source',
  'ttft_ms',
  'finish_reason',
  'status',
  'status_message',
  'input',
  'output',
  'user_id',
  'session_id',
  'service',
  'environment',
  'release',
  'prompt_name',
  'prompt_version',
  'tags',
  'attributes',
  'resource_attributes',
  'events',
] as const satisfies ReadonlyArray<keyof SpanRow>;

/** Column order of spans.v2: v1 plus the redaction count. New columns go at the end. */
export const SPAN_COLUMNS = [...SPAN_COLUMNS_V1, 'redactions'] as const satisfies ReadonlyArray<keyof SpanRow>;

/** Column order of the compact wire form of a feedback row (Kafka record format feedback.v1). */
export const FEEDBACK_COLUMNS = [
  'project_id',
  'id',
  'trace_id',
  'span_id',
  'name',
  'data_type',
  'value',
  'string_value',
  'comment',
  'source',
  'author',
  'user_id',
  'created_at',
] as const satisfies ReadonlyArray<keyof FeedbackRow>;
