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
  await new Promise((r) => setTimeout(r, 800));
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
