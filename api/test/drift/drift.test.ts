import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createProject, formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { jsDistance, numericSeverity, psi, severity, termShifts } from '../../src/drift/stats.ts';
import { computeDrift } from '../../src/drift/drift.ts';
import { windowCounts } from '../../src/drift/queries.ts';
import { prng, spanRow } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

describe('drift statistics, checked by hand', () => {
  test('PSI of two mirrored distributions', () => {
    // (0.3 ln 4) + (0.1 ln 1.5) + (-0.1 ln 2/3) + (-0.3 ln 1/4) = 0.912870
    close(psi([10, 20, 30, 40], [40, 30, 20, 10], 0), 0.91287);
    close(psi([5, 5], [5, 5]), 0);
    assert.ok(psi([100, 0], [0, 100]) > 2, 'smoothing keeps an emptied bin finite');
  });

  test('Jensen-Shannon distance', () => {
    close(jsDistance(new Map([['a', 3]]), new Map([['a', 9]])), 0);
    close(jsDistance(new Map([['a', 1]]), new Map([['b', 1]])), 1);
    // m = {a: .75, b: .25}; JSD = (0.2075187 + 0.4150375) / 2; distance = sqrt
    close(
      jsDistance(
        new Map([
          ['a', 1],
          ['b', 1],
        ]),
        new Map([['a', 2]]),
      ),
      Math.sqrt(0.3112781),
    );
  });

  test('small samples: severity from the KS p-value, not PSI', () => {
    assert.equal(numericSeverity(0.48, 131, 17, { pValue: 0.86 }), 'none');
    assert.equal(numericSeverity(0.48, 131, 17, { pValue: 0.01 }), 'moderate');
    assert.equal(numericSeverity(0.05, 131, 17, { pValue: 0.0001 }), 'significant');
    assert.equal(numericSeverity(0.48, 131, 17, null), 'none');
    assert.equal(numericSeverity(0.48, 500, 100, { pValue: 0.86 }), 'significant', 'enough calls: PSI decides');
    assert.equal(numericSeverity(0, 0, 5, null), 'significant', 'one window only');
  });

  test('severity thresholds and term shifts', () => {
    assert.equal(severity('psi', 0.05), 'none');
    assert.equal(severity('psi', 0.15), 'moderate');
    assert.equal(severity('psi', 0.25), 'significant');
    const { rose, fell } = termShifts(
      new Map([
        ['ship', 8],
        ['order', 2],
      ]),
      new Map([
        ['refund', 5],
        ['order', 5],
      ]),
      5,
    );
    assert.deepEqual(
      rose.map((t) => t.term),
      ['refund', 'order'],
    );
    assert.deepEqual(
      fell.map((t) => t.term),
      ['ship'],
    );
  });
});

