// The API logs through the process's logger (SPANLENS_LOG_LEVEL), never console: a 5xx is one
// line naming the error under component "api"; ordinary requests add no lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '@spanlens/collector/testing';
import { startTestApi, type TestApi } from './helpers/api.ts';

const memory = memoryLogger('info');
let api: TestApi;

before(async () => {
  api = await startTestApi(['acme'], () => [], { log: memory.log });
});
after(async () => {
  await api?.close();
});

test('ordinary requests are not logged; a failure inside a route is one error line of component api', async () => {
  assert.match(memory.lines()[0]?.msg as string, /^Server listening at http:\/\/127\.0\.0\.1:\d+$/);
  const started = memory.lines().length;
  assert.equal((await api.get('/api/v1/traces')).status, 200);
  assert.equal((await api.get('/api/v1/nowhere')).status, 404);
  assert.equal(memory.lines().length, started, `requests and 4xx log nothing: ${memory.text()}`);

  const query = api.storage.client.query.bind(api.storage.client);
  api.storage.client.query = (() => Promise.reject(new Error('storage is gone'))) as typeof query;
  try {
    const r = await api.get('/api/v1/traces');
    assert.equal(r.status, 500);
    assert.deepEqual(r.body, { error: 'internal', message: 'internal error' });
  } finally {
    api.storage.client.query = query;
  }
  const lines = memory.lines().slice(started);
  assert.equal(lines.length, 1, memory.text());
  assert.equal(lines[0]!.component, 'api');
  assert.equal(lines[0]!.level, 50);
  assert.equal(lines[0]!.msg, 'api internal error: Error: storage is gone');
});
