/**
 * Walking an HTTP API from its OpenAPI document: the document's shapes, requests through
 * Fastify's inject, values generated from schemas, and the routes Fastify actually serves.
 * Nothing here knows the projects a test seeds; see isolation-fixture.ts for that.
 */
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import type { TestApi } from './api.ts';

/** One clock for the whole walk, so generated timestamps and seeded data agree. */
export const T0 = Date.now();
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export const WRITE_METHODS = new Set(['put', 'post', 'delete', 'patch']);
/** A key holder on another machine: never the dashboard. */
const REMOTE = { remoteAddress: '203.0.113.7', host: 'spanlens.example' };
/** Loopback: without a key this is the dashboard, so a key sent from here must still win. */
const LOCAL = { remoteAddress: '127.0.0.1', host: 'localhost' };

// ---- OpenAPI shapes (the subset this walk reads) ----

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  items?: JsonSchema;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, unknown>;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation | undefined>>;
}

/** One route to walk; `op` is null for a route the document does not list. */
export interface Route {
  method: string;
  path: string;
  op: Operation | null;
}

// ---- Requests ----

export interface Call {
  method: string;
  url: string;
  key?: string;
  headers?: Record<string, string>;
  body?: unknown;
  local?: boolean;
}

export interface Reply {
  status: number;
  text: string;
  /** Body and headers, lowercased: what markers are searched in. */
  haystack: string;
}

export async function send(api: TestApi, c: Call): Promise<Reply> {
  const where = c.local ? LOCAL : REMOTE;
  const headers: Record<string, string> = { host: where.host, ...c.headers };
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  let payload: string | undefined;
  if (c.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(c.body);
  }
  const res = await api.app.inject({
    method: c.method.toUpperCase() as InjectOptions['method'],
    url: c.url,
    headers,
    payload,
    remoteAddress: where.remoteAddress,
  });
  return { status: res.statusCode, text: res.body, haystack: (res.body + JSON.stringify(res.headers)).toLowerCase() };
}

/** What a response may legitimately echo: everything the request itself carried. */
export function requestText(c: Call): string {
  let url = c.url;
  try {
    url = decodeURIComponent(c.url);
  } catch {
    /* keep it encoded */
  }
  return [c.method, url, JSON.stringify(c.body ?? null), JSON.stringify(c.headers ?? {})].join(' ').toLowerCase();
}

export function json<T>(r: Reply, what: string): T {
  assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as T;
}

/** Order-insensitive form of a response, to compare two answers to the same question. */
export function canonical(text: string): string {
  const canon = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canon).sort().join(',')}]`;
    if (v !== null && typeof v === 'object') {
      return `{${Object.keys(v)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  };
  try {
    return canon(JSON.parse(text) as unknown);
  } catch {
    return text.split('\n').sort().join('\n');
  }
}

// ---- Values from schemas ----

export function fits(s: JsonSchema | undefined, v: unknown): boolean {
  if (!s) return true;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.some((a) => fits(a, v));
  if (v === null) return s.nullable === true || (s.enum?.includes(null) ?? false);
  if (s.enum) return s.enum.includes(v);
  switch (s.type) {
    case 'string': {
      if (typeof v !== 'string' || v.length < (s.minLength ?? 0) || v.length > (s.maxLength ?? Infinity)) return false;
      if (s.pattern && !new RegExp(s.pattern).test(v)) return false;
      if (s.format === 'date-time') return !Number.isNaN(Date.parse(v));
      if (s.format === 'uri') return URL.canParse(v);
      return true;
    }
    case 'array':
      return Array.isArray(v) && v.length >= (s.minItems ?? 0) && v.every((x) => fits(s.items, x));
    case 'number':
    case 'integer':
      return typeof v === 'number' && (s.type === 'number' || Number.isInteger(v)) && v >= (s.minimum ?? -Infinity) && v <= (s.maximum ?? Infinity);
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return typeof v === 'object';
    default:
      return true;
  }
}

/** The hint for a field, fitted to its schema (`destinationIds` takes `[destinationId]`). */
function fromHint(s: JsonSchema, name: string, hints: Record<string, string>): unknown {
  const hint = hints[name] ?? (name.endsWith('Ids') ? hints[name.slice(0, -1)] : undefined);
  if (hint === undefined) return undefined;
  if (fits(s, hint)) return hint;
  if (fits(s, [hint])) return [hint];
  return undefined;
}

