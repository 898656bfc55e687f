import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../src/testing.ts';
import { IngestError, logRefusal } from '../src/errors.ts';
import { startTestCollector } from './helpers/collector.ts';

const SECRET = 'my-card-is-4111-and-my-diagnosis-is-private';
// Short enough to sit inside the excerpt V8 puts in a JSON parse error (10 characters).
const SNIPPET = 'zz-9-leak';

const memoryLog = memoryLogger;

describe('logs never carry prompt or request content unless debug is on', () => {
  test('an internal error is logged at error level with its class only; the message only at debug', () => {
    const err = new IngestError('internal', 'internal error', undefined, new TypeError(`cannot read content of "${SECRET}"`));
    const info = memoryLog('info');
    logRefusal(info.log, 'otlp-http', err);
    assert.match(info.text(), /"msg":"ingest failed"/);
    assert.match(info.text(), /"cause":"TypeError"/);
    assert.ok(!info.text().includes(SECRET));
    const debug = memoryLog('debug');
    logRefusal(debug.log, 'otlp-http', err);
    assert.ok(debug.text().includes(SECRET), 'debug is where the detail goes');
  });

  describe('through the receivers', () => {
    const memory = memoryLog('info');
    let c: Awaited<ReturnType<typeof startTestCollector>>;
    before(async () => {
      c = await startTestCollector({ log: memory.log });
    });
    after(async () => {
      await c.close();
    });

    test('valid spans, a broken body quoting the prompt, rejected spans and bad feedback: info logs none of it; debug does', async () => {
      const send = async () => {
        const now = String(BigInt(Date.now()) * 1_000_000n);
        const span = (traceId: string) => ({
          traceId,
          spanId: '1'.repeat(16),
          name: 'chat',
          startTimeUnixNano: now,
          attributes: [{ key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', content: SECRET }]) } }],
        });
        const post = (path: string, body: string) => fetch(c.httpUrl + path, { method: 'POST', headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' }, body });
        assert.equal((await post('/v1/traces', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('a'.repeat(32)), span('0'.repeat(32))] }] }] }))).status, 200);
        const broken = await post('/v1/traces', `{"prompt": ${SNIPPET}}`);
        assert.equal(broken.status, 400);
        assert.ok((await broken.text()).includes(SNIPPET), 'the client is told where its JSON broke');
        assert.equal((await post('/v1/feedback', JSON.stringify({ traceId: 'nope', name: 'x', value: 1, comment: SECRET }))).status, 400);
      };
      await send();
      assert.ok(!memory.text().includes(SECRET) && !memory.text().includes(SNIPPET), memory.text().slice(0, 500));
      memory.log.level = 'debug';
      await send();
      assert.ok(memory.text().includes(SNIPPET), 'at debug the refusal detail is logged');
    });
  });
});
