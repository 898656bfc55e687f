import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLog } from '../../src/log/local-log.ts';
import { encodeBody, spansV2 } from '../../src/kafka/records.ts';
import { toRecord } from '../../src/processors/normalize.ts';
import { spanKeys } from '../../src/span-key.ts';
import { startTestCollector } from '../helpers/collector.ts';
import { makeSpan } from '../helpers/span.ts';

function jsonSpans(traceId: string, n: number, from = 1): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId,
    spanId: (from + i).toString(16).padStart(16, '0'),
    name: 'op',
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
}

type C = Awaited<ReturnType<typeof startTestCollector>>;
const post = (c: C, body: string) => fetch(c.httpUrl + '/v1/traces', { method: 'POST', headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' }, body });

/** Every table a span is counted in, without FINAL: a row written twice shows. */
async function counts(c: C) {
  const [row] = await c.query<Record<string, string>>(`SELECT
    (SELECT count() FROM spans) AS spans, (SELECT sum(spans) FROM spans_1m) AS spans_1m, (SELECT sum(spans) FROM spans_1h) AS spans_1h,
    (SELECT sum(spans) FROM trace_totals) AS trace_totals, (SELECT count() FROM trace_items WHERE item = 'span') AS trace_items`);
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}
const all = (n: number) => ({ spans: n, spans_1m: n, spans_1h: n, trace_totals: n, trace_items: n });

describe('the writer', () => {
  test('spans sent again, in one batch or a later one, are stored and counted once in every rollup', async () => {
    const c = await startTestCollector({ maxBatchDelayMs: 50 });
    try {
      const a = jsonSpans('a1'.repeat(16), 20);
      // Three copies land in one batch (the writer waits 50 ms for it to fill), a fourth later.
      assert.deepEqual(await Promise.all([post(c, a), post(c, a), post(c, jsonSpans('a1'.repeat(16), 10, 15))]).then((r) => r.map((x) => x.status)), [200, 200, 200]);
      assert.deepEqual(await counts(c), all(24));
      assert.equal((await post(c, a)).status, 200);
      assert.deepEqual(await counts(c), all(24));
      assert.equal(c.collector.writer!.stats.repeatsDropped, 20 + 6 + 20);
      // Only the repeats across batches needed a lookup: the filter ruled out every new span.
      assert.equal(c.collector.writer!.repeat.stats.lookedUp, 20);
    } finally {
      await c.close();
    }
  });

  test('rows ClickHouse can never take go to dead-letter.jsonl with the reason; the rest of their record is stored', async () => {
    // Now, not the fixture's fixed date: the spans table's TTL would drop a row two years old.
    const now = BigInt(Date.now()) * 1_000_000n;
    const rows = Array.from({ length: 4 }, (_, i) => toRecord('p1', makeSpan({}, { spanId: `${i}`.padStart(16, 'c'), startNs: now, endNs: now + 1000n })).row);
    const good = encodeBody(spansV2, rows).toString().split('\n').filter(Boolean);
    const bad = '["p1","not-a-valid-row"]';
    const c = await startTestCollector({
      beforeStart: async (dir) => {
        const log = await LocalLog.open(dir, { maxBytes: 1 << 20 });
        await log.append({ format: spansV2.name, rows: 5, keys: new BigUint64Array([...spanKeys(rows), 0n]), body: Buffer.from([good[0], good[1], bad, good[2], good[3]].join('\n') + '\n') });
        await log.append({ format: 'spans.v9', rows: 1, keys: new BigUint64Array(0), body: Buffer.from('[]\n') });
        await log.close();
      },
    });
    try {
      assert.equal(await c.count(), 4);
      const dead = readFileSync(join(c.logDir, 'dead-letter.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { offset: string; format: string; reason: string; row: string })
        .sort((a, b) => Number(a.offset) - Number(b.offset));
      assert.deepEqual(
        dead.map((d) => [d.offset, d.row]),
        [
          ['0', bad],
          ['1', '[]'],
        ],
      );
      assert.match(dead[0]!.reason, /^ClickHouse refused the row as spans \(code \d+.*\): not a valid spans.v2 record$/);
      assert.equal(dead[1]!.reason, "unknown record format 'spans.v9'");
      assert.equal(c.collector.writer!.stats.deadLettered, 2);
    } finally {
      await c.close();
    }
  });

  test('ClickHouse refusing inserts for 30 s: ingest keeps answering 200 from the log, then the backlog drains; counts exact', async () => {
    const c = await startTestCollector({ maxBatchDelayMs: 5 });
    try {
      assert.equal((await post(c, jsonSpans('b0'.repeat(16), 5))).status, 200);
      assert.deepEqual(await counts(c), all(5));
      // The spans table goes away: every insert fails (UNKNOWN_TABLE), as during a re-attach or a lost disk.
      await c.storage.client.command({ query: 'DETACH TABLE spans' });
      const statuses: number[] = [];
      const t0 = Date.now();
      for (let i = 0; Date.now() - t0 < 30_000; i++) {
        statuses.push((await post(c, jsonSpans(`${(1 + (i % 255)).toString(16).padStart(2, '0')}`.repeat(16), 10, 1 + Math.floor(i / 255) * 10))).status);
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(statuses.length >= 100, `${statuses.length} requests`);
      assert.deepEqual([...new Set(statuses)], [200]);
      assert.ok(c.collector.writer!.stats.insertRetries > 0);
      assert.ok(c.collector.backlog() > 0, 'the backlog waits in the log');
      await c.storage.client.command({ query: 'ATTACH TABLE spans' });
      assert.deepEqual(await counts(c), all(5 + statuses.length * 10));
    } finally {
      await c.close();
    }
  });

  test('disk budget exhausted while ClickHouse is down: 503 with Retry-After, nothing acknowledged lost, ingest recovers by itself', async () => {
    const c = await startTestCollector({ maxBatchDelayMs: 5, logMaxBytes: 32 * 1024 });
    try {
      await c.storage.client.command({ query: 'DETACH TABLE spans' });
      let acked = 0;
      const refusals: Array<{ status: number; retryAfter: string | null }> = [];
      for (let i = 1; refusals.length < 3; i++) {
        assert.ok(i < 500, 'the log never filled');
        const res = await post(c, jsonSpans(i.toString(16).padStart(32, '0'), 10));
        if (res.status === 200) acked += 10;
        else refusals.push({ status: res.status, retryAfter: res.headers.get('retry-after') });
        await res.arrayBuffer();
      }
      assert.ok(acked > 0);
      assert.deepEqual(refusals, Array(3).fill({ status: 503, retryAfter: '1' }));
      await c.storage.client.command({ query: 'ATTACH TABLE spans' });
      // The writer catches up and gives the space back; the next request is taken without help.
      await c.collector.flush();
      assert.equal((await post(c, jsonSpans('f'.repeat(32), 10))).status, 200);
      assert.deepEqual(await counts(c), all(acked + 10));
    } finally {
      await c.close();
    }
  });
});
