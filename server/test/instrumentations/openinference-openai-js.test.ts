// @arizeai/openinference-instrumentation-openai (pinned in package.json) driving the real
// `openai` client against a fake provider, exported by the official OTLP exporter to a real
// Spanlens, then read back through the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { setSession, setUser } from '@arizeai/openinference-core';
import OpenAI from 'openai';
import { startTestSpanlens } from '../helpers/spanlens.ts';
import { startFakeLlm } from '../../../sdk/js/test/helpers/fake-llm.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;
let sl: Spanlens;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let provider: BasicTracerProvider;
let tracer: Tracer;
let client: OpenAI;
const contextManager = new AsyncLocalStorageContextManager();

// gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output; the fake reports 42 in (10 cached), 7 out.
const CHAT_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6;

before(async () => {
  [sl, llm] = await Promise.all([startTestSpanlens(), startFakeLlm()]);
  context.setGlobalContextManager(contextManager.enable());
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'oi-js' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${sl.httpUrl}/v1/traces`, headers: { authorization: `Bearer ${sl.key}` } }))],
  });
  tracer = provider.getTracer('app');
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(OpenAI); // ES modules are not hooked on import
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${llm.url}/v1`, maxRetries: 0 });
});

after(async () => {
  await provider.shutdown();
  context.disable();
  await Promise.all([sl.close(), llm.close()]);
});

/** Runs `fn` under an app span with OpenInference's user and session; returns the trace as the API shows it. */
async function traced(fn: () => Promise<unknown>) {
  let traceId = '';
  const ctx = setSession(setUser(context.active(), { userId: 'oi-user' }), { sessionId: 'oi-session' });
  await context.with(ctx, () => tracer.startActiveSpan('handler', async (span) => {
    traceId = span.spanContext().traceId;
    try { await fn(); } catch { /* the failed call is what the test looks at */ } finally { span.end(); }
  }));
  await provider.forceFlush();
  const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
  assert.equal(status, 200);
  const [root, ...children] = body.spans as Array<Record<string, any>>;
  assert.equal(root!.name, 'handler');
  for (const c of children) assert.equal(c.parentSpanId, root!.spanId, `${c.name} nests under the app's span`);
  return children;
}

const question = [{ role: 'system' as const, content: 'You are terse.' }, { role: 'user' as const, content: 'Capital of France?' }];

test('chat with a system prompt: model, provider, exact tokens and cost, messages by role, finish reason, user and session', async () => {
  const [s] = await traced(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: question }));
  assert.deepEqual({
    kind: s!.kind, model: s!.model, provider: s!.provider, inputTokens: s!.inputTokens, outputTokens: s!.outputTokens,
    cachedTokens: s!.cachedTokens, costSource: s!.costSource, costEstimated: s!.costEstimated, finishReason: s!.finishReason,
    userId: s!.userId, sessionId: s!.sessionId, status: s!.status,
  }, {
    kind: 'llm', model: 'gpt-4o-mini-2024-07-18', provider: 'openai', inputTokens: 42, outputTokens: 7, cachedTokens: 10,
    costSource: 'table', costEstimated: false, finishReason: 'stop', userId: 'oi-user', sessionId: 'oi-session', status: 'ok',
  });
  assert.ok(Math.abs(s!.costUsd - CHAT_COST) < 1e-12, String(s!.costUsd));
  assert.deepEqual(JSON.parse(s!.input).map((m: { role: string }) => m.role), ['system', 'user']);
  assert.match(s!.input, /You are terse\./);
  assert.match(s!.output, /Paris\./);
});

test('streamed call: the text and finish reason; tokens estimated and flagged, since 4.2.7 records no usage for streams', async () => {
  const [s] = await traced(async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) { /* read to the end */ }
  });
  // The library sends no llm.token_count.* for a stream, even with include_usage; Spanlens counts the tokens.
  assert.equal(s!.attributes['llm.token_count.prompt'], undefined);
  assert.deepEqual([s!.model, s!.finishReason, s!.tokensEstimated, s!.costEstimated, s!.costSource], ['gpt-4o-mini', 'stop', true, true, 'table']);
  assert.ok(s!.inputTokens > 0 && s!.outputTokens > 0 && s!.costUsd > 0);
  assert.deepEqual(JSON.parse(s!.output), [{ role: 'assistant', content: 'Paris.' }]);
});

test('a tool call and its answer: two calls, the tool call recorded, the answer after it', async () => {
  const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
  const spans = await traced(async () => {
    const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: question, tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    await client.chat.completions.create({ model: 'gpt-4o-mini', tools, messages: [...question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }] });
  });
  assert.equal(spans.length, 2);
  assert.equal(spans[0]!.finishReason, 'tool_calls');
  assert.match(spans[0]!.output, /get_weather/);
  assert.match(spans[0]!.output, /Paris/);
  assert.match(spans[1]!.input, /"role":"tool"/);
  assert.equal(spans[1]!.finishReason, 'stop');
});

test('an embedding: kind, model, the texts; tokens estimated and flagged, since 4.2.7 records no usage for embeddings', async () => {
  const [s] = await traced(() => client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] }));
  assert.equal(s!.attributes['llm.token_count.prompt'], undefined);
  assert.deepEqual([s!.kind, s!.model, s!.provider, s!.tokensEstimated, s!.costEstimated, s!.costSource], ['embedding', 'text-embedding-3-small', 'openai', true, true, 'table']);
  assert.ok(s!.inputTokens > 0 && s!.costUsd > 0);
  assert.match(s!.input, /hello/);
  assert.match(s!.input, /world/);
});

test('a call the provider refuses with 429: 4.2.7 ends no span for a rejected call, so the trace holds only the app span', async () => {
  // Its error hook (safeExecuteInTheMiddle) sees only synchronous throws; the 429 rejects the
  // promise later and the span is never ended, so it is never exported.
  const spans = await traced(() => client.chat.completions.create({ model: 'rate-limited-model', messages: question }));
  assert.deepEqual(spans, []);
  assert.equal(llm.requests.at(-1)?.body.model, 'rate-limited-model', 'the call did reach the provider');
});
