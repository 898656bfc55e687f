// The dashboard in headless Chromium against a real Spanlens API on embedded ClickHouse.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { addApiKey, createProject } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { fmtCount, fmtUsd } from '../src/format.ts';
import { assertFits, fitsWidth, launch, lastRange, newPage, screenshot, skipReason, startApi, waitRows, type TestStorage } from './browser.ts';
import { AGENT_SPANS, AGENT_TRACE, agentTrace, ordinaryTraces } from './seed.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEY = 'sl_dashboard_test_key_0123456789';

interface TraceListBody {
  traces: Array<{ traceId: string; costUsd: number; models: string[] }>;
  nextCursor: string | null;
}
interface SummaryBody {
  current: { requests: number; costUsd: number; totalTokens: number };
}

describe('dashboard in Chromium', { skip: skipReason() ?? false }, () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  /** The API as the dashboard calls it (loopback, no token), for the numbers to compare with. */
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(url + path, init);
    assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
    return res.json() as Promise<T>;
  };
  const noErrors = (what: string) => {
    assert.deepEqual(errors, [], `${what}: console errors`);
  };
  const fits = (what: string) => assertFits(page, what, { cards: false });
  const text = (sel: string) => page.locator(sel).first().innerText();

  before(async () => {
    storage = await openTestStorage();
    await createProject(storage, 'Default', 'default');
    await createProject(storage, 'Staging', 'staging');
    await createProject(storage, 'Empty', 'empty');
    await addApiKey(storage, 'default', KEY, 'seed');
    const now = Date.now();
    const agent = agentTrace('default', now - 30 * 60_000);
    await storage.insertRows('spans', [
      ...ordinaryTraces('default', 60, now - 10 * 60_000, 20 * HOUR),
      ...ordinaryTraces('default', 12, now - 28 * HOUR, 16 * HOUR, 100),
      ...agent.spans,
      ...ordinaryTraces('staging', 3, now - HOUR, 2 * HOUR, 500),
    ]);
    await storage.insertRows('feedback', agent.feedback);
    ({ app, url } = await startApi(storage));
    browser = await launch();
    ({ page, errors } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await storage?.destroy();
  });

  test('overview: the API totals, their change and the charts', async () => {
    await page.goto(`${url}/`);
    await page.locator('[data-testid="stat-requests-value"]').waitFor();
    const s = await api<SummaryBody>(`/api/v1/metrics/summary?${lastRange(DAY)}`);
    assert.ok(s.current.requests > 60);
    assert.equal(await text('[data-testid="stat-requests-value"]'), fmtCount(s.current.requests));
    assert.equal(await text('[data-testid="stat-cost-value"]'), fmtUsd(s.current.costUsd));
    assert.equal(await text('[data-testid="stat-tokens-value"]'), fmtCount(s.current.totalTokens));
    // "vs prev." shows on wide screens only (the page subtitle says it at every width).
    assert.match(await text('[data-testid="stat-requests-change"]'), /^▲ \+\d+%( vs prev\.)?$/);
    await page.locator('[data-testid="chart-requests"] .recharts-bar-rectangle').first().waitFor();
    await page.locator('[data-testid="chart-latency"] .recharts-line-curve').first().waitFor();
    assert.equal((await page.locator('.chart-card .recharts-surface').count()) >= 4, true);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'overview');
    await fits('overview');
    noErrors('overview');
  });

  test('time range and auto-refresh live in the URL and follow the navigation', async () => {
    await page.getByRole('button', { name: '7d' }).click();
    await page.waitForURL(/range=7d/);
    const s = await api<SummaryBody>(`/api/v1/metrics/summary?${lastRange(7 * DAY)}`);
    await page.waitForFunction((want) => document.querySelector('[data-testid="stat-requests-value"]')?.textContent === want, fmtCount(s.current.requests));
    // Over 7 days the time axis names days ("Nov 22"), not bare times of day; buckets are named.
    await page.waitForFunction(() => {
      const ticks = Array.from(document.querySelectorAll('[data-testid="chart-requests"] .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value')).map((e) => e.textContent ?? '');
      return ticks.length >= 3 && ticks.every((t) => /^[A-Z][a-z]{2} \d{1,2}$/.test(t));
    });
    assert.equal(await text('[data-testid="chart-requests"] .chart-unit'), 'per 1 hour');
    // Which model served the calls, over time.
    await page.locator('[data-testid="chart-model-requests"] .recharts-bar-rectangle').first().waitFor();
    const refreshed = page.waitForRequest((r) => r.url().includes('/api/v1/metrics/summary'), { timeout: 13_000 });
    await page.getByLabel('Auto-refresh').selectOption('10s');
    await page.waitForURL(/refresh=10s/);
    await refreshed;
    await page.getByRole('link', { name: 'Traces' }).click();
    await page.waitForURL(/\/traces\?.*range=7d/);
    assert.match(page.url(), /refresh=10s/);
    await page.getByLabel('Auto-refresh').selectOption('off');
    noErrors('range');
  });

  test('traces: pages, filters in the URL, sorting', async () => {
    await page.goto(`${url}/traces`);
    const all = await api<TraceListBody>(`/api/v1/traces?${lastRange(DAY)}&limit=50`);
    assert.equal(all.traces.length, 50);
    await waitRows(page, 'traces-table', 50);
    await screenshot(page, 'traces');
    await fits('traces');
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitRows(page, 'traces-table', 61);

    await page.locator('input[name="model"]').fill('claude-sonnet-4');
    await page.locator('input[name="model"]').press('Enter');
    await page.waitForURL(/model=claude-sonnet-4/);
    const claude = await api<TraceListBody>(`/api/v1/traces?${lastRange(DAY)}&model=claude-sonnet-4`);
    assert.ok(claude.traces.length > 0 && claude.traces.length < 61);
    await waitRows(page, 'traces-table', claude.traces.length);
    for (const cell of await page.locator('[data-testid="traces-table"] tbody tr td:nth-child(4)').allInnerTexts()) assert.match(cell, /claude-sonnet-4/);

    await page.locator('select[name="status"]').selectOption('error');
    await page.waitForURL(/status=error/);
    const failed = await api<TraceListBody>(`/api/v1/traces?${lastRange(DAY)}&model=claude-sonnet-4&status=error`);
    await waitRows(page, 'traces-table', failed.traces.length);

    await page.getByRole('button', { name: /Clear/ }).first().click();
    await page.waitForURL((u) => !u.search.includes('model='));
    await page.locator('[data-sort="costUsd"]').click();
    await page.waitForURL(/sort=costUsd/);
    const byCost = await api<TraceListBody>(`/api/v1/traces?${lastRange(DAY)}&sort=costUsd`);
    await waitRows(page, 'traces-table', 50);
    assert.equal(await page.locator('[data-testid="traces-table"] tbody tr').first().getAttribute('data-trace-id'), byCost.traces[0]?.traceId);

    await page.locator('input[name="q"]').fill('refund');
    await page.locator('input[name="minCostUsd"]').fill('0.001');
    await page.locator('input[name="q"]').press('Enter');
    await page.waitForURL(/q=refund.*minCostUsd=0.001|minCostUsd=0.001.*q=refund/);
    const refunds = await api<TraceListBody>(`/api/v1/traces?${lastRange(DAY)}&sort=costUsd&q=refund&minCostUsd=0.001`);
    await waitRows(page, 'traces-table', refunds.traces.length);
    noErrors('traces');
  });

  test('trace page: the waterfall, messages by role, tokens, cost and feedback', async () => {
    await page.goto(`${url}/traces/${AGENT_TRACE}`);
    await page.locator('[data-testid="waterfall"] .wf-row').first().waitFor();
    assert.equal(await page.locator('[data-testid="waterfall"] .wf-row').count(), AGENT_SPANS);
    assert.equal(await text('[data-testid="trace-span-count"]'), String(AGENT_SPANS));
    const depths = await page.locator('.wf-row').evaluateAll((rows) => rows.map((r) => `${r.querySelector('.wf-name')?.textContent}:${r.getAttribute('data-depth')}`));
    assert.deepEqual(depths, ['support-agent:0', 'plan:1', 'lookup_order:1', 'search-orders:2', 'answer:1', 'pii-check:2', 'embed query:1']);
    // Bars: the root spans the whole track; later spans start further right.
    const bars = await page.locator('.wf-bar').evaluateAll((els) => els.map((e) => ({ left: parseFloat((e as HTMLElement).style.left), width: parseFloat((e as HTMLElement).style.width) })));
    assert.ok(bars[0]!.left === 0 && bars[0]!.width > 99);
    assert.ok(bars[1]!.left < bars[2]!.left && bars[2]!.left < bars[4]!.left);

    await page.locator('.wf-row', { hasText: 'answer' }).click();
    await page.waitForURL(/span=/);
    const detail = page.locator('[data-testid="span-detail"]');
    await detail.locator('.msg').first().waitFor();
    assert.deepEqual(await detail.locator('[data-testid="io-input"] .msg').evaluateAll((m) => m.map((e) => e.getAttribute('data-role'))), ['system', 'user', 'assistant', 'tool']);
    assert.match(await detail.locator('.tool-call').first().innerText(), /lookup_order/);
    assert.match(await detail.innerText(), /Your order #1234 has shipped with UPS\./);
    assert.match(await detail.innerText(), /gpt-4o/);
    assert.match(await detail.innerText(), /1,080/);
    assert.match(await detail.innerText(), /\$0\.0036/);
    assert.match(await detail.innerText(), /Redacted at ingest\s+2 values/);
    const feedback = await text('[data-testid="feedback"]');
    assert.match(feedback, /spot on/);
    assert.match(feedback, /accuracy/);
    await screenshot(page, 'trace');
    await fits('trace');
    noErrors('trace');
  });

  test('cost: by model, user and service, and the month projection', async () => {
    await page.goto(`${url}/cost`);
    await page.locator('[data-testid="cost-range-value"]').waitFor();
    const s = await api<SummaryBody>(`/api/v1/metrics/summary?${lastRange(DAY)}`);
    assert.equal(await text('[data-testid="cost-range-value"]'), fmtUsd(s.current.costUsd));
    const top = await api<{ rows: Array<{ key: string; costUsd: number }> }>(`/api/v1/metrics/top?${lastRange(DAY)}&by=model&metric=costUsd`);
    await page.locator('[data-testid="cost-by-model"] tbody tr').first().waitFor();
    assert.equal(await page.locator('[data-testid="cost-by-model"] tbody tr').count(), top.rows.length);
    assert.equal(await page.locator('[data-testid="cost-by-model"] tbody tr td').first().innerText(), top.rows[0]!.key);
    await page.locator('[data-testid="cost-by-user"] tbody tr').first().waitFor();
    await page.locator('[data-testid="cost-by-service"] tbody tr').first().waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="cost-projected-value"]')?.textContent?.includes('…'));
    assert.match(await text('[data-testid="projection-explain"]'), /month-to-date cost \+ average daily cost over the last 7 days × days remaining/);
    await page.locator('[data-testid="chart-cost-by-model"] .recharts-bar-rectangle').first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'cost');
    await fits('cost');
    noErrors('cost');
  });

  test('sessions, a session in order, users linking to their traces', async () => {
    await page.goto(`${url}/sessions`);
    const sessions = await api<{ sessions: unknown[] }>(`/api/v1/sessions?${lastRange(DAY)}`);
    await waitRows(page, 'sessions-table', sessions.sessions.length);
    await screenshot(page, 'sessions');
    await fits('sessions');
    await page.getByRole('link', { name: 'conv-42' }).click();
    await page.waitForURL(/\/sessions\/conv-42/);
    await waitRows(page, 'session-traces-table', 1);
    assert.equal(await page.locator('[data-testid="session-traces-table"] tbody tr').first().getAttribute('data-trace-id'), AGENT_TRACE);

    await page.goto(`${url}/users`);
    const users = await api<{ users: unknown[] }>(`/api/v1/users?${lastRange(DAY)}`);
    await waitRows(page, 'users-table', users.users.length);
    await screenshot(page, 'users');
    await fits('users');
    await page.getByRole('link', { name: 'alice@example.com' }).click();
    await page.waitForURL(/\/traces\?userId=alice%40example\.com/);
    await waitRows(page, 'traces-table', 1);
    noErrors('sessions and users');
  });

  test('settings: create a key (shown once), revoke it; set and delete a price', async () => {
    await page.goto(`${url}/settings`);
    await page.locator('[data-testid="keys-table"]').waitFor();
    await page.getByLabel('Key name').fill('browser-test');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.locator('[data-testid="new-key-value"]').innerText();
    assert.match(key, /^sl_/);
    assert.equal((await fetch(`${url}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    const row = page.locator('[data-testid="keys-table"] tbody tr', { hasText: 'browser-test' });
    await row.waitFor();
    await screenshot(page, 'settings');
    await fits('settings');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Confirm revoke' }).click();
    await row.locator('.badge', { hasText: 'revoked' }).waitFor();
    assert.equal((await fetch(`${url}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${key}` } })).status, 401);

    await page.locator('.price-form input[name="provider"]').fill('openai');
    await page.locator('.price-form input[name="model"]').fill('my-finetune');
    await page.locator('.price-form input[name="inputPerMTok"]').fill('1.5');
    await page.locator('.price-form input[name="outputPerMTok"]').fill('6');
    await page.getByRole('button', { name: 'Save price' }).click();
    await page.locator('[data-testid="prices-table"] tr[data-model="my-finetune"]').waitFor();
    const prices = await api<{ prices: Array<{ model: string; inputPerMTok: number }> }>('/api/v1/prices');
    assert.equal(prices.prices.find((p) => p.model === 'my-finetune')?.inputPerMTok, 1.5);
    await page.locator('[data-testid="prices-table"] tr[data-model="my-finetune"]').getByRole('button', { name: 'Delete' }).click();
    await page.locator('[data-testid="prices-table"] tr[data-model="my-finetune"]').waitFor({ state: 'detached' });
    noErrors('settings');
  });

  test('settings: redaction detectors and a custom pattern; a catastrophic pattern is refused with its reason', async () => {
    await page.goto(`${url}/settings`);
    const card = page.locator('[data-testid="redaction"]');
    await card.locator('input[name="email"]').waitFor();
    await card.locator('input[name="email"]').check();
    await card.getByRole('button', { name: 'Add pattern' }).click();
    await card.locator('input[name="custom-name-0"]').fill('employee_id');
    await card.locator('input[name="custom-pattern-0"]').fill('EMP-\\d{6}');
    await card.getByRole('button', { name: 'Save redaction' }).click();
    await card.locator('[data-testid="redaction-saved"]').waitFor();
    const saved = await api<{ detectors: Record<string, boolean>; custom: Array<{ name: string; pattern: string }> }>('/api/v1/redaction');
    assert.deepEqual(saved.detectors, { email: true, phone: false, credit_card: false, ip_address: false });
    assert.deepEqual(saved.custom, [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }]);
    await screenshot(page, 'settings-redaction');
    await fits('settings-redaction');

    await card.locator('input[name="custom-pattern-0"]').fill('(a+)+$');
    await card.getByRole('button', { name: 'Save redaction' }).click();
    await card.locator('.state-error', { hasText: 'nested quantifiers' }).waitFor();
    const after = await api<{ custom: Array<{ pattern: string }> }>('/api/v1/redaction');
    assert.deepEqual(
      after.custom.map((c) => c.pattern),
      ['EMP-\\d{6}'],
      'the refused pattern was not stored',
    );
    // The refused save is the one expected failure on this page.
    errors = errors.filter((e) => !/400/.test(e));
    noErrors('settings-redaction');
  });

  test('project switcher, empty state and error state', async () => {
    await page.goto(`${url}/traces`);
    const select = page.getByLabel('Project');
    await select.waitFor();
    assert.deepEqual((await select.locator('option').allInnerTexts()).sort(), ['Default', 'Empty', 'Staging']);
    await select.selectOption('staging');
    await waitRows(page, 'traces-table', 3);
    await page.getByRole('link', { name: 'Overview' }).click();
    await select.selectOption('empty');
    await page.locator('[data-testid="empty"]').waitFor();
    assert.match(await text('[data-testid="empty"]'), /:4318\/v1\/traces/);
    assert.match(await text('[data-testid="empty"]'), /Authorization: Bearer <key>/);
    assert.match(await text('[data-testid="empty"]'), /wrapOpenAI/);
    await screenshot(page, 'empty');
    await select.selectOption('default');
    noErrors('project switcher');

    await page.goto(`${url}/traces/${'f'.repeat(32)}`);
    await page.locator('[data-testid="error"]').waitFor();
    assert.match(await text('[data-testid="error"]'), new RegExp(`trace ${'f'.repeat(32)} not found`));
    assert.ok(
      errors.every((e) => /404/.test(e)),
      errors.join('\n'),
    );
    errors.length = 0;
  });

  test('no horizontal scrolling at 1440x900 either', async () => {
    const wide = await newPage(browser, 1440, 900);
    try {
      for (const path of ['/', '/traces', `/traces/${AGENT_TRACE}`, '/cost', '/sessions', '/users', '/settings']) {
        await wide.page.goto(url + path);
        await wide.page.locator('.page-header').waitFor();
        await wide.page.waitForLoadState('networkidle');
        const w = await fitsWidth(wide.page);
        assert.ok(w.ok, `${path}: ${w.scrollWidth}px wide at 1440`);
      }
      assert.deepEqual(wide.errors, []);
    } finally {
      await wide.context.close();
    }
  });

  test('with an admin token: the login form, a wrong token, then the dashboard', async () => {
    const locked = await startApi(storage, 'dashboard-admin-token-0123456789');
    const login = await newPage(browser);
    try {
      await login.page.goto(`${locked.url}/traces`);
      await login.page.locator('[data-testid="login"]').waitFor();
      await screenshot(login.page, 'login');
      await login.page.getByLabel('Admin token').fill('wrong-token');
      await login.page.getByRole('button', { name: 'Sign in' }).click();
      await login.page.getByRole('alert').filter({ hasText: 'wrong admin token' }).waitFor();
      await login.page.getByLabel('Admin token').fill('dashboard-admin-token-0123456789');
      await login.page.getByRole('button', { name: 'Sign in' }).click();
      await login.page.locator('[data-testid="traces-table"]').waitFor();
      assert.ok(
        login.errors.every((e) => /401/.test(e)),
        login.errors.join('\n'),
      );
    } finally {
      await login.context.close();
      await locked.app.close();
    }
  });
});
