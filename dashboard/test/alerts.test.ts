// The Alerts page in headless Chromium against a real Spanlens API on embedded ClickHouse and a
// real webhook receiver on loopback: destination + signed test, rule form, evaluate, history, log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { buildApi } from '@spanlens/api';
import { addApiKey, createProject, formatDateTime64, KeyCache, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { dashboardDir } from '../src/index.ts';
import { assertFits, launch, newPage, screenshot, skipReason, type TestStorage } from './browser.ts';

const MIN = 60_000;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** An LLM call of `model`, `minutesAgo` minutes before now. */
function llmSpan(project: string, n: number, model: string, minutesAgo: number, failed: boolean): SpanRow {
  const start = BigInt(Date.now() - minutesAgo * MIN) * 1_000_000n;
  const dur = 400_000_000n;
  return {
    project_id: project,
    trace_id: hex(0x5000 + n, 32),
    span_id: hex(0x5000 + n, 16),
    parent_span_id: '',
    name: `chat ${model}`,
    kind: 'llm',
    otel_kind: 'client',
    start_time: formatDateTime64(start),
    end_time: formatDateTime64(start + dur),
    duration_ns: Number(dur),
    model,
    request_model: model,
    provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
    operation: 'chat',
    input_tokens: 120,
    output_tokens: 30,
    total_tokens: 150,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0.0004,
    cost_estimated: false,
    cost_source: 'table',
    ttft_ms: 90,
    finish_reason: failed ? '' : 'stop',
    status: failed ? 'error' : 'ok',
    status_message: failed ? 'upstream 503' : '',
    input: '',
    output: '',
    user_id: `user-${n % 4}`,
    session_id: '',
    service: 'support-bot',
    environment: 'production',
    release: 'v1',
    prompt_name: '',
    prompt_version: '',
    tags: [],
    attributes: {},
    resource_attributes: {},
    events: '',
    redactions: 0,
  };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { kind?: string; group?: string | null; rule?: { name?: string }; link?: string | null };
}

/** A webhook receiver on loopback that records every request; it answers 200, or 503 under /down. */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body, json: JSON.parse(body) as Received['json'] });
      res.statusCode = req.url?.startsWith('/down') ? 503 : 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const signed = (secret: string, r: Received) =>
  r.headers['x-spanlens-signature'] ===
  'v1=' +
    createHmac('sha256', secret)
      .update(`${String(r.headers['x-spanlens-timestamp'])}.${r.body}`)
      .digest('hex');

