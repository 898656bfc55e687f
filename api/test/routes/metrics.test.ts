import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanRow } from '@spanlens/clickhouse';
import { seedTraces, startNs } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);

describe('metrics', () => {
  let api: TestApi;
  let llm: SpanRow[];
  // Whole hours, so every bucket of the checks below is complete.
  const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
  const from = end - 2 * DAY;
  const range = `from=${new Date(from).toISOString()}&to=${new Date(end).toISOString()}`;
  const inRange = (r: SpanRow, lo = from, hi = end) => {
    const ms = Number(startNs(r) / 1_000_000n);
    return ms >= lo && ms < hi;
  };

  before(async () => {
    let rows: SpanRow[] = [];
    api = await startTestApi(['a', 'b'], (p) => {
      rows = seedTraces({ project: p.a!.id, traces: 400, endMs: end + 2 * HOUR, spanMs: 3 * DAY, seed: 3 });
      return [...rows, ...seedTraces({ project: p.b!.id, traces: 50, endMs: end, spanMs: DAY, seed: 4, traceOffset: 9000 })];
    });
    llm = rows.filter((r) => r.model !== '');
  });
  after(async () => api?.close());

  test('rollups and raw spans give the same numbers', async () => {
    const [rollup, spans] = await Promise.all([api.get(`/api/v1/metrics/timeseries?${range}&interval=1h&source=rollup`), api.get(`/api/v1/metrics/timeseries?${range}&interval=1h&source=spans`)]);
    assert.equal(rollup.status, 200, JSON.stringify(rollup.body));
    assert.equal(rollup.body.source, 'rollup');
    assert.equal(spans.body.source, 'spans');
    const a = rollup.body.series[0].points,
      b = spans.body.series[0].points;
    assert.equal(a.length, 48);
    assert.equal(b.length, 48);
    let requests = 0;
    for (let i = 0; i < a.length; i++) {
      assert.equal(a[i].time, b[i].time);
      for (const k of ['requests', 'errors', 'inputTokens', 'outputTokens', 'totalTokens']) assert.equal(a[i][k], b[i][k], `${k} at ${a[i].time}`);
      for (const k of ['costUsd', 'errorRate']) close(a[i][k], b[i][k], `${k} at ${a[i].time}`);
      for (const k of ['latencyP50Ms', 'latencyP95Ms', 'latencyP99Ms', 'ttftP50Ms', 'ttftP95Ms']) {
        if (a[i][k] === null) assert.equal(b[i][k], null);
        else close(a[i][k], b[i][k], `${k} at ${a[i].time}`);
      }
      requests += a[i].requests;
    }
    assert.equal(requests, llm.filter((r) => inRange(r)).length);
  });

  test('a range cut mid-hour: whole hours from the hour rollup, the edges from minutes, same totals as raw spans', async () => {
    const lo = from + 17 * 60_000,
      hi = end - 23 * 60_000;
    const q = `from=${new Date(lo).toISOString()}&to=${new Date(hi).toISOString()}&scope=all`;
    const [rollup, spans] = await Promise.all([api.get(`/api/v1/metrics/summary?${q}&source=rollup`), api.get(`/api/v1/metrics/summary?${q}&source=spans`)]);
    assert.equal(rollup.status, 200, JSON.stringify(rollup.body));
    const want = seedRows().filter((r) => inRange(r, lo, hi));
    // The edge minutes hold spans: a rollup reading whole hours only would miss or add them.
    assert.ok(want.length < seedRows().filter((r) => inRange(r, from, end)).length);
    assert.equal(rollup.body.current.requests, want.length);
    for (const k of ['requests', 'errors', 'inputTokens', 'outputTokens', 'totalTokens']) assert.equal(rollup.body.current[k], spans.body.current[k], k);
    close(rollup.body.current.costUsd, spans.body.current.costUsd, 'cost');
    // Merged t-digests are approximate: hour states built from minute states, against one digest of the raw values.
    for (const k of ['latencyP50Ms', 'latencyP95Ms']) {
      assert.ok(Math.abs(rollup.body.current[k] - spans.body.current[k]) / spans.body.current[k] < 0.05, `${k}: ${rollup.body.current[k]} vs ${spans.body.current[k]}`);
    }
  });

  test('each bucket counts the spans that start in it', async () => {
    const { body } = await api.get(`/api/v1/metrics/timeseries?${range}&interval=6h&scope=all`);
    assert.equal(body.intervalSeconds, 21_600);
    for (const p of body.series[0].points) {
      const lo = Date.parse(p.time);
      const bucket = seedRows().filter((r) => inRange(r, lo, lo + 6 * HOUR));
      assert.equal(p.requests, bucket.length, p.time);
      assert.equal(p.errors, bucket.filter((r) => r.status === 'error').length, p.time);
      close(
        p.costUsd,
        bucket.reduce((s, r) => s + r.cost_usd, 0),
        `cost ${p.time}`,
      );
    }
  });

  // Every row of project a, LLM or not.
  let allRows: SpanRow[] | null = null;
  function seedRows(): SpanRow[] {
    allRows ??= seedTraces({ project: 'a', traces: 400, endMs: end + 2 * HOUR, spanMs: 3 * DAY, seed: 3 });
    return allRows;
  }

  test('summary compares with the period before, and p50 is the median', async () => {
    const { status, body } = await api.get(`/api/v1/metrics/summary?from=${new Date(end - DAY).toISOString()}&to=${new Date(end).toISOString()}`);
    assert.equal(status, 200, JSON.stringify(body));
    const cur = llm.filter((r) => inRange(r, end - DAY, end));
    const prev = llm.filter((r) => inRange(r, end - 2 * DAY, end - DAY));
    assert.equal(body.current.requests, cur.length);
    assert.equal(body.previous.requests, prev.length);
    assert.equal(
      body.current.inputTokens,
      cur.reduce((s, r) => s + r.input_tokens, 0),
    );
    close(
      body.previous.costUsd,
      prev.reduce((s, r) => s + r.cost_usd, 0),
      'previous cost',
    );
    assert.equal(body.previousTo, new Date(end - DAY).toISOString());
    const ms = cur.map((r) => r.duration_ns / 1e6).sort((x, y) => x - y);
    const median = ms[Math.floor(ms.length / 2)]!;
    assert.ok(Math.abs(body.current.latencyP50Ms - median) / median < 0.05, `p50 ${body.current.latencyP50Ms} vs median ${median}`);
    assert.ok(body.current.latencyP50Ms <= body.current.latencyP95Ms && body.current.latencyP95Ms <= body.current.latencyP99Ms);
    assert.ok(body.current.ttftP50Ms > 0);
  });

  test('group-by: one series per model, adding up to the total; tags from the raw spans', async () => {
    const { body } = await api.get(`/api/v1/metrics/timeseries?${range}&interval=1d&groupBy=model`);
    assert.equal(body.source, 'rollup');
    assert.deepEqual(body.series.map((s: { key: string }) => s.key).sort(), ['claude-sonnet-4', 'gpt-4o', 'gpt-4o-mini']);
    const total = body.series.flatMap((s: { points: Array<{ requests: number }> }) => s.points).reduce((n: number, p: { requests: number }) => n + p.requests, 0);
    // A 1-day interval widens the range to whole days.
    const lo = Date.parse(body.from),
      hi = Date.parse(body.to);
    assert.ok(lo <= from && hi >= end && (hi - lo) % DAY === 0);
    assert.equal(total, llm.filter((r) => inRange(r, lo, hi)).length);

    const byCost = new Map<string, number>();
    for (const r of llm.filter((x) => inRange(x, lo, hi))) byCost.set(r.model, (byCost.get(r.model) ?? 0) + r.cost_usd);
    const costliest = [...byCost.entries()].sort((x, y) => y[1] - x[1])[0]![0];
    const ranked = await api.get(`/api/v1/metrics/timeseries?${range}&interval=1d&groupBy=model&groups=1&rankBy=costUsd`);
    assert.deepEqual(
      ranked.body.series.map((s: { key: string }) => s.key),
      [costliest],
    );

    const tags = await api.get(`/api/v1/metrics/timeseries?${range}&interval=1d&groupBy=tag&groups=1`);
    assert.equal(tags.body.source, 'spans');
    assert.equal(tags.body.series.length, 1);
    assert.equal(tags.body.series[0].key, 'beta');
    const beta = tags.body.series[0].points.reduce((n: number, p: { requests: number }) => n + p.requests, 0);
    assert.equal(beta, llm.filter((r) => inRange(r, lo, hi) && r.tags.includes('beta')).length);
  });

  test('top: costliest users, slowest models, most failing services', async () => {
    const { body } = await api.get(`/api/v1/metrics/top?${range}&by=user&metric=costUsd&limit=3`);
    const cost = new Map<string, number>();
    for (const r of llm.filter((x) => inRange(x))) cost.set(r.user_id, (cost.get(r.user_id) ?? 0) + r.cost_usd);
    const want = [...cost.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
    assert.deepEqual(
      body.rows.map((r: { key: string }) => r.key),
      want.map(([k]) => k),
    );
    close(body.rows[0].costUsd, want[0]![1], 'top user cost');

    const slow = await api.get(`/api/v1/metrics/top?${range}&by=model&metric=latencyP95Ms`);
    assert.equal(slow.body.rows.length, 3);
    assert.ok(slow.body.rows[0].latencyP95Ms >= slow.body.rows[2].latencyP95Ms);
    const failing = await api.get(`/api/v1/metrics/top?${range}&by=service&metric=errorRate&scope=root`);
    assert.equal(failing.body.rows.length, 2);
    const roots = seedRows().filter((r) => r.parent_span_id === '' && inRange(r) && r.service === failing.body.rows[0].key);
    close(failing.body.rows[0].errorRate, roots.filter((r) => r.status === 'error').length / roots.length, 'error rate');
  });

  test('auto picks rollups for wide ranges and raw spans for narrow ones or other filters', async () => {
    assert.equal((await api.get(`/api/v1/metrics/summary?${range}`)).body.source, 'rollup');
    assert.equal((await api.get(`/api/v1/metrics/summary?${range}&userId=user-1`)).body.source, 'spans');
    assert.equal((await api.get(`/api/v1/metrics/summary?from=${new Date(end - HOUR).toISOString()}&to=${new Date(end).toISOString()}`)).body.source, 'spans');
    const user = await api.get(`/api/v1/metrics/summary?${range}&userId=user-1`);
    assert.equal(user.body.current.requests, llm.filter((r) => inRange(r) && r.user_id === 'user-1').length);
  });

  test("project b's key sees only project b", async () => {
    const { body } = await api.get(`/api/v1/metrics/summary?from=${new Date(end - 3 * DAY).toISOString()}&to=${new Date(end).toISOString()}`, api.projects.b!.key);
    const b = seedTraces({ project: 'b', traces: 50, endMs: end, spanMs: DAY, seed: 4, traceOffset: 9000 }).filter((r) => r.model !== '');
    assert.equal(body.current.requests, b.length);
  });

  test('bad input: 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      [`/api/v1/metrics/timeseries?${range}&source=rollup&userId=u`, /source: the rollups keep only/],
      [`/api/v1/metrics/timeseries?from=${new Date(end - 30 * DAY).toISOString()}&to=${new Date(end).toISOString()}&interval=1m`, /interval: 1m gives 43200 points/],
      [`/api/v1/metrics/timeseries?groupBy=colour`, /groupBy/],
      [`/api/v1/metrics/top?metric=costUsd`, /by/],
      [`/api/v1/metrics/top?by=model&metric=vibes`, /metric/],
      [`/api/v1/metrics/summary?scope=some`, /scope/],
      [`/api/v1/metrics/summary?to=2026-01-01`, /to/],
    ];
    for (const [path, re] of cases) {
      const { status, body } = await api.get(path);
      assert.equal(status, 400, path);
      assert.match(body.message, re, path);
    }
  });
});
