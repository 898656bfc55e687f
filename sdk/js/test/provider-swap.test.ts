import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import OpenAI from 'openai';
import { spanlensProcessor, wrapOpenAI } from '../src/index.ts';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { startFakeLlm } from './helpers/fake-llm.ts';

// Its own file: the SDK keeps its tracer per process until the global provider changes.
test('after the app replaces its global provider, LLM spans go to the new one', async () => {
  const sl = await startTestSpanlens();
  const llm = await startFakeLlm();
  const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // One provider's life: a job span around a wrapped call, flushed; returns the stored spans' names and services.
  const run = async (service: string) => {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [spanlensProcessor({ endpoint: sl.httpUrl, apiKey: sl.key })],
    });
    trace.setGlobalTracerProvider(provider);
    let traceId = '';
    await trace.getTracer('app').startActiveSpan('job', async (span) => {
      traceId = span.spanContext().traceId;
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      span.end();
    });
    await provider.shutdown();
    trace.disable();
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    return (body.spans as Array<{ name: string; service: string }>).map((s) => `${s.name} (${s.service})`);
  };
  try {
    assert.deepEqual(await run('app-a'), ['job (app-a)', 'chat gpt-4o-mini (app-a)']);
    assert.deepEqual(await run('app-b'), ['job (app-b)', 'chat gpt-4o-mini (app-b)']);
  } finally {
    trace.disable();
    context.disable();
    await llm.close();
    await sl.close();
  }
});
