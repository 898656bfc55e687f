import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanRow } from '@spanlens/clickhouse';
import { seedTraces, startNs } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

interface Expected {
  traceId: string;
  start: bigint;
  durationNs: bigint;
  spanCount: number;
  costUsd: number;
  totalTokens: number;
  status: string;
  rows: SpanRow[];
}

function expectedTraces(rows: SpanRow[]): Expected[] {
  const byTrace = new Map<string, SpanRow[]>();
  for (const r of rows) byTrace.set(r.trace_id, [...(byTrace.get(r.trace_id) ?? []), r]);
  return [...byTrace.entries()].map(([traceId, spans]) => {
    const start = spans.map(startNs).reduce((a, b) => (a < b ? a : b));
    const end = spans.map((s) => startNs(s) + BigInt(s.duration_ns)).reduce((a, b) => (a > b ? a : b));
    return {
      traceId,
      start,
      durationNs: end - start,
      spanCount: spans.length,
      rows: spans,
      // As the API sums it: exactly, in decimals.
      costUsd: Number(spans.reduce((a, s) => a + BigInt(Math.round(s.cost_usd * 1e12)), 0n)) / 1e12,
      totalTokens: spans.reduce((a, s) => a + s.total_tokens, 0),
      status: spans.some((s) => s.status === 'error') ? 'error' : 'ok',
    };
  });
}

const DAY = 86_400_000;

