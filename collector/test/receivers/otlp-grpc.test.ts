import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse } from '../../src/otlp/proto.ts';
import { exportSpans, makeExporter, recordSpans } from '../helpers/otel.ts';
import { baseTime, llmTrace } from '../helpers/fixtures.ts';
import { startTestCollector } from '../helpers/collector.ts';

type TestCollector = Awaited<ReturnType<typeof startTestCollector>>;
const PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

function requestBytes(spanCount: number, traceIdBytes = 16): Buffer {
  const now = Date.now();
  const spans = Array.from({ length: spanCount }, (_, i) => ({
    traceId: Buffer.alloc(traceIdBytes, 7),
    spanId: Buffer.from((i + 1).toString(16).padStart(16, '0'), 'hex'),
    name: 'op',
    startTimeUnixNano: now * 1e6,
    endTimeUnixNano: now * 1e6 + 1e6,
  }));
  const msg = ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
  return Buffer.from(ExportTraceServiceRequest.encode(msg).finish());
}

/** Raw unary call with grpc-js, to see the exact status a client gets. */
function call(url: string, body: Buffer, key?: string): Promise<{ error: grpc.ServiceError | null; response?: Buffer }> {
  const client = new grpc.Client(url.replace('http://', ''), grpc.credentials.createInsecure());
  const md = new grpc.Metadata();
  if (key) md.set('authorization', `Bearer ${key}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      PATH,
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      md,
      (error, response) => {
        client.close();
        resolve({ error, response });
      },
    );
  });
}

describe('OTLP/gRPC receiver', () => {
  let c: TestCollector;
  before(async () => {
    c = await startTestCollector({ maxBodyBytes: 32 * 1024 });
  });
  after(async () => {
    await c.close();
  });

  test('the real gRPC exporter succeeds and its spans are stored', async () => {
    const before = await c.count();
    const spans = recordSpans((t) => llmTrace(t, baseTime()));
    const outcome = await exportSpans(makeExporter('grpc', { httpUrl: '', grpcUrl: c.grpcUrl, key: c.key }), spans);
    assert.equal(outcome.code, 0, outcome.error?.message);
    assert.equal(await c.count(), before + 3);
  });

  test('partial success reaches a gRPC client', async () => {
    const { error, response } = await call(c.grpcUrl, requestBytes(2, 8), c.key);
    assert.equal(error, null);
    const msg = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(response!), { longs: Number }) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    assert.equal(msg.partialSuccess.rejectedSpans, 2);
    assert.match(msg.partialSuccess.errorMessage, /invalid traceId/);
  });

  test('UNAUTHENTICATED without a key or with a wrong one', async () => {
    let r = await call(c.grpcUrl, requestBytes(1));
    assert.equal(r.error?.code, grpc.status.UNAUTHENTICATED);
    assert.match(r.error!.details, /missing API key/);
    r = await call(c.grpcUrl, requestBytes(1), 'sl_nope');
    assert.equal(r.error?.code, grpc.status.UNAUTHENTICATED);
  });

  test('INVALID_ARGUMENT for bytes that are not an ExportTraceServiceRequest', async () => {
    const r = await call(c.grpcUrl, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), c.key);
    assert.equal(r.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(r.error!.details, /not a valid ExportTraceServiceRequest/);
  });

  test('RESOURCE_EXHAUSTED above the message size limit', async () => {
    const r = await call(c.grpcUrl, requestBytes(1000), c.key);
    assert.equal(r.error?.code, grpc.status.RESOURCE_EXHAUSTED);
  });
});

describe('OTLP/gRPC receiver while the log is at its disk budget', () => {
  let small: TestCollector;
  // A 2 KiB budget, and batches fill for two seconds: the first request fills the log for that long.
  before(async () => {
    small = await startTestCollector({ logMaxBytes: 2048, maxBatchDelayMs: 2000 });
  });

  test('UNAVAILABLE with retry-after while the log is at its disk budget; nothing of the refused request is stored', async () => {
    try {
      assert.equal((await call(small.grpcUrl, requestBytes(20), small.key)).error, null);
      const r = await call(small.grpcUrl, requestBytes(30, 16), small.key);
      assert.equal(r.error?.code, grpc.status.UNAVAILABLE);
      assert.deepEqual(r.error!.metadata.get('retry-after'), ['1']);
      assert.match(r.error!.details, /disk budget/);
      assert.equal(await small.count(), 20);
    } finally {
      await small.close();
    }
  });
});
