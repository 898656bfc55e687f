import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedTraces } from './helpers/seed.ts';
import { startTestApi, type TestApi } from './helpers/api.ts';

const seed = (p: Record<string, { id: string }>) => [
  ...seedTraces({ project: p.a!.id, traces: 6, endMs: Date.now() - 60_000, spanMs: 3_600_000 }),
  ...seedTraces({ project: p.b!.id, traces: 3, endMs: Date.now() - 60_000, spanMs: 3_600_000, traceOffset: 100 }),
];

describe('dashboard access without an admin token: loopback only', () => {
  let api: TestApi;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spanlens-ui-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Spanlens</title>');
    api = await startTestApi(['a', 'b'], seed, { dashboardDir: dir });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a loopback browser reads the first project, or the one it names', async () => {
    const a = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '127.0.0.1', headers: { host: '127.0.0.1:3000' } });
    assert.equal(a.statusCode, 200);
    assert.equal(a.json().traces.length, 6);
    const b = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '::1', headers: { host: 'localhost:3000', 'x-spanlens-project': 'b' } });
    assert.equal(b.json().traces.length, 3);
    const byQuery = await api.app.inject({ url: '/api/v1/traces?project=b', remoteAddress: '127.0.0.1', headers: { host: 'localhost' } });
    assert.equal(byQuery.json().traces.length, 3, 'a download link names the project with ?project=');
    const keyed = await api.app.inject({ url: '/api/v1/traces?project=b', remoteAddress: '127.0.0.1', headers: { host: 'localhost', authorization: `Bearer ${api.projects.a!.key}` } });
    assert.equal(keyed.statusCode, 400, 'a key cannot pick another project');
    const none = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '127.0.0.1', headers: { host: 'localhost', 'x-spanlens-project': 'zzz' } });
    assert.equal(none.statusCode, 404);
    assert.match(none.json().message, /X-Spanlens-Project: no project zzz/);
    const session = await api.app.inject({ url: '/api/v1/session', remoteAddress: '127.0.0.1', headers: { host: 'localhost' } });
    assert.deepEqual(session.json(), { authenticated: true, adminTokenRequired: false, projectId: 'a', otlpHttpEndpoint: null });
  });

  test('another machine gets 403 for the dashboard and its API, but keys still work', async () => {
    const ui = await api.app.inject({ url: '/', remoteAddress: '10.1.2.3', headers: { host: 'spanlens.example:3000' } });
    assert.equal(ui.statusCode, 403);
    assert.match(ui.body, /SPANLENS_ADMIN_TOKEN/);
    const apiCall = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '10.1.2.3', headers: { host: 'spanlens.example:3000' } });
    assert.equal(apiCall.statusCode, 403);
    assert.equal(apiCall.json().error, 'dashboard_locked');
    const keyed = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${api.projects.b!.key}` } });
    assert.equal(keyed.json().traces.length, 3);
  });

  test('a loopback client with a foreign Host (DNS rebinding) is not the dashboard', async () => {
    const res = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '127.0.0.1', headers: { host: 'evil.example' } });
    assert.equal(res.statusCode, 403);
  });

  test('assets written after start are served (a rebuilt dashboard needs no restart)', async () => {
    writeFileSync(join(dir, 'late-asset.js'), 'console.log(1)');
    const res = await fetch(`${api.url}/late-asset.js`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'console.log(1)');
    assert.equal((await fetch(`${api.url}/..%2f..%2fetc/passwd`)).status, 404);
  });

  test('deep links load index.html; unknown API paths stay JSON 404s', async () => {
    const page = await fetch(`${api.url}/traces/abc?model=x`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Spanlens/);
    const apiMiss = await fetch(`${api.url}/api/v1/nope`, { headers: { accept: 'text/html' } });
    assert.equal(apiMiss.status, 404);
    assert.equal(((await apiMiss.json()) as { error: string }).error, 'not_found');
  });

  test('keys: created, listed, used, refused to keys, revoked', async () => {
    const local = { remoteAddress: '127.0.0.1', headers: { host: 'localhost', 'x-spanlens-project': 'b' } };
    const created = await api.app.inject({ ...local, method: 'POST', url: '/api/v1/keys', payload: { name: 'ci' } });
    assert.equal(created.statusCode, 201);
    const { id, key, prefix } = created.json();
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.ok(key.startsWith(prefix));
    const listed = (await api.app.inject({ ...local, url: '/api/v1/keys' })).json().keys;
    assert.ok(listed.some((k: { id: string; name: string; revoked: boolean }) => k.id === id && k.name === 'ci' && !k.revoked));
    assert.ok(!JSON.stringify(listed).includes(key), 'a listing never shows a key');

    assert.equal((await api.get('/api/v1/traces', key)).body.traces.length, 3);
    const asKey = await api.get('/api/v1/keys', key);
    assert.equal(asKey.status, 403);
    assert.equal(asKey.body.error, 'forbidden');
    assert.deepEqual(
      (await api.get('/api/v1/projects', key)).body.projects.map((p: { id: string }) => p.id),
      ['b'],
    );

    assert.equal((await api.app.inject({ ...local, method: 'DELETE', url: `/api/v1/keys/${id}` })).statusCode, 204);
    assert.equal((await api.get('/api/v1/traces', key)).status, 401);
    assert.equal((await api.app.inject({ ...local, method: 'DELETE', url: '/api/v1/keys/0123456789abcdef' })).statusCode, 404);
    // Project a cannot revoke project b's keys.
    const other = await api.app.inject({ remoteAddress: '127.0.0.1', headers: { host: 'localhost', 'x-spanlens-project': 'a' }, method: 'POST', url: '/api/v1/keys', payload: { name: 'a-key' } });
    const aId = other.json().id;
    assert.equal((await api.app.inject({ ...local, method: 'DELETE', url: `/api/v1/keys/${aId}` })).statusCode, 404);
  });

  test('prices: set, listed, deleted', async () => {
    const local = { remoteAddress: '127.0.0.1', headers: { host: 'localhost' } };
    const price = { provider: 'acme', model: 'acme-1', inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: null };
    assert.equal((await api.app.inject({ ...local, method: 'PUT', url: '/api/v1/prices', payload: price })).statusCode, 200);
    assert.deepEqual((await api.app.inject({ ...local, url: '/api/v1/prices' })).json().prices, [price]);
    assert.equal((await api.app.inject({ ...local, method: 'DELETE', url: '/api/v1/prices?provider=acme&model=acme-1' })).statusCode, 204);
    assert.deepEqual((await api.app.inject({ ...local, url: '/api/v1/prices' })).json().prices, []);
  });
});

describe('dashboard access with SPANLENS_ADMIN_TOKEN', () => {
  let api: TestApi;
  const token = 'admin-token-0123456789';
  before(async () => {
    api = await startTestApi(['a', 'b'], seed, { adminToken: token });
  });
  after(async () => api?.close());

  test('no session: 401, even from loopback', async () => {
    const { status, body } = await api.get('/api/v1/traces', null);
    assert.equal(status, 401);
    assert.match(body.message, /sign in/);
    const s = await fetch(`${api.url}/api/v1/session`);
    assert.deepEqual(await s.json(), { authenticated: false, adminTokenRequired: true, projectId: null, otlpHttpEndpoint: null });
  });

  test('sign in sets a signed HTTP-only cookie that works from any address; a forged one does not', async () => {
    const wrong = await fetch(`${api.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'nope' }) });
    assert.equal(wrong.status, 401);
    const res = await fetch(`${api.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    assert.equal(res.status, 204);
    const setCookie = res.headers.get('set-cookie')!;
    assert.match(setCookie, /spanlens_session=/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.ok(!setCookie.includes(token), 'the cookie carries no token');
    const cookie = setCookie.split(';')[0]!;
    const remote = await api.app.inject({ url: '/api/v1/traces', remoteAddress: '10.9.8.7', headers: { cookie, host: 'spanlens.example' } });
    assert.equal(remote.statusCode, 200);
    assert.equal(remote.json().traces.length, 6);
    const [name, value] = cookie.split('=');
    const forged = `${name}=${encodeURIComponent(String(Date.now() + 1e9))}.${decodeURIComponent(value!).split('.').pop()}`;
    assert.equal((await api.app.inject({ url: '/api/v1/traces', headers: { cookie: forged } })).statusCode, 401);
    const out = await api.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    assert.match(String(out.headers['set-cookie']), /spanlens_session=;/);
  });
});
