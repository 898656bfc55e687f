import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStorage } from '../src/testing.ts';
import { applyRetention, loadMigrations, migrate, prewarmCaches, splitStatements } from '../src/migrate.ts';

test('migrations apply once and a second run is a no-op', async () => {
  const storage = await openTestStorage(); // applies all migrations
  try {
    const again = await migrate(storage);
    assert.deepEqual(again, []);
    const rs = await storage.client.query({ query: 'SELECT name FROM schema_migrations FINAL ORDER BY version', format: 'JSONEachRow' });
    const names = (await rs.json<{ name: string }>()).map((r) => r.name);
    assert.deepEqual(names, loadMigrations().map((m) => m.name));
    const tables = await storage.client.query({ query: "SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name", format: 'JSONEachRow' });
    const tnames = (await tables.json<{ name: string }>()).map((r) => r.name);
    for (const t of ['spans', 'spans_1m', 'trace_index', 'feedback', 'projects', 'api_keys', 'model_prices']) assert.ok(tnames.includes(t), t);
  } finally {
    await storage.destroy();
  }
});

test('retention TTL is configurable', async () => {
  const storage = await openTestStorage();
  try {
    await applyRetention(storage, 7);
    const rs = await storage.client.query({ query: "SELECT create_table_query q FROM system.tables WHERE database = currentDatabase() AND name = 'spans'", format: 'JSONEachRow' });
    const [row] = await rs.json<{ q: string }>();
    assert.match(row!.q, /TTL toDateTime\(start_time\) \+ toIntervalDay\(7\)/);
    await assert.rejects(applyRetention(storage, 0), /whole number of days/);
  } finally {
    await storage.destroy();
  }
});

test('splitStatements drops comments and empty statements', () => {
  assert.deepEqual(splitStatements('-- c\nCREATE TABLE a (x UInt8) ENGINE=Memory;\n\n-- only a comment;\nSELECT 1;'), [
    'CREATE TABLE a (x UInt8) ENGINE=Memory',
    'SELECT 1',
  ]);
});

test('the span table\'s mark cache can be prewarmed (the statement Spanlens runs at start)', async () => {
  const storage = await openTestStorage();
  try {
    await storage.insertRows('spans', [{ project_id: 'p', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), name: 'x', start_time: '2026-01-01 00:00:00.000000000', end_time: '2026-01-01 00:00:00.000000000' }]);
    await prewarmCaches(storage);
  } finally {
    await storage.destroy();
  }
});
