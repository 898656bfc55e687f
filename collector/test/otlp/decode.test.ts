import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { DecodeError, decodeJson, decodeProtobuf } from '../../src/otlp/decode.ts';
import { captureServer, exportSpans, makeExporter, recordSpans } from '../helpers/otel.ts';
import { baseTime, llmTrace } from '../helpers/fixtures.ts';

describe('OTLP decoding of what the real exporters send', () => {
  test('protobuf and JSON bodies of the same spans decode to the same spans', async () => {
    const spans = recordSpans((t) => {
      llmTrace(t, baseTime());
      t.startSpan('typed', { attributes: { s: 'x', i: 42, d: 1.5, b: true, arr: ['a', 'b'], nums: [1, 2] } }).end();
    });
    const cap = await captureServer();
    await exportSpans(makeExporter('http/protobuf', { httpUrl: cap.url, grpcUrl: '' }), spans);
    await exportSpans(makeExporter('http/json', { httpUrl: cap.url, grpcUrl: '' }), spans);
    await exportSpans(makeExporter('http/json', { httpUrl: cap.url, grpcUrl: '', compression: 'gzip' }), spans);
    await cap.close();
    const [proto, json, gz] = cap.bodies;
    assert.equal(proto!.contentType, 'application/x-protobuf');
    assert.equal(json!.contentType, 'application/json');
    assert.equal(gz!.encoding, 'gzip');
    const fromProto = decodeProtobuf(proto!.body);
    const fromJson = decodeJson(json!.body);
    assert.equal(fromProto.spans.length, 4);
    assert.equal(fromProto.rejected, 0);
    assert.deepEqual(fromJson, fromProto);
    assert.deepEqual(decodeJson(gunzipSync(gz!.body)), fromProto);

    const byName = Object.fromEntries(fromProto.spans.map((s) => [s.name, s]));
    const sdk = Object.fromEntries(spans.map((s) => [s.name, s]));
    const llm = byName['chat gpt-4o-mini']!;
    assert.equal(llm.traceId, sdk['chat gpt-4o-mini']!.spanContext().traceId);
    assert.equal(llm.parentSpanId, sdk['answer-question']!.spanContext().spanId);
    const [s, ns] = sdk['chat gpt-4o-mini']!.startTime;
    assert.equal(llm.startNs, BigInt(s) * 1_000_000_000n + BigInt(ns));
    assert.equal(llm.otelKind, 3);
    assert.equal(llm.statusCode, 1);
    assert.equal(llm.attributes['gen_ai.usage.input_tokens'], 1200);
    assert.deepEqual(llm.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(llm.events[0]!.name, 'gen_ai.first_token');
    assert.deepEqual(byName.typed!.attributes, { s: 'x', i: 42, d: 1.5, b: true, arr: ['a', 'b'], nums: [1, 2] });
    assert.equal(byName['execute_tool get_weather']!.statusMessage, 'weather service timed out');
    assert.equal(llm.resource['service.name'], 'test-app');
    assert.equal(llm.scopeName, 'spanlens-test');
  });

  test('undecodable bodies throw DecodeError with the reason', () => {
    assert.throws(() => decodeProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])), DecodeError);
    assert.throws(() => decodeJson('{'), /not valid JSON/);
    assert.throws(() => decodeJson('[1,2]'), /JSON object/);
    assert.throws(() => decodeJson('{"resourceSpans":{}}'), /must be an array/);
  });

  test('invalid spans are rejected one by one with the reason', () => {
    const now = String(BigInt(Date.now()) * 1_000_000n);
    const ok = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startTimeUnixNano: now, endTimeUnixNano: now };
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                ok,
                { ...ok, traceId: 'A'.repeat(31) },
                { ...ok, spanId: '0'.repeat(16) },
                { ...ok, parentSpanId: 'zz' },
                { ...ok, startTimeUnixNano: 'soon' },
                { ...ok, endTimeUnixNano: '1' },
                { ...ok, name: 42 },
                'not a span',
              ],
            },
          ],
        },
      ],
    });
    const d = decodeJson(body);
    assert.equal(d.spans.length, 1);
    assert.equal(d.rejected, 7);
    assert.equal(d.errors.length, 5); // the reasons are capped
    assert.match(d.errors.join(';'), /invalid traceId.*invalid spanId.*invalid parentSpanId.*startTimeUnixNano.*before/);
  });

  test('an empty request is valid and holds no spans', () => {
    assert.deepEqual(decodeJson('{}'), { spans: [], rejected: 0, errors: [] });
    assert.deepEqual(decodeProtobuf(new Uint8Array()), { spans: [], rejected: 0, errors: [] });
  });
});
