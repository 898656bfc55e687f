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
    rows.push(
      spanRow(project, {
        trace_id: traceId,
        span_id: hex(t * 2 + 1, 16),
        parent_span_id: hex(t * 2, 16),
        start_time: start,
        end_time: end,
        duration_ns: 900_000_000,
        model: it.model,
        provider: 'openai',
        input: it.input ?? `question ${t}`,
        output: it.output,
        attributes: it.attributes ?? {},
        cost_usd: 0.001,
      }),
    );
  }
  return rows;
}

describe('evaluation worker', () => {
  let api: TestApi;
  let judge: Awaited<ReturnType<typeof startFakeJudge>>;
  const tick = () => api.app.evaluations.tick();
  const send = async (method: string, path: string, body?: unknown, key = api.projects.acme!.key) => {
    const res = await fetch(api.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const judgeEvaluator = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    type: 'llm_judge',
    scope: 'llm',
    judge: { baseUrl: judge.url, model: 'judge-1', apiKey: JUDGE_KEY, builtIn: 'helpfulness', maxRetries: 0, timeoutMs: 2000 },
    ...extra,
  });
  /** Scores of one evaluator, by span. */
  const scores = async (evaluatorId: string) => {
    const rs = await api.storage.client.query({
      query: 'SELECT id, trace_id, span_id, value, comment, author, evaluator_version, count() OVER (PARTITION BY id) AS copies FROM feedback FINAL WHERE evaluator_id = {e:String} ORDER BY id',
      query_params: { e: evaluatorId },
      format: 'JSONEachRow',
    });
    return rs.json<{ id: string; trace_id: string; span_id: string; value: number; comment: string; author: string; evaluator_version: number; copies: string }>();
  };

  before(async () => {
    judge = await startFakeJudge();
    api = await startTestApi(['acme', 'other'], () => [], {
      evaluations: { settleMs: 0, maxBackoffMs: 1, probeEveryMs: 1, unhealthyAfter: 3 },
      // Alert windows end on a whole minute: a clock a minute ahead takes in this minute's scores.
      alerts: { now: () => Date.now() + 60_000 },
    });
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

  const pause = () => new Promise((r) => setTimeout(r, 5));
  const health = async (id: string) => (await send('GET', '/api/v1/evaluators')).body.evaluators.find((e: { id: string }) => e.id === id);
  const store = async (items: Parameters<typeof calls>[1], project = api.projects.acme!.id) => {
    const rows = calls(project, items);
    await api.storage.insertRows('spans', rows);
    return rows.filter((r) => r.kind === 'llm');
  };

  test('a judge outage marks the evaluator unhealthy, probes it with one span, and loses nothing', async () => {
    const ev = (await send('POST', '/api/v1/evaluators', judgeEvaluator('outage', { filters: { model: ['outage-model'] } }))).body;
    const llm = await store(Array.from({ length: 6 }, () => ({ model: 'outage-model', output: 'GOOD' })));
    judge.calls.length = 0;
    judge.behaviour = () => ({ status: 503 });
    for (let i = 0; i < 3; i++) {
      await tick();
      await pause();
    }
    let h = await health(ev.id);
    assert.equal(h.health.healthy, false);
    assert.equal(h.health.consecutiveFailures, 3);
    assert.match(h.health.lastError, /503/);
    assert.equal(h.stats.results, 0);
    // Unhealthy: one span per try, not a batch.
    const before = judge.calls.length;
    await tick();
    assert.equal(judge.calls.length - before, 1);
    judge.behaviour = null;
    await pause();
    await tick();
    const got = await scores(ev.id);
    assert.deepEqual(got.map((s) => s.span_id).sort(), llm.map((r) => r.span_id).sort());
    assert.ok(got.every((s) => Number(s.copies) === 1 && s.value === 1));
    h = await health(ev.id);
    assert.equal(h.health.healthy, true);
    assert.equal(h.health.consecutiveFailures, 0);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test("429 with Retry-After and a timed-out call are retried with backoff by the judge's client", async () => {
    const ev = (
      await send(
        'POST',
        '/api/v1/evaluators',
        judgeEvaluator('retries', {
          filters: { model: ['retry-model'] },
          concurrency: 1,
          judge: { baseUrl: judge.url, model: 'judge-1', apiKey: JUDGE_KEY, builtIn: 'toxicity', maxRetries: 2, timeoutMs: 300 },
        }),
      )
    ).body;
    const llm = await store([
      { model: 'retry-model', output: 'fine' },
      { model: 'retry-model', output: 'GOOD' },
    ]);
    judge.calls.length = 0;
    // Per span: first a 429, then a slow answer the client gives up on, then an answer.
    const seen = new Map<string, number>();
    judge.behaviour = (c) => {
      const n = (seen.get(c.prompt) ?? 0) + 1;
      seen.set(c.prompt, n);
      return n === 1 ? { status: 429, headers: { 'retry-after-ms': '20' } } : n === 2 ? { delayMs: 1500 } : {};
    };
    await tick();
    judge.behaviour = null;
    const got = await scores(ev.id);
    assert.equal(got.length, 2);
    assert.equal(judge.calls.length, 6);
    // toxicity is boolean: true only for the prompt the fake judge finds "GOOD" in.
    assert.deepEqual(got.map((s) => [llm.find((r) => r.span_id === s.span_id)!.output, s.value]).sort(), [
      ['GOOD', 1],
      ['fine', 0],
    ]);
    assert.equal((await health(ev.id)).health.healthy, true);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('a malformed answer is passed over and counted; the evaluator stays healthy', async () => {
    const ev = (await send('POST', '/api/v1/evaluators', judgeEvaluator('malformed', { filters: { model: ['odd-model'] } }))).body;
    const llm = await store([
      { model: 'odd-model', output: 'GOOD' },
      { model: 'odd-model', output: 'MALFORMED' },
      { model: 'odd-model', output: 'meh' },
    ]);
    await tick();
    await tick();
    const got = await scores(ev.id);
    assert.deepEqual(
      got.map((s) => s.span_id).sort(),
      llm
        .filter((r) => r.output !== 'MALFORMED')
        .map((r) => r.span_id)
        .sort(),
    );
    const h = await health(ev.id);
    assert.equal(h.health.healthy, true);
    assert.equal(h.health.failedSpans, 1);
    assert.match(h.health.lastError, /not JSON/);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('a backfill scores past spans the live scan does not, with progress', async () => {
    const llm = await store(Array.from({ length: 5 }, (_, i) => ({ model: 'past-model', output: i % 2 ? 'GOOD' : 'no' })));
    await pause();
    const ev = (await send('POST', '/api/v1/evaluators', { name: 'past-json', type: 'rule', rule: { check: 'contains', text: 'good' }, filters: { model: ['past-model'] } })).body;
    await tick();
    assert.equal((await scores(ev.id)).length, 0, 'spans stored before the evaluator are for a backfill');
    const bad = await send('POST', `/api/v1/evaluators/${ev.id}/backfills`, { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() - 7200_000).toISOString() });
    assert.equal(bad.status, 400);
    const b = await send('POST', `/api/v1/evaluators/${ev.id}/backfills`, { from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(b.status, 202, b.text);
    assert.equal(b.body.total, 5);
    assert.equal(b.body.status, 'running');
    await tick();
    await tick();
    const [done] = (await send('GET', `/api/v1/evaluators/${ev.id}/backfills`)).body.backfills;
    assert.equal(done.status, 'done');
    assert.equal(done.done, 5);
    const got = await scores(ev.id);
    assert.deepEqual(got.map((s) => s.span_id).sort(), llm.map((r) => r.span_id).sort());
    assert.deepEqual(got.map((s) => s.value).sort(), [0, 0, 0, 1, 1]);
    assert.match(got[0]!.comment, /contains|does not contain/);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('editing makes a new version: old results keep theirs, new spans get the new one, the key stays', async () => {
    const input = judgeEvaluator('versioned', { filters: { model: ['v-model'] } });
    const ev = (await send('POST', '/api/v1/evaluators', input)).body;
    const first = await store([{ model: 'v-model', output: 'GOOD' }]);
    await tick();
    const { apiKey: _k, ...judgeNoKey } = input.judge as Record<string, unknown>;
    const edited = await send('PUT', `/api/v1/evaluators/${ev.id}`, { ...input, sampleRate: 1, judge: { ...judgeNoKey, builtIn: 'conciseness' } });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.judge.hasApiKey, true);
    const second = await store([{ model: 'v-model', output: 'GOOD' }]);
    judge.calls.length = 0;
    await tick();
    assert.equal(judge.calls.at(-1)?.authorization, `Bearer ${JUDGE_KEY}`);
    const got = await scores(ev.id);
    assert.deepEqual(
      got.map((s) => [s.span_id, s.evaluator_version, s.author]).sort(),
      [
        [first[0]!.span_id, 1, 'versioned v1'],
        [second[0]!.span_id, 2, 'versioned v2'],
      ].sort(),
    );
    const detail = await send('GET', `/api/v1/evaluators/${ev.id}`);
    assert.deepEqual(
      detail.body.versions.map((v: { version: number }) => v.version),
      [2, 1],
    );
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('two workers at once (the Kafka deployment without its lease) still store one result per span', async () => {
    const ev = (await send('POST', '/api/v1/evaluators', { name: 'twice', type: 'rule', rule: { check: 'length', max: 100 }, filters: { model: ['twin-model'] } })).body;
    const llm = await store(Array.from({ length: 20 }, () => ({ model: 'twin-model', output: 'short' })));
    const box = new SecretBox('rules need no key');
    const a = new EvaluationWorker({ storage: api.storage, box, settleMs: 0 });
    const b = new EvaluationWorker({ storage: api.storage, box, settleMs: 0 });
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.close(), b.close()]);
    const got = await scores(ev.id);
    assert.equal(got.length, llm.length);
    assert.ok(got.every((s) => Number(s.copies) === 1));
    const q = await send('GET', `/api/v1/quality?name=twice&from=${new Date(Date.now() - 3600_000).toISOString()}`);
    assert.equal(
      q.body.series.reduce((n: number, p: { count: number }) => n + p.count, 0),
      llm.length,
      'the quality page counts each span once',
    );
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('results are scores everywhere: trace, trace list filter, quality, export, alerts; another project sees none of it', async () => {
    const ev = (await send('POST', '/api/v1/evaluators', judgeEvaluator('grader', { filters: { model: ['graded-model'] } }))).body;
    const llm = await store(Array.from({ length: 4 }, (_, i) => ({ model: 'graded-model', output: i === 0 ? 'GOOD' : 'bad' })));
    await tick();
    const from = new Date(Date.now() - 3600_000).toISOString();
    const trace = await send('GET', `/api/v1/traces/${llm[0]!.trace_id}`);
    const fb = trace.body.feedback.find((f: { name: string }) => f.name === 'grader');
    assert.equal(fb.source, 'evaluation');
    assert.equal(fb.spanId, llm[0]!.span_id);
    assert.equal(fb.evaluatorId, ev.id);
    assert.equal(fb.evaluatorVersion, 1);
    assert.equal(fb.value, 1);
    assert.match(fb.comment, /good/);
    assert.ok(fb.judgeCostUsd === null || fb.judgeCostUsd >= 0);
    // The judge's calls are not spans of the project: its cost is the evaluator's.
    assert.equal(trace.body.spans.length, 2);

    const low = await send('GET', `/api/v1/traces?feedbackName=grader&feedbackSource=evaluation&maxScore=0.5&from=${from}`);
    assert.deepEqual(
      low.body.traces.map((t: { traceId: string }) => t.traceId).sort(),
      llm
        .slice(1)
        .map((r) => r.trace_id)
        .sort(),
    );
    const none = await send('GET', `/api/v1/traces?feedbackName=grader&feedbackSource=user&from=${from}`);
    assert.equal(none.body.traces.length, 0);

    const quality = await send('GET', `/api/v1/quality?name=grader&from=${from}`);
    assert.ok(quality.body.names.some((n: { name: string; count: number }) => n.name === 'grader' && n.count === 4));
    assert.deepEqual(
      quality.body.byModel.map((m: { key: string; count: number; avgScore: number }) => [m.key, m.count, m.avgScore]),
      [['graded-model', 4, 0.25]],
    );

    const exported = await fetch(`${api.url}/api/v1/export?format=csv&feedbackName=grader&minScore=1&from=${from}`, { headers: { authorization: `Bearer ${api.projects.acme!.key}` } });
    const lines = (await exported.text()).trim().split('\r\n');
    assert.equal(lines.length, 2);
    assert.ok(lines[1]!.startsWith(`"${llm[0]!.trace_id}"`));

    // Drift of one evaluator's scores, apart from every other score of the project.
    const windows = `currentFrom=${from}&currentTo=${new Date(Date.now() + 60_000).toISOString()}&baselineFrom=${new Date(Date.now() - 7200_000).toISOString()}&baselineTo=${from}`;
    const scoreDrift = async (extra: string) =>
      (await send('GET', `/api/v1/drift?${windows}${extra}`)).body.features.find((f: { feature: string; group: string | null }) => f.feature === 'feedbackScore' && f.group === null);
    assert.equal((await scoreDrift('&feedbackName=grader')).currentCount, 4);
    const rated = await send('POST', `/api/v1/traces/${llm[1]!.trace_id}/feedback`, { name: 'stars', value: 5, source: 'user' });
    assert.equal(rated.status, 201, rated.text);
    assert.equal((await scoreDrift('&feedbackName=grader')).currentCount, 4);
    assert.ok((await scoreDrift('')).currentCount >= 5, 'without a name, every score counts');

    const rule = await send('POST', '/api/v1/alerts/rules', { name: 'grader low', metric: 'feedbackScore', feedbackName: 'grader', windowSeconds: 3600, comparator: '<', threshold: 0.5 });
    assert.equal(rule.status, 201, rule.text);
    const fired = await send('POST', `/api/v1/alerts/rules/${rule.body.id}/evaluate`);
    assert.deepEqual(
      fired.body.events.map((e: { kind: string }) => e.kind),
      ['firing'],
    );

    const other = api.projects.other!.key;
    assert.deepEqual((await send('GET', '/api/v1/evaluators', undefined, other)).body.evaluators, []);
    assert.equal((await send('GET', `/api/v1/evaluators/${ev.id}`, undefined, other)).status, 404);
    assert.equal((await send('PUT', `/api/v1/evaluators/${ev.id}`, { name: 'x', type: 'rule', rule: { check: 'json_parses' } }, other)).status, 404);
    assert.equal((await send('POST', `/api/v1/evaluators/${ev.id}/backfills`, { from, to: new Date().toISOString() }, other)).status, 404);
    assert.equal((await send('DELETE', `/api/v1/evaluators/${ev.id}`, undefined, other)).status, 404);
    assert.equal((await send('GET', `/api/v1/traces?feedbackName=grader&from=${from}`, undefined, other)).body.traces.length, 0);
    assert.deepEqual((await send('GET', `/api/v1/quality?from=${from}`, undefined, other)).body.names, []);
    await send('DELETE', `/api/v1/evaluators/${ev.id}`);
  });

  test('bad definitions are refused with the field named', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'x', type: 'rule' }, /rule: required for type rule/],
      [{ name: 'x', type: 'rule', rule: { check: 'regex', pattern: '(open' } }, /rule\.pattern/],
      [{ name: 'x', type: 'llm_judge', judge: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } }, /template and output are required/],
      [{ name: 'x', type: 'llm_judge', judge: { baseUrl: 'https://api.openai.com/v1', model: 'm', builtIn: 'toxicity' } }, /apiKey: required/],
      [{ name: 'x', type: 'rule', rule: { check: 'contains', text: 'a' }, sampleRate: 2 }, /sampleRate/],
    ];
    for (const [body, message] of cases) {
      const r = await send('POST', '/api/v1/evaluators', body);
      assert.equal(r.status, 400, r.text);
      assert.match(r.body.message, message);
    }
  });
});
