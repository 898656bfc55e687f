// @arizeai/openinference-instrumentation-openai (pinned in package.json) driving the real
// `openai` client against a fake provider, exported by the official OTLP exporter to a real
// Spanlens, then read back through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { setSession, setUser } from '@arizeai/openinference-core';
import { CHAT_COST, QUESTION as question, TOOLS as tools, useHarness } from './helpers/harness.ts';

const h = useHarness('oi-js', (provider, OpenAI) => {
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(OpenAI);
});
const client = () => h.client;
// OpenInference's own way to set the user and session for everything beneath.
const traced = (fn: () => Promise<unknown>) => h.traced(fn, (c) => setSession(setUser(c, { userId: 'oi-user' }), { sessionId: 'oi-session' }));

test('chat with a system prompt: model, provider, exact tokens and cost, messages by role, finish reason, user and session', async () => {
  const [s] = await traced(() => client().chat.completions.create({ model: 'gpt-4o-mini', messages: question }));
  assert.deepEqual(
    {
      kind: s!.kind,
      model: s!.model,
      provider: s!.provider,
      inputTokens: s!.inputTokens,
      outputTokens: s!.outputTokens,
      cachedTokens: s!.cachedTokens,
      costSource: s!.costSource,
      costEstimated: s!.costEstimated,
      finishReason: s!.finishReason,
      userId: s!.userId,
      sessionId: s!.sessionId,
      status: s!.status,
    },
    {
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      inputTokens: 42,
      outputTokens: 7,
      cachedTokens: 10,
      costSource: 'table',
      costEstimated: false,
      finishReason: 'stop',
      userId: 'oi-user',
      sessionId: 'oi-session',
      status: 'ok',
    },
  );
  assert.ok(Math.abs(s!.costUsd - CHAT_COST) < 1e-12, String(s!.costUsd));
  assert.equal(s!.requestModel, 'gpt-4o-mini'); // from llm.invocation_parameters
  assert.deepEqual(
    JSON.parse(s!.input).map((m: { role: string }) => m.role),
    ['system', 'user'],
  );
  assert.match(s!.input, /You are terse\./);
  assert.match(s!.output, /Paris\./);
});

test('streamed call: the text and finish reason; tokens estimated and flagged, since 4.2.7 records no usage for streams', async () => {
  const [s] = await traced(async () => {
    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: question, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) {
      /* read to the end */
    }
  });
  // The library sends no llm.token_count.* for a stream, even with include_usage; Spanlens counts the tokens.
  assert.equal(s!.attributes['llm.token_count.prompt'], undefined);
  assert.deepEqual([s!.model, s!.finishReason, s!.tokensEstimated, s!.costEstimated, s!.costSource], ['gpt-4o-mini', 'stop', true, true, 'table']);
  assert.ok(s!.inputTokens > 0 && s!.outputTokens > 0 && s!.costUsd > 0);
  assert.deepEqual(JSON.parse(s!.output), [{ role: 'assistant', content: 'Paris.' }]);
});

test('a tool call and its answer: two calls, the tool call recorded, the answer after it', async () => {
  const spans = await traced(async () => {
    const first = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: question, tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    // The answer after the tool's result (asked without tools, the fake answers in text).
    await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [...question, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }] });
  });
  assert.equal(spans.length, 2);
  assert.equal(spans[0]!.finishReason, 'tool_calls');
  assert.match(spans[0]!.output, /get_weather/);
  assert.match(spans[0]!.output, /Paris/);
  assert.match(spans[1]!.input, /"role":"tool"/);
  assert.equal(spans[1]!.finishReason, 'stop');
});

test('an embedding: kind, model, the texts; tokens estimated and flagged, since 4.2.7 records no usage for embeddings', async () => {
  const [s] = await traced(() => client().embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] }));
  assert.equal(s!.attributes['llm.token_count.prompt'], undefined);
  assert.deepEqual([s!.kind, s!.model, s!.provider, s!.tokensEstimated, s!.costEstimated, s!.costSource], ['embedding', 'text-embedding-3-small', 'openai', true, true, 'table']);
  assert.ok(s!.inputTokens > 0 && s!.costUsd > 0);
  assert.match(s!.input, /hello/);
  assert.match(s!.input, /world/);
});

test('a call the provider refuses with 429: 4.2.7 ends no span for a rejected call, so the trace holds only the app span', async () => {
  // Its error hook (safeExecuteInTheMiddle) sees only synchronous throws; the 429 rejects the
  // promise later and the span is never ended, so it is never exported.
  const spans = await traced(() => client().chat.completions.create({ model: 'rate-limited-model', messages: question }));
  assert.deepEqual(spans, []);
  assert.equal(h.llm.requests.at(-1)?.body.model, 'rate-limited-model', 'the call did reach the provider');
});
