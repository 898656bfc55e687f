import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { currentTraceId, observe, shutdown, withContext, wrapOpenAI } from '../src/index.ts';
import { OPENAI_TEXT } from './helpers/fake-llm.ts';
import { readTrace, setup, type FakeLlm, type Spanlens } from './helpers/setup.ts';

describe('wrapOpenAI against a fake OpenAI server, read back from the real collector', () => {
  let sl: Spanlens;
  let llm: FakeLlm;
  let openai: OpenAI;
  let plain: OpenAI;
  before(async () => {
    ({ sl, llm } = await setup());
    openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: `${llm.url}/v1`, maxRetries: 0 }));
    plain = new OpenAI({ apiKey: 'sk-test', baseURL: `${llm.url}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await shutdown();
    await llm.close();
    await sl.close();
  });

  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'Capital of France?' },
  ];

  test('chat completion: every field, nested under the app step, with user and session', async () => {
    let traceId = '';
    const answer = observe('answer', async (_q: string) => {
      traceId = currentTraceId()!;
      const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0.2, max_tokens: 50 });
      return r.choices[0]!.message.content;
    });
    const text = await withContext({ userId: 'user-1', sessionId: 'sess-1', tags: ['sdk'] }, () => answer('Capital of France?'));
    assert.equal(text, 'Paris.');
    const { spans } = await readTrace(sl, traceId);
    assert.deepEqual(
      spans.map((s) => s.name),
      ['answer', 'chat gpt-4o-mini'],
    );
    const [root, llmSpan] = spans as [(typeof spans)[0], (typeof spans)[0]];
    assert.equal(root.kind, 'chain');
    assert.equal(root.input, 'Capital of France?');
    assert.equal(root.output, 'Paris.');
    assert.equal(llmSpan.parentSpanId, root.spanId);
    assert.deepEqual(
      {
        kind: llmSpan.kind,
        model: llmSpan.model,
        provider: llmSpan.provider,
        operation: llmSpan.operation,
        inputTokens: llmSpan.inputTokens,
        outputTokens: llmSpan.outputTokens,
        totalTokens: llmSpan.totalTokens,
        cachedTokens: llmSpan.cachedTokens,
        reasoningTokens: llmSpan.reasoningTokens,
        costSource: llmSpan.costSource,
        costEstimated: llmSpan.costEstimated,
        finishReason: llmSpan.finishReason,
        status: llmSpan.status,
        userId: llmSpan.userId,
        sessionId: llmSpan.sessionId,
        tags: llmSpan.tags,
        service: llmSpan.service,
        environment: llmSpan.environment,
        release: llmSpan.release,
        ttftMs: llmSpan.ttftMs,
      },
      {
        kind: 'llm',
        model: 'gpt-4o-mini-2024-07-18',
        provider: 'openai',
        operation: 'chat',
        inputTokens: 42,
        outputTokens: 7,
        totalTokens: 49,
        cachedTokens: 10,
        reasoningTokens: 2,
        costSource: 'table',
        costEstimated: false,
        finishReason: 'stop',
        status: 'unset',
        userId: 'user-1',
        sessionId: 'sess-1',
        tags: ['sdk'],
        service: 'sdk-test',
        environment: 'test',
        release: '9.9.9',
        ttftMs: null,
      },
    );
    // gpt-4o-mini: 32 uncached input at $0.15/M, 10 cached at $0.075/M, 7 output at $0.60/M.
    assert.ok(Math.abs(llmSpan.costUsd - (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6) < 1e-12, String(llmSpan.costUsd));
    assert.equal(
      llmSpan.input,
      JSON.stringify([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Capital of France?' },
      ]),
    );
    assert.equal(llmSpan.output, JSON.stringify([{ role: 'assistant', content: 'Paris.' }]));
    assert.equal(llmSpan.attributes['gen_ai.request.temperature'], '0.2');
    assert.equal(llmSpan.attributes['gen_ai.request.max_tokens'], '50');
    assert.equal(llmSpan.attributes['gen_ai.response.id'], 'chatcmpl-1');
    assert.equal(llmSpan.attributes['server.address'], '127.0.0.1');
  });

  test('streaming: same chunks and same stream object as the plain client, time to first token, usage', async () => {
    let traceId = '';
    const params = { model: 'gpt-4o-mini', messages, stream: true as const, stream_options: { include_usage: true } };
    const wrappedStream = await observe('stream', async () => {
      traceId = currentTraceId()!;
      return openai.chat.completions.create(params);
    })();
    const plainStream = await plain.chat.completions.create(params);
    assert.equal(wrappedStream.constructor, plainStream.constructor);
    assert.equal(typeof wrappedStream.toReadableStream, 'function');
    assert.ok(wrappedStream.controller instanceof AbortController);
    const strip = (c: { id: string }) => JSON.stringify(c);
    const got: string[] = [];
    for await (const chunk of wrappedStream) got.push(strip(chunk));
    const want: string[] = [];
    for await (const chunk of plainStream) want.push(strip(chunk));
    assert.deepEqual(got, want);

    const { spans } = await readTrace(sl, traceId);
    const s = spans.find((x) => x.kind === 'llm')!;
    assert.equal(s.output, JSON.stringify([{ role: 'assistant', content: OPENAI_TEXT.join('') }]));
    assert.ok(s.ttftMs !== null && s.ttftMs >= 25 && s.ttftMs < s.durationMs, `ttft ${s.ttftMs} of ${s.durationMs}`);
    assert.deepEqual([s.inputTokens, s.outputTokens, s.finishReason, s.tokensEstimated], [42, 7, 'stop', false]);
  });

  for (const how of ['break', 'abort'] as const) {
    test(`a stream the app stops early (${how}) is recorded with what the app read, ended when it stopped`, async () => {
      let traceId = '';
      let text = '';
      await observe(`stream-${how}`, async () => {
        traceId = currentTraceId()!;
        const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta?.content ?? '';
          if (how === 'abort' && text) stream.controller.abort(); // the client then ends the stream quietly
          if (how === 'break' && text === OPENAI_TEXT.slice(0, 2).join('')) break;
        }
      })();
      const read = how === 'abort' ? OPENAI_TEXT[0] : OPENAI_TEXT.slice(0, 2).join('');
      assert.equal(text, read);
      const { spans } = await readTrace(sl, traceId);
      const s = spans.find((x) => x.kind === 'llm')!;
      assert.equal(s.output, JSON.stringify([{ role: 'assistant', content: read }]));
      assert.notEqual(s.status, 'error');
      assert.ok(s.ttftMs !== null && s.ttftMs <= s.durationMs, `ttft ${s.ttftMs} of ${s.durationMs}`);
      const root = spans.find((x) => x.name === `stream-${how}`)!;
      assert.ok(s.durationMs <= root.durationMs, `${s.durationMs} within ${root.durationMs}`);
    });
  }

  test('streaming without usage: tokens are estimated by the collector', async () => {
    let traceId = '';
    await observe('stream-no-usage', async () => {
      traceId = currentTraceId()!;
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
      for await (const _ of stream) {
        /* drain */
      }
    })();
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.kind === 'llm')!;
    assert.ok(s.inputTokens > 0 && s.outputTokens > 0);
    assert.equal(s.costEstimated, true);
  });

  test('tool calls, plain and streamed', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    let traceId = '';
    await observe('tools', async () => {
      traceId = currentTraceId()!;
      const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
      assert.equal(r.choices[0]!.message.tool_calls![0]!.id, 'call_1');
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools, stream: true });
      for await (const _ of stream) {
        /* drain */
      }
    })();
    const llmSpans = (await readTrace(sl, traceId)).spans.filter((x) => x.kind === 'llm');
    assert.equal(llmSpans.length, 2);
    assert.deepEqual(
      llmSpans.map((s) => JSON.parse(s.output!)),
      [
        [{ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }],
        [{ role: 'assistant', content: '', toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' }] }],
      ],
    );
    assert.deepEqual(
      llmSpans.map((s) => s.finishReason),
      ['tool_calls', 'tool_calls'],
    );
  });

  test('an API error reaches the app exactly as without the wrapper, and the span records it', async () => {
    let traceId = '';
    const err = await observe('fails', async () => {
      traceId = currentTraceId()!;
      return openai.chat.completions.create({ model: 'error-model', messages }).catch((e: unknown) => e);
    })();
    const plainErr = await plain.chat.completions.create({ model: 'error-model', messages }).catch((e: unknown) => e);
    assert.ok(err instanceof OpenAI.BadRequestError);
    assert.equal((err as Error).message, (plainErr as Error).message);
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.name === 'chat error-model')!;
    assert.equal(s.status, 'error');
    assert.match(s.statusMessage!, /does not exist/);
    assert.equal(s.attributes['error.type'], '400');
  });

  test('embeddings', async () => {
    let traceId = '';
    const r = await observe('embed', async () => {
      traceId = currentTraceId()!;
      return openai.embeddings.create({ model: 'text-embedding-3-small', input: ['hello', 'world'] });
    })();
    assert.equal(r.data.length, 2);
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.kind === 'embedding')!;
    assert.deepEqual([s.model, s.provider, s.inputTokens, s.input], ['text-embedding-3-small', 'openai', 8, '["hello","world"]']);
    assert.ok(s.costUsd > 0);
  });

  test('concurrent calls in different contexts each keep their own user', async () => {
    const ids: Record<string, string> = {};
    await Promise.all(
      ['ann', 'ben', 'cat'].map((u) =>
        withContext({ userId: u }, () =>
          observe(`req-${u}`, async () => {
            ids[u] = currentTraceId()!;
            await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
          })(),
        ),
      ),
    );
    for (const u of ['ann', 'ben', 'cat']) {
      const s = (await readTrace(sl, ids[u]!)).spans.find((x) => x.kind === 'llm')!;
      assert.equal(s.userId, u);
    }
  });

  test('the app changing its messages array after the call does not change what was recorded', async () => {
    let traceId = '';
    const history = [{ role: 'user' as const, content: 'first question' }];
    await observe('history', async () => {
      traceId = currentTraceId()!;
      const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: history });
      history.push({ role: 'assistant' as never, content: r.choices[0]!.message.content! } as never);
    })();
    const s = (await readTrace(sl, traceId)).spans.find((x) => x.kind === 'llm')!;
    assert.equal(s.input, JSON.stringify([{ role: 'user', content: 'first question' }]));
  });

  test('wrapping twice records once; the client object is the same', async () => {
    assert.equal(wrapOpenAI(openai), openai);
    let traceId = '';
    await observe('once', async () => {
      traceId = currentTraceId()!;
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    })();
    assert.equal((await readTrace(sl, traceId)).spans.filter((x) => x.kind === 'llm').length, 1);
  });
});
