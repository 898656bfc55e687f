import { formatDateTime64, SPAN_KINDS, type SpanKind, type SpanRow, type SpanStatus } from '@spanlens/clickhouse';
import type { AttrValue, DecodedEvent, DecodedSpan } from '../model.ts';
import type { ChatMessage, Convention, LlmFields } from './conventions/fields.ts';
import { str } from './conventions/fields.ts';
import { genai } from './conventions/genai.ts';
import { openinference } from './conventions/openinference.ts';
import { openllmetry } from './conventions/openllmetry.ts';
import { logfire } from './conventions/logfire.ts';
import { vercelAi } from './conventions/vercel-ai.ts';
import { identity, spanlens } from './conventions/common.ts';
import type { SpanRecord } from './processor.ts';

/** Precedence order: the first convention to set a field wins. */
export const CONVENTIONS: readonly Convention[] = [spanlens, logfire, genai, openinference, vercelAi, openllmetry, identity];

const KINDS = new Set<SpanKind>(SPAN_KINDS);
const OTEL_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: SpanStatus[] = ['unset', 'ok', 'error'];

// Attributes already promoted into the input/output columns; keeping them would store
// every prompt twice.
const CONTENT_KEYS =
  /^(gen_ai\.(input|output)\.messages$|gen_ai\.system_instructions$|gen_ai\.(prompt|completion)(\.\d+\.|$)|llm\.(input|output)_messages\.|input\.value$|output\.value$|ai\.prompt(\.messages)?$|ai\.response\.(text|toolCalls|object)$|ai\.values?$|ai\.toolCall\.(args|result|input|output)$|traceloop\.entity\.(input|output)$)/;

export function mapConventions(span: DecodedSpan): LlmFields {
  const fields: LlmFields = {};
  for (const c of CONVENTIONS) c.map(span, fields);
  return fields;
}

/** Builds the span row from the decoded span and its convention fields (cost is priced later). */
export function toSpanRow(projectId: string, span: DecodedSpan, f: LlmFields): SpanRow {
  const attributes: Record<string, string> = {};
  for (const key in span.attributes) {
    if (!CONTENT_KEYS.test(key)) attributes[key] = attrText(span.attributes[key]);
  }
  const resource: Record<string, string> = {};
  for (const key in span.resource) resource[key] = attrText(span.resource[key]);
  const input = f.inputMessages ? messagesText(f.inputMessages) : (f.inputText ?? '');
  const output = f.outputMessages ? messagesText(f.outputMessages) : (f.outputText ?? '');
  const inputTokens = count(f.inputTokens);
  const outputTokens = count(f.outputTokens);
  const startNs = f.durationNs !== undefined ? span.endNs - BigInt(f.durationNs) : span.startNs;
  return {
    project_id: projectId,
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: f.displayName ?? span.name,
    kind: f.kind && KINDS.has(f.kind) ? f.kind : 'span',
    otel_kind: OTEL_KINDS[span.otelKind] ?? 'unspecified',
    start_time: formatDateTime64(startNs),
    end_time: formatDateTime64(span.endNs),
    duration_ns: Number(span.endNs - startNs),
    model: f.model ?? '',
    request_model: f.requestModel ?? f.model ?? '',
    provider: f.provider ?? '',
    operation: f.operation ?? '',
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    total_tokens: f.totalTokens !== undefined ? count(f.totalTokens) : inputTokens + outputTokens,
    cached_tokens: count(f.cachedTokens),
    reasoning_tokens: count(f.reasoningTokens),
    tokens_estimated: false,
    cost_usd: 0,
    cost_estimated: false,
    cost_source: 'none',
    ttft_ms: f.ttftMs !== undefined && f.ttftMs >= 0 ? f.ttftMs : null,
    finish_reason: f.finishReason ?? '',
    status: STATUSES[span.statusCode] ?? 'unset',
    status_message: span.statusMessage,
    input,
    output,
    user_id: f.userId ?? '',
    session_id: f.sessionId ?? '',
    service: str(span.resource, 'service.name') ?? '',
    environment: str(span.resource, 'deployment.environment.name', 'deployment.environment') ?? str(span.attributes, 'deployment.environment.name', 'deployment.environment') ?? '',
    release: str(span.resource, 'service.version') ?? '',
    prompt_name: f.promptName ?? '',
    prompt_version: f.promptVersion ?? '',
    tags: f.tags ?? [],
    attributes,
    resource_attributes: resource,
    events: eventsText(span.events),
    redactions: 0,
  };
}

/** Stored form of a span's events: a JSON array of { time, name, attributes }, or '' for none. */
export function eventsText(events: DecodedEvent[]): string {
  return events.length ? JSON.stringify(events.map((e) => ({ time: formatDateTime64(e.timeNs), name: e.name, attributes: e.attributes }))) : '';
}

/** Stored form of a conversation: a JSON array of { role, content, toolCalls?, toolCallId? }. */
export function messagesText(messages: ChatMessage[]): string {
  return JSON.stringify(messages);
}

/** Token counts go into UInt64 columns: anything negative, fractional or absurd must not fail the insert. */
function count(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) && n > 0 ? Math.min(Math.round(n), Number.MAX_SAFE_INTEGER) : 0;
}

function attrText(v: AttrValue | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Translates a decoded span into a pipeline record; the first stage of every trace pipeline. */
export function toRecord(projectId: string, span: DecodedSpan): SpanRecord {
  const fields = mapConventions(span);
  return { span, fields, row: toSpanRow(projectId, span, fields) };
}
