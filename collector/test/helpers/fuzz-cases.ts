import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { ExportTraceServiceRequest } from '../../src/otlp/proto.ts';

/**
 * Generated OTLP requests for the receivers' fuzz suite. A structured case is a batch of
 * spans, each valid or broken in one known way, so the expected status, the partial-success
 * count and the rows stored are exact. A mutated case is a structured body then damaged
 * (truncated, bit-flipped, retyped), where only a correct status can be expected.
 */

export const RETENTION_DAYS = 30;
const DAY_NS = 86_400_000_000_000n;

/** Ways a span can be broken; the first group can also be spelled in protobuf. */
const BROKEN_BOTH = ['zeroTrace', 'shortTrace', 'zeroSpan', 'longSpan', 'badParent', 'noStart', 'endBeforeStart', 'endTooLate', 'tooOld', 'tooNew'] as const;
const BROKEN_JSON = [...BROKEN_BOTH, 'nonHexTrace', 'nameNumber', 'traceNumber', 'startNegative', 'startFloat', 'notObject'] as const;
type Broken = (typeof BROKEN_JSON)[number];

export type Encoding = 'json' | 'protobuf';

interface AnyValueJson {
  [k: string]: unknown;
}

const attrKey = fc.oneof(
  fc.constantFrom('gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.input.messages', 'llm.model_name', 'input.value', 'user.id', 'ai.prompt'),
  fc.string({ maxLength: 20 }),
);

/** An OTLP AnyValue in its JSON spelling, nested a few levels; every scalar type. */
const anyValue: fc.Arbitrary<AnyValueJson> = fc.letrec<{ v: AnyValueJson }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'xsmall', maxDepth: 3 },
    fc.record({ stringValue: fc.string({ unit: 'binary', maxLength: 64 }) }),
    fc.record({ intValue: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)) }),
    fc.record({ doubleValue: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ bytesValue: fc.base64String({ maxLength: 24 }) }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('v'), { maxLength: 4 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: attrKey, value: tie('v') }), { maxLength: 4 }) }) }),
  ),
})).v;

export interface SpanShape {
  broken: Broken | null;
  name: string;
  durationMs: number;
  kind: number;
  status: number;
  attributes: Array<{ key: string; value: AnyValueJson }>;
  events: number;
  random: string;
}

function spanShape(encoding: Encoding): fc.Arbitrary<SpanShape> {
  return fc.record({
    broken: fc.option(fc.constantFrom(...(encoding === 'json' ? BROKEN_JSON : BROKEN_BOTH)), { freq: 2 }),
    name: fc.string({ unit: 'binary', maxLength: 40 }),
    durationMs: fc.nat(60_000),
    kind: fc.integer({ min: 0, max: 5 }),
    status: fc.integer({ min: 0, max: 2 }),
    attributes: fc.array(fc.record({ key: attrKey, value: anyValue }), { maxLength: 8 }),
    events: fc.nat(3),
    random: fc.stringMatching(/^[0-9a-f]{12}$/),
  });
}

export interface StructuredCase {
  encoding: Encoding;
  gzip: boolean;
  spans: SpanShape[];
}

// Built once: chain() calls its function per sample, and building these is the costly part.
const SHAPES: Record<Encoding, fc.Arbitrary<SpanShape[]>> = {
  json: fc.array(spanShape('json'), { minLength: 1, maxLength: 12 }),
  protobuf: fc.array(spanShape('protobuf'), { minLength: 1, maxLength: 12 }),
};

export const structuredCase: fc.Arbitrary<StructuredCase> = fc
  .record({
    encoding: fc.constantFrom<Encoding>('json', 'protobuf'),
    gzip: fc.boolean(),
  })
  .chain(({ encoding, gzip }) => SHAPES[encoding].map((spans) => ({ encoding, gzip, spans })));

export type Mutation = { kind: 'truncate'; at: number } | { kind: 'flip'; bits: number[] } | { kind: 'insert'; at: number; bytes: number[] } | { kind: 'retype'; path: number; value: unknown };

export const mutatedCase = fc.record({
  base: structuredCase,
  mutations: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.array(fc.nat(255), { minLength: 1, maxLength: 6 }) }),
      fc.record({
        kind: fc.constant('retype' as const),
        path: fc.nat(),
        value: fc.oneof(fc.constant(null), fc.string(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 2 })),
      }),
    ),
    { minLength: 1, maxLength: 3 },
  ),
});

