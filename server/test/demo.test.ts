// npm run demo: the planned traffic goes through the real OTLP/HTTP endpoint of a one-process
// Spanlens and every field the dashboard shows reads back from the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planDemo, type DemoPlan, type PlannedSpan, type PlannedTrace } from '../../scripts/demo/generate.ts';
import { sendPlan, type SendResult } from '../../scripts/demo/send.ts';
import { fireSampleAlert } from '../../scripts/demo/alert.ts';
import http from 'node:http';
import { startTestSpanlens } from './helpers/spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

const streaming = (s: PlannedSpan) => s.attributes['gen_ai.response.time_to_first_chunk'] !== undefined;
const priced = (s: PlannedSpan) => (s.kind === 'llm' || s.kind === 'embedding') && s.error === null;

/** The first seed whose small plan shows every feature the assertions look for (the plan is pure, so this is cheap). */
function smallPlan(now: number): DemoPlan {
  for (let seed = 1; ; seed++) {
    const plan = planDemo({ seed, traces: 60, days: 2, now });
    const t = plan.traces;
    const spans = t.flatMap((x) => x.spans);
    const support = t.filter((x) => x.service === 'support-bot');
    if (
      new Set(t.map((x) => x.service)).size === 3 &&
      spans.some((s) => s.error) &&
      spans.some(streaming) &&
      spans.some((s) => s.attributes['gen_ai.usage.cost'] !== undefined) &&
      t.some((x) => x.feedback.some((f) => f.comment)) &&
      support.some((x) => x.changed) &&
      support.some((x) => !x.changed) &&
      new Set(t.map((x) => x.environment)).size === 2
    )
      return plan;
  }
}

