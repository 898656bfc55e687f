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

// Its own file: the SDK's tracer is looked up once per process, from the global provider.
test("the app's provider shutting down sends the LLM spans still waiting to be built", async () => {
  const sl = await startTestSpanlens();
  const llm = await startFakeLlm();
  const processor = spanlensProcessor({ endpoint: sl.httpUrl, apiKey: sl.key, spanBuildDelayMs: 60_000 });
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'my-app' }), spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  try {
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 }));
    let traceId = '';
    await trace.getTracer('my-app').startActiveSpan('job', async (span) => {
      traceId = span.spanContext().traceId;
      for await (const _ of await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
        /* drain */
      }
      span.end();
    });
    await provider.shutdown();
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    assert.deepEqual(
      (body.spans as Array<{ name: string }>).map((s) => s.name),
      ['job', 'chat gpt-4o-mini'],
    );
  } finally {
    trace.disable();
    context.disable();
    await llm.close();
    await sl.close();
  }
});
