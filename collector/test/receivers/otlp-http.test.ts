import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ExportTraceServiceResponse, RpcStatus } from '../../src/otlp/proto.ts';
import { captureServer, exportSpans, makeExporter, recordSpans } from '../helpers/otel.ts';
import { baseTime, llmTrace } from '../helpers/fixtures.ts';
import { startTestCollector } from '../helpers/collector.ts';

type TestCollector = Awaited<ReturnType<typeof startTestCollector>>;

/** A valid OTLP protobuf body made by the real exporter. */
async function realProtobufBody(): Promise<Buffer> {
  const cap = await captureServer();
  await exportSpans(
    makeExporter('http/protobuf', { httpUrl: cap.url, grpcUrl: '' }),
    recordSpans((t) => llmTrace(t, baseTime())),
  );
  await cap.close();
  return cap.bodies[0]!.body;
}

function jsonSpan(traceId: string, spanId: string, name = 'op'): object {
  const now = BigInt(Date.now()) * 1_000_000n;
  return { traceId, spanId, name, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) };
}

function jsonBody(spans: object[]): string {
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
}

describe('OTLP/HTTP receiver', () => {
  let c: TestCollector;
  let protobufBody: Buffer;
  before(async () => {
    c = await startTestCollector({ maxBodyBytes: 64 * 1024, limits: { maxSpansPerRequest: 100 } });
    protobufBody = await realProtobufBody();
  });
  after(async () => {
    await c.close();
  });

  const post = (body: Buffer | string, headers: Record<string, string>, path = '/v1/traces') =>
    fetch(c.httpUrl + path, { method: 'POST', headers: { authorization: `Bearer ${c.key}`, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

  test('200 with an empty ExportTraceServiceResponse for a good protobuf request', async () => {
    const before = await c.count();
    const res = await post(protobufBody, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    const msg = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())));
    assert.deepEqual(msg, {});
    assert.equal(await c.count(), before + 3);
  });

  test('partial success: valid spans kept, invalid ones counted and named (JSON)', async () => {
    const before = await c.count();
    const body = jsonBody([
      jsonSpan('11111111111111111111111111111111', '2222222222222222'),
      jsonSpan('00000000000000000000000000000000', '2222222222222222'),
      jsonSpan('11111111111111111111111111111111', 'xyz'),
    ]);
    const res = await post(body, { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const json = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(json.partialSuccess.rejectedSpans, '2');
    assert.match(json.partialSuccess.errorMessage, /invalid traceId/);
    assert.match(json.partialSuccess.errorMessage, /invalid spanId/);
    assert.equal(await c.count(), before + 1);
  });

  test('partial success in protobuf for a protobuf request', async () => {
    // A span with an 8-byte trace id, encoded by hand: field 1 (resource_spans) > 2 (scope_spans) > 2 (spans) > 1 (trace_id).
    const span = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.alloc(8, 1), Buffer.from([0x12, 8]), Buffer.alloc(8, 2)]);
    const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
    const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
    const body = Buffer.concat([Buffer.from([0x0a, rs.length]), rs]);
    const res = await post(body, { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 200);
    const msg = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())), { longs: Number }) as {
      partialSuccess: { rejectedSpans: number; errorMessage: string };
    };
    assert.equal(msg.partialSuccess.rejectedSpans, 1);
    assert.match(msg.partialSuccess.errorMessage, /traceId/);
  });

  test('gzip bodies are accepted', async () => {
    const before = await c.count();
    const res = await post(gzipSync(await realProtobufBody()), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(await c.count(), before + 3);
  });

  test('400 for an undecodable protobuf body, with a google.rpc.Status message', async () => {
    const res = await post(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    assert.equal(res.status, 400);
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await res.arrayBuffer()))) as { code: number; message: string };
    assert.equal(status.code, 3);
    assert.match(status.message, /not a valid ExportTraceServiceRequest/);
  });

  test('400 for malformed JSON and for JSON of the wrong shape', async () => {
    let res = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /not valid JSON/);
    res = await post('{"resourceSpans": 5}', { 'content-type': 'application/json' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /resourceSpans must be an array/);
  });

  test('400 for a corrupt gzip body', async () => {
    const res = await post(Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /not valid gzip/);
  });

  test('401 for a missing or wrong key', async () => {
    let res = await fetch(c.httpUrl + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonBody([]) });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { message: string }).message, /missing API key/);
    res = await fetch(c.httpUrl + '/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sl_wrong' }, body: jsonBody([]) });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { message: string }).message, /invalid or revoked/);
  });

  test('413 above the size limit, measured after decompression (gzip bomb)', async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20)); // 1 MiB of spaces, ~1 KiB compressed
    assert.ok(bomb.length < 64 * 1024);
    const res = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { message: string }).message, /exceeds 65536 bytes after decompression/);
    const plain = await post(Buffer.alloc(100 * 1024, 0x20), { 'content-type': 'application/json' });
    assert.equal(plain.status, 413);
  });

  test('413 for more spans in one request than the limit, naming the limit; nothing stored', async () => {
    const before = await c.count();
    const spans = Array.from({ length: 101 }, (_, i) => jsonSpan('66666666666666666666666666666666', (i + 1).toString(16).padStart(16, '0')));
    const res = await post(jsonBody(spans), { 'content-type': 'application/json' });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { message: string }).message, /request has 101 spans; the limit is 100 per request/);
    assert.equal(await c.count(), before);
  });

  test('415 for an unknown content type or content encoding', async () => {
    let res = await post('hello', { 'content-type': 'text/plain' });
    assert.equal(res.status, 415);
    assert.match(((await res.json()) as { message: string }).message, /unsupported Content-Type/);
    res = await post(protobufBody, { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' });
    assert.equal(res.status, 415);
  });

  test('a request sent twice is stored once', async () => {
    const before = await c.count();
    assert.equal((await post(protobufBody, { 'content-type': 'application/x-protobuf' })).status, 200);
    assert.equal(await c.count(), before);
  });

  test('the process stays up after every bad request', async () => {
    const res = await post(jsonBody([jsonSpan('44444444444444444444444444444444', '5555555555555555')]), { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
  });
});

describe('POST /v1/traces while the log is at its disk budget', () => {
  let c: Awaited<ReturnType<typeof startTestCollector>>;
  // A 4 KiB budget, and the writer lets a batch fill for two seconds: the first request fills the log for that long.
  before(async () => {
    c = await startTestCollector({ maxBatchDelayMs: 2000, logMaxBytes: 4096 });
  });
  after(async () => {
    await c.close();
  });

  test('503 with Retry-After naming the budget, refused before decoding (a broken body is not read); then ingest recovers by itself', async () => {
    const post = (body: string) => fetch(c.httpUrl + '/v1/traces', { method: 'POST', headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' }, body });
    const spans = Array.from({ length: 50 }, (_, i) => jsonSpan('77777777777777777777777777777777', (i + 1).toString(16).padStart(16, '0')));
    assert.equal((await post(jsonBody(spans))).status, 200);
    const refused = await post('{"resourceSpans": [not json');
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(((await refused.json()) as { message: string }).message, /disk budget \(SPANLENS_LOG_MAX_BYTES\)/);
    const more = Array.from({ length: 5 }, (_, i) => jsonSpan('88888888888888888888888888888888', (i + 1).toString(16).padStart(16, '0')));
    assert.equal((await post(jsonBody(more))).status, 503);
    // Once the writer has stored the log, the same broken body is decoded and named, and spans are taken again.
    assert.equal(await c.count(), 50);
    const bad = await post('{"resourceSpans": [not json');
    assert.equal(bad.status, 400);
    assert.equal((await post(jsonBody(more))).status, 200);
    assert.equal(await c.count(), 55);
  });
});

describe('POST /v1/feedback', () => {
  let c: TestCollector;
  before(async () => {
    c = await startTestCollector();
  });
  after(async () => {
    await c.close();
  });

  const post = (body: unknown) =>
    fetch(c.httpUrl + '/v1/feedback', {
      method: 'POST',
      headers: { authorization: `Bearer ${c.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('stores a score; the same id twice is one score', async () => {
    const score = { id: 'fb-1', traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'helpful', value: true, comment: 'nice', userId: 'u1' };
    assert.equal((await post(score)).status, 200);
    assert.equal((await post(score)).status, 200);
    assert.equal(await c.count('feedback'), 1);
    assert.deepEqual(await c.query('SELECT name, data_type, value, comment, source, user_id FROM feedback FINAL'), [
      { name: 'helpful', data_type: 'boolean', value: 1, comment: 'nice', source: 'user', user_id: 'u1' },
    ]);
  });

  test('a comment is redacted like span text: a pasted key never reaches storage', async () => {
    const key = 'sk-ant-api03-' + 'x'.repeat(40);
    assert.equal((await post({ id: 'fb-key', traceId: 'aa'.repeat(16), name: 'helpful', value: false, comment: `it printed ${key} back to me` })).status, 200);
    assert.deepEqual(await c.query("SELECT comment FROM feedback FINAL WHERE id = 'fb-key'"), [{ comment: 'it printed [REDACTED:api_key] back to me' }]);
  });

  test('optional fields may be null', async () => {
    const res = await post({ traceId: 'ef'.repeat(16), spanId: null, name: 'rating', value: 4, comment: null, userId: null, id: null, timestamp: null });
    assert.equal(res.status, 200);
  });

  test('400 names the bad field', async () => {
    const res = await post({ traceId: 'xyz', name: 'helpful', value: 1 });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /^traceId: must be 32 hex characters/);
    const res2 = await post({ traceId: 'ab'.repeat(16), name: 'helpful', value: 1, extra: true });
    assert.equal(res2.status, 400);
    assert.match(((await res2.json()) as { message: string }).message, /extra/);
  });
});
