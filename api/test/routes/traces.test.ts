import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { addApiKey, createProject, formatDateTime64, KeyCache, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { buildApi } from '../../src/server.ts';

type TestStorage = Awaited<ReturnType<typeof openTestStorage>>;

function span(project: string, trace: number, startNs: bigint, overrides: Partial<SpanRow> = {}): SpanRow {
  return {
    project_id: project,
    trace_id: trace.toString(16).padStart(32, '0'),
    span_id: trace.toString(16).padStart(16, '0'),
    parent_span_id: '',
    name: `trace-${trace}`,
    kind: 'llm',
    otel_kind: 'client',
    start_time: formatDateTime64(startNs),
    end_time: formatDateTime64(startNs + 250_000_000n),
    duration_ns: 250_000_000,
    model: 'gpt-4o-mini',
    request_model: 'gpt-4o-mini',
    provider: 'openai',
    operation: 'chat',
    input_tokens: 10,
    output_tokens: 5,
    total_tokens: 15,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0.001,
    cost_estimated: false,
    cost_source: 'table',
    ttft_ms: null,
    finish_reason: 'stop',
    status: 'ok',
    status_message: '',
    input: 'q',
    output: 'a',
    user_id: 'u',
    session_id: 's',
    service: 'svc',
    environment: 'prod',
    release: '1',
    prompt_name: '',
    prompt_version: '',
    tags: [],
    attributes: {},
    resource_attributes: {},
    events: '',
    redactions: 0,
    ...overrides,
  };
}

describe('GET /api/v1/traces', () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  const keyA = 'sl_project_a_key_0123456789';
  const keyB = 'sl_project_b_key_0123456789';
  const now = BigInt(Date.now()) * 1_000_000n;
  const sec = 1_000_000_000n;
  let projectA = '';

  before(async () => {
    storage = await openTestStorage();
    const a = await createProject(storage, 'a');
    const b = await createProject(storage, 'b');
    projectA = a.id;
    await addApiKey(storage, a.id, keyA);
    await addApiKey(storage, b.id, keyB);
    // Five traces in A, one second apart (trace 5 newest); one trace in B.
    await storage.insertRows(
      'spans',
      [1, 2, 3, 4, 5].map((i) => span(a.id, i, now - BigInt(10 - i) * sec)),
    );
    await storage.insertRows('spans', [span(b.id, 99, now - 2n * sec, { name: 'secret-of-b', input: 'b only' })]);
    app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await app.close();
    await storage.destroy();
  });

  const get = async (path: string, key: string | null = keyA) => {
    const res = await fetch(url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('newest first, and the cursor walks every page exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await get(`/api/v1/traces?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200);
      seen.push(...body.traces.map((t: { name: string }) => t.name));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    assert.deepEqual(seen, ['trace-5', 'trace-4', 'trace-3', 'trace-2', 'trace-1']);
    assert.equal(pages, 3);
  });

  test('from/to select a time range', async () => {
    const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
    const { body } = await get(`/api/v1/traces?from=${iso(now - 8n * sec - 1n)}&to=${iso(now - 6n * sec)}`);
    assert.deepEqual(
      body.traces.map((t: { name: string }) => t.name),
      ['trace-3', 'trace-2'],
    );
  });

  test('a key for one project never reads another project', async () => {
    const a = await get('/api/v1/traces');
    assert.ok(!a.body.traces.some((t: { name: string }) => t.name === 'secret-of-b'));
    const b = await get('/api/v1/traces', keyB);
    assert.deepEqual(
      b.body.traces.map((t: { name: string }) => t.name),
      ['secret-of-b'],
    );
    const traceOfB = (99).toString(16).padStart(32, '0');
    assert.equal((await get(`/api/v1/traces/${traceOfB}`)).status, 404);
    assert.equal((await get(`/api/v1/traces/${traceOfB}`, keyB)).status, 200);
  });

  test('400 names the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/v1/traces?limit=0', /limit/],
      ['/api/v1/traces?limit=501', /limit/],
      ['/api/v1/traces?limit=abc', /limit/],
      ['/api/v1/traces?from=yesterday', /from/],
      [`/api/v1/traces?from=${new Date().toISOString()}&to=${new Date(Date.now() - 1000).toISOString()}`, /from: must be before to/],
      ['/api/v1/traces?cursor=not-a-cursor', /cursor: malformed/],
      ['/api/v1/traces?colour=red', /colour/],
      ['/api/v1/traces?status=broken', /status/],
      ['/api/v1/traces?sort=name', /sort/],
      ['/api/v1/traces/not-hex', /traceId/],
    ];
    for (const [path, re] of cases) {
      const { status, body } = await get(path);
      assert.equal(status, 400, path);
      assert.equal(body.error, 'invalid_request', path);
      assert.match(body.message, re, path);
    }
  });

  test('401 with a wrong key; 404 for an unknown trace', async () => {
    assert.equal((await get('/api/v1/traces', 'sl_wrong')).body.error, 'unauthenticated');
    const missing = await get(`/api/v1/traces/${'f'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'not_found');
  });

  test('a span stored twice and not yet merged shows once, as its latest copy; a trace across hours is whole', async () => {
    const t0 = (now / 3_600_000_000_000n - 3n) * 3_600_000_000_000n + 59n * 60n * sec;
    const root = span(projectA, 700, t0, { name: 'first copy' });
    const child = span(projectA, 700, t0 + 120n * sec, { span_id: 'c'.repeat(16), parent_span_id: root.span_id, name: 'next hour', tags: ['late-tag'] });
    await storage.insertRows('spans', [root, child]);
    await new Promise((r) => setTimeout(r, 5));
    await storage.insertRows('spans', [{ ...root, name: 'second copy', output: 'resent' }]);
    const { status, body } = await get(`/api/v1/traces/${root.trace_id}`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.spans.map((s: { name: string }) => s.name),
      ['second copy', 'next hour'],
    );
    assert.equal(body.spans[0].output, 'resent');
    // The list reads each trace's summary from every hour it has spans in.
    const list = await get(`/api/v1/traces?sort=costUsd&from=${new Date(Number(t0 / 1_000_000n) - 60_000).toISOString()}`);
    const row = list.body.traces.find((t: { traceId: string }) => t.traceId === root.trace_id);
    assert.deepEqual(row?.tags, ['late-tag']);
  });

  test('spans in start order; at the same start a parent comes before its children, whatever their ids', async () => {
    const t0 = now - 30n * sec;
    // Ids chosen so that id order is the reverse of nesting: grandchild, child, root.
    const root = span(projectA, 701, t0, { span_id: 'f'.repeat(16), name: 'root', model: 'gpt-4o-mini-2024-07-18', request_model: 'gpt-4o-mini' });
    const child = span(projectA, 701, t0, { span_id: 'b'.repeat(16), parent_span_id: root.span_id, name: 'child' });
    const grandchild = span(projectA, 701, t0, { span_id: '1'.repeat(16), parent_span_id: child.span_id, name: 'grandchild' });
    const later = span(projectA, 701, t0 + 1_000_000n, { span_id: '0'.repeat(16), parent_span_id: root.span_id, name: 'later sibling' });
    await storage.insertRows('spans', [later, grandchild, child, root]);
    const { body } = await get(`/api/v1/traces/${root.trace_id}`);
    assert.deepEqual(
      body.spans.map((s: { name: string }) => s.name),
      ['root', 'child', 'grandchild', 'later sibling'],
    );
    // The model that answered, and beside it the one the request named.
    assert.deepEqual([body.spans[0].model, body.spans[0].requestModel], ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini']);
  });

  test('an unknown route is a 404 in the API error format', async () => {
    const { status, body } = await get('/api/v1/nope');
    assert.equal(status, 404);
    assert.deepEqual(body, { error: 'not_found', message: 'no route GET /api/v1/nope' });
  });

  test('values that look like SQL stay values', async () => {
    const { status, body } = await get(`/api/v1/traces/${'0'.repeat(31)}1`);
    assert.equal(status, 200);
    assert.equal(body.spans[0].name, 'trace-1');
    const evil = encodeURIComponent(Buffer.from(JSON.stringify({ t: "2026-01-01 00:00:00.000000000' OR 1=1 --", id: 'a'.repeat(32) })).toString('base64url'));
    assert.equal((await get(`/api/v1/traces?cursor=${evil}`)).status, 400);
  });
});
