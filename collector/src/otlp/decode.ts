import type { Type } from 'protobufjs';
import { ExportTraceServiceRequest } from './proto.ts';
import type { AttrValue, Attributes, DecodedEvent, DecodedRequest, DecodedSpan, Rejections } from '../model.ts';

/** Thrown when a body cannot be decoded at all (HTTP 400 / gRPC INVALID_ARGUMENT). */
export class DecodeError extends Error {}

const MAX_REASONS = 5;
const MAX_DURATION_NS = 7n * 86_400_000_000_000n;
const HEX = /^[0-9a-fA-F]*$/;

// The walker below reads both the protobufjs message objects and OTLP/JSON: they share
// lowerCamelCase field names and differ only in how ids (bytes vs hex), int64 (Long vs
// string) and enums are spelled.
export type Loose = Record<string, unknown>;
interface LongLike {
  low: number;
  high: number;
  toNumber(): number;
  toString(): string;
}

/** A protobuf body as the message type it must be, or a DecodeError that names the type. */
export function parseProtobufBody(type: Type, body: Uint8Array): Loose {
  try {
    return type.decode(body) as unknown as Loose;
  } catch (err) {
    throw new DecodeError(`body is not a valid ${type.name} protobuf: ${(err as Error).message}`);
  }
}

export function decodeProtobuf(body: Uint8Array): DecodedRequest {
  return walkRequest(parseProtobufBody(ExportTraceServiceRequest, body), 'protobuf');
}

export function decodeJson(body: Uint8Array | string): DecodedRequest {
  return walkRequest(parseJsonBody(body, 'resourceSpans'), 'json');
}

export type Flavor = 'protobuf' | 'json';

/** The field names one OTLP signal nests its items under: resourceSpans > scopeSpans > spans. */
export interface OtlpLayout {
  resources: string;
  scopes: string;
  items: string;
}

/**
 * Walks resource > scope > item of any OTLP export request, turning each item into a value or a
 * rejection reason (counted in total, by reason label, and the first few reasons kept).
 */
export function walkOtlp<T>(req: Loose, layout: OtlpLayout, toItem: (item: unknown, resource: Attributes, scopeName: string) => T | string): Rejections & { items: T[] } {
  const out: Rejections & { items: T[] } = { items: [], rejected: 0, errors: [] };
  for (const r of asArray(req[layout.resources])) {
    if (!isObject(r)) continue;
    const resource = toAttributes(isObject(r.resource) ? r.resource.attributes : undefined);
    for (const sc of asArray(r[layout.scopes])) {
      if (!isObject(sc)) continue;
      const scopeName = isObject(sc.scope) && typeof sc.scope.name === 'string' ? sc.scope.name : '';
      for (const item of asArray(sc[layout.items])) {
        const result = toItem(item, resource, scopeName);
        if (typeof result !== 'string') {
          out.items.push(result);
          continue;
        }
        out.rejected++;
        const label = result.split(':')[0]!;
        (out.rejectedBy ??= {})[label] = (out.rejectedBy[label] ?? 0) + 1;
        if (out.errors.length < MAX_REASONS && !out.errors.includes(result)) out.errors.push(result);
      }
    }
  }
  return out;
}

