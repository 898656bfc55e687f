import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { startTestCollector } from '../helpers/collector.ts';

type TestCollector = Awaited<ReturnType<typeof startTestCollector>>;

const MAX_BODY = 4 * 1024 * 1024;
const LIMITS = { maxAttributes: 128, maxAttributeLength: 4096, maxContentLength: 16_384, maxEvents: 16, maxSpansPerRequest: 1000 };
let seq = 0;

function ids(): { traceId: string; spanId: string } {
  seq++;
  return { traceId: `feed${seq.toString(16).padStart(28, '0')}`, spanId: seq.toString(16).padStart(16, '0') };
}

function jsonRequest(span: Record<string, unknown>): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'op', startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1000n), ...span }] }] }] });
}

// Hand-encoded protobuf: the nesting below is deeper than protobufjs's own encoder recurses.
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
const field = (no: number, body: Buffer) => Buffer.concat([varint((no << 3) | 2), varint(body.length), body]);
const fixed64 = (no: number, v: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return Buffer.concat([varint((no << 3) | 1), b]);
};

function deepProtobuf(depth: number, traceId: string, spanId: string): Buffer {
  let value = field(1, Buffer.from('bottom')); // AnyValue.string_value
  for (let i = 0; i < depth; i++) value = field(5, field(1, value)); // AnyValue.array_value -> ArrayValue.values
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = Buffer.concat([
    field(1, Buffer.from(traceId, 'hex')),
    field(2, Buffer.from(spanId, 'hex')),
    field(5, Buffer.from('deep')),
    fixed64(7, now),
    fixed64(8, now + 1000n),
    field(9, Buffer.concat([field(1, Buffer.from('deep.value')), field(2, value)])),
  ]);
  return field(1, field(2, field(2, span)));
}

/** Raw HTTP/1.1 over one socket: what pipelining and slow clients look like on the wire. */
function rawExchange(port: number, write: (socket: import('node:net').Socket) => void, until: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms; got: ${text.slice(0, 300)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (until(text)) done();
    });
    socket.on('close', done);
    socket.on('error', () => done());
    socket.on('connect', () => write(socket));
  });
}

