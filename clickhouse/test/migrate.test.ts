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
    assert.deepEqual(
      names,
      loadMigrations().map((m) => m.name),
    );
    const tables = await storage.client.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name', format: 'JSONEachRow' });
    const tnames = (await tables.json<{ name: string }>()).map((r) => r.name);
    for (const t of ['spans', 'spans_1m', 'trace_items', 'feedback', 'projects', 'api_keys', 'model_prices']) assert.ok(tnames.includes(t), t);
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
  assert.deepEqual(splitStatements('-- c\nCREATE TABLE a (x UInt8) ENGINE=Memory;\n\n-- only a comment;\nSELECT 1;'), ['CREATE TABLE a (x UInt8) ENGINE=Memory', 'SELECT 1']);
});

test('prewarming loads the marks of spans and of trace_items (what Spanlens runs at start)', async () => {
  const storage = await openTestStorage();
  const cachedFiles = async () => {
    const rs = await storage.client.query({ query: "SELECT value FROM system.metrics WHERE metric = 'MarkCacheFiles'", format: 'JSONEachRow' });
    return Number((await rs.json<{ value: string }>())[0]!.value);
  };
  try {
    const at = new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace('Z', '000000');
    await storage.insertRows('spans', [{ project_id: 'p', trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), name: 'x', start_time: at, end_time: at }]);
    await storage.client.command({ query: 'SYSTEM DROP MARK CACHE' });
    await storage.client.command({ query: 'SYSTEM PREWARM MARK CACHE spans' });
    const spansOnly = await cachedFiles();
    assert.ok(spansOnly > 0, 'the spans marks are cached');
    await storage.client.command({ query: 'SYSTEM DROP MARK CACHE' });
    await prewarmCaches(storage);
    assert.ok((await cachedFiles()) > spansOnly, 'trace_items marks are cached too');
  } finally {
    await storage.destroy();
  }
});

test('trace totals: spans stored before migration 0008 are copied once, later ones arrive through the view', async () => {
  const storage = await openTestStorage(loadMigrations().filter((m) => m.version < 8));
  const span = (trace: string, span: string, start: string, extra: Record<string, unknown> = {}) => ({
    project_id: 'p',
    trace_id: trace.repeat(32),
    span_id: span.repeat(16),
    name: `n-${span}`,
    start_time: start,
    end_time: start,
    ...extra,
  });
  // A day ago (the tables' TTL drops older rows), on an hour boundary.
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000;
  const at = (ms: number) => new Date(hour + ms).toISOString().replace('T', ' ').replace('Z', '000000');
  const totals = async () => {
    const rs = await storage.client.query({
      query: `SELECT trace_id, sum(spans) AS n, toFloat64(sum(cost_sum)) AS cost, sum(errors) AS errors, tupleElement(min(root), 3) AS root,
                arraySort(groupUniqArrayArray(models)) AS models, max(user_id) AS user FROM trace_totals GROUP BY trace_id ORDER BY trace_id`,
      format: 'JSONEachRow',
    });
    return (await rs.json<{ trace_id: string; n: string; cost: number; errors: string; root: string; models: string[]; user: string }>()).map((r) => ({
      trace: r.trace_id[0],
      n: Number(r.n),
      cost: r.cost,
      errors: Number(r.errors),
      root: r.root,
      models: r.models,
      user: r.user,
    }));
  };
  try {
    await storage.insertRows('spans', [
      span('a', '1', at(-60_000), { parent_span_id: 'f'.repeat(16), model: 'gpt-4o', cost_usd: 0.25, user_id: 'u1' }),
      // The root starts later than its child and in the next hour: the name is still the root's.
      span('a', '2', at(1_000), { cost_usd: 0.5, status: 'error' }),
    ]);
    await migrate(storage);
    assert.deepEqual(await totals(), [{ trace: 'a', n: 2, cost: 0.75, errors: 1, root: 'n-2', models: ['gpt-4o'], user: 'u1' }]);
    await migrate(storage);
    await storage.insertRows('spans', [span('a', '3', at(2_000), { parent_span_id: '2'.repeat(16), model: 'claude', cost_usd: 0.125 }), span('b', '4', at(3_600_000))]);
    assert.deepEqual(await totals(), [
      { trace: 'a', n: 3, cost: 0.875, errors: 1, root: 'n-2', models: ['claude', 'gpt-4o'], user: 'u1' },
      { trace: 'b', n: 1, cost: 0, errors: 0, root: 'n-4', models: [], user: '' },
    ]);
  } finally {
    await storage.destroy();
  }
});

test('trace items: spans and scores stored before migration 0010 are copied once, later ones arrive through the views', async () => {
  const storage = await openTestStorage(loadMigrations().filter((m) => m.version < 10));
  const at = new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace('Z', '000000');
  const span = (trace: string, span: string, extra: Record<string, unknown> = {}) => ({
    project_id: 'p',
    trace_id: trace.repeat(32),
    span_id: span.repeat(16),
    name: `n-${span}`,
    start_time: at,
    end_time: at,
    ...extra,
  });
  const score = (trace: string, id: string) => ({ project_id: 'p', id, trace_id: trace.repeat(32), name: 'helpful', value: 1, created_at: at.slice(0, 23) });
  const items = async () => {
    const rs = await storage.client.query({
      query: "SELECT item, item_id, JSONExtractString(doc, 'name') AS name, JSONExtractFloat(doc, 'cost_usd') AS cost FROM trace_items ORDER BY item, item_id",
      format: 'JSONEachRow',
    });
    return (await rs.json<{ item: string; item_id: string; name: string; cost: number }>()).map((r) => `${r.item} ${r.item_id.slice(0, 2)} ${r.name} ${r.cost}`);
  };
  try {
    await storage.insertRows('spans', [span('a', '1', { cost_usd: 0.25 }), span('a', '2')]);
    await storage.insertRows('feedback', [score('a', 's1')]);
    await migrate(storage);
    assert.deepEqual(await items(), ['span 11 n-1 0.25', 'span 22 n-2 0', 'feedback s1 helpful 0']);
    await migrate(storage);
    await storage.insertRows('spans', [span('b', '3', { cost_usd: 0.5 })]);
    await storage.insertRows('feedback', [score('b', 's2')]);
    assert.deepEqual(await items(), ['span 11 n-1 0.25', 'span 22 n-2 0', 'span 33 n-3 0.5', 'feedback s1 helpful 0', 'feedback s2 helpful 0']);
    const rs = await storage.client.query({ query: "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name LIKE 'trace_index%'", format: 'JSONEachRow' });
    assert.equal(Number((await rs.json<{ n: string }>())[0]!.n), 0);
  } finally {
    await storage.destroy();
  }
});
