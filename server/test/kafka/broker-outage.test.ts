import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../../collector/src/otlp/proto.ts';
import { startTestSpanlens } from '../helpers/spanlens.ts';
import { isolatedKafkaEnv, waitFor } from './helpers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** A broker of this test's own (other files keep theirs), sharing the fetched jars. */
function broker(home: string, command: 'start' | 'stop', keepData = false): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/kafka-local.sh'), command], {
    env: { ...process.env, KAFKA_LOCAL_HOME: home, KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093', KAFKA_KEEP_DATA: keepData ? '1' : '0' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 0, `kafka-local.sh ${command}: ${r.stdout}${r.stderr}`);
}

function request(spans: number): Uint8Array<ArrayBuffer> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const list = Array.from({ length: spans }, () => ({
    traceId: randomBytes(16),
    spanId: randomBytes(8),
    name: 'op',
    kind: 1,
    startTimeUnixNano: now,
    endTimeUnixNano: now + 1_000_000n,
  }));
  return new Uint8Array(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: list }] }] })).finish());
}

test('broker stopped: ingest answers 503 with Retry-After; once it is back, retried requests land exactly once', async () => {
  const home = mkdtempSync(join(tmpdir(), 'spanlens-kafka2-'));
  mkdirSync(home, { recursive: true });
  symlinkSync(join(ROOT, '.kafka-local', 'libs'), join(home, 'libs'));
  broker(home, 'start');
  // A start that fails must not leave this test's broker running on its port.
  const sl = await startTestSpanlens({ ...isolatedKafkaEnv(), KAFKA_BROKERS: '127.0.0.1:19092' }).catch((err: unknown) => {
    broker(home, 'stop');
    rmSync(home, { recursive: true, force: true });
    throw err;
  });
  const count = async () => {
    const rs = await sl.app.storage.client.query({ query: 'SELECT (SELECT count() FROM spans FINAL) AS n, (SELECT sum(spans) FROM spans_1m) AS r', format: 'JSONEachRow' });
    const [row] = await rs.json<Record<string, number | string>>();
    return { spans: Number(row!.n), rollup: Number(row!.r) };
  };
  // What an OTLP exporter does: resend the same body after Retry-After until it is accepted.
  const deliver = async (body: Uint8Array<ArrayBuffer>, statuses: number[]) => {
    for (;;) {
      const res = await fetch(`${sl.httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${sl.key}` }, body });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 200) return;
      assert.equal(res.status, 503);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  try {
    const statuses: number[] = [];
    await deliver(request(20), statuses);
    broker(home, 'stop');
    const started = Date.now();
    const inFlight = Promise.all([deliver(request(30), statuses), deliver(request(50), statuses)]);
    await waitFor('a 503 while the broker is down', async () => (statuses.includes(503) ? true : undefined), 30_000);
    const first503 = Date.now() - started;
    broker(home, 'start', true);
    await inFlight;
    await waitFor('all spans stored', async () => ((await count()).spans === 100 ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 1000)); // nothing more may arrive
    assert.deepEqual(await count(), { spans: 100, rollup: 100 });
    console.log(`broker outage: first 503 after ${first503} ms; ${statuses.filter((s) => s === 503).length} answers were 503`);
  } finally {
    await sl.close();
    broker(home, 'stop');
    rmSync(home, { recursive: true, force: true });
  }
});
