import type { SpanRow } from '@spanlens/clickhouse';
import { COLLECTOR_DEFAULTS } from '../defaults.ts';
import type { ChatMessage } from './conventions/fields.ts';
import { messagesText } from './normalize.ts';
import type { Processor, SpanBatch, SpanRecord } from './processor.ts';

/** Per-span size limits. Oversized parts are cut with a marker; the span itself is always kept. */
export interface SpanLimits {
  /** Attributes kept per span (and per resource); the rest are dropped and counted. */
  maxAttributes: number;
  /** Characters kept of one attribute value, span name or status message. */
  maxAttributeLength: number;
  /** Characters kept of one message's content, a tool call's arguments, or a plain input/output text. */
  maxContentLength: number;
  /** Events kept per span. */
  maxEvents: number;
}

const { maxSpansPerRequest: _perRequest, ...spanLimits } = COLLECTOR_DEFAULTS.limits;
export const DEFAULT_SPAN_LIMITS: SpanLimits = spanLimits;

/** Attribute that tells how many attributes a span lost to the limit. */
export const DROPPED_ATTRIBUTES = 'spanlens.dropped_attributes_count';

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

/** Cuts what would bloat storage or the dashboard; runs after pricing, so token estimates see the whole text. */
export function limitsProcessor(limits: SpanLimits): Processor {
  return {
    name: 'limits',
    process(batch: SpanBatch) {
      for (const rec of batch.records) limitRecord(rec, limits);
    },
  };
}

function limitRecord(rec: SpanRecord, l: SpanLimits): void {
  const row = rec.row;
  row.name = truncateText(row.name, l.maxAttributeLength);
  row.status_message = truncateText(row.status_message, l.maxAttributeLength);
  limitMap(row, 'attributes', l, true);
  limitMap(row, 'resource_attributes', l, false);
  // Cheap test first: almost every span is far under the limit.
  if (row.input.length > l.maxContentLength) row.input = limitContent(row.input, rec.fields.inputMessages, l.maxContentLength);
  if (row.output.length > l.maxContentLength) row.output = limitContent(row.output, rec.fields.outputMessages, l.maxContentLength);
  if (row.events && (rec.span.events.length > l.maxEvents || row.events.length > l.maxContentLength)) {
    const events = (JSON.parse(row.events) as StoredEvent[]).slice(0, l.maxEvents);
    for (const e of events) {
      e.name = truncateText(e.name, l.maxAttributeLength);
      for (const k in e.attributes) {
        const v = e.attributes[k];
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        if (text.length > l.maxAttributeLength) e.attributes[k] = truncateText(text, l.maxAttributeLength);
      }
    }
    row.events = JSON.stringify(events);
  }
}

interface StoredEvent {
  time: string;
  name: string;
  attributes: Record<string, unknown>;
}

function limitMap(row: SpanRow, key: 'attributes' | 'resource_attributes', l: SpanLimits, countDropped: boolean): void {
  const map = row[key];
  let n = 0;
  let dropped = 0;
  for (const k in map) {
    if (++n > l.maxAttributes) {
      delete map[k];
      dropped++;
    } else if (map[k]!.length > l.maxAttributeLength) {
      map[k] = truncateText(map[k]!, l.maxAttributeLength);
    }
  }
  if (dropped && countDropped) map[DROPPED_ATTRIBUTES] = String(dropped);
}

/** Messages are cut one by one, so the stored conversation stays valid JSON. */
function limitContent(text: string, messages: ChatMessage[] | undefined, max: number): string {
  if (!messages) return truncateText(text, max);
  return messagesText(limitMessages(messages, max));
}

/** Each message's content and each tool call's arguments cut to max characters. */
export function limitMessages(messages: ChatMessage[], max: number): ChatMessage[] {
  return messages.map((m) => ({
    ...m,
    content: truncateText(m.content, max),
    ...(m.toolCalls ? { toolCalls: m.toolCalls.map((c) => ({ ...c, arguments: truncateText(c.arguments, max) })) } : {}),
  }));
}
