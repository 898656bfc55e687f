import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addApiKey, createProject, KeyCache } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { buildApi } from '../../src/server.ts';

let storage: Awaited<ReturnType<typeof openTestStorage>>;
let app: FastifyInstance;
let url: string;
let changes = 0;
const keyA = 'sl_prices_a_0123456789';
const keyB = 'sl_prices_b_0123456789';

before(async () => {
  storage = await openTestStorage();
  await addApiKey(storage, (await createProject(storage, 'a')).id, keyA);
  await addApiKey(storage, (await createProject(storage, 'b')).id, keyB);
  app = await buildApi({
    storage,
    keys: new KeyCache(storage),
    retentionDays: 30,
    onPricesChanged: async () => {
      changes++;
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/prices`;
});
after(async () => {
  await app.close();
  await storage.destroy();
});

const call = async (key: string, method = 'GET', body?: unknown) => {
  const res = await fetch(url, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  return { status: res.status, body: (await res.json()) as any };
};

test('prices belong to the project of the key', async () => {
  const set = await call(keyA, 'PUT', { model: 'my-finetune', inputPerMTok: 4, outputPerMTok: 8, cachedInputPerMTok: 1 });
  assert.equal(set.status, 200);
  assert.equal(changes, 1);
  assert.deepEqual((await call(keyA)).body.prices, [{ provider: '', model: 'my-finetune', inputPerMTok: 4, outputPerMTok: 8, cachedInputPerMTok: 1 }]);
  assert.deepEqual((await call(keyB)).body.prices, []);
});

test('a bad price is a 400 naming the field', async () => {
  const r = await call(keyA, 'PUT', { model: 'x', inputPerMTok: -1, outputPerMTok: 1 });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /inputPerMTok/);
  assert.equal(changes, 1);
});
