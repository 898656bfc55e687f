import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@spanlens/clickhouse';
import { spawnSpanlens, traceRequest } from '../helpers/process.ts';
import { isolatedKafkaEnv, kafkaClient, waitFor } from './helpers.ts';

const KEY = 'sl_kafka_crash_key_0123456789';
const request = (spans: number) => traceRequest(spans).body;

test('kill -9 of the writer mid-stream, restart: every acknowledged span is stored exactly once', async () => {
  const env: Record<string, string> = { ...isolatedKafkaEnv(), SPANLENS_INIT_API_KEY: KEY, SPANLENS_OTLP_HTTP_PORT: '0', SPANLENS_OTLP_GRPC_PORT: '0' };
  const ingestDir = mkdtempSync(join(tmpdir(), 'spanlens-ingest-'));
  const writerDir = mkdtempSync(join(tmpdir(), 'spanlens-writer-'));
  const ingest = spawnSpanlens(['collector', '--mode', 'ingest'], { ...env, SPANLENS_DATA_DIR: ingestDir });
  let writer = spawnSpanlens(['collector', '--mode', 'write'], { ...env, SPANLENS_DATA_DIR: writerDir });
  try {
    await Promise.all([ingest.ready, writer.ready]);
    const url = /OTLP\/HTTP on (\S+)/.exec(ingest.output())![1]!;
    let acknowledged = 0;
    const send = async (n: number) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${KEY}` }, body: new Uint8Array(request(n)) });
      await res.arrayBuffer();
      if (res.status === 200) acknowledged += n;
    };
    // Load runs while the writer is killed and restarted.
    const load = (async () => {
      for (let i = 0; i < 60; i++) await send(100);
    })();
    await new Promise((r) => setTimeout(r, 1500));
    writer.child.kill('SIGKILL');
    await new Promise((r) => writer.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    writer = spawnSpanlens(['collector', '--mode', 'write'], { ...env, SPANLENS_DATA_DIR: writerDir });
    await writer.ready;
    await load;
    assert.equal(acknowledged, 6000);
    // Wait until the writers' group has consumed everything, then stop the writer and count.
    const admin = kafkaClient().admin();
    await admin.connect();
    await waitFor(
      'writer caught up',
      async () => {
        const topic = `${env.SPANLENS_KAFKA_TOPIC_PREFIX}spans`;
        const [latest, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: env.SPANLENS_KAFKA_GROUP!, topics: [topic] })]);
        const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        return latest.every((p) => Number(p.high) === (done.get(p.partition) ?? -1)) ? true : undefined;
      },
      60_000,
    );
    await admin.disconnect();
    writer.child.kill('SIGTERM');
    await new Promise((r) => writer.child.once('exit', r));
    const storage = openStorage({ dataDir: writerDir });
    const rs = await storage.client.query({
      query: 'SELECT (SELECT count() FROM spans) AS physical, (SELECT count() FROM spans FINAL) AS spans, (SELECT sum(spans) FROM spans_1m) AS rollup',
      format: 'JSONEachRow',
    });
    const [r] = await rs.json<Record<string, number | string>>();
    await storage.close();
    assert.deepEqual({ spans: Number(r!.spans), rollup: Number(r!.rollup) }, { spans: 6000, rollup: 6000 });
  } finally {
    ingest.child.kill('SIGTERM');
    if (writer.child.exitCode === null) writer.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(ingestDir, { recursive: true, force: true });
    rmSync(writerDir, { recursive: true, force: true });
  }
});
