import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import OpenAI from 'openai';
import { spanlensProcessor, withContext, wrapOpenAI } from '../src/index.ts';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { startFakeLlm } from './helpers/fake-llm.ts';

test('an app with its own OpenTelemetry setup adds spanlensProcessor() and keeps its own exporter', async () => {
  const sl = await startTestSpanlens();
  const llm = await startFakeLlm();
  const own = new InMemorySpanExporter();
  const processor = spanlensProcessor({ endpoint: sl.httpUrl, apiKey: sl.key });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'my-app' }),
    spanProcessors: [new SimpleSpanProcessor(own), processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  try {
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 }));
    const tracer = trace.getTracer('my-app');
    let traceId = '';
    await withContext({ userId: 'u-own' }, () =>
      tracer.startActiveSpan('handler', async (span) => {
        traceId = span.spanContext().traceId;
        await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        span.end();
      }),
    );
    await provider.forceFlush();
    assert.deepEqual(
      own
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
      ['chat gpt-4o-mini', 'handler'],
    );
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    const spans = body.spans as Array<{ name: string; service: string; userId: string; kind: string }>;
    assert.deepEqual(
      spans.map((s) => [s.name, s.service, s.userId, s.kind]),
      [
        ['handler', 'my-app', 'u-own', 'span'],
        ['chat gpt-4o-mini', 'my-app', 'u-own', 'llm'],
      ],
    );
    assert.equal(processor.stats.exported, 2);
  } finally {
    await provider.shutdown();
    await llm.close();
    await sl.close();
  }
});
