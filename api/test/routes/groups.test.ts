import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanRow } from '@spanlens/clickhouse';
import { seedTraces } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const DAY = 86_400_000;

function expectedBy(rows: SpanRow[], key: 'session_id' | 'user_id') {
  const out = new Map<string, { traces: Set<string>; errorTraces: Set<string>; sessions: Set<string>; spans: number; cost: number; tokens: number }>();
  for (const r of rows) {
    const k = r[key];
    const e = out.get(k) ?? { traces: new Set(), errorTraces: new Set(), sessions: new Set(), spans: 0, cost: 0, tokens: 0 };
    e.traces.add(r.trace_id);
    if (r.status === 'error') e.errorTraces.add(r.trace_id);
    if (r.session_id) e.sessions.add(r.session_id);
    e.spans++;
    e.cost += r.cost_usd;
    e.tokens += r.total_tokens;
    out.set(k, e);
  }
  return out;
}

describe('sessions and users', () => {
  let api: TestApi;
  let rows: SpanRow[];
  const now = Date.now();

  before(async () => {
    api = await startTestApi(['a', 'b'], (p) => {
      rows = seedTraces({ project: p.a!.id, traces: 120, endMs: now - 60_000, spanMs: 2 * DAY, seed: 5 });
      return [...rows, ...seedTraces({ project: p.b!.id, traces: 10, endMs: now - 60_000, spanMs: DAY, seed: 6, traceOffset: 7000 })];
    });
  });
  after(async () => api?.close());

  test('sessions: counts, cost, tokens, error rate; pages by cost without gaps', async () => {
    const want = expectedBy(rows, 'session_id');
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: any } = await api.get(`/api/v1/sessions?sort=costUsd&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(status, 200, JSON.stringify(body));
      seen.push(...body.sessions);
      cursor = body.nextCursor;
    } while (cursor);
    assert.equal(seen.length, want.size);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].costUsd >= seen[i].costUsd);
    for (const s of seen) {
      const e = want.get(s.sessionId)!;
      assert.equal(s.traceCount, e.traces.size);
      assert.equal(s.spanCount, e.spans);
      assert.equal(s.totalTokens, e.tokens);
      assert.ok(Math.abs(s.costUsd - e.cost) < 1e-9);
      assert.equal(s.errorCount, e.errorTraces.size);
      assert.ok(Math.abs(s.errorRate - e.errorTraces.size / e.traces.size) < 1e-12);
      assert.match(s.userId, /^user-/);
    }
  });

  test("a session's traces, oldest first", async () => {
    const { status, body } = await api.get('/api/v1/sessions/session-3');
    assert.equal(status, 200);
    const ids = [...new Set(rows.filter((r) => r.session_id === 'session-3').map((r) => r.trace_id))];
    assert.equal(body.traces.length, ids.length);
    assert.equal(body.session.traceCount, ids.length);
    const starts = body.traces.map((t: { startTime: string }) => t.startTime);
    assert.deepEqual(starts, [...starts].sort());
    assert.equal((await api.get('/api/v1/sessions/no-such-session')).status, 404);
    assert.equal((await api.get('/api/v1/sessions/session-3', api.projects.b!.key)).status, 404);
  });

  test('users: sessions and traces per user, newest first, filtered by model', async () => {
    const { body } = await api.get('/api/v1/users?limit=100');
    const want = expectedBy(rows, 'user_id');
    assert.equal(body.users.length, want.size);
    for (const u of body.users) {
      assert.equal(u.traceCount, want.get(u.userId)!.traces.size);
      assert.equal(u.sessionCount, want.get(u.userId)!.sessions.size);
    }
    const lastSeen = body.users.map((u: { lastSeen: string }) => u.lastSeen);
    assert.deepEqual(lastSeen, [...lastSeen].sort().reverse());

    const claude = await api.get('/api/v1/users?limit=100&model=claude-sonnet-4');
    const traces = new Set(rows.filter((r) => r.model === 'claude-sonnet-4').map((r) => r.trace_id));
    const byUser = expectedBy(
      rows.filter((r) => traces.has(r.trace_id)),
      'user_id',
    );
    for (const u of claude.body.users) assert.equal(u.traceCount, byUser.get(u.userId)!.traces.size);
    assert.equal(claude.body.users.length, byUser.size);
  });

  test('project isolation and bad input', async () => {
    const { body } = await api.get('/api/v1/users?limit=100', api.projects.b!.key);
    const b = expectedBy(seedTraces({ project: 'b', traces: 10, endMs: now - 60_000, spanMs: DAY, seed: 6, traceOffset: 7000 }), 'user_id');
    assert.equal(body.users.length, b.size);
    for (const [path, re] of [
      ['/api/v1/users?sort=name', /sort/],
      ['/api/v1/sessions?limit=1000', /limit/],
      ['/api/v1/sessions?cursor=%%%', /cursor/],
    ] as const) {
      const res = await api.get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.body.message, re);
    }
  });
});
