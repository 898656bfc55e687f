// The one-process server killed with SIGKILL and started again on the same data directory:
// what a 200 promised must hold (the local log is the promise), with no help from outside.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@spanlens/clickhouse';
import { spawnSpanlens, traceRequest, type SpanlensProcess } from './helpers/process.ts';

const KEY = 'sl_crash_test_key_0123456789ab';
const SPANS = 40;

function env(dataDir: string): Record<string, string> {
  return {
    SPANLENS_DATA_DIR: dataDir,
    SPANLENS_INIT_API_KEY: KEY,
    SPANLENS_OTLP_HTTP_PORT: '0',
    SPANLENS_OTLP_GRPC_PORT: '0',
    SPANLENS_API_PORT: '0',
    SPANLENS_ALERTS: 'off',
    SPANLENS_INGEST_RATE_LIMIT: '0',
    SPANLENS_LOG_LEVEL: 'warn',
    KAFKA_BROKERS: '',
  };
}

const otlpUrl = (p: SpanlensProcess) => /OTLP\/HTTP on (\S+)/.exec(p.output())![1]!;

async function send(url: string): Promise<{ traceId: string; status: number | 'no answer' }> {
  const { body, traceId } = traceRequest(SPANS);
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${KEY}` }, body: new Uint8Array(body) });
    await res.arrayBuffer();
    return { traceId, status: res.status };
  } catch {
    return { traceId, status: 'no answer' };
  }
}

/** Restarts on the directory, waits until the log is written out, stops, and reads what is stored. */
async function restartAndRead(dataDir: string) {
  const p = spawnSpanlens(['start'], env(dataDir));
  await p.ready;
  const metrics = otlpUrl(p).replace('/v1/traces', '/metrics');
  for (;;) {
    const text = await (await fetch(metrics)).text();
    if (/^spanlens_export_queue_spans 0$/m.test(text)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = otlpUrl(p);
  const after = await send(url);
  p.child.kill('SIGTERM');
  await p.exited;
  const storage = openStorage({ dataDir });
  try {
    const perTrace = new Map(
      (await (await storage.client.query({ query: 'SELECT trace_id, count() AS n FROM spans GROUP BY trace_id', format: 'JSONEachRow' })).json<{ trace_id: string; n: string }>()).map((r) => [
        r.trace_id,
        Number(r.n),
      ]),
    );
    const [totals] = await (
      await storage.client.query({
        query: `SELECT (SELECT count() FROM spans) AS spans, (SELECT sum(spans) FROM spans_1m) AS spans_1m, (SELECT sum(spans) FROM spans_1h) AS spans_1h,
        (SELECT sum(spans) FROM trace_totals) AS trace_totals, (SELECT count() FROM trace_items WHERE item = 'span') AS trace_items`,
        format: 'JSONEachRow',
      })
    ).json<Record<string, string>>();
    return { output: p.output(), after, perTrace, totals: Object.fromEntries(Object.entries(totals!).map(([k, v]) => [k, Number(v)])) };
  } finally {
    await storage.close();
  }
}

test('kill -9 under load, then a restart on the same data directory: every acknowledged span stored exactly once, in spans and every rollup; nothing refused stored', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-crash-'));
  const p = spawnSpanlens(['start'], env(dataDir));
  try {
    await p.ready;
    const url = otlpUrl(p);
    const sent: Array<{ traceId: string; status: number | 'no answer' }> = [];
    let killed = false;
    const loops = Array.from({ length: 6 }, async () => {
      while (!killed) sent.push(await send(url));
    });
    await new Promise((r) => setTimeout(r, 3000));
    killed = true;
    p.child.kill('SIGKILL');
    await p.exited;
    await Promise.all(loops);
    const acked = sent.filter((s) => s.status === 200);
    const unanswered = sent.filter((s) => s.status === 'no answer');
    const refused = sent.filter((s) => s.status !== 200 && s.status !== 'no answer');
    assert.ok(acked.length >= 20, `${acked.length} acknowledged requests before the kill`);

    const r = await restartAndRead(dataDir);
    for (const s of acked) assert.equal(r.perTrace.get(s.traceId), SPANS, `acknowledged trace ${s.traceId}`);
    for (const s of refused) assert.equal(r.perTrace.get(s.traceId), undefined, `refused trace ${s.traceId} (${s.status})`);
    // A request the kill cut off is in the log whole or not at all.
    for (const s of unanswered) assert.ok([undefined, SPANS].includes(r.perTrace.get(s.traceId)), `unanswered trace ${s.traceId}`);
    assert.equal(r.after.status, 200);
    assert.equal(r.perTrace.get(r.after.traceId), SPANS);
    const stored = [...r.perTrace.values()].reduce((a, b) => a + b, 0);
    assert.deepEqual(r.totals, { spans: stored, spans_1m: stored, spans_1h: stored, trace_totals: stored, trace_items: stored });
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a torn last record (killed inside a write) is cut and reported at the restart; every acknowledged span is still stored', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-torn-'));
  // The writer waits 3 s to fill a batch, so the acknowledged records are still in the log when the process dies.
  const p = spawnSpanlens(['start'], { ...env(dataDir), SPANLENS_BATCH_MAX_DELAY_MS: '3000' });
  try {
    await p.ready;
    const acked = [];
    for (let i = 0; i < 5; i++) acked.push(await send(otlpUrl(p)));
    assert.deepEqual(
      acked.map((a) => a.status),
      [200, 200, 200, 200, 200],
    );
    p.child.kill('SIGKILL');
    await p.exited;
    const logDir = join(dataDir, 'ingest-log');
    const last = readdirSync(logDir)
      .filter((n) => n.endsWith('.log'))
      .sort()
      .at(-1)!;
    // What a write cut short leaves: a record header promising 4,000 bytes, and 100 of them.
    const torn = Buffer.alloc(108, 0x5a);
    torn.writeUInt32LE(4000, 0);
    appendFileSync(join(logDir, last), torn);

    const r = await restartAndRead(dataDir);
    assert.match(r.output, /spanlens: log: torn record after offset 5 in .*\(the file ends inside the record\): cut 108 bytes at byte \d+; the 5 records before it are intact/);
    for (const a of acked) assert.equal(r.perTrace.get(a.traceId), SPANS);
    assert.equal(r.perTrace.get(r.after.traceId), SPANS);
    assert.deepEqual(r.totals, { spans: 6 * SPANS, spans_1m: 6 * SPANS, spans_1h: 6 * SPANS, trace_totals: 6 * SPANS, trace_items: 6 * SPANS });
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
