// @traceloop/instrumentation-openai (OpenLLMetry, pinned in package.json) driving the real
// `openai` client against a fake provider, exported by the official OTLP exporter to a real
// Spanlens, then read back through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { QUESTION, TOOLS, useHarness } from './helpers/harness.ts';

const h = useHarness('openllmetry-js', (provider, OpenAI) => {
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(OpenAI);
});

test('chat with a system prompt: model, provider, exact tokens, messages by role, finish reason; no cached tokens sent, so all input is priced as uncached', async () => {
  const [s] = await h.traced(() => h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION }));
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
    },
    {
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      inputTokens: 42,
      outputTokens: 7,
      cachedTokens: 0,
      costSource: 'table',
      costEstimated: false,
      finishReason: 'stop',
    },
  );
  // 0.27.0 sends gen_ai.usage.input/output tokens but not the 10 cached ones the provider reported.
  assert.equal(s!.attributes['gen_ai.usage.cache_read.input_tokens'], undefined);
  assert.ok(Math.abs(s!.costUsd - (42 * 0.15 + 7 * 0.6) / 1e6) < 1e-12, String(s!.costUsd));
  assert.deepEqual(
    JSON.parse(s!.input).map((m: { role: string }) => m.role),
    ['system', 'user'],
  );
  assert.match(s!.output, /Paris\./);
});

test('streamed call: the text and finish reason; 0.27.0 ignores the usage chunk, so tokens are estimated and flagged', async () => {
  const [s] = await h.traced(async () => {
    const stream = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) {
      /* read to the end */
    }
  });
  assert.equal(s!.attributes['gen_ai.usage.input_tokens'], undefined);
  assert.deepEqual([s!.finishReason, s!.tokensEstimated, s!.costEstimated, s!.costSource], ['stop', true, true, 'table']);
  assert.ok(s!.inputTokens > 0 && s!.outputTokens > 0);
  assert.match(s!.output, /Paris\./);
});

test('a tool call and its answer: the finish reason as the GenAI conventions spell it (tool_call)', async () => {
  const spans = await h.traced(async () => {
    const first = await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: QUESTION, tools: TOOLS });
    const call = first.choices[0]!.message.tool_calls![0]!;
    // The answer after the tool's result (asked without tools, the fake answers in text).
    await h.client.chat.completions.create({ model: 'gpt-4o-mini', messages: [...QUESTION, first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: '{"temp":21}' }] });
  });
  assert.equal(spans.length, 2);
  assert.equal(spans[0]!.finishReason, 'tool_call');
  assert.match(spans[0]!.output, /get_weather/);
  assert.equal(spans[1]!.finishReason, 'stop');
});

test('an embedding: 0.27.0 does not instrument embeddings.create, so there is no span', async () => {
  const spans = await h.traced(() => h.client.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] }));
  assert.deepEqual(spans, []);
  assert.equal(h.llm.requests.at(-1)?.path, '/v1/embeddings', 'the call did reach the provider');
});

test('a call the provider refuses with 429: 0.27.0 ends no span for a rejected call, so the trace holds only the app span', async () => {
  // Its promise wrapper (_wrapPromise, _thenUnwrap) ends the span only on success.
  const spans = await h.traced(() => h.client.chat.completions.create({ model: 'rate-limited-model', messages: QUESTION }));
  assert.deepEqual(spans, []);
  assert.equal(h.llm.requests.at(-1)?.body.model, 'rate-limited-model', 'the call did reach the provider');
});