export function genString(s: JsonSchema): string {
  if (s.format === 'date-time') return new Date(T0).toISOString();
  if (s.format === 'uri') return 'https://probe.example/hook';
  const candidates = ['probe', 'probe'.padEnd(s.minLength ?? 0, 'x')];
  for (let n = 1; n <= 64; n++) candidates.push('a'.repeat(n), '0'.repeat(n));
  const found = candidates.find((c) => fits(s, c));
  if (found === undefined) throw new Error(`no value fits ${JSON.stringify(s)}`);
  return found;
}

export function genNumber(s: JsonSchema): number {
  const low = s.minimum ?? (typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1);
  const v = s.maximum !== undefined ? Math.min(low, s.maximum) : low;
  return s.type === 'integer' ? Math.ceil(v) : v;
}

/**
 * A value valid for `s`. `minimal`: required fields only; `hinted`: also every optional field
 * that can carry one of the target project's values.
 */
export function generate(s: JsonSchema, name: string, hints: Record<string, string>, mode: 'minimal' | 'hinted'): unknown {
  const hinted = fromHint(s, name, hints);
  if (hinted !== undefined) return hinted;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.[0]) return generate(alternatives[0], name, hints, mode);
  if (s.enum?.length) return s.enum.find((x) => x !== null) ?? s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (s.type) {
    case 'object':
      return buildObject(s, hints, mode);
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => generate(s.items ?? {}, name, hints, mode));
    case 'string':
      return genString(s);
    case 'number':
    case 'integer':
      return genNumber(s);
    case 'boolean':
      return true;
    default:
      return 'probe';
  }
}

function buildObject(s: JsonSchema, hints: Record<string, string>, mode: 'minimal' | 'hinted'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    if (s.required?.includes(k)) {
      out[k] = generate(ps, k, hints, mode);
    } else if (mode === 'hinted') {
      const v = fromHint(ps, k, hints) ?? (ps.type === 'object' ? buildObject(ps, hints, mode) : undefined);
      if (v !== undefined && !(typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) out[k] = v;
    }
  }
  return out;
}

export function bodySchema(op: Operation | null): JsonSchema | undefined {
  return op?.requestBody?.content?.['application/json']?.schema;
}

/**
 * The query string: required parameters and the `fixed` values (time windows), plus every
 * hinted one in `hinted` mode.
 */
export function buildQuery(op: Operation | null, hints: Record<string, string>, mode: 'minimal' | 'hinted', fixed: Record<string, string>): URLSearchParams {
  const q = new URLSearchParams();
  for (const p of op?.parameters ?? []) {
    if (p.in !== 'query') continue;
    const s = p.schema ?? {};
    const time = fixed[p.name];
    let v: unknown = time !== undefined && fits(s, time) ? time : undefined;
    if (v === undefined && (p.required || mode === 'hinted')) v = fromHint(s, p.name, hints);
    if (v === undefined && p.required) v = generate(s, p.name, hints, 'minimal');
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) q.append(p.name, String(x));
  }
  return q;
}

export const withQuery = (path: string, q: URLSearchParams) => (q.size ? `${path}?${q}` : path);

/** The kind of object a path parameter names: `traceId` -> trace, `/rules/{id}` -> rule. */
export function paramKind(path: string, name: string): string {
  if (name !== 'id') return name.replace(/Id$/, '');
  const segments = path.split('/');
  const before = segments[segments.indexOf(`{${name}}`) - 1] ?? '';
  return before.replace(/s$/, '');
}

/** Routes Fastify serves under /api/, parsed from printRoutes (the tree splits shared prefixes). */
export function fastifyRoutes(api: TestApi): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of api.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const full = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = full;
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim().toLowerCase())) {
      // HEAD is Fastify's automatic twin of each GET.
      if (method && method !== 'head' && method !== '-' && full.startsWith('/api/')) {
        out.push({ method, path: full.replace(/:(\w+)/g, '{$1}') });
      }
    }
  }
  return out;
}
