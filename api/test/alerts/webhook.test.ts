// A receiver's Retry-After, in either form RFC 9110 allows, sets the delivery's next wait.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { backoffMs } from '@spanlens/collector';
import { postEvent } from '../../src/alerts/webhook.ts';
import { WEBHOOK_RETRY } from '../../src/alerts/notifier.ts';

let answer = '';
const server = http.createServer((req, res) => {
  req.resume();
  res.writeHead(429, { 'retry-after': answer }).end();
});
let url = '';
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const post = () => postEvent({ id: 'd', projectId: 'p', name: 'n', url, format: 'json', secret: 's' }, 'e1', { id: 'e1' }, { allowPrivate: true, timeoutMs: 5000 });

test('Retry-After as seconds and as an HTTP date; the longer of it and the backoff is waited', async () => {
  answer = '90';
  assert.equal((await post()).retryAfterMs, 90_000);
  answer = new Date(Date.now() + 20 * 60_000).toUTCString();
  const r = await post();
  assert.equal(r.statusCode, 429);
  assert.ok(r.retryAfterMs! > 19 * 60_000 && r.retryAfterMs! <= 20 * 60_000, String(r.retryAfterMs));
  // Past the schedule's longest wait (6 min): the receiver's 20 minutes win.
  assert.equal(backoffMs(WEBHOOK_RETRY, 5, r.retryAfterMs), r.retryAfterMs);
  answer = 'later';
  assert.equal((await post()).retryAfterMs, undefined);
});
