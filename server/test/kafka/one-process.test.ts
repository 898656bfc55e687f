import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { at, baseTime, llmTrace } from '../../../collector/test/helpers/fixtures.ts';
import { exportSpans, makeExporter, recordSpans } from '../../../collector/test/helpers/otel.ts';
import { startTestSpanlens } from '../helpers/spanlens.ts';
import { isolatedKafkaEnv, kafkaClient, waitFor } from './helpers.ts';
import { assertStoredMasked, enableRedaction, sendSecrets, SECRETS } from '../helpers/redaction.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

async function counts(sl: Spanlens): Promise<{ spans: number; rollup: number }> {
  const rs = await sl.app.storage.client.query({
    query: `SELECT (SELECT count() FROM spans FINAL) AS spans, (SELECT sum(spans) FROM spans_1m) AS rollup`,
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ spans: number | string; rollup: number | string }>();
  return { spans: Number(r!.spans), rollup: Number(r!.rollup) };
}

describe('npm start with KAFKA_BROKERS: OTLP -> Kafka -> writer -> ClickHouse, on a real broker', () => {
  let sl: Spanlens;
  let env: Record<string, string>;
  before(async () => {
    env = isolatedKafkaEnv();
    sl = await startTestSpanlens(env);
  });
  after(async () => {
    await sl.close();
  });

  test('spans exported by the real OTLP exporter arrive through Kafka with every field', async () => {
    const base = baseTime();
    const spans = recordSpans((t) => llmTrace(t, base), { 'service.name': 'via-kafka' });
    const outcome = await exportSpans(makeExporter('http/protobuf', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans);
    assert.equal(outcome.code, 0, outcome.error?.message);
    const traceId = spans[0]!.spanContext().traceId;
    const body = await waitFor('trace via Kafka', async () => {
      const r = await sl.get(`/api/v1/traces/${traceId}`);
      return r.status === 200 && r.body.spans.length === 3 ? r.body : undefined;
    });
    const llm = body.spans.find((s: { name: string }) => s.name === 'chat gpt-4o-mini');
    assert.deepEqual(
      [llm.kind, llm.model, llm.provider, llm.inputTokens, llm.outputTokens, llm.cachedTokens, llm.service, llm.finishReason, llm.durationMs],
      ['llm', 'gpt-4o-mini-2024-07-18', 'openai', 1200, 300, 200, 'via-kafka', 'stop', 1500],
    );
    assert.equal(llm.startTime, new Date(at(base, 10)[0] * 1000).toISOString().slice(0, 19) + '.' + String(at(base, 10)[1]).padStart(9, '0') + 'Z');
    assert.ok(llm.costUsd > 0);
  });

  test('a request delivered twice is counted once in spans and rollups; feedback takes its own topic', async () => {
    const before = await counts(sl);
    const spans = recordSpans((t) => llmTrace(t, baseTime()));
    for (let i = 0; i < 2; i++) {
      const outcome = await exportSpans(makeExporter('http/json', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans);
      assert.equal(outcome.code, 0);
    }
    const traceId = spans[0]!.spanContext().traceId;
    const fb = await fetch(`${sl.httpUrl}/v1/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ traceId, name: 'helpful', value: 1, id: 'kafka-fb-1' }),
    });
    assert.equal(fb.status, 200);
    await waitFor('feedback via Kafka', async () => {
      const r = await sl.get(`/api/v1/traces/${traceId}`);
      return r.status === 200 && r.body.feedback.length === 1 ? true : undefined;
    });
    // Both deliveries are consumed (lag 0) before counting.
    await waitFor('writer lag 0', async () => ((await sl.app.collector.writer!.lag()) === 0 ? true : undefined));
    const after = await counts(sl);
    assert.deepEqual({ spans: after.spans - before.spans, rollup: after.rollup - before.rollup }, { spans: 3, rollup: 3 });
    assert.ok(sl.app.collector.writer!.stats.repeatsDropped >= 3);
  });

  test('GenAI log records take their own topic and land in their span', async () => {
    // Content off on the span (the official instrumentation's way): the record carries the answer.
    const spans = recordSpans((t) =>
      t.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.output_tokens': 4 } }).end(),
    );
    const llm = spans[0]!.spanContext();
    const res = await fetch(`${sl.httpUrl}/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                    traceId: llm.traceId,
                    spanId: llm.spanId,
                    eventName: 'gen_ai.choice',
                    body: {
                      kvlistValue: {
                        values: [
                          { key: 'finish_reason', value: { stringValue: 'stop' } },
                          { key: 'message', value: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'From a log record.' } }] } } },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    assert.equal((await exportSpans(makeExporter('http/protobuf', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans)).code, 0);
    const span = await waitFor('log content via Kafka', async () => {
      const r = await sl.get(`/api/v1/traces/${llm.traceId}`);
      const s = r.body.spans?.find((x: { spanId: string }) => x.spanId === llm.spanId);
      return s?.output?.includes('From a log record.') ? s : undefined;
    });
    assert.equal(span.finishReason, 'stop');
    const lag = await sl.app.collector.writer!.lagByPartition();
    assert.ok(
      lag.some((p) => p.labels.topic === `${env.SPANLENS_KAFKA_TOPIC_PREFIX}logs`),
      'the writer reads the logs topic',
    );
  });

  test('/metrics, /healthz and /readyz on the collector port, without a key', async () => {
    assert.equal((await fetch(`${sl.httpUrl}/healthz`)).status, 200);
    const ready = await fetch(`${sl.httpUrl}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const text = await (await fetch(`${sl.httpUrl}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('spanlens_spans_accepted_total') >= 9, text.slice(0, 500));
    assert.ok(value('spanlens_spans_received_total') >= value('spanlens_spans_accepted_total'));
    assert.ok(value('spanlens_writer_rows_inserted') >= 6);
    assert.match(text, /spanlens_rows_written_total\{destination="kafka\/spans"\} \d+/);
    assert.match(text, /spanlens_consumer_lag\{topic="test-[0-9a-f]+\.spans",partition="0"\} \d+/);
    assert.match(text, /spanlens_write_duration_seconds_bucket\{le="0.1",destination="kafka\/spans"\} \d+/);
  });

  test('a poison record goes to the dead-letter topic with its reason, and the partition keeps flowing', async () => {
    const kafka = kafkaClient();
    const producer = kafka.producer();
    await producer.connect();
    const prefix = env.SPANLENS_KAFKA_TOPIC_PREFIX!;
    await producer.send({
      topic: `${prefix}spans`,
      messages: [
        { key: 'poison-a', value: 'not json at all', headers: { 'spanlens-format': 'spans.v1' } },
        { key: 'poison-b', value: '[1,2,3]', headers: { 'spanlens-format': 'spans.v1' } },
        { key: 'poison-c', value: '[]', headers: { 'spanlens-format': 'spans.v9' } },
      ],
    });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `dlq-reader-${prefix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}dead-letter`, fromBeginning: true });
    const seen: Array<{ key: string; reason: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({ key: String(message.key), reason: String(message.headers?.['spanlens-dlq-reason']) });
      },
    });
    await waitFor('dead letters', async () => (seen.length >= 3 ? true : undefined));
    await consumer.disconnect();
    assert.deepEqual(seen.map((s) => s.key).sort(), ['poison-a', 'poison-b', 'poison-c']);
    // The writer parses no row: ClickHouse's parser finds them, by its error code (never quoting the row).
    assert.match(seen.find((s) => s.key === 'poison-a')!.reason, /^ClickHouse refused the row as spans \(code \d+.*\): not a valid spans.v1 record$/);
    assert.match(seen.find((s) => s.key === 'poison-b')!.reason, /^ClickHouse refused the row as spans \(code \d+.*\): not a valid spans.v1 record$/);
    assert.match(seen.find((s) => s.key === 'poison-c')!.reason, /unknown record format 'spans.v9'/);
    // Good spans still flow after the poison.
    const spans = recordSpans((t) => llmTrace(t, baseTime()));
    assert.equal((await exportSpans(makeExporter('grpc', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans)).code, 0);
    await waitFor('trace after poison', async () => ((await sl.get(`/api/v1/traces/${spans[0]!.spanContext().traceId}`)).status === 200 ? true : undefined));
  });

  test('redaction happens before Kafka: the records on the topic hold only masked values; a v1 record is still written', async () => {
    await enableRedaction(sl);
    const traceId = await sendSecrets(sl);
    await waitFor('masked span via Kafka', async () => ((await sl.get(`/api/v1/traces/${traceId}`)).status === 200 ? true : undefined));
    await assertStoredMasked(sl, traceId);

    const kafka = kafkaClient();
    const prefix = env.SPANLENS_KAFKA_TOPIC_PREFIX!;
    const consumer = kafka.consumer({ groupId: `raw-reader-${prefix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}spans`, fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (String(message.key) === traceId) values.push(String(message.value));
      },
    });
    await waitFor('the raw record', async () => (values.length >= 1 ? true : undefined));
    await consumer.disconnect();
    assert.match(values[0]!, /\[REDACTED:email\]/);
    for (const secret of Object.values(SECRETS)) assert.ok(!values.join('').includes(secret), `${secret} reached Kafka`);

    // Records written by a collector before the upgrade (spans.v1, no redactions column) are stored with 0.
    const old = JSON.parse(values[0]!) as unknown[];
    const v1 = old.slice(0, -1);
    const spanIdIndex = 2;
    v1[spanIdIndex] = 'abcdefabcdef0001';
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}spans`, messages: [{ key: traceId, value: JSON.stringify(v1), headers: { 'spanlens-format': 'spans.v1' } }] });
    await producer.disconnect();
    const r = await waitFor('the v1 span', async () => {
      const t = await sl.get(`/api/v1/traces/${traceId}`);
      return t.body.spans?.length === 2 ? t.body : undefined;
    });
    assert.deepEqual(r.spans.map((x: { redactions: number }) => x.redactions).sort(), [0, 5]);
  });

  test("a request of large spans over the broker's 1 MiB batch limit is accepted whole and stored whole", async () => {
    const before = await counts(sl);
    const now = BigInt(Date.now()) * 1_000_000n;
    const spans = Array.from({ length: 300 }, (_, i) => ({
      // One trace, so one partition: its record batch is what the broker measures.
      traceId: 'beef'.repeat(8),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      name: 'chat',
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1_000_000n),
      attributes: [{ key: 'input.value', value: { stringValue: `question ${i} `.repeat(600) } }],
    }));
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    assert.ok(body.length > 2 * 1024 * 1024);
    const res = await fetch(`${sl.httpUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' }, body });
    assert.equal(res.status, 200, await res.text());
    await waitFor('300 large spans stored', async () => ((await counts(sl)).spans - before.spans >= 300 ? true : undefined));
    assert.equal((await counts(sl)).spans - before.spans, 300);
  });
});
