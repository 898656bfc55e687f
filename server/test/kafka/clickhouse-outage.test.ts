import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../../collector/src/otlp/proto.ts';
import { startTestSpanlens } from '../helpers/spanlens.ts';
import { isolatedKafkaEnv, waitFor } from './helpers.ts';

function request(spans: number): Uint8Array {
  const now = BigInt(Date.now()) * 1_000_000n;
  const list = Array.from({ length: spans }, () => ({
    traceId: randomBytes(16),
    spanId: randomBytes(8),
    name: 'chat',
    kind: 3,
    startTimeUnixNano: now,
    endTimeUnixNano: now + 1_000_000n,
    attributes: [{ key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } }],
  }));
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: list }] }] })).finish();
}

test('ClickHouse refusing inserts for 30 s while load continues: the backlog waits in Kafka, then drains, counts exact', async () => {
  const sl = await startTestSpanlens(isolatedKafkaEnv());
  const ch = sl.app.storage.client;
  const counts = async () => {
    const rs = await ch.query({ query: 'SELECT (SELECT count() FROM spans FINAL) AS spans, (SELECT sum(spans) FROM spans_1m) AS rollup', format: 'JSONEachRow' });
    const [r] = await rs.json<Record<string, number | string>>();
    return { spans: Number(r!.spans), rollup: Number(r!.rollup) };
  };
  const post = async (n: number) => {
    const res = await fetch(`${sl.httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${sl.key}` }, body: new Uint8Array(request(n)) });
    await res.arrayBuffer();
    return res.status;
  };
  try {
    assert.equal(await post(10), 200);
    await waitFor('first spans stored', async () => ((await counts()).spans === 10 ? true : undefined));
    // The outage: ClickHouse's own overload guard (TOO_MANY_PARTS) refuses every insert.
    await ch.command({ query: 'SYSTEM STOP MERGES spans' });
    await ch.command({ query: 'ALTER TABLE spans MODIFY SETTING parts_to_throw_insert = 1' });
    const outageStart = Date.now();
    let sent = 0;
    while (Date.now() - outageStart < 30_000) {
      assert.equal(await post(50), 200);
      sent += 50;
      await new Promise((r) => setTimeout(r, 100));
    }
    const during = await counts();
    const lag = await sl.app.collector.writer!.lag();
    assert.equal(during.spans, 10, 'nothing can be inserted during the outage');
    assert.ok(lag >= sent - 100, `backlog ${lag} of ${sent} sent`);
    assert.ok(sl.app.collector.writer!.stats.insertRetries > 0);
    await ch.command({ query: 'ALTER TABLE spans RESET SETTING parts_to_throw_insert' });
    await ch.command({ query: 'SYSTEM START MERGES spans' });
    const recoveryStart = Date.now();
    await waitFor('backlog drained', async () => ((await counts()).spans === 10 + sent ? true : undefined), 120_000);
    const drainMs = Date.now() - recoveryStart;
    const after = await counts();
    assert.deepEqual(after, { spans: 10 + sent, rollup: 10 + sent });
    assert.equal(sl.app.collector.writer!.stats.deadLettered, 0);
    console.log(`outage: ${sent} spans acknowledged during 30 s of refused inserts; backlog drained in ${drainMs} ms`);
  } finally {
    await sl.close();
  }
});
