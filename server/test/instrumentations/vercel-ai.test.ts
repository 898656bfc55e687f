// The Vercel AI SDK (`ai` with `@ai-sdk/openai`, pinned in package.json) with
// experimental_telemetry, driving the fake provider's chat completions API (openai.chat(); the
// default openai() model speaks the Responses API); exported by the official OTLP exporter to a
// real Spanlens, then read back through the API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAI } from '@ai-sdk/openai';
import { embedMany, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { CHAT_COST, useHarness, type ApiSpan } from './helpers/harness.ts';

const h = useHarness('vercel-ai', () => undefined);
const provider = () => createOpenAI({ apiKey: 'sk-test', baseURL: `${h.llm.url}/v1` });
const telemetry = (functionId: string) => ({
  isEnabled: true,
  functionId,
  tracer: h.tracerProvider.getTracer('ai'),
  metadata: { userId: 'vercel-user', sessionId: 'vercel-session' },
});
const ASK = { system: 'You are terse.', prompt: 'Capital of France?', maxRetries: 0 };
const named = (spans: ApiSpan[], name: string) => spans.filter((s) => s.name === name);

test('generateText: the provider call is the priced LLM span, its wrapper a chain that costs nothing', async () => {
  const spans = await h.traced(() => generateText({ model: provider().chat('gpt-4o-mini'), ...ASK, experimental_telemetry: telemetry('chat') }));
  const [outer] = named(spans, 'ai.generateText');
  const [s] = named(spans, 'ai.generateText.doGenerate');
  assert.deepEqual(
    {
      kind: s!.kind,
      model: s!.model,
      requestModel: s!.requestModel,
      provider: s!.provider,
      inputTokens: s!.inputTokens,
      outputTokens: s!.outputTokens,
      cachedTokens: s!.cachedTokens,
      reasoningTokens: s!.reasoningTokens,
      costSource: s!.costSource,
      costEstimated: s!.costEstimated,
      finishReason: s!.finishReason,
      userId: s!.userId,
      sessionId: s!.sessionId,
    },
    {
      kind: 'llm',
      model: 'gpt-4o-mini-2024-07-18',
      requestModel: 'gpt-4o-mini',
      provider: 'openai',
      inputTokens: 42,
      outputTokens: 7,
      cachedTokens: 10,
      reasoningTokens: 2,
      costSource: 'table',
      costEstimated: false,
      finishReason: 'stop',
      userId: 'vercel-user',
      sessionId: 'vercel-session',
    },
  );
  assert.ok(Math.abs(s!.costUsd - CHAT_COST) < 1e-12, String(s!.costUsd));
  assert.deepEqual(JSON.parse(s!.input), [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Capital of France?' },
  ]);
  assert.deepEqual(JSON.parse(s!.output), [{ role: 'assistant', content: 'Paris.' }]);
  assert.equal(s!.parentSpanId, outer!.spanId);
  assert.deepEqual([outer!.kind, outer!.costUsd, outer!.costSource], ['chain', 0, 'none']);
});

test('streamText: exact tokens from the usage chunk and the first-chunk time', async () => {
  const spans = await h.traced(async () => {
    const r = streamText({ model: provider().chat('gpt-4o-mini'), ...ASK, experimental_telemetry: telemetry('stream') });
    for await (const _ of r.textStream) {
      /* read to the end */
    }
  });
  const [s] = named(spans, 'ai.streamText.doStream');
  assert.deepEqual([s!.kind, s!.inputTokens, s!.outputTokens, s!.tokensEstimated, s!.costEstimated, s!.finishReason], ['llm', 42, 7, false, false, 'stop']);
  // ai.response.msToFirstChunk; the fake waits 30 ms before its first chunk.
  assert.ok(s!.ttftMs >= 25 && s!.ttftMs <= s!.durationMs, String(s!.ttftMs));
  assert.deepEqual(JSON.parse(s!.output), [{ role: 'assistant', content: 'Paris.' }]);
});

test("a tool call, the tool span, and the next step's history with the tool's result", async () => {
  const spans = await h.traced(() =>
    generateText({
      model: provider().chat('gpt-4o-mini'),
      ...ASK,
      stopWhen: stepCountIs(2),
      experimental_telemetry: telemetry('tool'),
      tools: {
        get_weather: tool({ description: 'weather', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }), execute: async () => ({ temp: 21 }) }),
      },
    }),
  );
  const [first, second] = named(spans, 'ai.generateText.doGenerate');
  assert.equal(first!.finishReason, 'tool-calls');
  assert.deepEqual(JSON.parse(first!.output), [{ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }]);
  const [call] = named(spans, 'ai.toolCall');
  assert.deepEqual([call!.kind, call!.input, call!.output], ['tool', '{"city":"Paris"}', '{"temp":21}']);
  const history = JSON.parse(second!.input) as Array<{ role: string; content: string; toolCallId?: string }>;
  assert.deepEqual(
    history.map((m) => m.role),
    ['system', 'user', 'assistant', 'tool'],
  );
  assert.deepEqual([history[3]!.toolCallId, history[3]!.content], ['call_1', '{"temp":21}']);
});

test('embedMany: the texts, not their JSON encodings; priced once, on the provider call', async () => {
  const spans = await h.traced(() => embedMany({ model: provider().embedding('text-embedding-3-small'), values: ['hello', 'world'], maxRetries: 0, experimental_telemetry: telemetry('embed') }));
  const [outer] = named(spans, 'ai.embedMany');
  const [s] = named(spans, 'ai.embedMany.doEmbed');
  assert.deepEqual([s!.kind, s!.model, s!.provider, s!.inputTokens, s!.costSource], ['embedding', 'text-embedding-3-small', 'openai', 8, 'table']);
  assert.ok(s!.costUsd > 0);
  assert.deepEqual(JSON.parse(s!.input), ['hello', 'world']);
  assert.deepEqual([outer!.kind, outer!.costUsd], ['chain', 0]);
});

test('a call refused with 429 is an error with its model and costs nothing', async () => {
  const spans = await h.traced(() => generateText({ model: provider().chat('rate-limited-model'), ...ASK, experimental_telemetry: telemetry('refused') }));
  const [s] = named(spans, 'ai.generateText.doGenerate');
  assert.equal(s!.status, 'error');
  assert.match(s!.statusMessage ?? '', /Rate limit/);
  assert.deepEqual([s!.model, s!.inputTokens, s!.outputTokens, s!.costUsd, s!.tokensEstimated, s!.costSource], ['rate-limited-model', 0, 0, 0, false, 'none']);
});
