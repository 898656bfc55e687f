import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from './helpers/api.ts';

describe('API rate limit: requests per minute per key', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(['a', 'b'], () => [], { rateLimitPerMinute: 5 });
  });
  after(async () => {
    await api?.close();
  });

  test('the request over the limit gets 429 with Retry-After and a stable error code; other keys and non-API paths go on', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await api.get('/api/v1/traces')).status, 200);
    const res = await fetch(`${api.url}/api/v1/traces`, { headers: { authorization: `Bearer ${api.projects.a!.key}` } });
    assert.equal(res.status, 429);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const body = (await res.json()) as { error: string; message: string };
    assert.equal(body.error, 'rate_limited');
    assert.match(body.message, /over the API rate of 5 requests per minute/);
    assert.equal((await api.get('/api/v1/traces', api.projects.b!.key)).status, 200, 'another key has its own budget');
    assert.equal((await fetch(`${api.url}/healthz`)).status, 200);
  });

  test('requests without a key are counted by address, so guessing keys is limited too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api.get('/api/v1/traces', `sl_wrong_${i}`.padEnd(32, 'x'))).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    const signIn = await fetch(`${api.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(20) }) });
    assert.equal(signIn.status, 429, 'sign-in shares the address budget');
    assert.equal((await api.get('/api/v1/traces', api.projects.b!.key)).status, 200, 'a valid key keeps its own budget');
  });
});
