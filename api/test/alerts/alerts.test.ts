import { retryPolicy } from '@spanlens/collector';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { formatDateTime64, KeyCache, type SpanRow } from '@spanlens/clickhouse';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/server.ts';
import { spanRow } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const MIN = 60_000;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

/** A real webhook receiver on loopback that answers from a script of status codes. */
async function startReceiver() {
  const received: Received[] = [];
  let script: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    answer(codes: number[]) {
      script = [...codes];
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// Errors per minute for gpt-4o (of 20 calls); claude-sonnet-4 never fails.
const GPT_ERRORS = [2, 8, 5, 3, 7, 8];

function minuteSpans(project: string, m0: number): SpanRow[] {
  const rows: SpanRow[] = [];
  GPT_ERRORS.forEach((errors, k) => {
    for (const model of ['gpt-4o', 'claude-sonnet-4']) {
      for (let i = 0; i < 20; i++) {
        const start = BigInt(m0 + k * MIN + 1000 + i * 1000) * 1_000_000n;
        const n = k * 100 + i + (model === 'gpt-4o' ? 0 : 50);
        rows.push(
          spanRow(project, {
            trace_id: n.toString(16).padStart(32, '0'),
            span_id: n.toString(16).padStart(16, '0'),
            start_time: formatDateTime64(start),
            end_time: formatDateTime64(start + 500_000_000n),
            duration_ns: 500_000_000,
            model,
            provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
            input_tokens: 100,
            output_tokens: 10,
            total_tokens: 110,
            status: model === 'gpt-4o' && i < errors ? 'error' : 'ok',
            service: 'bot',
            user_id: `u${i % 3}`,
          }),
        );
      }
    }
  });
  return rows;
}

describe('alerts: rules, state machine, signed webhooks', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let clock = 0;
  const m0 = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
  /** The clock just after minute k ends: the 60 s window covers exactly minute k. */
  const at = (k: number) => m0 + (k + 1) * MIN + 1000;
  const alerts = { allowPrivate: true, now: () => clock, retry: retryPolicy({ initialMs: 30, maxAttempts: 6 }), dashboardUrl: 'http://dash.example' };

  before(async () => {
    receiver = await startReceiver();
    api = await startTestApi(['a', 'b'], (p) => minuteSpans(p.a!.id, m0), { alerts });
  });
  after(async () => {
    await api?.close();
    await receiver?.close();
  });

  const call = async (method: string, path: string, body?: unknown, key = api.projects.a!.key) => {
    const res = await fetch(api.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };
  const evaluate = async (ruleId: string, k: number) => {
    clock = at(k);
    const { body } = await call('POST', `/api/v1/alerts/rules/${ruleId}/evaluate`);
    await api.app.alerts.notifier.idle();
    return body.events as Array<{ kind: string; group: string }>;
  };

  let dest: { id: string; secret: string };
  const rule = (over: Record<string, unknown> = {}) => ({
    name: 'gpt error rate',
    metric: 'errorRate',
    windowSeconds: 60,
    comparator: '>',
    threshold: 0.3,
    resolveThreshold: 0.2,
    minRequests: 5,
    groupBy: 'model',
    repeatIntervalSeconds: 3600,
    destinationIds: [dest.id],
    ...over,
  });

  test('destinations: created with a secret shown once; private addresses refused unless allowed', async () => {
    const created = await call('POST', '/api/v1/alerts/destinations', { name: 'ops', url: receiver.url });
    assert.equal(created.status, 201);
    assert.match(created.body.secret, /^whsec_/);
    dest = created.body;
    const listed = await call('GET', '/api/v1/alerts/destinations');
    assert.ok(!JSON.stringify(listed.body).includes(dest.secret));

    const strict = await buildApi({ storage: api.storage, keys: new KeyCache(api.storage), retentionDays: 30 });
    const refused = await strict.inject({
      method: 'POST',
      url: '/api/v1/alerts/destinations',
      headers: { authorization: `Bearer ${api.projects.a!.key}` },
      payload: { name: 'x', url: 'http://10.0.0.8/hook' },
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /url: 10\.0\.0\.8 is a private or local address/);
    await strict.close();
  });

  test('per group, with hysteresis: fire, hold, resolve, fire again; one signed notification each', async () => {
    const { status, body: r } = await call('POST', '/api/v1/alerts/rules', rule());
    assert.equal(status, 201, JSON.stringify(r));
    const kinds: string[] = [];
    for (let k = 0; k < 5; k++) kinds.push(...(await evaluate(r.id, k)).map((e) => `${k}:${e.kind}:${e.group}`));
    // 0.1 ok; 0.4 fires; 0.25 sits between 0.2 and 0.3: no change; 0.15 resolves; 0.35 fires again.
    assert.deepEqual(kinds, ['1:firing:gpt-4o', '3:resolved:gpt-4o', '4:firing:gpt-4o']);
    const mine = receiver.received.filter((x) => x.json.rule.id === r.id);
    assert.deepEqual(
      mine.map((x) => x.json.kind),
      ['firing', 'resolved', 'firing'],
    );

    const first = mine[0]!;
    const ts = first.headers['x-spanlens-timestamp'] as string;
    const expected = 'v1=' + createHmac('sha256', dest.secret).update(`${ts}.${first.body}`).digest('hex');
    assert.equal(first.headers['x-spanlens-signature'], expected);
    assert.equal(first.headers['x-spanlens-event-id'], first.json.id);
    assert.equal(first.json.group, 'gpt-4o');
    assert.equal(first.json.value, 0.4);
    assert.equal(first.json.threshold, 0.3);
    assert.equal(first.json.windowSeconds, 60);
    assert.equal(first.json.link, `http://dash.example/alerts?rule=${r.id}`);

    const states = await call('GET', `/api/v1/alerts/rules/${r.id}/states`);
    const gpt = states.body.states.find((s: { group: string }) => s.group === 'gpt-4o');
    assert.equal(gpt.state, 'firing');
    assert.equal(gpt.transitions, 3);
    assert.equal(states.body.states.find((s: { group: string }) => s.group === 'claude-sonnet-4').state, 'ok');
    const history = await call('GET', `/api/v1/alerts/events?ruleId=${r.id}`);
    assert.equal(history.body.events.length, 3);
  });

  test('reminders only after the repeat interval', async () => {
    const { body: r } = await call('POST', '/api/v1/alerts/rules', rule({ name: 'reminding', groupBy: undefined, minRequests: 1, repeatIntervalSeconds: 60, filters: { model: ['gpt-4o'] } }));
    const kinds = [];
    for (let k = 1; k < 6; k++) kinds.push(...(await evaluate(r.id, k)).map((e) => `${k}:${e.kind}`));
    assert.deepEqual(kinds, ['1:firing', '2:reminder', '3:resolved', '4:firing', '5:reminder']);
    // 10 s after the last reminder: too soon for another.
    clock = at(5) + 10_000;
    assert.deepEqual(await api.app.alerts.evaluator.evaluate((await call('GET', '/api/v1/alerts/rules')).body.rules.find((x: { id: string }) => x.id === r.id)), []);
  });

  test('retries on 500 with backoff, stop at success; 4xx is final', async () => {
    const { body: r } = await call('POST', '/api/v1/alerts/rules', rule({ name: 'retrying' }));
    receiver.answer([500, 503, 200]);
    const before = receiver.received.length;
    await evaluate(r.id, 1);
    const got = receiver.received.slice(before);
    assert.equal(got.length, 3);
    assert.equal(new Set(got.map((x) => x.headers['x-spanlens-event-id'])).size, 1, 'every attempt carries the same event id');
    const log = (await call('GET', '/api/v1/alerts/deliveries')).body.deliveries.filter((d: { eventId: string }) => d.eventId === got[0]!.json.id);
    assert.deepEqual(log.map((d: { attempt: number; outcome: string; statusCode: number }) => `${d.attempt}:${d.outcome}:${d.statusCode}`).sort(), ['1:retry:500', '2:retry:503', '3:success:200']);
    assert.ok(log.every((d: { latencyMs: number }) => d.latencyMs > 0));

    const { body: r2 } = await call('POST', '/api/v1/alerts/rules', rule({ name: 'refused' }));
    receiver.answer([400]);
    const n = receiver.received.length;
    await evaluate(r2.id, 1);
    assert.equal(receiver.received.length, n + 1);
    const refused = (await call('GET', '/api/v1/alerts/deliveries')).body.deliveries.filter((d: { eventId: string }) => d.eventId === receiver.received[n]!.json.id);
    assert.deepEqual(
      refused.map((d: { outcome: string }) => d.outcome),
      ['failed'],
    );
  });

  test('a restart mid-firing neither re-sends nor forgets: the pending delivery resumes once', async () => {
    const { body: r } = await call('POST', '/api/v1/alerts/rules', rule({ name: 'restart' }));
    // The first process gets 500 and dies before its retry.
    const slow = { ...alerts, retry: retryPolicy({ initialMs: 60_000, maxAttempts: 2 }) };
    const first: FastifyInstance = await buildApi({ storage: api.storage, keys: new KeyCache(api.storage), retentionDays: 30, alerts: slow });
    receiver.answer([500]);
    const n = receiver.received.length;
    clock = at(1);
    const rules = (await first.inject({ url: '/api/v1/alerts/rules', headers: { authorization: `Bearer ${api.projects.a!.key}` } })).json().rules;
    const fired = await first.alerts.evaluator.evaluate(rules.find((x: { id: string }) => x.id === r.id));
    assert.equal(fired.length, 1);
    await new Promise((res) => setTimeout(res, 100));
    await first.close();
    assert.equal(receiver.received.length, n + 1);

    const second: FastifyInstance = await buildApi({ storage: api.storage, keys: new KeyCache(api.storage), retentionDays: 30, alerts });
    receiver.answer([200]);
    const resumed = await second.alerts.notifier.resume();
    assert.ok(resumed >= 1);
    await second.alerts.notifier.idle();
    clock = at(2);
    const again = await second.alerts.evaluator.evaluate(rules.find((x: { id: string }) => x.id === r.id));
    assert.deepEqual(again, [], 'still firing: no second firing event');
    await second.close();
    const deliveries = receiver.received.slice(n).filter((x) => x.json.rule.id === r.id);
    assert.deepEqual(
      deliveries.map((x) => x.json.kind),
      ['firing', 'firing'],
    );
    assert.equal(new Set(deliveries.map((x) => x.json.id)).size, 1, 'the retry is the same event, not a new one');
  });

  test('without the lease an evaluator does nothing, and takes over the outbox when it gets it', async () => {
    await call('POST', '/api/v1/alerts/rules', rule({ name: 'leased' }));
    let held = false;
    const lease = { held: () => held, close: async () => undefined };
    const other: FastifyInstance = await buildApi({ storage: api.storage, keys: new KeyCache(api.storage), retentionDays: 30, alerts: { ...alerts, lease } });
    clock = at(1);
    assert.deepEqual(await other.alerts.evaluator.tick(), []);
    held = true;
    const events = await other.alerts.evaluator.tick();
    assert.ok(events.some((e) => e.payload.rule && (e.payload.rule as { name: string }).name === 'leased'));
    await other.alerts.notifier.idle();
    await other.close();
  });

  test('Slack body, test-fire, project isolation, validation', async () => {
    const slack = await call('POST', '/api/v1/alerts/destinations', { name: 'slack', url: receiver.url, format: 'slack' });
    const n = receiver.received.length;
    const fired = await call('POST', `/api/v1/alerts/destinations/${slack.body.id}/test`);
    assert.equal(fired.body.ok, true);
    assert.equal(fired.body.statusCode, 200);
    const body = receiver.received[n]!.json;
    assert.match(body.text, /\[TEST\] Spanlens test alert/);
    assert.equal(body.blocks[0].type, 'section');

    assert.equal((await call('GET', '/api/v1/alerts/rules', undefined, api.projects.b!.key)).body.rules.length, 0);
    assert.equal((await call('POST', `/api/v1/alerts/destinations/${slack.body.id}/test`, undefined, api.projects.b!.key)).status, 404);
    const bad = await call('POST', '/api/v1/alerts/rules', rule({ destinationIds: ['nope'] }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /destinationIds: no destination nope/);
    const hyst = await call('POST', '/api/v1/alerts/rules', rule({ resolveThreshold: 0.5 }));
    assert.equal(hyst.status, 400);
    assert.match(hyst.body.message, /resolveThreshold/);
    const window = await call('POST', '/api/v1/alerts/rules', rule({ windowSeconds: 10 }));
    assert.match(window.body.message, /windowSeconds/);
  });
});