describe('GET /api/v1/traces: filters, sorts and pages', () => {
  let api: TestApi;
  let traces: Expected[];
  const now = Date.now();
  // Covers every seeded span, so expectations need no time filtering.
  const range = `from=${new Date(now - 4 * DAY).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;

  before(async () => {
    let rowsA: SpanRow[] = [];
    api = await startTestApi(['a', 'b'], (p) => {
      rowsA = seedTraces({ project: p.a!.id, traces: 300, endMs: now - 60_000, spanMs: 3 * DAY, seed: 7 });
      const rowsB = seedTraces({ project: p.b!.id, traces: 20, endMs: now - 60_000, spanMs: DAY, seed: 9, traceOffset: 5000 });
      return [...rowsA, ...rowsB];
    });
    traces = expectedTraces(rowsA);
  });
  after(async () => api?.close());

  async function all(query: string, pageSize: number): Promise<any[]> {
    const out: any[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const { status, body } = await api.get(`/api/v1/traces?${query}&limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200, JSON.stringify(body));
      out.push(...body.traces);
      cursor = body.nextCursor;
      if (!cursor) return out;
    }
    throw new Error('too many pages');
  }

  test('newest first over three days: every trace once, in order, with its totals', async () => {
    const got = await all('', 37);
    const want = [...traces].sort((a, b) => (a.start === b.start ? (a.traceId < b.traceId ? 1 : -1) : a.start < b.start ? 1 : -1));
    assert.deepEqual(
      got.map((t) => t.traceId),
      want.map((t) => t.traceId),
    );
    const first = got[0];
    assert.equal(first.spanCount, want[0]!.spanCount);
    assert.equal(first.totalTokens, want[0]!.totalTokens);
    assert.ok(Math.abs(first.durationMs - Number(want[0]!.durationNs) / 1e6) < 1e-6);
    assert.equal(first.service, want[0]!.rows[0]!.service);
  });

  for (const [sort, key] of [
    ['costUsd', 'costUsd'],
    ['durationMs', 'durationNs'],
    ['totalTokens', 'totalTokens'],
    ['spanCount', 'spanCount'],
    ['startTime', 'start'],
  ] as const) {
    for (const order of ['asc', 'desc'] as const) {
      test(`sort=${sort}&order=${order} pages through every trace in order`, async () => {
        const got = await all(`${range}&sort=${sort}&order=${order}`, 45);
        const dir = order === 'asc' ? 1 : -1;
        const want = [...traces].sort((a, b) => {
          const x = a[key] as number | bigint,
            y = b[key] as number | bigint;
          if (x !== y) return (x < y ? -1 : 1) * dir;
          return (a.traceId < b.traceId ? -1 : 1) * dir;
        });
        assert.deepEqual(
          got.map((t) => t.traceId),
          want.map((t) => t.traceId),
        );
      });
    }
  }

  const filterCases: Array<[string, (t: Expected) => boolean]> = [
    ['model=gpt-4o', (t) => t.rows.some((r) => r.model === 'gpt-4o')],
    ['model=gpt-4o&model=claude-sonnet-4', (t) => t.rows.some((r) => r.model === 'gpt-4o' || r.model === 'claude-sonnet-4')],
    ['provider=anthropic', (t) => t.rows.some((r) => r.provider === 'anthropic')],
    ['service=search-api&environment=staging', (t) => t.rows.some((r) => r.service === 'search-api' && r.environment === 'staging')],
    ['release=v2', (t) => t.rows.some((r) => r.release === 'v2')],
    ['userId=user-3', (t) => t.rows.some((r) => r.user_id === 'user-3')],
    ['sessionId=session-4', (t) => t.rows.some((r) => r.session_id === 'session-4')],
    ['tag=vip', (t) => t.rows.some((r) => r.tags.includes('vip'))],
    ['promptName=support&promptVersion=2', (t) => t.rows.some((r) => r.prompt_name === 'support' && r.prompt_version === '2')],
    ['kind=chain', () => true],
    ['status=error', (t) => t.status === 'error'],
    ['status=ok', (t) => t.status === 'ok'],
    ['q=REFUNDS', (t) => t.rows.some((r) => r.input.toLowerCase().includes('refunds'))],
    ['minLatencyMs=1500', (t) => Number(t.durationNs) / 1e6 >= 1500],
    ['minLatencyMs=500&maxLatencyMs=1000', (t) => Number(t.durationNs) / 1e6 >= 500 && Number(t.durationNs) / 1e6 <= 1000],
    ['minCostUsd=0.004', (t) => t.costUsd >= 0.004],
    ['maxCostUsd=0.002&model=gpt-4o-mini', (t) => t.costUsd <= 0.002 && t.rows.some((r) => r.model === 'gpt-4o-mini')],
  ];
  for (const [query, match] of filterCases) {
    test(`filter ${query}`, async () => {
      const got = await all(`${range}&${query}`, 500);
      const want = traces
        .filter(match)
        .map((t) => t.traceId)
        .sort();
      assert.ok((want.length > 0 && want.length < traces.length) || query === 'kind=chain', `${query} should select some traces`);
      assert.deepEqual(got.map((t) => t.traceId).sort(), want);
    });
  }

  test('the time range bounds trace starts', async () => {
    const from = now - DAY,
      to = now - DAY / 2;
    const got = await all(`from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, 40);
    const want = traces.filter((t) => t.start >= BigInt(from) * 1_000_000n && t.start < BigInt(to) * 1_000_000n);
    assert.ok(want.length > 10);
    assert.deepEqual(got.map((t) => t.traceId).sort(), want.map((t) => t.traceId).sort());
  });

  test("a key never reads another project's traces", async () => {
    const b = await all('', 500);
    assert.equal(b.length, 300);
    const { body } = await api.get('/api/v1/traces?limit=500', api.projects.b!.key);
    assert.equal(body.traces.length, 20);
    assert.ok(body.traces.every((t: { traceId: string }) => !traces.some((e) => e.traceId === t.traceId)));
    const foreign = traces[0]!.traceId;
    assert.equal((await api.get(`/api/v1/traces/${foreign}`, api.projects.b!.key)).status, 404);
    // The project header is the dashboard's; a key ignores it.
    const res = await fetch(`${api.url}/api/v1/traces?limit=500`, { headers: { authorization: `Bearer ${api.projects.b!.key}`, 'x-spanlens-project': 'a' } });
    assert.equal(((await res.json()) as { traces: unknown[] }).traces.length, 20);
  });

  test('bad input: 400 naming the field', async () => {
    const { body: page } = await api.get('/api/v1/traces?limit=2&sort=costUsd');
    const cases: Array<[string, RegExp]> = [
      [`/api/v1/traces?limit=2&cursor=${page.nextCursor}`, /cursor: made for sort=costUsd/],
      ['/api/v1/traces?minLatencyMs=-1', /minLatencyMs/],
      ['/api/v1/traces?q=', /q/],
      [`/api/v1/traces?q=${'x'.repeat(201)}`, /q/],
      ['/api/v1/traces?order=sideways', /order/],
      ['/api/v1/traces?tag=', /tag/],
    ];
    for (const [path, re] of cases) {
      const { status, body } = await api.get(path);
      assert.equal(status, 400, path);
      assert.match(body.message, re, path);
    }
  });

  test('filter values are parameters, never SQL text', async () => {
    const { status, body } = await api.get(`/api/v1/traces?${range}&model=${encodeURIComponent("x') OR 1=1 --")}&q=${encodeURIComponent("'; DROP TABLE spans; --")}`);
    assert.equal(status, 200);
    assert.equal(body.traces.length, 0);
    assert.equal((await all('', 500)).length, 300);
  });
});