/** Parses an OTLP/JSON body into its top-level object, or says why it cannot. */
export function parseJsonBody(body: Uint8Array | string, listField: string): Loose {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (err) {
    throw new DecodeError(`body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(parsed)) throw new DecodeError(`body must be a JSON object with ${listField}`);
  if (parsed[listField] !== undefined && !Array.isArray(parsed[listField])) throw new DecodeError(`${listField} must be an array`);
  return parsed;
}

function walkRequest(req: Loose, flavor: Flavor): DecodedRequest {
  const { items, ...rest } = walkOtlp(req, { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' }, (s, resource, scope) => toSpan(s, flavor, resource, scope));
  return { spans: items, ...rest };
}

function toSpan(s: unknown, flavor: Flavor, resource: Attributes, scopeName: string): DecodedSpan | string {
  if (!isObject(s)) return 'span is not an object';
  const traceId = toId(s.traceId, flavor, 16);
  if (!traceId) return 'invalid traceId: must be 16 bytes and not all zero';
  const spanId = toId(s.spanId, flavor, 8);
  if (!spanId) return 'invalid spanId: must be 8 bytes and not all zero';
  let parentSpanId = '';
  if (!isEmptyId(s.parentSpanId)) {
    const parent = toId(s.parentSpanId, flavor, 8);
    if (!parent) return 'invalid parentSpanId: must be empty or 8 bytes';
    parentSpanId = parent;
  }
  const startNs = toNanos(s.startTimeUnixNano);
  const endNs = toNanos(s.endTimeUnixNano);
  if (startNs === null || startNs === 0n) return 'invalid startTimeUnixNano: must be a positive integer';
  if (endNs === null) return 'invalid endTimeUnixNano: must be an integer';
  if (endNs !== 0n && endNs < startNs) return 'endTimeUnixNano is before startTimeUnixNano';
  // Stored as DateTime64(9), which ends in 2262: a far-off end would fail the whole insert.
  if (endNs - startNs > MAX_DURATION_NS) return 'endTimeUnixNano is more than 7 days after startTimeUnixNano';
  if (s.name !== undefined && typeof s.name !== 'string') return 'name must be a string';
  const status = isObject(s.status) ? s.status : {};
  return {
    traceId,
    spanId,
    parentSpanId,
    name: (s.name as string | undefined) ?? '',
    otelKind: toEnum(s.kind),
    startNs,
    endNs: endNs === 0n ? startNs : endNs,
    attributes: toAttributes(s.attributes),
    events: asArray(s.events).filter(isObject).map(toEvent),
    statusCode: toEnum(status.code),
    statusMessage: typeof status.message === 'string' ? status.message : '',
    resource,
    scopeName,
  };
}

function toEvent(e: Loose): DecodedEvent {
  return {
    timeNs: toNanos(e.timeUnixNano) ?? 0n,
    name: typeof e.name === 'string' ? e.name : '',
    attributes: toAttributes(e.attributes),
  };
}

export function isEmptyId(v: unknown): boolean {
  // protobufjs leaves an absent bytes field as an empty array or buffer.
  return v === undefined || v === null || v === '' || ((v instanceof Uint8Array || Array.isArray(v)) && v.length === 0);
}

export function toId(v: unknown, flavor: Flavor, bytes: number): string | null {
  let hex: string;
  if (v instanceof Uint8Array) {
    if (v.length !== bytes) return null;
    hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  } else if (typeof v === 'string' && flavor === 'json') {
    if (v.length !== bytes * 2 || !HEX.test(v)) return null;
    hex = v.toLowerCase();
  } else {
    return null;
  }
  return /^0+$/.test(hex) ? null : hex;
}

export function toNanos(v: unknown): bigint | null {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null;
  if (typeof v === 'string') return /^\d{1,20}$/.test(v) ? BigInt(v) : null;
  if (isLong(v)) return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return null;
}

function toEnum(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : 0;
}

function isLong(v: unknown): v is LongLike {
  return isObject(v) && typeof v.low === 'number' && typeof v.high === 'number';
}

export function isObject(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function toAttributes(list: unknown): Attributes {
  const out: Attributes = {};
  for (const kv of asArray(list)) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    out[kv.key] = toValue(kv.value, 0);
  }
  return out;
}

const MAX_DEPTH = 16;

// Only own properties count: protobufjs puts every oneof member's default on the prototype.
const has = (o: Loose, k: string): boolean => Object.hasOwn(o, k) && o[k] !== null && o[k] !== undefined;

export function toValue(v: unknown, depth = 0): AttrValue {
  if (!isObject(v) || depth > MAX_DEPTH) return null;
  if (has(v, 'stringValue')) return typeof v.stringValue === 'string' ? v.stringValue : null;
  if (has(v, 'boolValue')) return typeof v.boolValue === 'boolean' ? v.boolValue : null;
  if (has(v, 'intValue')) return toInt(v.intValue);
  if (has(v, 'doubleValue')) return toDouble(v.doubleValue);
  if (has(v, 'arrayValue') && isObject(v.arrayValue)) return asArray(v.arrayValue.values).map((x) => toValue(x, depth + 1));
  if (has(v, 'kvlistValue') && isObject(v.kvlistValue)) {
    const obj: { [k: string]: AttrValue } = {};
    for (const kv of asArray(v.kvlistValue.values)) {
      if (isObject(kv) && typeof kv.key === 'string') obj[kv.key] = toValue(kv.value, depth + 1);
    }
    return obj;
  }
  if (has(v, 'bytesValue')) {
    if (v.bytesValue instanceof Uint8Array) return Buffer.from(v.bytesValue).toString('base64');
    if (typeof v.bytesValue === 'string') return v.bytesValue;
  }
  return null;
}

function toDouble(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  // OTLP/JSON spells non-finite doubles as strings.
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function toInt(v: unknown): number | string | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return /^-?\d+$/.test(v) ? (Number.isSafeInteger(Number(v)) ? Number(v) : v) : null;
  if (isLong(v)) {
    const n = v.toNumber();
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  return null;
}