describe('receivers: hand-made hostile requests', () => {
  let c: TestCollector;
  before(async () => {
    c = await startTestCollector({ maxBodyBytes: MAX_BODY, limits: LIMITS, requestTimeoutMs: 1500 });
  });
  after(async () => {
    await c.close();
  });

  const post = (body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${c.httpUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.key}`, ...headers },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
  const row = async (spanId: string) => {
    await c.collector.flush();
    const rs = await c.storage.client.query({ query: 'SELECT name, attributes, length(attributes) AS n FROM spans WHERE span_id = {s:String}', query_params: { s: spanId }, format: 'JSONEachRow' });
    return (await rs.json<{ name: string; attributes: Record<string, string>; n: number }>())[0];
  };

  test('gzip and deflate bombs: 413 after decompression, without inflating them whole', async () => {
    const payload = Buffer.alloc(64 * 1024 * 1024, 0x20);
    for (const [encoding, body] of [
      ['gzip', gzipSync(payload)],
      ['deflate', deflateSync(payload)],
    ] as const) {
      assert.ok(body.length < 100 * 1024);
      const res = await post(body, { 'content-type': 'application/json', 'content-encoding': encoding });
      assert.equal(res.status, 413, encoding);
    }
    const rawOver = await post(Buffer.alloc(MAX_BODY + 1, 0x20), { 'content-type': 'application/x-protobuf' });
    assert.equal(rawOver.status, 413);
  });

  test('wrong or missing content types get 415 naming the accepted ones; a charset parameter is fine', async () => {
    const body = jsonRequest(ids());
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/grpc']) {
      const res = await post(body, { 'content-type': type });
      assert.equal(res.status, 415, type);
      assert.match(((await res.json()) as { message: string }).message, /application\/x-protobuf or application\/json/);
    }
    const none = await fetch(`${c.httpUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${c.key}` }, body: new Uint8Array(Buffer.from(body)) });
    assert.equal(none.status, 415);
    assert.equal((await post(jsonRequest(ids()), { 'content-type': 'application/json; charset=utf-8' })).status, 200);
  });

  test('20,000 attributes and a 1 MB value: the span is kept, cut to the limits with markers', async () => {
    const id = ids();
    const attributes = Array.from({ length: 20_000 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v' } }));
    attributes.unshift({ key: 'huge', value: { stringValue: 'x'.repeat(1024 * 1024) } });
    const res = await post(jsonRequest({ ...id, name: 'n'.repeat(100_000), attributes }), { 'content-type': 'application/json' });
    assert.equal(res.status, 200);
    const r = (await row(id.spanId))!;
    assert.equal(Number(r.n), LIMITS.maxAttributes + 1);
    assert.equal(r.attributes['spanlens.dropped_attributes_count'], String(20_001 - LIMITS.maxAttributes));
    assert.match(r.attributes.huge!, /^x{4096}…\[truncated 1044480 chars\]$/);
    assert.equal(r.name.length, 4096 + '…[truncated 95904 chars]'.length);
  });

  test('values nested 10,000 deep, in JSON and in protobuf: a clean answer, and the process stays up', async () => {
    const deepJson = '{"arrayValue":{"values":['.repeat(10_000) + '{"stringValue":"bottom"}' + ']}}'.repeat(10_000);
    const id = ids();
    const json = await post(jsonRequest({ ...id, attributes: [{ key: 'deep', value: '__DEEP__' }] }).replace('"__DEEP__"', deepJson), { 'content-type': 'application/json' });
    assert.ok([200, 400].includes(json.status), `JSON: ${json.status}`);
    const pid = ids();
    const proto = await post(deepProtobuf(10_000, pid.traceId, pid.spanId), { 'content-type': 'application/x-protobuf' });
    assert.ok([200, 400].includes(proto.status), `protobuf: ${proto.status}`);
    for (const [status, spanId] of [
      [json.status, id.spanId],
      [proto.status, pid.spanId],
    ] as const) {
      // Stored only when accepted, and then with the nesting cut at a fixed depth.
      const r = await row(spanId);
      assert.equal(r !== undefined, status === 200);
      if (r) assert.ok(r.attributes.deep!.length < 1000, `stored nesting is bounded: ${r.attributes.deep!.length} chars`);
    }
    assert.equal((await post(jsonRequest(ids()), { 'content-type': 'application/json' })).status, 200);
  });

  test('timestamps at the edges of uint64 and beyond are rejected as spans, not as requests', async () => {
    const cases = [
      { startTimeUnixNano: '18446744073709551615', endTimeUnixNano: '18446744073709551615' },
      { startTimeUnixNano: '999999999999999999999' },
      { startTimeUnixNano: '1', endTimeUnixNano: '2' },
      // A valid start with an end past DateTime64's range (year 2262) once failed the whole insert batch.
      { startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n), endTimeUnixNano: '18000000000000000000' },
      { startTimeUnixNano: '-1' },
      { startTimeUnixNano: 1e30 },
    ];
    for (const times of cases) {
      const res = await post(jsonRequest({ ...ids(), ...times }), { 'content-type': 'application/json' });
      assert.equal(res.status, 200, JSON.stringify(times));
      // OTLP/JSON spells int64 as a string.
      assert.equal(Number(((await res.json()) as { partialSuccess?: { rejectedSpans?: string } }).partialSuccess?.rejectedSpans), 1, JSON.stringify(times));
    }
  });

  test('HTTP/1.1 pipelining: two requests in one write get two answers, in order, both stored', async () => {
    const a = ids();
    const b = ids();
    const request = (body: string) =>
      `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${c.key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const text = await rawExchange(
      c.collector.httpPort,
      (s) => s.write(request(jsonRequest(a)) + request(jsonRequest(b))),
      (t) => (t.match(/HTTP\/1\.1 \d{3}/g) ?? []).length >= 2 && /\}\s*$/.test(t),
    );
    assert.deepEqual(text.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 200', 'HTTP/1.1 200']);
    assert.ok(await row(a.spanId));
    assert.ok(await row(b.spanId));
  });

  test('a slow-drip upload is cut off with 408 at the request timeout, while other clients are served', async () => {
    const body = jsonRequest(ids());
    const started = Date.now();
    let drip: NodeJS.Timeout | undefined;
    const slow = rawExchange(
      c.collector.httpPort,
      (s) => {
        s.write(`POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${c.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
        let i = 0;
        drip = setInterval(() => {
          if (!s.destroyed && i < body.length) s.write(body[i++]!);
        }, 100);
      },
      (t) => /HTTP\/1\.1 \d{3}/.test(t),
    );
    let text: string;
    try {
      assert.equal((await post(jsonRequest(ids()), { 'content-type': 'application/json' })).status, 200, 'served during the drip');
      text = await slow;
    } finally {
      clearInterval(drip);
    }
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - started < 8000);
  });
});