/** A built request: its body and what a correct collector must answer. */
export interface BuiltRequest {
  body: Buffer;
  contentType: string;
  gzip: boolean;
  /** Ids (trace:span) of the spans that must be stored. */
  valid: string[];
  /** Spans the partial success must count as rejected. */
  rejected: number;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/**
 * Ids are unique per (run, case, span), so every stored row can be traced to its case.
 * `prefix` (8 hex digits) names the run and the kind of case.
 */
export function buildStructured(c: StructuredCase, prefix: string, caseNo: number, nowMs = Date.now()): BuiltRequest {
  const nowNs = BigInt(nowMs) * 1_000_000n;
  const valid: string[] = [];
  let rejected = 0;
  const spans = c.spans.map((s, i) => {
    const traceId = prefix + hex(caseNo, 8) + hex(i, 4) + s.random;
    const spanId = hex(caseNo, 8) + hex(i + 1, 8);
    const startNs = nowNs - BigInt(s.durationMs) * 1_000_000n - 1_000_000_000n;
    const span: Record<string, unknown> = {
      traceId,
      spanId,
      name: s.name,
      kind: s.kind,
      startTimeUnixNano: String(startNs),
      endTimeUnixNano: String(startNs + BigInt(s.durationMs) * 1_000_000n),
      attributes: s.attributes,
      status: { code: s.status, message: s.status === 2 ? 'failed' : '' },
      events: Array.from({ length: s.events }, (_, k) => ({ timeUnixNano: String(startNs + BigInt(k)), name: `e${k}`, attributes: s.attributes.slice(0, 2) })),
    };
    switch (s.broken) {
      case null:
        break;
      case 'zeroTrace':
        span.traceId = '0'.repeat(32);
        break;
      case 'shortTrace':
        span.traceId = traceId.slice(0, 30);
        break;
      case 'nonHexTrace':
        span.traceId = 'zz' + traceId.slice(2);
        break;
      case 'zeroSpan':
        span.spanId = '0'.repeat(16);
        break;
      case 'longSpan':
        span.spanId = spanId + 'ab';
        break;
      case 'badParent':
        span.parentSpanId = 'abc';
        break;
      case 'noStart':
        delete span.startTimeUnixNano;
        break;
      case 'endBeforeStart':
        span.endTimeUnixNano = String(startNs - 1n);
        break;
      case 'endTooLate':
        span.endTimeUnixNano = String(startNs + 8n * DAY_NS);
        break;
      case 'tooOld':
        span.startTimeUnixNano = String(nowNs - BigInt(RETENTION_DAYS + 5) * DAY_NS);
        span.endTimeUnixNano = span.startTimeUnixNano;
        break;
      case 'tooNew':
        span.startTimeUnixNano = String(nowNs + 3n * DAY_NS);
        span.endTimeUnixNano = span.startTimeUnixNano;
        break;
      case 'nameNumber':
        span.name = 42;
        break;
      case 'traceNumber':
        span.traceId = 12345;
        break;
      case 'startNegative':
        span.startTimeUnixNano = '-5';
        break;
      case 'startFloat':
        span.startTimeUnixNano = 1.5;
        break;
      case 'notObject':
        rejected++;
        return 'not a span';
    }
    if (s.broken) rejected++;
    else valid.push(`${traceId}:${spanId}`);
    return span;
  });
  const request = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] }, scopeSpans: [{ scope: { name: 'fuzz' }, spans }] }] };
  let body = c.encoding === 'json' ? Buffer.from(JSON.stringify(request)) : encodeProtobuf(request);
  if (c.gzip) body = gzipSync(body);
  return { body, contentType: c.encoding === 'json' ? 'application/json' : 'application/x-protobuf', gzip: c.gzip, valid, rejected };
}

/** The JSON request spelled as protobuf: hex ids become bytes (of whatever length they have). */
function encodeProtobuf(request: { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> }): Buffer {
  const copy = structuredClone(request);
  for (const rs of copy.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      ss.spans = ss.spans.map((raw) => {
        const s = raw as Record<string, unknown>;
        for (const k of ['traceId', 'spanId', 'parentSpanId']) if (typeof s[k] === 'string') s[k] = Buffer.from(s[k] as string, 'hex');
        return s;
      });
    }
  }
  return Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(copy)).finish());
}

/** Damages a built body; JSON bodies are retyped in their tree before any byte damage. */
export function mutate(built: BuiltRequest, mutations: Mutation[]): Buffer {
  let body = built.gzip ? null : built.body;
  if (!body) return damageBytes(built.body, mutations); // a damaged gzip stream
  for (const m of mutations) {
    if (m.kind === 'retype' && built.contentType === 'application/json') {
      const tree = JSON.parse(body.toString('utf8')) as unknown;
      const nodes: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
      collect(tree, nodes);
      if (nodes.length) {
        const n = nodes[m.path % nodes.length]!;
        (n.parent as Record<string | number, unknown>)[n.key] = m.value;
        body = Buffer.from(JSON.stringify(tree));
      }
    }
  }
  return damageBytes(
    body,
    mutations.filter((m) => m.kind !== 'retype'),
  );
}

function collect(v: unknown, out: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }>): void {
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      collect(x, out);
    });
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      collect(x, out);
    }
}

function damageBytes(input: Buffer, mutations: Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    if (m.kind === 'truncate') b = b.subarray(0, m.at % b.length);
    else if (m.kind === 'flip')
      for (const bit of m.bits) {
        const i = (bit >> 3) % b.length;
        b[i] = b[i]! ^ (1 << (bit & 7));
      }
    else if (m.kind === 'insert') {
      const at = m.at % (b.length + 1);
      b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    }
  }
  return b;
}

/** Feedback bodies: valid ones, near-valid ones with one field wrong, and arbitrary JSON. */
export const feedbackCase = fc.oneof(
  fc.record(
    {
      traceId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ maxLength: 40 }), fc.integer()),
      name: fc.oneof(fc.string({ maxLength: 80 }), fc.constant(''), fc.integer()),
      value: fc.oneof(fc.double(), fc.boolean(), fc.string({ maxLength: 10 }), fc.constant(null)),
      comment: fc.option(fc.string({ unit: 'binary', maxLength: 200 })),
      id: fc.option(fc.string({ maxLength: 80 })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 4 }),
);
