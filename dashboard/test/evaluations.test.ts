// The Evaluators page in headless Chromium against a real Spanlens API on embedded ClickHouse,
// with the evaluation worker driven in-process (app.evaluations.tick()) and a judge on loopback:
// a rule made through the form and backfilled, an unreachable judge shown unhealthy then fixed
// by an edit that keeps its stored key, the judge form's templates, the evaluator's version on
// the trace page, and the trace list's score filter in the URL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { createProject } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { assertFits, launch, newPage, screenshot, skipReason, startApi, waitRows, type TestStorage } from './browser.ts';
import { ordinaryTraces } from './seed.ts';

const HOUR = 3_600_000;
const JUDGE_KEY = 'sk-judge-test-0123456789';
const traceIdOf = (t: number) => (0x1000 + t).toString(16).padStart(32, '0');

/** An OpenAI-compatible judge: 0.2 for an answer about a refund, 0.9 otherwise. */
async function startJudge() {
  const calls: Array<{ authorization: string | undefined; model: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const b = JSON.parse(body) as { model: string; messages: Array<{ content: string }> };
      calls.push({ authorization: req.headers.authorization, model: b.model });
      const score = b.messages.some((m) => m.content.includes('refund')) ? 0.2 : 0.9;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `c-${calls.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: b.model,
          choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: JSON.stringify({ reasoning: 'graded', score }) } }],
          usage: { prompt_tokens: 90, completion_tokens: 10, total_tokens: 100 },
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Listed {
  id: string;
  name: string;
  version: number;
  sampleRate: number;
  rule?: Record<string, unknown>;
  judge?: Record<string, unknown>;
  health: { healthy: boolean; lastError: string | null; consecutiveFailures: number };
  stats: { results: number };
}

describe('evaluators in Chromium', { skip: skipReason() ?? false }, () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  let judge: Awaited<ReturnType<typeof startJudge>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let judgeId = '';

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(url + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const listed = async (name: string) => (await api<{ evaluators: Listed[] }>('GET', '/api/v1/evaluators')).evaluators.find((e) => e.name === name)!;
  /** A pass of the evaluation worker; the pause lets its 1 ms backoff run out. */
  const tick = async () => {
    await app.evaluations.tick();
    await new Promise((r) => setTimeout(r, 5));
  };
  const fits = (what: string) => assertFits(page, what);
  const row = (name: string) => page.locator(`[data-testid="evaluators-table"] tr[data-name="${name}"]`);

  before(async () => {
    storage = await openTestStorage();
    await createProject(storage, 'Default', 'default');
    // Stored before any evaluator exists: only a backfill scores them.
    await storage.insertRows('spans', ordinaryTraces('default', 10, Date.now() - 30 * 60_000, 3 * HOUR));
    judge = await startJudge();
    ({ app, url } = await startApi(storage, undefined, { evaluations: { settleMs: 0, maxBackoffMs: 1, probeEveryMs: 1, unhealthyAfter: 2 } }));
    browser = await launch();
    ({ page, errors } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await judge?.close();
    await storage?.destroy();
  });

  test('a rule made through the form: numbers checked in the page, the API refusal in plain words, listed, backfilled', async () => {
    await page.goto(`${url}/evaluators`);
    await page.locator('[data-testid="evaluators"] [data-testid="empty"]').waitFor();
    assert.equal(await page.locator('.nav-link.active').innerText(), 'Evaluators');
    await screenshot(page, 'evaluators-empty');
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET' && r.url().includes('/api/v1/evaluators')) posts.push(r.url());
    });

    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.locator('[data-testid="evaluator-form"]');
    assert.equal(await form.locator('select[name="type"]').inputValue(), 'rule');
    await form.locator('input[name="name"]').fill('says answer');
    await form.locator('input[name="text"]').fill('Answer');
    await form.locator('input[name="samplePct"]').fill('5o');
    assert.equal(await form.locator('.has-problem [data-problem]').innerText(), 'a number: digits only, no letters');
    await form.getByRole('button', { name: 'Create evaluator' }).click();
    assert.match(await form.locator('[data-testid="form-problems"]').innerText(), /Not saved: fix the field marked in red/);
    assert.deepEqual(posts, [], 'nothing sent with a letter in a number');
    await form.locator('input[name="samplePct"]').fill('50');

    // A regex the API cannot compile: its 400 in the form's words.
    await form.locator('select[name="check"]').selectOption('regex');
    await form.locator('input[name="pattern"]').fill('(');
    await form.getByRole('button', { name: 'Create evaluator' }).click();
    const refusal = await form.locator('[data-testid="form-error"]').innerText();
    assert.match(refusal, /^Not created:\s+Pattern: error parsing regexp: missing closing \)/);
    assert.doesNotMatch(refusal, /body rule/);
    assert.ok(errors.length === 1 && /400/.test(errors[0]!), errors.join('\n'));
    errors.length = 0;
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evaluators-form-error');

    await form.locator('select[name="check"]').selectOption('contains');
    assert.equal(await form.locator('input[name="text"]').inputValue(), 'Answer', 'the text is kept across checks');
    await form.getByRole('button', { name: 'Create evaluator' }).click();
    await page.waitForURL(/\/evaluators\?evaluator=/);
    const id = new URL(page.url()).searchParams.get('evaluator')!;
    await page.locator(`[data-testid="evaluator-detail"][data-evaluator-id="${id}"]`).waitFor();
    assert.match(await row('says answer').innerText(), /says answer\s+v1 · enabled\s+Rule · Contains text\s+LLM calls\s+50%\s+Healthy\s+0\s+—\s+—/);
    const made = await listed('says answer');
    assert.equal(made.id, id);
    assert.deepEqual(made.rule, { check: 'contains', field: 'output', text: 'Answer', caseSensitive: false });
    assert.equal(made.sampleRate, 0.5);
    assert.match(await page.locator('[data-testid="judge-cost-note"]').innerText(), /not part of the project's cost/);

    // A backfill over the last 24 hours: 15 LLM calls; the page follows it to the end.
    const backfills = page.locator('[data-testid="backfills"]');
    await backfills.getByRole('button', { name: 'Start backfill' }).click();
    assert.match(await backfills.locator('[data-testid="backfill-started"]').innerText(), /Started: 15 spans to score/);
    const bf = backfills.locator('[data-testid="backfills-table"] tbody tr');
    await bf.first().waitFor();
    assert.equal(await bf.count(), 1);
    assert.equal(await bf.getAttribute('data-status'), 'running');
    assert.match(await bf.innerText(), /v1\s+running\s+0 \/ 15/);
    await screenshot(page, 'evaluators-backfill-running');
    await tick();
    await tick();
    await backfills.locator('tr[data-status="done"]').waitFor();
    assert.equal(await bf.locator('[data-testid="backfill-progress"]').getAttribute('data-done'), '15');
    assert.match(await bf.innerText(), /done\s+15 \/ 15/);
    const results = (await listed('says answer')).stats.results;
    assert.ok(results > 0 && results < 15, `${results} of 15 sampled`);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="evaluator-results"]')?.textContent === String(n), results);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'evaluators-rule');
    await fits('rule and backfill');
    assert.deepEqual(errors, [], 'console errors');
  });

  test('an unreachable judge is Unhealthy with its error; an edit without a key keeps the stored one and heals it', async () => {
    const port = await closedPort();
    const created = await api<{ id: string }>('POST', '/api/v1/evaluators', {
      name: 'helpfulness',
      type: 'llm_judge',
      scope: 'llm',
      judge: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'judge-1', apiKey: JUDGE_KEY, builtIn: 'helpfulness', maxRetries: 0, timeoutMs: 2000 },
    });
    judgeId = created.id;
    // New calls after it exists: one about a refund (t = 200), one trace of two calls about a parcel.
    await storage.insertRows('spans', ordinaryTraces('default', 2, Date.now(), 60_000, 200));
    await tick();
    await tick();
    const h = (await listed('helpfulness')).health;
    assert.equal(h.healthy, false);
    assert.match(h.lastError ?? '', /judge unreachable/);

    await page.getByRole('button', { name: 'Refresh now' }).click();
    const r = row('helpfulness');
    await r.locator('[data-health="unhealthy"]').waitFor();
    assert.match(await r.locator('[data-testid="evaluator-health"]').innerText(), /Unhealthy[\s\S]*judge unreachable/);
    assert.match(await r.innerText(), /LLM judge · judge-1\s+LLM calls\s+100%/);
    await r.locator('.ev-name').click();
    const detail = page.locator(`[data-testid="evaluator-detail"][data-evaluator-id="${judgeId}"]`);
    assert.match(await detail.locator('[data-testid="health-error"]').innerText(), /Unhealthy after 2 failed calls in a row:\s+judge unreachable[\s\S]*none is lost/);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'evaluators-unhealthy');
    await fits('unhealthy');

    // The edit: the key stays stored when left empty; the built-in template is shown to edit.
    await r.getByRole('button', { name: 'Edit' }).click();
    const form = page.locator('[data-testid="evaluator-form"]');
    const key = form.locator('input[name="apiKey"]');
    assert.equal(await key.getAttribute('type'), 'password');
    assert.equal(await key.inputValue(), '');
    assert.equal(await key.getAttribute('placeholder'), 'leave empty to keep the stored key');
    assert.equal(await form.locator('select[name="builtIn"]').inputValue(), 'helpfulness');
    assert.match(await form.locator('textarea[name="template"]').inputValue(), /\[Request\]\n\{\{input\}\}/);
    assert.equal(await form.locator('input[name="outMax"]').inputValue(), '1');
    await form.locator('input[name="baseUrl"]').fill(judge.url);
    await form.getByRole('button', { name: 'Save evaluator' }).click();
    await page.locator('[data-testid="evaluator-form"]').waitFor({ state: 'detached' });
    const v2 = await api<{ version: number; judge: Record<string, unknown> }>('GET', `/api/v1/evaluators/${judgeId}`);
    assert.equal(v2.version, 2);
    assert.equal(v2.judge.hasApiKey, true);
    assert.equal(v2.judge.builtIn, 'helpfulness');
    assert.equal(v2.judge.template, undefined, 'an untouched built-in template goes by name');

    // Healthy again: the waiting calls are judged with the stored key.
    await tick();
    assert.ok(judge.calls.length >= 3 && judge.calls.every((c) => c.authorization === `Bearer ${JUDGE_KEY}`), JSON.stringify(judge.calls));
    assert.equal((await listed('helpfulness')).stats.results, 3);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await r.locator('[data-health="healthy"]').waitFor();
    assert.match(await r.innerText(), /helpfulness\s+v2 · enabled[\s\S]*Healthy\s+3\s+0\.667/);
    assert.deepEqual(errors, [], 'console errors');
  });

  test('the judge form: a built-in template fills the prompt and its score type; a custom one is sent with the key', async () => {
    await page.getByRole('button', { name: 'New evaluator' }).click();
    const form = page.locator('[data-testid="evaluator-form"]');
    assert.equal(await form.locator('select[name="type"]').inputValue(), 'llm_judge');
    assert.equal(await form.locator('input[name="apiKey"]').getAttribute('placeholder'), 'sk-…');
    await form.locator('select[name="builtIn"]').selectOption('hallucination');
    assert.match(await form.locator('textarea[name="template"]').inputValue(), /\[Context\]\n\{\{context\}\}/);
    assert.equal(await form.locator('select[name="outputType"]').inputValue(), 'categorical');
    assert.equal(await form.locator('input[name="categories"]').inputValue(), 'grounded, hallucinated');
    await form.locator('textarea[name="template"]').fill('Is {{output}} grounded in {{context}}? Answer JSON.');
    assert.match(await form.innerText(), /\(edited\)/);
    await form.locator('input[name="name"]').fill('grounded');
    await form.locator('input[name="baseUrl"]').fill(judge.url);
    await form.locator('input[name="apiKey"]').fill('sk-form-key');
    await form.locator('input[name="temperature"]').fill('0,2');
    assert.equal(await form.locator('.has-problem [data-problem]').innerText(), 'a number: use a dot for decimals (0.5)');
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evaluators-judge-form');
    await fits('judge form');
    await form.locator('input[name="temperature"]').fill('0.2');
    await form.getByRole('button', { name: 'Create evaluator' }).click();
    await page.waitForURL((u) => u.searchParams.get('evaluator') !== judgeId && u.searchParams.has('evaluator'));
    const id = new URL(page.url()).searchParams.get('evaluator')!;
    const made = await api<{ judge: Record<string, unknown> }>('GET', `/api/v1/evaluators/${id}`);
    assert.equal(made.judge.hasApiKey, true);
    assert.equal(made.judge.template, 'Is {{output}} grounded in {{context}}? Answer JSON.');
    assert.deepEqual(made.judge.output, { type: 'categorical', categories: ['grounded', 'hallucinated'] });
    assert.equal(made.judge.temperature, 0.2);

    // Deleted, after a confirmation.
    const r = row('grounded');
    await r.getByRole('button', { name: 'Delete' }).click();
    await r.getByRole('button', { name: 'Confirm' }).click();
    await r.waitFor({ state: 'detached' });
    assert.equal(await listed('grounded'), undefined);
    assert.deepEqual(errors, [], 'console errors');
  });

  test('the trace page names the evaluator and its version; the trace list filters on the score, in the URL', async () => {
    await page.goto(`${url}/traces/${traceIdOf(201)}`);
    const fb = page.locator('[data-testid="feedback"] li[data-source="evaluation"][data-name="helpfulness"]');
    await fb.first().waitFor();
    assert.equal(await fb.count(), 2, 'one score per LLM call');
    assert.match(await fb.first().innerText(), /helpfulness\s+0\.9[\s\S]*evaluation\s+helpfulness v2/);
    assert.equal(await fb.first().locator('[data-testid="fb-evaluator"]').getAttribute('href'), `/evaluators?evaluator=${judgeId}`);
    await screenshot(page, 'trace-evaluation-feedback');

    await page.goto(`${url}/traces`);
    await page.locator('[data-testid="traces-table"] tbody tr').first().waitFor();
    await page.locator('input[name="feedbackName"]').fill('helpfulness');
    await page.locator('select[name="feedbackSource"]').selectOption('evaluation');
    await page.waitForURL(/feedbackSource=evaluation/);
    await page.locator('input[name="minScore"]').fill('0.5');
    await page.locator('input[name="minScore"]').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('minScore') === '0.5' && u.searchParams.get('feedbackName') === 'helpfulness');
    await waitRows(page, 'traces-table', 1);
    assert.equal(await page.locator('[data-testid="traces-table"] tbody tr').getAttribute('data-trace-id'), traceIdOf(201));
    const q = new URL(page.url()).searchParams;
    const same = await api<{ traces: Array<{ traceId: string }> }>(
      'GET',
      `/api/v1/traces?feedbackName=helpfulness&feedbackSource=evaluation&minScore=0.5&from=${encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString())}`,
    );
    assert.deepEqual(
      same.traces.map((t) => t.traceId),
      [traceIdOf(201)],
    );
    assert.equal(q.get('feedbackSource'), 'evaluation');

    // A bound that is not a number stays in the form, marked.
    await page.locator('input[name="minScore"]').fill('high');
    await page.locator('input[name="minScore"]').press('Enter');
    await page.locator('[data-testid="trace-filters"] [data-problem]').filter({ hasText: 'a number' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('minScore'), '0.5');

    // From the URL alone: the form and the list come back the same.
    await page.goto(page.url());
    await waitRows(page, 'traces-table', 1);
    assert.equal(await page.locator('input[name="feedbackName"]').inputValue(), 'helpfulness');
    assert.equal(await page.locator('select[name="feedbackSource"]').inputValue(), 'evaluation');
    assert.equal(await page.locator('input[name="minScore"]').inputValue(), '0.5');
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'traces-score-filter');
    await fits('traces with a score filter');
    await page.locator('input[name="minScore"]').fill('');
    await page.locator('input[name="maxScore"]').fill('0.5');
    await page.locator('input[name="maxScore"]').press('Enter');
    await page.waitForURL((u) => u.searchParams.get('maxScore') === '0.5' && !u.searchParams.has('minScore'));
    // The list before held one row too: wait for the new answer's row, then check it is the only one.
    await page.locator(`[data-testid="traces-table"] tbody tr[data-trace-id="${traceIdOf(200)}"]`).waitFor();
    await waitRows(page, 'traces-table', 1);
    assert.equal(await page.locator('[data-testid="traces-table"] tbody tr').getAttribute('data-trace-id'), traceIdOf(200));
    await page.getByRole('button', { name: /^Clear/ }).click();
    await page.waitForURL((u) => !u.searchParams.has('feedbackName') && !u.searchParams.has('feedbackSource'));
    assert.deepEqual(errors, [], 'console errors');
  });
});
