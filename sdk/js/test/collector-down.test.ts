import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { currentTraceId, flush, init, observe, shutdown, stats, wrapOpenAI } from '../src/index.ts';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { startFakeLlm } from './helpers/fake-llm.ts';
import OpenAI from 'openai';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('collector down, then up: the app never sees an error and the spans arrive', async () => {
  const unhandled: unknown[] = [];
  process.on('unhandledRejection', (e) => unhandled.push(e));
  const port = await freePort();
  const key = 'sl_e2e_' + 'k'.repeat(24); // the key startTestSpanlens registers
  init({ endpoint: `http://127.0.0.1:${port}`, apiKey: key, serviceName: 'down-up' });
  const llm = await startFakeLlm();
  const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 }));

  let traceId = '';
  const answer = await observe('while-down', async () => {
    traceId = currentTraceId()!;
    const r = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    return r.choices[0]!.message.content;
  })();
  assert.equal(answer, 'Paris.');

  // The exporter retries with backoff while nothing listens; the collector comes up meanwhile.
  const flushing = flush();
  // Meanwhile the app's calls are not slowed: wrapped and plain calls, interleaved, in this run.
  const plain = new OpenAI({ apiKey: 'sk', baseURL: `${llm.url}/v1`, maxRetries: 0 });
  const times: Record<'wrapped' | 'plain', number[]> = { wrapped: [], plain: [] };
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    for (const [name, client] of [
      ['wrapped', openai],
      ['plain', plain],
    ] as const) {
      const t = performance.now();
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      times[name].push(performance.now() - t);
    }
  }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!;
  assert.ok(median(times.wrapped) < 3 * median(times.plain), `wrapped ${median(times.wrapped).toFixed(2)} ms against plain ${median(times.plain).toFixed(2)} ms while the collector is down`);
  await new Promise((r) => setTimeout(r, Math.max(0, 800 - (performance.now() - started))));
  const sl = await startTestSpanlens({ SPANLENS_OTLP_HTTP_PORT: String(port) });
  try {
    await flushing;
    await flush();
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.spans.map((s: { name: string }) => s.name).sort(), ['chat gpt-4o-mini', 'while-down']);
    assert.equal(stats().dropped, 0);
    assert.deepEqual(unhandled, []);
  } finally {
    await shutdown();
    await llm.close();
    await sl.close();
  }
});