describe('GET /api/v1/drift on synthetic data with a known shift', () => {
  let api: TestApi;
  const HOUR = 3_600_000;
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const current = { from: now - 24 * HOUR, to: now };
  const baseline = { from: now - 8 * 24 * HOUR, to: now - 24 * HOUR };
  const windows = (c = current, b = baseline) =>
    `currentFrom=${new Date(c.from).toISOString()}&currentTo=${new Date(c.to).toISOString()}&baselineFrom=${new Date(b.from).toISOString()}&baselineTo=${new Date(b.to).toISOString()}`;

  function calls(project: string, from: number, to: number, n: number, seed: number, shifted: boolean, offset: number): SpanRow[] {
    const rnd = prng(seed);
    return Array.from({ length: n }, (_, i) => {
      const model = i % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4';
      const start = BigInt(Math.floor(from + (i + 0.5) * ((to - from) / n))) * 1_000_000n;
      const dur = BigInt(Math.floor(200 + rnd() * 1800)) * 1_000_000n;
      // The shift: gpt-4o prompts get about twice as long and start asking about refunds.
      const gptShift = shifted && model === 'gpt-4o';
      const input = Math.floor(gptShift ? 1200 + rnd() * 900 : 100 + rnd() * 900);
      const words = gptShift && i % 4 === 0 ? 'refund policy deadline' : 'shipping order status';
      const id = offset + i;
      return spanRow(project, {
        trace_id: id.toString(16).padStart(32, '0'),
        span_id: id.toString(16).padStart(16, '0'),
        kind: 'llm',
        start_time: formatDateTime64(start),
        end_time: formatDateTime64(start + dur),
        duration_ns: Number(dur),
        model,
        provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
        finish_reason: 'stop',
        input_tokens: input,
        output_tokens: Math.floor(10 + rnd() * 290),
        total_tokens: 0,
        cost_usd: input / 1e6,
        ttft_ms: Math.floor(50 + rnd() * 300),
        input: JSON.stringify([{ role: 'user', content: `customer asks about ${words} number ${i % 50}` }]),
        output: JSON.stringify(
          gptShift && i % 4 === 0 ? [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup_refund', arguments: '{}' }] }] : [{ role: 'assistant', content: 'here is the answer' }],
        ),
      });
    });
  }

  before(async () => {
    api = await startTestApi(['a'], (p) => [...calls(p.a!.id, baseline.from, baseline.to, 2000, 1, false, 0), ...calls(p.a!.id, current.from, current.to, 800, 2, true, 100_000)]);
    // Thumbs: 90% up in the baseline (evenly in both of its halves), 40% up now.
    const thumbs = (from: number, to: number, n: number, upEvery: number, offset: number) =>
      Array.from({ length: n }, (_, i) => ({
        project_id: 'a',
        id: `fb-${offset + i}`,
        trace_id: (offset + i).toString(16).padStart(32, '0'),
        span_id: '',
        name: 'thumbs',
        data_type: 'boolean',
        value: i % 10 < upEvery ? 1 : 0,
        string_value: '',
        comment: '',
        source: 'user',
        author: '',
        user_id: '',
        created_at: new Date(from + (i + 0.5) * ((to - from) / n)).toISOString().replace('T', ' ').replace('Z', ''),
      }));
    await api.storage.insertRows('feedback', [...thumbs(baseline.from, baseline.to, 400, 9, 0), ...thumbs(current.from, current.to, 100, 4, 100_000)]);
  });
  after(async () => api?.close());

  const find = (features: any[], feature: string, group: string | null) => features.find((f) => f.feature === feature && f.group === group);

  test('the injected shift is flagged with the right feature and group, and nothing else is', async () => {
    const { status, body } = await api.get(`/api/v1/drift?${windows()}&groupBy=model`);
    assert.equal(status, 200, JSON.stringify(body));
    const gpt = find(body.features, 'inputTokens', 'gpt-4o');
    assert.equal(gpt.severity, 'significant');
    assert.ok(gpt.value > 1, `PSI ${gpt.value}`);
    assert.ok(gpt.ks.d > 0.9 && gpt.ks.pValue < 1e-6, JSON.stringify(gpt.ks));
    assert.equal(gpt.baselineCount, 1000);
    assert.equal(gpt.currentCount, 400);
    assert.equal(gpt.labels.length, gpt.baseline.length);
    close(
      gpt.baseline.reduce((a: number, b: number) => a + b, 0),
      1,
    );
    const claude = find(body.features, 'inputTokens', 'claude-sonnet-4');
    assert.ok(claude.value < 0.1, `claude PSI ${claude.value}`);
    assert.equal(claude.severity, 'none');
    for (const feature of ['outputTokens', 'latencyMs', 'ttftMs']) {
      for (const group of [null, 'gpt-4o', 'claude-sonnet-4']) {
        const f = find(body.features, feature, group);
        assert.ok(f.value < 0.1, `${feature}/${group} PSI ${f.value}`);
      }
    }
    assert.equal(find(body.features, 'model', null).severity, 'none');
    const fb = find(body.features, 'feedbackScore', null);
    assert.equal(fb.severity, 'significant', JSON.stringify(fb));
    assert.deepEqual([fb.baselineCount, fb.currentCount], [400, 100]);
    assert.ok(fb.ks.pValue < 1e-6 && Math.abs(fb.ks.d - 0.5) < 1e-9, JSON.stringify(fb.ks));
    // Per group, by each rated trace's LLM call: even trace numbers are gpt-4o's.
    for (const model of ['gpt-4o', 'claude-sonnet-4']) {
      const g = find(body.features, 'feedbackScore', model);
      assert.deepEqual([g.baselineCount, g.currentCount], [200, 50], model);
      assert.equal(g.severity, 'significant', model);
      assert.ok(g.ks.pValue < 1e-3, JSON.stringify(g.ks));
    }
    assert.equal(find(body.features, 'model', 'gpt-4o'), undefined, 'the grouped-by feature is not compared within its groups');
    // Half of gpt-4o's current calls now call a tool: JS distance of {none: 1} and {none: .5, tool: .5} = sqrt(0.311278).
    const tools = find(body.features, 'toolCall', 'gpt-4o');
    close(tools.value, Math.sqrt(0.3112781));
    assert.equal(tools.severity, 'significant');
    assert.equal(find(body.features, 'toolCall', 'claude-sonnet-4').value, 0);
    assert.equal(find(body.features, 'finishReason', null).value, 0);
    assert.equal(body.features[0].severity, 'significant', 'worst first');
    assert.ok(
      body.text.prompts.rose.some((t: { term: string }) => t.term === 'refund'),
      JSON.stringify(body.text.prompts.rose),
    );
    assert.ok(body.text.prompts.distance > body.text.completions.distance);
  });

  test('identical windows: PSI below 0.1 and no flag', async () => {
    // Two halves of the unshifted baseline, same generator.
    const mid = baseline.from + (baseline.to - baseline.from) / 2;
    const { body } = await api.get(`/api/v1/drift?${windows({ from: mid, to: baseline.to }, { from: baseline.from, to: mid })}`);
    for (const f of body.features) {
      if (f.kind === 'numeric') assert.ok(f.value < 0.1, `${f.feature}/${f.group}: ${f.value}`);
      assert.equal(f.severity, 'none', `${f.feature}/${f.group}`);
    }
  });

  test('an alert rule on drift fires for the shifted group only', async () => {
    const post = (path: string, body: unknown) =>
      fetch(api.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.projects.a!.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const created = await post('/api/v1/alerts/rules', {
      name: 'prompt length drift',
      metric: 'drift',
      driftFeature: 'inputTokens',
      windowSeconds: 86_400,
      driftBaselineSeconds: 7 * 86_400,
      comparator: '>',
      threshold: 0.2,
      groupBy: 'model',
      minRequests: 20,
    });
    const rule = (await created.json()) as { id: string };
    assert.equal(created.status, 201, JSON.stringify(rule));
    const fired = (await (await post(`/api/v1/alerts/rules/${rule.id}/evaluate`, undefined)).json()) as { events: Array<{ kind: string; group: string }> };
    assert.deepEqual(
      fired.events.map((e) => `${e.kind}:${e.group}`),
      ['firing:gpt-4o'],
    );
    const missing = await post('/api/v1/alerts/rules', { name: 'x', metric: 'drift', windowSeconds: 3600, comparator: '>', threshold: 0.2 });
    assert.match(((await missing.json()) as { message: string }).message, /driftFeature/);
  });

  test('large windows are sampled by trace: prefix ranges for random ids, a hash for ordered ones; the shift still shows', async () => {
    const rnd = prng(77);
    const hex = (k: number) => Array.from({ length: k }, () => Math.floor(rnd() * 16).toString(16)).join('');
    const b = await createProject(api.storage, 'b', 'b');
    // The same calls with random W3C-style trace ids.
    const rows = [...calls(b.id, baseline.from, baseline.to, 2000, 1, false, 0), ...calls(b.id, current.from, current.to, 800, 2, true, 100_000)].map((r) => ({ ...r, trace_id: hex(32) }));
    await api.storage.insertRows('spans', rows);
    const w = { baseline: { fromMs: baseline.from, toMs: baseline.to }, current: { fromMs: current.from, toMs: current.to }, filters: {} };
    for (const [project, random] of [
      [b.id, true],
      [api.projects.a!.id, false],
    ] as const) {
      assert.deepEqual(await windowCounts(api.storage, { projectId: project, ...w }), { nb: 2000, nc: 800 });
      const report = await computeDrift(api.storage, { projectId: project, ...w, groupBy: 'model' }, 300);
      assert.equal(report.sample.baselineCalls, 2000);
      assert.equal(report.sample.currentCalls, 800);
      assert.equal(report.sample.method, random ? 'traceRange' : 'traceHash', project);
      close(report.sample.baselineRate, 300 / 2000, 1e-3);
      close(report.sample.currentRate, 300 / 800, 1e-3);
      const gpt = report.features.find((f) => f.feature === 'inputTokens' && f.group === 'gpt-4o')!;
      assert.equal(gpt.severity, 'significant', project);
      assert.ok(gpt.ks && gpt.ks.pValue < 0.01, `${project}: KS ${JSON.stringify(gpt.ks)}`);
      // About 15 % of gpt-4o's 1,000 baseline calls and 37.5 % of its 400 current ones.
      assert.ok(Math.abs(gpt.baselineCount - 150) < 60, `${project}: baseline sample ${gpt.baselineCount}`);
      assert.ok(Math.abs(gpt.currentCount - 150) < 60, `${project}: current sample ${gpt.currentCount}`);
    }
  });

  test('bad windows: 400 naming the field', async () => {
    const overlap = await api.get(`/api/v1/drift?${windows(current, { from: baseline.from, to: current.from + HOUR })}`);
    assert.equal(overlap.status, 400);
    assert.match(overlap.body.message, /baselineTo/);
    const partial = await api.get(`/api/v1/drift?currentFrom=${new Date(current.from).toISOString()}`);
    assert.match(partial.body.message, /currentFrom/);
    assert.match((await api.get('/api/v1/drift?groupBy=user')).body.message, /groupBy/);
  });
});
