import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanRow, Storage } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { ClickHouseExporter } from '../../src/exporters/clickhouse.ts';
import { QueueFullError } from '../../src/exporters/exporter.ts';
import { spansV2 } from '../../src/kafka/records.ts';
import { dropStoredSpans } from '../../src/exporters/span-dedup.ts';
import { toSpanRow } from '../../src/processors/normalize.ts';

type TestStorage = Awaited<ReturnType<typeof openTestStorage>>;

let seq = 0;
function rows(n: number, project = 'p1'): SpanRow[] {
  const startNs = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: n }, () => {
    seq++;
    return toSpanRow(project, {
      traceId: seq.toString(16).padStart(32, '0'), spanId: seq.toString(16).padStart(16, '0'), parentSpanId: '',
      name: 'chat', otelKind: 3, startNs, endNs: startNs + 2_000_000n,
      attributes: {}, events: [], statusCode: 0, statusMessage: '', resource: { 'service.name': 'svc' }, scopeName: '',
    }, { kind: 'llm', model: 'm', inputTokens: 10, outputTokens: 5 });
  });
}

/** Per project, so one test's repeats (merged away in the background) do not move another's counts. */
async function totals(storage: Storage, project: string): Promise<{ spans: number; rollupSpans: number; rollupTokens: number; hourlySpans: number }> {
  // Rollups never merge rows away, so they show every insert that reached them.
  const rs = await storage.client.query({
    query: `SELECT (SELECT count() FROM spans FINAL WHERE project_id = {p:String}) AS spans,
                   (SELECT sum(spans) FROM spans_1m WHERE project_id = {p:String}) AS rollupSpans,
                   (SELECT sum(total_tokens) FROM spans_1m WHERE project_id = {p:String}) AS rollupTokens,
                   (SELECT sum(spans) FROM spans_1h WHERE project_id = {p:String}) AS hourlySpans`,
    query_params: { p: project },
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<Record<string, number | string>>();
  return { spans: Number(r!.spans), rollupSpans: Number(r!.rollupSpans), rollupTokens: Number(r!.rollupTokens), hourlySpans: Number(r!.hourlySpans) };
}

describe('ClickHouse exporter', () => {
  let storage: TestStorage;
  before(async () => { storage = await openTestStorage(); });
  after(async () => { await storage.destroy(); });

  test('a batch delivered twice with its token is counted once in spans and rollups', async () => {
    const start = await totals(storage, 't1');
    const batch = rows(100, 't1');
    await storage.insertRows('spans', batch, { dedupToken: 'batch-1' });
    await storage.insertRows('spans', batch, { dedupToken: 'batch-1' });
    const end = await totals(storage, 't1');
    assert.deepEqual(
      { spans: end.spans - start.spans, rollupSpans: end.rollupSpans - start.rollupSpans, rollupTokens: end.rollupTokens - start.rollupTokens, hourlySpans: end.hourlySpans - start.hourlySpans },
      { spans: 100, rollupSpans: 100, rollupTokens: 1500, hourlySpans: 100 },
    );
    // Without the token the same rows would count twice: the guard above is what prevents it.
    const other = rows(10, 't1');
    await storage.insertRows('spans', other);
    await storage.insertRows('spans', other);
    assert.equal((await totals(storage, 't1')).rollupSpans - end.rollupSpans, 20);
  });

  test('an insert that succeeded but reported failure is retried without double counting', async () => {
    let calls = 0;
    const flaky: Storage = {
      ...storage,
      async insertCompact(table, c, body, options) {
        await storage.insertCompact(table, c, body, options);
        if (++calls === 1) throw new Error('connection reset after commit');
      },
    };
    const exporter = new ClickHouseExporter<SpanRow>(flaky, { format: spansV2, maxDelayMs: 1, retryDelayMs: 1 });
    const start = await totals(storage, 't2');
    await exporter.export(rows(40, 't2'));
    await exporter.shutdown();
    const end = await totals(storage, 't2');
    assert.equal(calls, 2);
    assert.equal(end.spans - start.spans, 40);
    assert.equal(end.rollupSpans - start.rollupSpans, 40);
  });

  test('a span re-sent in a later batch is dropped before it reaches the rollups', async () => {
    const exporter = new ClickHouseExporter<SpanRow>(storage, {
      format: spansV2, maxDelayMs: 1, prepare: (r) => dropStoredSpans(storage, r),
    });
    const first = rows(30, 't3');
    const start = await totals(storage, 't3');
    await exporter.export(first);
    await exporter.export([...first.slice(0, 10), ...rows(5, 't3')]); // 10 repeats + 5 new
    await Promise.all([exporter.export(first.slice(20)), exporter.export(first.slice(20))]); // repeats racing in one batch
    await exporter.shutdown();
    const end = await totals(storage, 't3');
    assert.equal(end.spans - start.spans, 35);
    assert.equal(end.rollupSpans - start.rollupSpans, 35);
  });

  test('the same span id in another project is not a repeat', async () => {
    const a = rows(1, 'project-a');
    const b = a.map((r) => ({ ...r, project_id: 'project-b' }));
    await storage.insertRows('spans', a);
    assert.equal((await dropStoredSpans(storage, b)).length, 1);
    assert.equal((await dropStoredSpans(storage, a)).length, 0);
  });

  test('batches by size: one insert for many small exports', async () => {
    let inserts = 0;
    const counting: Storage = { ...storage, async insertCompact(t, c, b, o) { inserts++; await storage.insertCompact(t, c, b, o); } };
    const exporter = new ClickHouseExporter<SpanRow>(counting, { format: spansV2, maxDelayMs: 1000, maxBatchRows: 100 });
    await Promise.all(Array.from({ length: 50 }, () => exporter.export(rows(2))));
    assert.equal(inserts, 1);
    await exporter.shutdown();
  });

  test('a full queue rejects with QueueFullError and accepts again once drained', async () => {
    const exporter = new ClickHouseExporter<SpanRow>(storage, { format: spansV2, maxDelayMs: 1, maxQueueRows: 20 });
    const ok = exporter.export(rows(15));
    await assert.rejects(exporter.export(rows(10)), QueueFullError);
    await ok;
    await exporter.export(rows(10));
    await exporter.shutdown();
    assert.equal(exporter.backlog, 0);
  });

  for (const [why, bad, trace] of [
    ['an unparsable time', { start_time: 'not a time' }, 't4'],
    ['a time past DateTime64\'s range (DECIMAL_OVERFLOW)', { end_time: '2539-02-02 11:54:58.785000000' }, 't5'],
  ] as const) {
    test(`a row the engine refuses (${why}) fails only its own request, not the others in its batch`, async () => {
      const exporter = new ClickHouseExporter<SpanRow>(storage, { format: spansV2, maxDelayMs: 20, attempts: 1 });
      const good = rows(5, trace);
      const refused = [{ ...rows(1, trace)[0]!, ...bad }];
      const more = rows(3, trace);
      const results = await Promise.allSettled([exporter.export(good), exporter.export(refused), exporter.export(more)]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal((await totals(storage, trace)).spans, 8);
      await exporter.shutdown();
    });
  }

  test('a storage that keeps failing fails the export after its attempts', async () => {
    let attempts = 0;
    const down: Storage = { ...storage, async insertCompact() { attempts++; throw new Error('down'); } };
    const exporter = new ClickHouseExporter<SpanRow>(down, { format: spansV2, maxDelayMs: 1, attempts: 3, retryDelayMs: 1 });
    await assert.rejects(exporter.export(rows(1)), (err: Error) => err.message === 'storage write failed' && (err.cause as Error).message === 'down');
    assert.equal(attempts, 3);
    assert.equal(exporter.backlog, 0);
  });
});
