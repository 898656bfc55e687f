import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { currentSpanId, currentTraceId, feedback, observe, SpanlensSpanProcessor } from '../src/index.ts';
import { readTrace, useSpanlens } from './helpers/setup.ts';

describe('feedback and the bounded queue', () => {
  const env = useSpanlens();

  test('feedback for the current trace and span is stored with the trace', async () => {
    const ids = await observe('answer', async () => ({ traceId: currentTraceId()!, spanId: currentSpanId()! }))();
    assert.match(ids.traceId, /^[0-9a-f]{32}$/);
    const ok = await feedback({ ...ids, name: 'helpful', value: true, comment: 'spot on', userId: 'user-9', id: 'fb-1' });
    assert.equal(ok, true);
    assert.equal(await feedback({ ...ids, name: 'helpful', value: true, comment: 'spot on', userId: 'user-9', id: 'fb-1' }), true);
    const { feedback: scores } = await readTrace(env.sl, ids.traceId);
    assert.equal(scores.length, 1);
    assert.deepEqual(
      { name: scores[0]!.name, value: scores[0]!.value, dataType: scores[0]!.dataType, comment: scores[0]!.comment, userId: scores[0]!.userId, spanId: scores[0]!.spanId },
      { name: 'helpful', value: 1, dataType: 'boolean', comment: 'spot on', userId: 'user-9', spanId: ids.spanId },
    );
  });

  test('rejected feedback resolves false instead of throwing', async () => {
    assert.equal(await feedback({ traceId: 'not-a-trace', name: 'x', value: 1 }), false);
    assert.equal(currentTraceId(), undefined);
  });

  test('a full queue drops new spans and counts them; memory stays bounded', async () => {
    // A collector that accepts connections and never answers: exports hang until their timeout.
    const sockets = new Set<import('node:net').Socket>();
    const blackhole: Server = createServer((s) => {
      sockets.add(s);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    const processor = new SpanlensSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, timeoutMillis: 1000 }), {
      maxQueueSize: 20,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 1,
    });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 100; i++) tracer.startSpan(`s${i}`).end();
    assert.equal(processor.stats.dropped, 80);
    assert.equal(processor.stats.exported, 0);
    void provider.shutdown().catch(() => undefined);
    for (const s of sockets) s.destroy();
    blackhole.close();
    assert.ok(trace.getTracerProvider());
  });
});
