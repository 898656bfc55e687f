import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { currentTraceId, observe, shutdown, wrapAnthropic } from '../src/index.ts';
import { ANTHROPIC_TEXT } from './helpers/fake-llm.ts';
import { readTrace, setup, type FakeLlm, type Spanlens } from './helpers/setup.ts';

describe('wrapAnthropic against a fake Anthropic server, read back from the real collector', () => {
  let sl: Spanlens;
  let llm: FakeLlm;
  let anthropic: Anthropic;
  let plain: Anthropic;
  before(async () => {
    ({ sl, llm } = await setup());
    anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: llm.url, maxRetries: 0 }));
    plain = new Anthropic({ apiKey: 'sk-ant-test', baseURL: llm.url, maxRetries: 0 });
  });
  after(async () => {
    await shutdown();
    await llm.close();
    await sl.close();
  });

  const params = { model: 'claude-3-5-sonnet', max_tokens: 100, system: 'Answer in French.', messages: [{ role: 'user' as const, content: 'Say hello' }] };

  async function traced<T>(fn: () => Promise<T>): Promise<{ value: T; traceId: string }> {
    let traceId = '';
    const value = await observe('step', async () => {
      traceId = currentTraceId()!;
      return fn();
    })();
    return { value, traceId };
  }

  test("messages.create: every field; the client's own spans are not recorded twice", async () => {
    const { value, traceId } = await traced(() => anthropic.messages.create(params));
    assert.equal((value.content[0] as { text: string }).text, ANTHROPIC_TEXT.join(''));
    const { spans } = await readTrace(sl, traceId);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['step', 'chat claude-3-5-sonnet'],
    );
    const s = spans[1]!;
    assert.deepEqual(
      {
        kind: s.kind,
        model: s.model,
        provider: s.provider,
        inputTokens: s.inputTokens,
        outputTokens: s.outputTokens,
        cachedTokens: s.cachedTokens,
        finishReason: s.finishReason,
        costSource: s.costSource,
        parent: s.parentSpanId,
      },
      {
        kind: 'llm',
        model: 'claude-3-5-sonnet-20241022',
        provider: 'anthropic',
        inputTokens: 50,
        outputTokens: 9,
        cachedTokens: 20,
        finishReason: 'end_turn',
        costSource: 'table',
        parent: spans[0]!.spanId,
      },
    );
    // claude-3.5-sonnet: $3/M input, $0.30/M cache read, $15/M output.
    assert.ok(Math.abs(s.costUsd - (30 * 3 + 20 * 0.3 + 9 * 15) / 1e6) < 1e-12, String(s.costUsd));
    assert.equal(
      s.input,
      JSON.stringify([
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Say hello' },
      ]),
    );
    assert.equal(s.output, JSON.stringify([{ role: 'assistant', content: 'Bonjour!' }]));
  });

  test('create({ stream: true }): same events as the plain client, ttft, usage from the events', async () => {
    const { value: stream, traceId } = await traced(() => anthropic.messages.create({ ...params, stream: true }));
    const got: string[] = [];
    for await (const e of stream) got.push(JSON.stringify(e));
    const want: string[] = [];
    for await (const e of await plain.messages.create({ ...params, stream: true })) want.push(JSON.stringify(e));
    assert.deepEqual(got, want);
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.kind === 'llm')!;
    assert.equal(s.output, JSON.stringify([{ role: 'assistant', content: 'Bonjour!' }]));
    assert.deepEqual([s.inputTokens, s.outputTokens, s.finishReason], [50, 9, 'end_turn']);
    assert.ok(s.ttftMs !== null && s.ttftMs >= 25, String(s.ttftMs));
  });

  test('messages.stream() helper keeps working and is recorded', async () => {
    const { value: text, traceId } = await traced(async () => {
      const stream = anthropic.messages.stream(params);
      const seen: string[] = [];
      stream.on('text', (t) => seen.push(t));
      const final = await stream.finalMessage();
      assert.deepEqual(seen, ANTHROPIC_TEXT);
      return (final.content[0] as { text: string }).text;
    });
    assert.equal(text, 'Bonjour!');
    const llmSpans = (await readTrace(sl, traceId)).spans.filter((x) => x.kind === 'llm');
    assert.equal(llmSpans.length, 1);
    assert.equal(llmSpans[0]!.output, JSON.stringify([{ role: 'assistant', content: 'Bonjour!' }]));
  });

  test('tool use, plain and streamed', async () => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } }];
    const { traceId } = await traced(async () => {
      await anthropic.messages.create({ ...params, tools });
      for await (const _ of await anthropic.messages.create({ ...params, tools, stream: true })) {
        /* drain */
      }
    });
    const outs = (await readTrace(sl, traceId)).spans.filter((x) => x.kind === 'llm').map((s) => JSON.parse(s.output!));
    assert.deepEqual(outs, [
      [{ role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }],
      [{ role: 'assistant', content: '', toolCalls: [{ id: 'toolu_9', name: 'get_weather', arguments: '{"city":"Paris"}' }] }],
    ]);
  });

  test('errors reach the app unchanged and are recorded', async () => {
    const { value: err, traceId } = await traced(() => anthropic.messages.create({ ...params, model: 'error-model' }).catch((e: unknown) => e));
    assert.ok(err instanceof Anthropic.BadRequestError);
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.name === 'chat error-model')!;
    assert.equal(s.status, 'error');
    assert.match(s.statusMessage!, /not a model/);
  });
});
