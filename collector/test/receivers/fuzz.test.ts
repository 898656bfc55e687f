import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { feedbackSchema } from '@spanlens/clickhouse';
import { ExportTraceServiceResponse } from '../../src/otlp/proto.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { buildStructured, feedbackCase, mutate, mutatedCase, RETENTION_DAYS, structuredCase, type BuiltRequest } from '../helpers/fuzz-cases.ts';

type TestCollector = Awaited<ReturnType<typeof startTestCollector>>;

// Reproduce a failure with FUZZ_SEED=<the seed printed by the failing run>.
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32BE());
const RUNS = { httpStructured: 2500, httpMutated: 3500, feedback: 1500, grpcStructured: 1000, grpcMutated: 1500 };
const CONCURRENCY = 64;
const MAX_BODY = 256 * 1024;
const LIMITS = { maxAttributes: 64, maxAttributeLength: 1024, maxContentLength: 8192, maxEvents: 8, maxSpansPerRequest: 500 };

/** Runs `f` over `items`, `limit` at a time: concurrent requests let the exporter batch as it would in production. */
async function pool<T>(items: T[], limit: number, f: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        await f(items[i]!, i);
      }
    }),
  );
}

function grpcCall(client: grpc.Client, key: string, body: Buffer): Promise<{ error: grpc.ServiceError | null; response?: Buffer }> {
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      (error, response) => resolve({ error, response }),
    );
  });
}

