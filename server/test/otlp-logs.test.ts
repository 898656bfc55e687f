// GenAI content sent as OTLP log records, through the official OpenTelemetry JS log exporters
// (HTTP protobuf, HTTP JSON, gRPC), attached to its span whichever arrives first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { context, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { Metadata } from '@grpc/grpc-js';
import { BatchLogRecordProcessor, LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { makeExporter, recordSpans, type Protocol } from '../../collector/test/helpers/otel.ts';
import { startTestSpanlens } from './helpers/spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

function logExporter(protocol: Protocol, sl: Spanlens): LogRecordExporter {
  const headers = { authorization: `Bearer ${sl.key}` };
  if (protocol === 'http/protobuf') return new ProtoLogExporter({ url: `${sl.httpUrl}/v1/logs`, headers });
  if (protocol === 'http/json') return new JsonLogExporter({ url: `${sl.httpUrl}/v1/logs`, headers });
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${sl.key}`);
  return new GrpcLogExporter({ url: sl.grpcUrl, metadata });
}

interface Event {
  eventName: string;
  body?: Record<string, unknown>;
  attributes?: Record<string, string>;
}

/**
 * Emits log records in the span's context with the real logs SDK and exports them, batched as
 * apps do: the JS SDK stamps records in milliseconds, so records of one call often share a
 * time, and their order is the order within the request.
 */
async function sendLogs(protocol: Protocol, sl: Spanlens, span: SpanContext, events: Event[]): Promise<void> {
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: logExporter(protocol, sl) })] });
  const logger = provider.getLogger('opentelemetry.instrumentation.openai_v2');
  const ctx = trace.setSpanContext(context.active(), span);
  for (const e of events) logger.emit({ eventName: e.eventName, body: e.body as never, attributes: { 'gen_ai.system': 'openai', ...e.attributes }, context: ctx });
  await provider.forceFlush();
  await provider.shutdown();
}

/** One LLM span, as the official instrumentation sends it with content capture on (no content on the span). */
async function sendSpan(protocol: Protocol, sl: Spanlens, ids: SpanContext, attributes: Record<string, string | number> = {}): Promise<void> {
  const spans = recordSpans((tracer) => {
    const parent = trace.setSpanContext(context.active(), { ...ids, spanId: randomBytes(8).toString('hex') });
    const s = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.system': 'openai',
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.usage.output_tokens': 3,
          ...attributes,
        },
      },
      parent,
    );
    // The SDK makes its own ids; the test needs the span to have the logs' ids.
    Object.assign(s.spanContext(), { spanId: ids.spanId });
    s.end();
  });
  const exporter = makeExporter(protocol, { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key });
  await new Promise<void>((resolve, reject) => exporter.export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error))));
  await exporter.shutdown();
}

const newIds = (): SpanContext => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED });

const CONVERSATION: Event[] = [
  { eventName: 'gen_ai.system.message', body: { content: 'You are terse.' } },
  { eventName: 'gen_ai.user.message', body: { content: 'Weather in Paris?' } },
  { eventName: 'gen_ai.assistant.message', body: { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] } },
  { eventName: 'gen_ai.tool.message', body: { content: '{"temp":21}', id: 'call_1' } },
  { eventName: 'gen_ai.choice', body: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Sunny, 21 °C.' } } },
];

describe("OTLP logs: GenAI events become their span's content", () => {
  let sl: Spanlens;
  before(async () => {
    sl = await startTestSpanlens();
  });
  after(async () => sl?.close());

  const span = async (ids: SpanContext) => {
    const { status, body } = await sl.get(`/api/v1/traces/${ids.traceId}`);
    assert.equal(status, 200, JSON.stringify(body));
    const s = body.spans.find((x: { spanId: string }) => x.spanId === ids.spanId);
    assert.ok(s, 'the LLM span is in its trace');
    return s;
  };

  for (const protocol of ['http/protobuf', 'http/json', 'grpc'] as const) {
    for (const order of ['logs first', 'span first'] as const) {
      test(`${protocol}, ${order}: messages by role, the tool call and its answer, the finish reason`, async () => {
        const ids = newIds();
        if (order === 'logs first') {
          await sendLogs(protocol, sl, ids, CONVERSATION);
          await sendSpan(protocol, sl, ids);
        } else {
          await sendSpan(protocol, sl, ids);
          assert.equal((await span(ids)).input, null, 'no content before the logs');
          await sendLogs(protocol, sl, ids, CONVERSATION);
        }
        const s = await span(ids);
        assert.deepEqual(JSON.parse(s.input), [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
          { role: 'tool', content: '{"temp":21}', toolCallId: 'call_1' },
        ]);
        assert.deepEqual(JSON.parse(s.output), [{ role: 'assistant', content: 'Sunny, 21 °C.' }]);
        assert.equal(s.finishReason, 'stop');
        assert.equal(s.inputTokens, 12);
      });
    }
  }

  test('gen_ai.client.inference.operation.details: the whole call in one record', async () => {
    const ids = newIds();
    await sendSpan('http/protobuf', sl, ids);
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logExporter('http/json', sl) })] });
    provider.getLogger('genai').emit({
      eventName: 'gen_ai.client.inference.operation.details',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'Capital of France?' }] }],
        'gen_ai.output.messages': [{ role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: { q: 'France' } }], finish_reason: 'tool_calls' }],
      } as never,
      context: trace.setSpanContext(context.active(), ids),
    });
    await provider.shutdown();
    const s = await span(ids);
    assert.deepEqual(JSON.parse(s.input), [{ role: 'user', content: 'Capital of France?' }]);
    assert.deepEqual(JSON.parse(s.output), [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":"France"}' }] }]);
    assert.equal(s.finishReason, 'tool_calls');
  });

  test('content on the span itself wins over records; records fill what it lacks', async () => {
    const ids = newIds();
    await sendSpan('http/protobuf', sl, ids, { 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'from the span' }] }]) });
    const choice = [CONVERSATION[4]!];
    await sendLogs('http/protobuf', sl, ids, [{ eventName: 'gen_ai.user.message', body: { content: 'from a record' } }, ...choice]);
    const { status, body } = await sl.get(`/api/v1/traces/${ids.traceId}`);
    assert.equal(status, 200);
    const s = body.spans.find((x: { spanId: string }) => x.spanId === ids.spanId);
    assert.deepEqual(JSON.parse(s.input), [{ role: 'user', content: 'from the span' }]);
    assert.deepEqual(JSON.parse(s.output), [{ role: 'assistant', content: 'Sunny, 21 °C.' }]);
  });

  test('an exact resend of a request adds nothing', async () => {
    const ids = newIds();
    await sendSpan('http/json', sl, ids);
    const body = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  traceId: ids.traceId,
                  spanId: ids.spanId,
                  eventName: 'gen_ai.choice',
                  body: { kvlistValue: { values: [{ key: 'message', value: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'Once.' } }] } } }] } },
                },
              ],
            },
          ],
        },
      ],
    });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${sl.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${sl.key}` }, body });
      assert.equal(res.status, 200);
    }
    assert.deepEqual(JSON.parse((await span(ids)).output), [{ role: 'assistant', content: 'Once.' }]);
  });

  test('other log records are accepted and dropped, counted; invalid ones are rejected by count', async () => {
    const post = (records: unknown[]) =>
      fetch(`${sl.httpUrl}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sl.key}` },
        body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }),
      });
    const ok = await post([
      { body: { stringValue: 'GET /healthz 200' }, severityText: 'INFO' },
      { eventName: 'gen_ai.user.message', body: { kvlistValue: { values: [{ key: 'content', value: { stringValue: 'no span' } }] } } },
    ]);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), {});
    const bad = await post([{ eventName: 'gen_ai.choice', traceId: 'abc', spanId: '0102030405060708' }]);
    assert.equal(bad.status, 200);
    assert.deepEqual(await bad.json(), { partialSuccess: { rejectedLogRecords: '1', errorMessage: 'invalid traceId: must be empty or 16 bytes' } });
    const notJson = await fetch(`${sl.httpUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${sl.key}` }, body: '{' });
    assert.equal(notJson.status, 400);
    const metrics = await (await fetch(`${sl.httpUrl}/metrics`)).text();
    assert.match(metrics, /spanlens_log_records_dropped_total\{reason="not a GenAI event"\} [1-9]/);
    assert.match(metrics, /spanlens_log_records_dropped_total\{reason="no span context"\} [1-9]/);
    assert.match(metrics, /spanlens_log_records_rejected_total\{reason="invalid traceId"\} 1/);
  });
});
