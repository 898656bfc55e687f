import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { addApiKey, createProject, generateApiKey } from '@spanlens/clickhouse';
import { ExportTraceServiceRequest } from '../src/otlp/proto.ts';
import { startTestCollector } from './helpers/collector.ts';
import { IngestRateLimiter } from '../src/rate-limit.ts';
import { IngestError } from '../src/errors.ts';

type TestCollector = Awaited<ReturnType<typeof startTestCollector>>;

function jsonBody(count: number, seed: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: seed.toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'op',
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function grpcExport(url: string, key: string, count: number): Promise<grpc.ServiceError | null> {
  const now = Date.now();
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: Buffer.alloc(16, 9),
    spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
    name: 'op',
    startTimeUnixNano: now * 1e6,
    endTimeUnixNano: now * 1e6 + 1e6,
  }));
  const body = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] })).finish());
  const client = new grpc.Client(url.replace('http://', ''), grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  md.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      (error) => {
        client.close();
        resolve(error);
      },
    );
  });
}

describe('ingest rate limit: spans per second per API key, over every receiver', () => {
  let c: TestCollector;
  let otherKey: string;
  before(async () => {
    c = await startTestCollector({ rateLimitSpansPerSecond: 40 });
    const other = await createProject(c.storage, 'other');
    otherKey = generateApiKey();
    await addApiKey(c.storage, other.id, otherKey);
  });
  after(async () => {
    await c.close();
  });

  const post = (key: string, body: string) => fetch(`${c.httpUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });

  test('over the budget: 429 with Retry-After over HTTP, RESOURCE_EXHAUSTED over gRPC; another key is unaffected; the budget comes back', async () => {
    // Sent together, so both land in one one-second window however slow the machine is.
    const [a, b] = await Promise.all([post(c.key, jsonBody(30, 1)), post(c.key, jsonBody(30, 2))]);
    assert.deepEqual([a.status, b.status].sort(), [200, 429]);
    const limited = a.status === 429 ? a : b;
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.match(((await limited.json()) as { message: string }).message, /over its ingest rate of 40 spans\/s/);
    assert.equal((await post(otherKey, jsonBody(30, 3))).status, 200, 'one key over its rate does not limit another');

    await new Promise((r) => setTimeout(r, 1100));
    const errors = await Promise.all([grpcExport(c.grpcUrl, c.key, 30), grpcExport(c.grpcUrl, c.key, 30)]);
    const refused = errors.filter((e) => e !== null);
    assert.equal(refused.length, 1);
    assert.equal(refused[0]!.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(refused[0]!.metadata.get('retry-after')[0], '1');

    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await post(c.key, jsonBody(30, 4))).status, 200);
  });

  test('a request bigger than a whole second takes the whole budget instead of never passing', async () => {
    const limiter = new IngestRateLimiter(40);
    await limiter.take('k', 100);
    await assert.rejects(limiter.take('k', 1), (err: unknown) => err instanceof IngestError && err.code === 'rate_limited' && err.retryAfterSeconds === 1);
    await assert.rejects(limiter.check('k'), IngestError, 'a spent key is refused before its body is decoded');
    await limiter.check('other');
    await new IngestRateLimiter(0).take('k', 1e9);
  });
});
