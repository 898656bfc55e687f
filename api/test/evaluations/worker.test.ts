import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { startFakeJudge } from '../helpers/fake-judge.ts';
import { spanRow } from '../helpers/seed.ts';
import { EvaluationWorker } from '../../src/evaluations/worker.ts';
import { isSampled } from '../../src/evaluations/spans.ts';
import { SecretBox } from '../../src/secrets.ts';

const JUDGE_KEY = 'sk-judge-secret-0123456789';
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
let traceSeq = 0;

/** LLM spans (each its own trace, under a root chain span) stored now. */
function calls(project: string, items: Array<{ model: string; output: string; input?: string; attributes?: Record<string, string> }>): SpanRow[] {
  const rows: SpanRow[] = [];
  const now = BigInt(Date.now()) * 1_000_000n;
  for (const it of items) {
    const t = ++traceSeq;
    const traceId = hex(0xe0000 + t, 32);
    const start = formatDateTime64(now - 2_000_000_000n);
    const end = formatDateTime64(now - 1_000_000_000n);
    rows.push(spanRow(project, { trace_id: traceId, span_id: hex(t * 2, 16), start_time: start, end_time: end, duration_ns: 1_000_000_000, kind: 'chain', name: 'answer' }));
    rows.push(spanRow(project, {
      trace_id: traceId, span_id: hex(t * 2 + 1, 16), parent_span_id: hex(t * 2, 16), start_time: start, end_time: end, duration_ns: 900_000_000,
      model: it.model, provider: 'openai', input: it.input ?? `question ${t}`, output: it.output, attributes: it.attributes ?? {}, cost_usd: 0.001,
    }));
  }
  return rows;
}

describe('evaluation worker', () => {
  let api: TestApi;
  let judge: Awaited<ReturnType<typeof startFakeJudge>>;
  const tick = () => api.app.evaluations.tick();
  const send = async (method: string, path: string, body?: unknown, key = api.projects.acme!.key) => {
    const res = await fetch(api.url + path, { method, headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const judgeEvaluator = (name: string, extra: Record<string, unknown> = {}) => ({
    name, type: 'llm_judge', scope: 'llm', judge: { baseUrl: judge.url, model: 'judge-1', apiKey: JUDGE_KEY, builtIn: 'helpfulness', maxRetries: 0, timeoutMs: 2000 }, ...extra,
  });
  /** Scores of one evaluator, by span. */
  const scores = async (evaluatorId: string) => {
    const rs = await api.storage.client.query({
      query: "SELECT id, trace_id, span_id, value, comment, author, evaluator_version, count() OVER (PARTITION BY id) AS copies FROM feedback FINAL WHERE evaluator_id = {e:String} ORDER BY id",
      query_params: { e: evaluatorId }, format: 'JSONEachRow',
    });
    return rs.json<{ id: string; trace_id: string; span_id: string; value: number; comment: string; author: string; evaluator_version: number; copies: string }>();
  };

  before(async () => {
    judge = await startFakeJudge();
    api = await startTestApi(['acme', 'other'], () => [], { evaluations: { settleMs: 0, maxBackoffMs: 1, probeEveryMs: 1, unhealthyAfter: 3, log: () => undefined } });
  });
  after(async () => {
    await api.close();
    await judge.close();
  });

  test('a judge on a filter and a sample rate scores exactly the matching sampled spans, once each, across a restart', async () => {
    const created = await send('POST', '/api/v1/evaluators', judgeEvaluator('helpful', { filters: { model: ['gpt-4o'] }, sampleRate: 0.5 }));
    assert.equal(created.status, 201, created.text);
    const ev = created.body;
    assert.equal(ev.version, 1);
    assert.equal(ev.judge.hasApiKey, true);
    assert.ok(!created.text.includes(JUDGE_KEY), 'the key is never returned');
    const items = Array.from({ length: 40 }, (_, i) => ({ model: i % 4 === 3 ? 'gpt-4o-mini' : 'gpt-4o', output: i % 3 === 0 ? 'GOOD answer' : 'meh' }));
    const rows = calls(api.projects.acme!.id, items);
    await api.storage.insertRows('spans', rows);
    const llm = rows.filter((r) => r.kind === 'llm');
    const expected = llm.filter((r) => r.model === 'gpt-4o' && isSampled(ev.id, r.span_id, 0.5));
    assert.ok(expected.length >= 8 && expected.length <= 24, `sampled ${expected.length} of 30`);

    judge.calls.length = 0;
    await tick();
    await tick();
    let got = await scores(ev.id);
    assert.deepEqual(got.map((s) => s.span_id).sort(), expected.map((r) => r.span_id).sort());
    assert.ok(got.every((s) => Number(s.copies) === 1 && s.evaluator_version === 1 && s.author === 'helpful v1'));
    for (const s of got) {
      const row = llm.find((r) => r.span_id === s.span_id)!;
      assert.equal(s.value, row.output.includes('GOOD') ? 1 : 0);
      assert.match(s.comment, /The answer is (good|poor)\./);
    }
    assert.equal(judge.calls.length, expected.length);
    assert.equal(judge.calls[0]!.authorization, `Bearer ${JUDGE_KEY}`);
    assert.ok(judge.calls.every((c) => c.model === 'judge-1'));

    // A restart: a new worker on the same store, nothing in memory.
    const restarted = new EvaluationWorker({ storage: api.storage, box: new SecretBox('unused: no new calls'), settleMs: 0 });
    await restarted.tick();
    await restarted.close();
    assert.equal(judge.calls.length, expected.length, 'no span judged again');
    got = await scores(ev.id);
    assert.equal(got.length, expected.length);

    const stored = await api.storage.client.query({ query: 'SELECT api_key_enc FROM evaluators', format: 'JSONEachRow' });
    assert.ok(!JSON.stringify(await stored.json()).includes(JUDGE_KEY), 'the key is encrypted at rest');
    const listed = await send('GET', '/api/v1/evaluators');
    const mine = listed.body.evaluators.find((e: { id: string }) => e.id === ev.id);
    assert.equal(mine.stats.results, expected.length);
    assert.equal(mine.stats.judgeTokens, expected.length * 120);
    assert.equal(mine.health.healthy, true);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });
});