describe('alerts page in Chromium', { skip: skipReason() ?? false }, () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const waitFor = async (what: string, check: () => boolean, ms = 8000) => {
    const until = Date.now() + ms;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const fits = (what: string) => assertFits(page, what);

  before(async () => {
    storage = await openTestStorage();
    await createProject(storage, 'Default', 'default');
    await addApiKey(storage, 'default', 'sl_alerts_test_key_0123456789abc', 'seed');
    // Last hour: gpt-4o fails half of its calls, claude-sonnet-4 never.
    const rows: SpanRow[] = [];
    for (let i = 0; i < 24; i++) {
      rows.push(llmSpan('default', i, 'gpt-4o', 5 + i * 2, i % 2 === 0));
      rows.push(llmSpan('default', 100 + i, 'claude-sonnet-4', 5 + i * 2, false));
    }
    await storage.insertRows('spans', rows);
    receiver = await startReceiver();
    app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30, dashboardDir, alerts: { allowPrivate: true, dashboardUrl: 'http://dash.example' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launch();
    ({ page, errors } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await receiver?.close();
    await storage?.destroy();
  });

  test('empty state, destination with a signed test, rule form, evaluate, history and delivery log', async () => {
    await page.goto(`${url}/alerts`);
    await page.locator('[data-testid="rules"] [data-testid="empty"]').waitFor();
    assert.match(await page.locator('[data-testid="rules"]').innerText(), /No alert rules yet[\s\S]*ok → firing → ok[\s\S]*Example/);
    await page.locator('[data-testid="destinations"]').getByText('No destinations yet').waitFor();
    await page.locator('[data-testid="deliveries"]').getByText('No deliveries yet').waitFor();
    assert.equal(await page.locator('.nav-link.active').innerText(), 'Alerts');
    await screenshot(page, 'alerts-empty');
    await fits('empty');

    // A destination: its secret is shown once, then a signed test event reaches the receiver.
    await page.getByLabel('Destination name').fill('ops hook');
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add destination' }).click();
    const secret = await page.locator('[data-testid="new-secret-value"]').innerText();
    assert.match(secret, /^whsec_[\w-]{20,}$/);
    assert.match(await page.locator('[data-testid="new-secret"]').innerText(), /shown only once[\s\S]*X-Spanlens-Signature/);
    const row = page.locator('[data-testid="destinations-table"] tr[data-name="ops hook"]');
    await row.getByRole('button', { name: 'Send test' }).click();
    await row.locator('[data-testid="test-result"][data-ok="true"]').waitFor();
    assert.match(await row.locator('[data-testid="test-result"]').innerText(), /delivered · 200 · \d/);
    assert.equal(receiver.received.length, 1);
    const testEvent = receiver.received[0]!;
    assert.equal(testEvent.json.kind, 'test');
    assert.ok(testEvent.headers['x-spanlens-signature'], 'the test request is signed');
    assert.ok(signed(secret, testEvent), 'the signature verifies with the secret the page showed');
    await page.getByRole('button', { name: 'Done' }).click();
    // A second destination that answers 503, added through the API: the refresh button shows it.
    const added = await fetch(`${url}/api/v1/alerts/destinations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'down hook', url: receiver.url.replace('/hook', '/down'), format: 'slack' }),
    });
    assert.equal(added.status, 201);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.locator('[data-testid="destinations-table"] tr[data-name="down hook"]').waitFor();

    // The rule form: the API's 400 is shown as is, then the rule is created and selected.
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.locator('[data-testid="rule-form"]');
    await form.locator('input[name="name"]').fill('gpt errors');
    await form.locator('select[name="metric"]').selectOption('errorRate');
    await form.locator('input[name="threshold"]').fill('0.2');
    await form.locator('input[name="resolveThreshold"]').fill('0.5');
    await form.locator('select[name="windowSeconds"]').selectOption('3600');
    await form.locator('select[name="groupBy"]').selectOption('model');
    await form.getByLabel(/ops hook/).check();
    await form.getByLabel(/down hook/).check();
    await form.getByRole('button', { name: 'Create rule' }).click();
    assert.match(await form.getByRole('alert').innerText(), /Error 400 \(invalid_request\):\s+body resolveThreshold: must be on the resolved side of threshold \(<= 0.2\)/);
    assert.ok(errors.length === 1 && /400/.test(errors[0]!), errors.join('\n'));
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'alerts-form-error');
    errors.length = 0;
    await form.locator('input[name="resolveThreshold"]').fill('');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.waitForURL(/\/alerts\?rule=/);
    const ruleId = new URL(page.url()).searchParams.get('rule')!;
    const detail = page.locator(`[data-testid="rule-detail"][data-rule-id="${ruleId}"]`);
    await detail.getByText('Not evaluated yet').waitFor();
    const ruleRow = page.locator(`[data-testid="rules-table"] tr[data-rule-id="${ruleId}"]`);
    assert.match(await ruleRow.innerText(), /no data\s+gpt errors\s+Error rate\s+> 20% over 1h\s+model\s+warning\s+on\s+0 \/ 0/);

    // Evaluate now: gpt-4o fires (50% > 20%), claude-sonnet-4 stays ok; the event is delivered.
    await detail.getByRole('button', { name: 'Evaluate now' }).click();
    assert.match(await detail.locator('[data-testid="evaluate-result"]').innerText(), /1 event raised\s+firing\s+gpt-4o/);
    await detail.locator('[data-testid="rule-states"] tr[data-group="gpt-4o"][data-state="firing"]').waitFor();
    await detail.locator('[data-testid="rule-states"] tr[data-group="claude-sonnet-4"][data-state="ok"]').waitFor();
    assert.match(await detail.locator('tr[data-group="gpt-4o"]').first().innerText(), /gpt-4o\s+firing\s+50%/);
    await detail.locator('[data-testid="rule-history"] tr[data-kind="firing"][data-group="gpt-4o"]').waitFor();
    await ruleRow.locator('[data-state="firing"]').waitFor();
    assert.match(await ruleRow.locator('[data-testid="rule-firing"]').innerText(), /1\s*\/ 2/);
    const delivered = page.locator('[data-testid="deliveries-table"] tr[data-outcome="success"]').filter({ hasText: 'gpt errors' });
    await delivered.waitFor();
    assert.match(await delivered.innerText(), /firing gpt errors · gpt-4o\s+ops hook\s+1\s+success\s+200/);
    await waitFor('the firing event at the receiver', () => receiver.received.some((r) => r.json.kind === 'firing'));
    const firing = receiver.received.find((r) => r.json.kind === 'firing')!;
    assert.equal(firing.json.group, 'gpt-4o');
    assert.equal(firing.json.link, `http://dash.example/alerts?rule=${encodeURIComponent(ruleId)}`);
    assert.ok(signed(secret, firing));
    assert.equal(await delivered.getAttribute('data-event-id'), firing.headers['x-spanlens-event-id']);
    // The 503 is retried later: the log shows the retry and when the next attempt is due.
    const retry = page.locator('[data-testid="deliveries-table"] tr[data-outcome="retry"][data-attempt="1"]').filter({ hasText: 'gpt errors' });
    assert.match(await retry.innerText(), /down hook\s+1\s+retry\s+503\s+[\d.]+ ms\s+HTTP 503 Service Unavailable\s+\d\d:\d\d:\d\d/);

    await page.waitForLoadState('networkidle');
    await screenshot(page, 'alerts');
    await fits('rule selected');
    await page.locator('[data-testid="deliveries"]').scrollIntoViewIfNeeded();
    await screenshot(page, 'alerts-log');

    // The edit form carries the rule's values.
    await detail.getByRole('button', { name: 'Edit' }).click();
    assert.equal(await form.locator('input[name="threshold"]').inputValue(), '0.2');
    assert.equal(await form.locator('select[name="groupBy"]').inputValue(), 'model');
    assert.ok(await form.getByLabel(/ops hook/).isChecked());
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'alerts-form');
    await fits('edit form');
    await form.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(errors, [], 'console errors');
  });

  test('a notification link to a rule that is gone', async () => {
    await page.goto(`${url}/alerts?rule=no-such-rule`);
    await page.locator('[data-testid="rule-missing"]').waitFor();
    assert.deepEqual(errors, [], 'console errors');
  });
});