describe('npm run demo: generated traffic through the real OTLP endpoint', () => {
  let sl: Spanlens;
  let plan: DemoPlan;
  let sent: SendResult;
  const details = new Map<string, any>();

  before(async () => {
    sl = await startTestSpanlens({ SPANLENS_WEBHOOK_ALLOW_PRIVATE: 'true' });
    plan = smallPlan(Date.now());
    // Small batches: several export requests, as with the full demo.
    sent = await sendPlan(plan, { endpoint: sl.httpUrl, apiKey: sl.key, batchSpans: 120 });
    const ids = plan.traces.map((t) => t.traceId);
    await Promise.all(
      [0, 1, 2, 3].map(async (lane) => {
        for (let i = lane; i < ids.length; i += 4) details.set(ids[i]!, (await sl.get(`/api/v1/traces/${ids[i]}`)).body);
      }),
    );
  });
  after(async () => {
    await sl.close();
  });

  test('the plan is deterministic for a seed and a time, and a later run gets new ids', () => {
    const now = plan.options.now;
    const again = planDemo({ ...plan.options });
    assert.deepEqual(again, plan);
    const later = planDemo({ ...plan.options, now: now + 60_000 });
    assert.equal(later.traces.length, 60);
    assert.ok(!later.traces.some((t) => plan.traces.some((p) => p.traceId === t.traceId)), 'ids must not repeat across runs');
    assert.ok(plan.traces.every((t) => t.startMs >= now - 2 * 86_400_000 && t.endMs < now));
  });

  test('everything was sent: traces, spans in several requests, feedback', () => {
    assert.equal(sent.traces, 60);
    assert.equal(sent.spans, plan.spanCount);
    assert.ok(sent.exportRequests > 1, `${sent.exportRequests} export requests`);
    assert.equal(sent.feedback, plan.feedbackCount);
    assert.ok(plan.feedbackCount > 0);
  });

  test('the trace list has every trace with its span count, service, models, user and status', async () => {
    const { status, body } = await sl.get('/api/v1/traces?limit=500');
    assert.equal(status, 200);
    assert.equal(body.traces.length, plan.traces.length);
    const byId = new Map<string, PlannedTrace>(plan.traces.map((t) => [t.traceId, t]));
    for (const row of body.traces) {
      const t = byId.get(row.traceId);
      assert.ok(t, `unexpected trace ${row.traceId}`);
      assert.equal(row.spanCount, t.spans.length, row.traceId);
      assert.equal(row.service, t.service);
      assert.equal(row.environment, t.environment);
      assert.equal(row.userId, t.userId);
      assert.equal(row.sessionId, t.sessionId);
      assert.deepEqual([...row.tags].sort(), [...t.tags].sort());
      assert.equal(row.status, t.spans.some((s) => s.error) ? 'error' : 'unset', row.traceId);
      assert.ok(row.models.length > 0, `${row.traceId} has no model`);
      assert.ok(row.costUsd > 0, `${row.traceId} cost ${row.costUsd}`);
    }
    assert.ok(body.traces.some((r: { status: string }) => r.status === 'error'));
    assert.deepEqual(new Set(body.traces.map((r: { service: string }) => r.service)), new Set(['support-bot', 'search-api', 'summarizer']));
  });

  test('every span reads back with the fields the dashboard shows', () => {
    let streamed = 0;
    for (const t of plan.traces) {
      const d = details.get(t.traceId);
      assert.equal(d.spans.length, t.spans.length, t.traceId);
      const got = new Map<string, any>(d.spans.map((s: { spanId: string }) => [s.spanId, s]));
      for (const p of t.spans) {
        const s = got.get(p.spanId);
        const where = `${t.traceId}/${p.spanId} ${p.name}`;
        assert.ok(s, where);
        assert.equal(s.parentSpanId, p.parentSpanId, where);
        assert.equal(s.name, p.name);
        assert.equal(s.kind, p.kind, where);
        assert.ok(Math.abs(s.durationMs - (p.endMs - p.startMs)) < 0.01, where);
        assert.equal(s.status, p.error ? 'error' : 'unset', where);
        assert.equal(s.statusMessage, p.error, where);
        assert.deepEqual([s.service, s.environment, s.release], [t.service, t.environment, t.release], where);
        assert.deepEqual([s.userId, s.sessionId], [t.userId, t.sessionId], where);
        assert.deepEqual([...s.tags].sort(), [...t.tags].sort(), where);
        const model = p.attributes['gen_ai.response.model'] ?? p.attributes['gen_ai.request.model'] ?? null;
        assert.equal(s.model, model, where);
        assert.equal(s.provider, p.attributes['gen_ai.provider.name'] ?? p.attributes['gen_ai.system'] ?? null, where);
        if (p.kind === 'llm') {
          assert.equal(s.promptName, p.attributes['gen_ai.prompt.name'], where);
          assert.equal(s.promptVersion, p.attributes['spanlens.prompt.version'], where);
          assert.ok(s.input && JSON.parse(s.input).length > 0, `${where}: input messages`);
        }
        if (priced(p)) {
          assert.equal(s.inputTokens, p.attributes['gen_ai.usage.input_tokens'], where);
          assert.equal(s.outputTokens, p.attributes['gen_ai.usage.output_tokens'] ?? 0, where);
          assert.ok(s.costUsd > 0, `${where}: cost ${s.costUsd}`);
          assert.equal(s.costSource, p.attributes['gen_ai.usage.cost'] !== undefined ? 'client' : 'table', where);
          if (p.attributes['gen_ai.usage.cost'] !== undefined) assert.equal(s.costUsd, p.attributes['gen_ai.usage.cost']);
        }
        if (streaming(p)) {
          streamed++;
          assert.equal(s.ttftMs, Number(p.attributes['gen_ai.response.time_to_first_chunk']) * 1000, where);
        } else {
          assert.equal(s.ttftMs, null, where);
        }
      }
    }
    assert.ok(streamed > 0);
  });

  test('halfway through, support-bot moves from gpt-4o to claude-sonnet-4 with longer prompts', () => {
    const llm = (changed: boolean) =>
      plan.traces
        .filter((t) => t.service === 'support-bot' && t.changed === changed)
        .flatMap((t) => details.get(t.traceId).spans.filter((s: { kind: string; status: string }) => s.kind === 'llm' && s.status !== 'error'));
    const before = llm(false);
    const after = llm(true);
    assert.ok(before.length > 0 && after.length > 0);
    assert.ok(before.every((s: { model: string; provider: string }) => s.model.startsWith('gpt-4o') && s.provider === 'openai'));
    assert.ok(after.every((s: { model: string; provider: string }) => s.model.startsWith('claude-sonnet-4') && s.provider === 'anthropic'));
    const mean = (xs: Array<{ inputTokens: number }>) => xs.reduce((n, s) => n + s.inputTokens, 0) / xs.length;
    assert.ok(mean(after) > 1.6 * mean(before), `input tokens ${mean(before)} -> ${mean(after)}`);
  });

  test('feedback reads back on its trace', () => {
    const rated = plan.traces.filter((t) => t.feedback.length > 0);
    for (const t of rated) {
      const [f] = t.feedback;
      const got = details.get(t.traceId).feedback;
      assert.equal(got.length, 1, t.traceId);
      assert.equal(got[0].id, f!.id);
      assert.equal(got[0].name, f!.name);
      assert.equal(got[0].value, Number(f!.value));
      assert.equal(got[0].dataType, typeof f!.value === 'boolean' ? 'boolean' : 'numeric');
      assert.equal(got[0].comment, f!.comment);
      assert.equal(got[0].userId, f!.userId);
      assert.equal(got[0].source, 'user');
    }
  });

  test('the sample alert: a signed test event reaches a real receiver and the rule is evaluated', async () => {
    const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
      const result = await fireSampleAlert(sl.apiUrl, sl.key, url);
      assert.deepEqual(result.test && { ok: result.test.ok, statusCode: result.test.statusCode }, { ok: true, statusCode: 200 });
      assert.equal(JSON.parse(got[0]!.body).kind, 'test');
      assert.match(String(got[0]!.headers['x-spanlens-signature']), /^v1=[0-9a-f]{64}$/);
      const states = await sl.get(`/api/v1/alerts/rules/${result.ruleId}/states`);
      assert.ok(states.body.states.length > 0, 'the rule was evaluated per model');
      // Run twice: the rule is updated, not duplicated.
      await fireSampleAlert(sl.apiUrl, sl.key);
      const rules = (await sl.get('/api/v1/alerts/rules')).body.rules;
      assert.equal(rules.filter((r: { name: string }) => r.name.startsWith('Demo:')).length, 1);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  test("the halfway change shows on the drift report: support-bot's prompts and model", async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    const start = Math.min(...plan.traces.map((t) => t.startMs));
    const end = Math.max(...plan.traces.map((t) => t.startMs)) + 3_600_000;
    const windows = `baselineFrom=${iso(start - 60_000)}&baselineTo=${iso(plan.changeAtMs)}&currentFrom=${iso(plan.changeAtMs)}&currentTo=${iso(end)}`;
    const { status, body } = await sl.get(`/api/v1/drift?${windows}&service=support-bot`);
    assert.equal(status, 200, JSON.stringify(body));
    const feature = (name: string) => body.features.find((f: { feature: string; group: string | null }) => f.feature === name && f.group === null);
    assert.equal(feature('model').severity, 'significant', JSON.stringify(feature('model')));
    assert.notEqual(feature('inputTokens').severity, 'none', JSON.stringify(feature('inputTokens')));
  });
});
