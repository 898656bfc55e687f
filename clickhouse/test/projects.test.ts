import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStorage } from '../src/testing.ts';
import { addApiKey, createProject, findProjectByKey, generateApiKey, hashApiKey, revokeApiKey } from '../src/projects.ts';
import { bearerKey, KeyCache } from '../src/key-cache.ts';

test('keys are stored only as their SHA-256, resolve to their project, and can be revoked', async () => {
  const storage = await openTestStorage();
  try {
    const p = await createProject(storage, 'demo');
    const key = generateApiKey();
    assert.match(key, /^sl_[A-Za-z0-9_-]{43}$/);
    await addApiKey(storage, p.id, key);
    const rs = await storage.client.query({ query: 'SELECT * FROM api_keys', format: 'JSONEachRow' });
    const dump = JSON.stringify(await rs.json());
    assert.ok(!dump.includes(key), 'raw key must not be stored');
    assert.ok(dump.includes(hashApiKey(key)));
    assert.equal(await findProjectByKey(storage, key), p.id);
    assert.equal(await findProjectByKey(storage, generateApiKey()), null);
    await revokeApiKey(storage, key);
    assert.equal(await findProjectByKey(storage, key), null);
  } finally {
    await storage.destroy();
  }
});

test('KeyCache answers repeat lookups without a query and forgets unknown keys quickly', async () => {
  const storage = await openTestStorage();
  try {
    const p = await createProject(storage, 'demo');
    const key = generateApiKey();
    await addApiKey(storage, p.id, key);
    let queries = 0;
    const counting = {
      ...storage,
      client: new Proxy(storage.client, {
        get(target, prop, recv) {
          if (prop === 'query') queries++;
          const v = Reflect.get(target, prop, recv);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    };
    const cache = new KeyCache(counting, { ttlMs: 60_000, negativeTtlMs: 0 });
    assert.equal(await cache.resolve(key), p.id);
    assert.equal(await cache.resolve(key), p.id);
    assert.equal(queries, 1);
    assert.equal(await cache.resolve('sl_unknown'), null);
    assert.equal(await cache.resolve('sl_unknown'), null);
    assert.equal(queries, 3);
  } finally {
    await storage.destroy();
  }
});

test('bearerKey reads only well-formed Bearer headers', () => {
  assert.equal(bearerKey('Bearer sl_abc'), 'sl_abc');
  assert.equal(bearerKey('bearer   sl_abc  '), 'sl_abc');
  assert.equal(bearerKey('Basic dXNlcjpwYXNz'), null);
  assert.equal(bearerKey('Bearer'), null);
  assert.equal(bearerKey(undefined), null);
});
