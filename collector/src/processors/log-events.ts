import { formatDateTime64, type LogItemDoc, type LogItemRow } from '@spanlens/clickhouse';
import xxhash from 'xxhash-wasm';
import type { Attributes, DecodedLogRecord, DecodedSpan } from '../model.ts';
import type { ChatMessage } from './conventions/fields.ts';
import { mapConventions } from './normalize.ts';
import { limitMessages, type SpanLimits } from './limits.ts';
import { redactMessages, type Redactor } from './redaction.ts';

const { h64 } = await xxhash();

/** Why a log record was accepted but not stored (the label of spanlens_log_records_dropped_total). */
export type LogDropReason = 'not a GenAI event' | 'no span context' | 'no content';

export interface LogItems {
  rows: LogItemRow[];
  dropped: Partial<Record<LogDropReason, number>>;
}

/**
 * GenAI log records -> trace_items rows of their span. The record is read through the same
 * conventions as a span, as if it were a span carrying it as an event (the 2024 events:
 * gen_ai.user.message, gen_ai.choice, ... with their content in the body) or as attributes
 * (gen_ai.client.inference.operation.details: gen_ai.input.messages, gen_ai.output.messages).
 * Other log records are dropped, counted by reason.
 */
export function toLogItems(projectId: string, records: readonly DecodedLogRecord[], redactor: Redactor, limits: SpanLimits): LogItems {
  const out: LogItems = { rows: [], dropped: {} };
  const drop = (reason: LogDropReason) => {
    out.dropped[reason] = (out.dropped[reason] ?? 0) + 1;
  };
  for (const r of records) {
    if (!r.eventName.startsWith('gen_ai.')) {
      drop('not a GenAI event');
      continue;
    }
    if (!r.spanId || !r.traceId) {
      drop('no span context');
      continue;
    }
    const f = mapConventions(asSpan(r));
    const input = kept(f.inputMessages, redactor, limits);
    const output = kept(f.outputMessages, redactor, limits);
    if (!input && !output && !f.finishReason) {
      drop('no content');
      continue;
    }
    const doc: LogItemDoc = { span_id: r.spanId, event: r.eventName, seq: arrival() };
    if (input) doc.input = input;
    if (output) doc.output = output;
    if (f.finishReason) doc.finish_reason = f.finishReason;
    redactor.take(); // a record has no count of its own; the span's counts what its own text had
    const time = formatDateTime64(r.timeNs);
    const content = JSON.stringify([doc.input, doc.output, doc.finish_reason]);
    out.rows.push({
      project_id: projectId,
      trace_id: r.traceId,
      item: 'log',
      time,
      doc: JSON.stringify(doc),
      // The same record sent again gets the same id, and the trace's latest copy of an id wins.
      item_id: `${r.spanId}/${h64(`${time}/${r.eventName}/${content}`).toString(16)}`,
    });
  }
  return out;
}

let lastArrival = 0;

/**
 * Microseconds since the epoch, increasing within the process: orders a span's records that
 * share a time (JS SDKs stamp in milliseconds, and a simple processor sends each record in a
 * request of its own).
 */
function arrival(): number {
  lastArrival = Math.max(lastArrival + 1, Math.round((performance.timeOrigin + performance.now()) * 1000));
  return lastArrival;
}

/** The log record as a span with one event: body fields read like event attributes. */
function asSpan(r: DecodedLogRecord): DecodedSpan {
  const body: Attributes = r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? r.body : r.body === null ? {} : { content: r.body };
  return {
    traceId: r.traceId,
    spanId: r.spanId,
    parentSpanId: '',
    name: r.eventName,
    otelKind: 0,
    startNs: r.timeNs,
    endNs: r.timeNs,
    attributes: r.attributes,
    events: [{ timeNs: r.timeNs, name: r.eventName, attributes: { ...r.attributes, ...body } }],
    statusCode: 0,
    statusMessage: '',
    resource: r.resource,
    scopeName: r.scopeName,
  };
}

/** Messages worth storing (a record without content capture carries roles only), masked and cut. */
function kept(messages: ChatMessage[] | undefined, redactor: Redactor, limits: SpanLimits): ChatMessage[] | undefined {
  const useful = messages?.filter((m) => m.content !== '' || m.toolCalls?.length);
  if (!useful?.length) return undefined;
  return limitMessages(redactMessages(useful, redactor), limits.maxContentLength);
}
