import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStorage } from '../src/testing.ts';
import { formatDateTime64 } from '../src/rows.ts';

// What the Kafka writers' crash replay relies on: the same rows with the same token are
// dropped where ClickHouse has them and written where it lacks them (the rollup).
test('a batch replayed with its token refills a rollup the first insert did not reach, and counts nothing twice', async () => {
  const storage = await openTestStorage();
  try {
    const start = formatDateTime64(BigInt(Date.now()) * 1_000_000n);
    const rows = Array.from({ length: 50 }, (_, i) => ({
      project_id: 'p',
      trace_id: (i + 1).toString(16).padStart(32, '0'),
      span_id: (i + 1).toString(16).padStart(16, '0'),
      name: 'op',
      kind: 'llm',
      start_time: start,
      end_time: start,
      total_tokens: 2,
    }));
    const totals = async () => {
      const rs = await storage.client.query({
        query:
          'SELECT (SELECT count() FROM spans) AS spans, (SELECT sum(spans) FROM spans_1m) AS rollup, (SELECT sum(total_tokens) FROM spans_1m) AS tokens, (SELECT sum(spans) FROM spans_1h) AS hourly, (SELECT count() FROM trace_items) AS items',
        format: 'JSONEachRow',
      });
      const [r] = await rs.json<Record<string, number | string>>();
      return { spans: Number(r!.spans), rollup: Number(r!.rollup), tokens: Number(r!.tokens), hourly: Number(r!.hourly), items: Number(r!.items) };
    };
    await storage.insertRows('spans', rows, { dedupToken: 'batch-7' });
    // The crash: spans written, the rollup's part lost.
    await storage.client.command({ query: 'TRUNCATE TABLE spans_1m' });
    assert.deepEqual(await totals(), { spans: 50, rollup: 0, tokens: 0, hourly: 50, items: 50 });
    await storage.insertRows('spans', rows, { dedupToken: 'batch-7' });
    assert.deepEqual(await totals(), { spans: 50, rollup: 50, tokens: 100, hourly: 50, items: 50 });
    await storage.insertRows('spans', rows, { dedupToken: 'batch-7' });
    assert.deepEqual(await totals(), { spans: 50, rollup: 50, tokens: 100, hourly: 50, items: 50 });
  } finally {
    await storage.destroy();
  }
});