describe(`receivers under generated hostile input (fast-check seed ${SEED})`, () => {
  let c: TestCollector;
  let grpcClient: grpc.Client;
  // 8-hex-digit id prefixes per kind of case. Damaged cases use the bitwise complement of a
  // structured prefix, so no bit flip can make a damaged span pass as a structured one.
  const run = randomBytes(2).readUInt16BE();
  const prefix = (tag: number, damaged = false) => {
    const v = ((run << 16) | tag) >>> 0;
    return (damaged ? ~v >>> 0 : v).toString(16).padStart(8, '0');
  };
  const HTTP = 0x1111;
  const GRPC = 0x2222;
  const expected = new Set<string>();
  let problems: string[] = [];
  let cases = 0;
  const note = (what: string) => {
    if (problems.length < 20) problems.push(what);
  };
  const fresh = () => {
    problems = [];
  };

  before(async () => {
    c = await startTestCollector({ maxBodyBytes: MAX_BODY, maxQueueRows: 100_000, maxBatchRows: 2000, maxBatchDelayMs: 20, retentionDays: RETENTION_DAYS, limits: LIMITS });
    grpcClient = new grpc.Client(c.grpcUrl.replace('http://', ''), grpc.credentials.createInsecure());
  });
  after(async () => {
    grpcClient?.close();
    await c?.close();
  });

  const post = (built: { body: Buffer; contentType: string; gzip: boolean }, path = '/v1/traces') =>
    fetch(c.httpUrl + path, {
      method: 'POST',
      body: new Uint8Array(built.body),
      headers: { authorization: `Bearer ${c.key}`, 'content-type': built.contentType, ...(built.gzip ? { 'content-encoding': 'gzip' } : {}) },
    });

  async function rejectedCount(res: Response, contentType: string): Promise<number> {
    if (contentType === 'application/json') {
      const body = (await res.json()) as { partialSuccess?: { rejectedSpans?: number | string } };
      return Number(body.partialSuccess?.rejectedSpans ?? 0);
    }
    const msg = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number }) as { partialSuccess?: { rejectedSpans?: number } };
    return msg.partialSuccess?.rejectedSpans ?? 0;
  }

  test(`OTLP/HTTP: ${RUNS.httpStructured} batches of valid and broken spans get 200 with the exact partial success`, async () => {
    fresh();
    const samples = fc.sample(structuredCase, { numRuns: RUNS.httpStructured, seed: SEED });
    await pool(samples, CONCURRENCY, async (s, i) => {
      const built = buildStructured(s, prefix(HTTP), i);
      const res = await post(built);
      cases++;
      if (res.status !== 200) return note(`structured #${i}: ${res.status} ${await res.text()}`);
      const rejected = await rejectedCount(res, built.contentType);
      if (rejected !== built.rejected) return note(`structured #${i}: rejectedSpans ${rejected}, expected ${built.rejected}`);
      for (const id of built.valid) expected.add(id);
    });
    assert.deepEqual(problems, []);
  });

  test(`OTLP/HTTP: ${RUNS.httpMutated} truncated, bit-flipped and retyped bodies get 200 or 400, never a 5xx`, async () => {
    fresh();
    const samples = fc.sample(mutatedCase, { numRuns: RUNS.httpMutated, seed: SEED + 1 });
    const statuses = new Map<number, number>();
    await pool(samples, CONCURRENCY, async (s, i) => {
      const built = buildStructured(s.base, prefix(HTTP, true), i);
      const res = await post({ ...built, body: mutate(built, s.mutations) });
      cases++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status !== 200 && res.status !== 400) note(`mutated #${i}: ${res.status} ${text.slice(0, 200)}`);
    });
    assert.deepEqual(problems, []);
    assert.ok((statuses.get(400) ?? 0) > 0 && (statuses.get(200) ?? 0) > 0, `both outcomes occur: ${JSON.stringify([...statuses])}`);
  });

  test(`feedback: ${RUNS.feedback} generated bodies get 200 exactly when they are valid feedback, else 400`, async () => {
    fresh();
    const samples = fc.sample(feedbackCase, { numRuns: RUNS.feedback, seed: SEED + 2 });
    let ok = 0;
    await pool(samples, CONCURRENCY, async (body, i) => {
      const res = await post({ body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', gzip: false }, '/v1/feedback');
      cases++;
      const valid = feedbackSchema.safeParse(body).success;
      if (res.status !== (valid ? 200 : 400)) note(`feedback #${i}: ${res.status} for ${valid ? 'valid' : 'invalid'} ${JSON.stringify(body).slice(0, 120)}`);
      if (valid) ok++;
      await res.arrayBuffer();
    });
    assert.deepEqual(problems, []);
    assert.ok(ok > 0, 'some generated feedback is valid');
  });

  test(`OTLP/gRPC: ${RUNS.grpcStructured} batches with exact partial success, ${RUNS.grpcMutated} damaged ones OK or INVALID_ARGUMENT`, async () => {
    fresh();
    const structured = fc.sample(
      structuredCase.filter((s) => s.encoding === 'protobuf'),
      { numRuns: RUNS.grpcStructured, seed: SEED + 3 },
    );
    await pool(structured, CONCURRENCY, async (s, i) => {
      const built: BuiltRequest = buildStructured({ ...s, gzip: false }, prefix(GRPC), i);
      const { error, response } = await grpcCall(grpcClient, c.key, built.body);
      cases++;
      if (error) return note(`grpc structured #${i}: ${grpc.status[error.code]} ${error.details}`);
      const msg = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(response!), { longs: Number }) as { partialSuccess?: { rejectedSpans?: number } };
      if ((msg.partialSuccess?.rejectedSpans ?? 0) !== built.rejected) return note(`grpc structured #${i}: rejected ${msg.partialSuccess?.rejectedSpans}, expected ${built.rejected}`);
      for (const id of built.valid) expected.add(id);
    });
    const mutated = fc.sample(
      mutatedCase.filter((s) => s.base.encoding === 'protobuf'),
      { numRuns: RUNS.grpcMutated, seed: SEED + 4 },
    );
    await pool(mutated, CONCURRENCY, async (s, i) => {
      const built = buildStructured({ ...s.base, gzip: false }, prefix(GRPC, true), i);
      const { error } = await grpcCall(grpcClient, c.key, mutate(built, s.mutations));
      cases++;
      if (error && error.code !== grpc.status.INVALID_ARGUMENT) note(`grpc mutated #${i}: ${grpc.status[error.code]} ${error.details}`);
    });
    assert.deepEqual(problems, []);
  });

  test('every acknowledged valid span is stored exactly once, and no invalid row is stored', async (t) => {
    t.diagnostic(`${cases} generated cases, ${expected.size} valid spans acknowledged`);
    assert.ok(cases >= 10_000, `${cases} cases`);
    const q = async <T>(query: string, params: Record<string, unknown> = {}) => {
      await c.collector.flush();
      return (await c.storage.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
    };
    // Spans under the structured prefixes: exactly the acknowledged ones.
    const stored = await q<{ id: string }>(`SELECT concat(trace_id, ':', span_id) AS id FROM spans WHERE startsWith(trace_id, {a:String}) OR startsWith(trace_id, {c:String})`, {
      a: prefix(HTTP),
      c: prefix(GRPC),
    });
    const ids = stored.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no span stored twice');
    const missing = [...expected].filter((id) => !ids.includes(id));
    const extra = ids.filter((id) => !expected.has(id));
    assert.deepEqual({ missing: missing.slice(0, 5), extra: extra.slice(0, 5) }, { missing: [], extra: [] });
    assert.equal(ids.length, expected.size);

    const [bad] = await q<Record<string, string>>(`
      SELECT countIf(NOT match(trace_id, '^[0-9a-f]{32}$') OR trace_id = repeat('0', 32)) AS bad_trace,
             countIf(NOT match(span_id, '^[0-9a-f]{16}$') OR span_id = repeat('0', 16)) AS bad_span,
             countIf(parent_span_id != '' AND NOT match(parent_span_id, '^[0-9a-f]{16}$')) AS bad_parent,
             countIf(end_time < start_time) AS bad_times,
             countIf(start_time < now64() - INTERVAL ${RETENTION_DAYS} DAY OR start_time > now64() + INTERVAL 1 DAY) AS outside_window,
             countIf(length(attributes) > ${LIMITS.maxAttributes + 1}) AS too_many_attributes,
             countIf(arrayExists(v -> lengthUTF8(v) > ${LIMITS.maxAttributeLength + 40}, mapValues(attributes))) AS attribute_too_long,
             countIf(lengthUTF8(name) > ${LIMITS.maxAttributeLength + 40}) AS name_too_long,
             count() AS total
      FROM spans`);
    const { total, ...counts } = bad!;
    assert.ok(Number(total) >= expected.size);
    assert.deepEqual(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)])), {
      bad_trace: 0,
      bad_span: 0,
      bad_parent: 0,
      bad_times: 0,
      outside_window: 0,
      too_many_attributes: 0,
      attribute_too_long: 0,
      name_too_long: 0,
    });
  });
});
