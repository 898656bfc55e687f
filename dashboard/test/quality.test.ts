// The Quality and Drift pages in headless Chromium against a real Spanlens API on embedded
// ClickHouse: feedback tables equal GET /quality's, quality signal totals equal the metrics',
// the JSONL export downloads the rated traces, an annotation lands on its trace, and a known
// shift (gpt-4o prompts about twice as long in the last 24 h) tops the drift table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { addApiKey, createProject, formatDateTime64, toFeedbackRow, type FeedbackRow, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { assertFits, launch, newPage, screenshot, skipReason, startApi, type TestStorage } from './browser.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Evenly spread values in [0, 1) (golden-ratio sequence): both windows get the same shape, without sampling noise. */
const spread = (i: number, salt: number) => ((i + 1) * 0.6180339887 + salt * 0.1234567) % 1;
const REFUSAL = JSON.stringify([{ role: 'assistant', content: "I'm sorry, but I can't help with that." }]);

interface Call {
  n: number;
  model: 'gpt-4o' | 'claude-sonnet-4';
  startMs: number;
  current: boolean;
  refusal: boolean;
}

/** One LLM call (a one-span trace). gpt-4o in the current window gets 1200-2100 input tokens instead of 100-1000. */
function llmSpan(project: string, c: Call): SpanRow {
  const gpt = c.model === 'gpt-4o';
  const start = BigInt(c.startMs) * 1_000_000n;
  const dur = BigInt(Math.round(300 + spread(c.n, 1) * 1500)) * 1_000_000n;
  const input = Math.round((gpt && c.current ? 1200 : 100) + spread(c.n, 2) * 900);
  const output = Math.round(40 + spread(c.n, 3) * 260);
  const words = gpt && c.current && c.n % 2 === 0 ? 'refund policy deadline' : 'shipping order status';
  const failed = c.n % 23 === 5;
  const truncated = !c.refusal && c.n % 17 === 4;
  return {
    project_id: project,
    trace_id: hex(0x100000 + c.n, 32),
    span_id: hex(0x100000 + c.n, 16),
    parent_span_id: '',
    name: `chat ${c.model}`,
    kind: 'llm',
    otel_kind: 'client',
    start_time: formatDateTime64(start),
    end_time: formatDateTime64(start + dur),
    duration_ns: Number(dur),
    model: c.model,
    request_model: c.model,
    provider: gpt ? 'openai' : 'anthropic',
    operation: 'chat',
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0.0002 + spread(c.n, 4) * 0.002,
    cost_estimated: false,
    cost_source: 'table',
    ttft_ms: Math.round(60 + spread(c.n, 5) * 300),
    finish_reason: truncated ? 'length' : 'stop',
    status: failed ? 'error' : 'ok',
    status_message: failed ? 'upstream 503' : '',
    input: JSON.stringify([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: `customer asks about ${words} number ${c.n % 40}` },
    ]),
    output: c.refusal ? REFUSAL : JSON.stringify([{ role: 'assistant', content: `Here is the ${words} answer you asked for.` }]),
    user_id: `user-${c.n % 7}`,
    session_id: '',
    service: 'support-bot',
    environment: 'production',
    release: 'v1',
    prompt_name: 'support-agent',
    prompt_version: gpt && c.current ? '4' : '3',
    tags: [],
    attributes: {},
    resource_attributes: {},
    events: '',
    redactions: 0,
  };
}

const GPT_RATINGS = [0, 2, 3, 1, 4, 0, 2, 5];
const CLAUDE_RATINGS = [4, 5, 3, 5, 4, 5];

describe('quality and drift pages in Chromium', { skip: skipReason() ?? false }, () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const calls: Call[] = [];
  const ratings = new Map<string, number>();
  let unrated = '';

  const json = async <T = any>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return res.json() as Promise<T>;
  };
  const fits = (what: string) => assertFits(page, what);

  before(async () => {
    storage = await openTestStorage();
    await createProject(storage, 'Default', 'default');
    await addApiKey(storage, 'default', 'sl_quality_test_key_0123456789ab', 'seed');
    await createProject(storage, 'Empty', 'empty');
    const now = Date.now();
    // Baseline: 2 to 8 days ago; current: the last 24 hours (23 h to 10 min ago). Every 10th call refuses.
    for (let i = 0; i < 240; i++) {
      calls.push({ n: i, model: i % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4', startMs: now - 2 * DAY - (i + 0.5) * ((6 * DAY) / 240), current: false, refusal: i % 10 === 3 });
    }
    for (let j = 0; j < 120; j++) {
      const n = 1000 + j;
      calls.push({ n, model: j % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4', startMs: now - 10 * MIN - (j + 0.5) * ((23 * HOUR) / 120), current: true, refusal: j % 10 === 3 });
    }
    await storage.insertRows(
      'spans',
      calls.map((c) => llmSpan('default', c)),
    );

    // 'rating' on two thirds of the current calls (gpt-4o rated lower), thumbs on a few.
    const feedback: FeedbackRow[] = [];
    calls
      .filter((c) => c.current)
      .forEach((c, j) => {
        const traceId = hex(0x100000 + c.n, 32);
        const timestamp = new Date(c.startMs + MIN).toISOString();
        if (j % 3 !== 2) {
          const list = c.model === 'gpt-4o' ? GPT_RATINGS : CLAUDE_RATINGS;
          const value = list[Math.floor(j / 2) % list.length]!;
          ratings.set(traceId, value);
          const comment = value === 0 ? 'wrong refund deadline' : value === 1 ? 'ignored the question' : null;
          feedback.push(toFeedbackRow('default', { id: `r-${c.n}`, traceId, name: 'rating', value, comment, source: 'user', timestamp }));
        } else if (!unrated && c.model === 'claude-sonnet-4') {
          unrated = traceId;
        }
        if (j % 5 === 0) feedback.push(toFeedbackRow('default', { id: `t-${c.n}`, traceId, name: 'thumbs', value: j % 10 !== 0, source: 'user', timestamp }));
      });
    await storage.insertRows('feedback', feedback);

    ({ app, url } = await startApi(storage));
    browser = await launch();
    ({ page, errors } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await storage?.destroy();
  });

  test('quality page: feedback tables, signal totals, export download and an annotation', async () => {
    await page.goto(`${url}/quality`);
    await page.locator('[data-testid="fb-by-model"] tbody tr').first().waitFor();
    await page.locator('[data-testid="signal-totals"]').waitFor();
    assert.equal(await page.locator('.nav-link.active').innerText(), 'Quality');
    assert.equal(await page.locator('[data-testid="feedback-name"]').inputValue(), 'rating', 'the most used feedback name is shown first');

    // The page's window, from the export link (it carries the time range).
    const link = page.locator('[data-testid="export-link"]');
    const href = new URL((await link.getAttribute('href'))!, url);
    const range = `from=${encodeURIComponent(href.searchParams.get('from')!)}&to=${encodeURIComponent(href.searchParams.get('to')!)}`;

    // Feedback tables: the same numbers as the API's.
    const q = await json(`/api/v1/quality?${range}&name=rating`);
    assert.equal(q.byModel.length, 2);
    for (const [testId, rows] of [
      ['fb-by-model', q.byModel],
      ['fb-by-prompt', q.byPromptVersion],
    ] as const) {
      const shown = await page.locator(`[data-testid="${testId}"] tbody tr`).evaluateAll((trs) =>
        trs.map((tr) => ({
          key: tr.getAttribute('data-key'),
          count: Number(tr.querySelector('[data-count]')!.getAttribute('data-count')),
          avg: Number(tr.querySelector('[data-avg]')!.getAttribute('data-avg')),
          negative: Number(tr.querySelector('[data-negative]')!.getAttribute('data-negative')),
          text: (tr as HTMLElement).innerText,
        })),
      );
      assert.deepEqual(
        shown.map(({ text: _t, ...r }) => r),
        rows.map((r: any) => ({ key: r.key, count: r.count, avg: r.avgScore, negative: r.negativeRate })),
        testId,
      );
      for (const [i, r] of rows.entries()) assert.ok(shown[i]!.text.includes(String(Math.round(r.avgScore * 1000) / 1000)), `${testId}: ${shown[i]!.text}`);
    }
    const gpt = q.byModel.find((r: any) => r.key === 'gpt-4o');
    const gptValues = [...ratings.entries()].filter(([id]) => calls.find((c) => hex(0x100000 + c.n, 32) === id)!.model === 'gpt-4o').map(([, v]) => v);
    assert.equal(gpt.count, gptValues.length);
    assert.ok(Math.abs(gpt.avgScore - gptValues.reduce((a, b) => a + b, 0) / gptValues.length) < 1e-9);
    assert.deepEqual(q.byPromptVersion.map((r: any) => r.key).sort(), ['support-agent@3', 'support-agent@4']);
    // Worst-rated traces: links to the trace, comments shown.
    const worst = page.locator('[data-testid="worst-traces"] tbody tr');
    assert.equal(await worst.count(), Math.min(8, q.worstTraces.length));
    assert.equal(q.worstTraces.length, 20);
    assert.equal(await worst.first().getAttribute('data-trace-id'), q.worstTraces[0].traceId);
    assert.equal(await worst.first().locator('a').getAttribute('href'), `/traces/${q.worstTraces[0].traceId}`);
    assert.match(await page.locator('[data-testid="worst-traces"]').innerText(), /wrong refund deadline/);
    await page.locator('[data-testid="score-chart"] .recharts-line-curve, [data-testid="score-chart"] .recharts-line-dot').first().waitFor({ state: 'attached' });

    // Quality signals: the refusal total equals the metrics summary's, and links to the refusing calls.
    const summary = await json(`/api/v1/metrics/summary?${range}`);
    assert.equal(summary.current.refusals, 12);
    const refusal = page.locator('[data-testid="signal-refusal"]');
    assert.equal(Number(await refusal.getAttribute('data-count')), summary.current.refusals);
    assert.equal(await page.locator('[data-testid="signal-refusal-count"]').innerText(), String(summary.current.refusals));
    assert.match(await refusal.innerText(), new RegExp(`of ${summary.current.requests}[\\s\\S]*10%`));
    assert.match((await refusal.getAttribute('href'))!, /^\/traces\?signal=refusal/);
    for (const s of ['empty', 'truncated', 'invalid_json', 'error']) await page.locator(`[data-testid="signal-${s}"]`).waitFor();
    assert.equal(Number(await page.locator('[data-testid="signal-error"]').getAttribute('data-count')), summary.current.errors);
    await page.locator('[data-testid="signal-rates"] .recharts-line-curve').first().waitFor({ state: 'attached' });
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'quality');
    await fits('quality');
    await page.locator('[data-testid="worst-traces"]').getByRole('button', { name: 'Show all 20' }).click();
    assert.equal(await worst.count(), 20);
    await page.locator('[data-testid="worst-traces"]').getByRole('button', { name: 'Show 8' }).click();

    // Export: every trace rated 4 or more, as JSONL, downloaded through the link.
    const form = page.locator('[data-testid="export"]');
    await form.locator('select[name="feedbackName"]').selectOption('rating');
    await form.locator('input[name="minScore"]').fill('4');
    const expected = [...ratings.values()].filter((v) => v >= 4).length;
    assert.ok(expected > 10);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.match(download.suggestedFilename(), /^spanlens-\d{4}-\d\d-\d\d\.jsonl$/);
    const lines = readFileSync((await download.path())!, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    assert.equal(lines.length, expected, 'one JSONL line per trace rated 4 or more');
    const first = JSON.parse(lines[0]!) as { messages: Array<{ role: string; content: string }> };
    assert.deepEqual(
      first.messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    const linked = new URL((await link.getAttribute('href'))!, url);
    assert.equal(linked.searchParams.get('format'), 'jsonl');
    assert.equal(linked.searchParams.get('feedbackName'), 'rating');
    assert.equal(linked.searchParams.get('minScore'), '4');
    const fetched = (await (await fetch(linked)).text()).split('\n').filter((l) => l !== '');
    assert.equal(fetched.length, expected);

    // Annotate: the API's message for a trace that does not exist, then a score on a real one.
    const annotate = page.locator('[data-testid="annotate"]');
    await annotate.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    assert.equal(await annotate.locator('input[name="name"]').inputValue(), 'rating');
    await annotate.locator('input[name="traceId"]').fill('f'.repeat(32));
    await annotate.locator('input[name="value"]').fill('2');
    await annotate.getByRole('button', { name: 'Save score' }).click();
    assert.match(await annotate.getByRole('alert').innerText(), /Error 404 \(not_found\):\s+trace f{32} not found/);
    assert.ok(errors.length === 1 && /404/.test(errors[0]!), errors.join('\n'));
    errors.length = 0;
    await annotate.locator('input[name="traceId"]').fill(unrated);
    await annotate.locator('input[name="comment"]').fill('too terse');
    await annotate.getByRole('button', { name: 'Save score' }).click();
    await annotate.locator('[data-testid="annotate-saved"]').waitFor();
    assert.match(await annotate.locator('[data-testid="annotate-saved"]').innerText(), new RegExp(`Saved rating = 2 on trace ${unrated}`));
    const trace = await json(`/api/v1/traces/${unrated}`);
    const fb = trace.feedback.find((f: any) => f.name === 'rating');
    assert.ok(fb, JSON.stringify(trace.feedback));
    assert.equal(fb.value, 2);
    assert.equal(fb.comment, 'too terse');
    assert.equal(fb.source, 'annotation');
    // The tables reload with it.
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="fb-by-model"] tr[data-key="claude-sonnet-4"] [data-count]')?.getAttribute('data-count') === String(n),
      q.byModel.find((r: any) => r.key === 'claude-sonnet-4').count + 1,
    );
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'quality-forms');
    await page.locator('[data-testid="fb-by-prompt"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'quality-feedback');
    await fits('quality forms');
    assert.deepEqual(errors, [], 'console errors');
  });

  test('drift page: 24h vs 7d per model puts gpt-4o input tokens on top, with both distributions', async () => {
    const api = await json('/api/v1/drift?preset=24h_vs_7d&groupBy=model');
    const top = api.features[0];
    assert.equal(`${top.feature}/${top.group}/${top.severity}`, 'inputTokens/gpt-4o/significant');

    await page.goto(`${url}/drift?preset=24h_vs_7d&groupBy=model`);
    const rows = page.locator('[data-testid="drift-table"] tbody tr[data-feature]');
    await rows.first().waitFor();
    assert.equal(await page.locator('.nav-link.active').innerText(), 'Drift');
    assert.equal(await page.locator('select[name="groupBy"]').inputValue(), 'model');
    assert.equal(await page.locator('[data-preset="24h_vs_7d"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await rows.count(), Math.min(40, api.features.length));
    const first = rows.first();
    assert.equal(await first.getAttribute('data-feature'), 'inputTokens');
    assert.equal(await first.getAttribute('data-group'), 'gpt-4o');
    assert.equal(await first.getAttribute('data-severity'), 'significant');
    assert.match(await first.innerText(), /Input tokens\s+numeric\s+gpt-4o\s+PSI\s+[\d.]+\s+significant\s+[\d.]+\s+<0\.001\s+120\s+60/);
    assert.equal(await first.locator('.ql-sev-significant').count(), 1);
    // Claude's tokens did not move; overall rows show "all".
    const claude = page.locator('[data-testid="drift-table"] tr[data-feature="inputTokens"][data-group="claude-sonnet-4"]');
    assert.equal(await claude.getAttribute('data-severity'), 'none');
    assert.match(await page.locator('[data-testid="drift-table"] tr[data-feature="inputTokens"][data-group=""]').innerText(), /Input tokens\s+numeric\s+all/);
    assert.match(await page.locator('[data-testid="drift-legend"]').innerText(), /< 0\.1[\s\S]*0\.1–0\.2[\s\S]*> 0\.2/);

    // Click: the baseline and current distributions overlaid.
    await first.click();
    const overlay = page.locator('[data-testid="drift-overlay"]');
    await overlay.locator('svg .recharts-bar-rectangle path, svg .recharts-bar-rectangle').first().waitFor();
    const bars = await overlay.locator('svg .recharts-bar-rectangle').count();
    assert.ok(bars >= 2, `${bars} bars`);
    assert.match(await overlay.innerText(), /Baseline \(120 calls\)[\s\S]*Current \(60 calls\)/);

    // Vocabulary: "refund" rose in the prompts.
    const prompts = page.locator('[data-testid="text-prompts"]');
    assert.match(await prompts.locator('[data-testid="terms-rose"]').innerText(), /refund/);
    assert.match(await prompts.locator('[data-testid="terms-fell"]').innerText(), /→/);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'drift');
    await fits('drift');
    await page.locator('[data-testid="text-drift"]').evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await screenshot(page, 'drift-text');

    // One score's drift: the feedback row narrows to that name, through the URL.
    const scoreRow = page.locator('[data-testid="drift-table"] tr[data-feature="feedbackScore"][data-group=""]');
    const everyScore = await scoreRow.innerText();
    const thumbs = await json('/api/v1/drift?preset=24h_vs_7d&groupBy=model&feedbackName=thumbs');
    const thumbsAll = thumbs.features.find((f: { feature: string; group: string | null }) => f.feature === 'feedbackScore' && f.group === null);
    assert.ok((await page.locator('select[name="feedbackName"] option[value="rating"]').count()) === 1, 'the score names of the windows are offered');
    await page.locator('select[name="feedbackName"]').selectOption('thumbs');
    await page.waitForURL(/feedbackName=thumbs/);
    await page.waitForFunction((before) => {
      const row = document.querySelector('[data-testid="drift-table"] tr[data-feature="feedbackScore"][data-group=""]') as HTMLElement | null;
      return row !== null && row.innerText !== before;
    }, everyScore);
    assert.match(await scoreRow.innerText(), new RegExp(`\\s${thumbsAll.baselineCount}\\s+${thumbsAll.currentCount}\\s*$`));
    await page.locator('select[name="feedbackName"]').selectOption('');
    await page.waitForURL((u) => !u.searchParams.has('feedbackName'));

    // Custom windows start from the preset's and go to the URL.
    await page.locator('[data-preset="custom"]').click();
    const bf = await page.locator('input[name="baselineFrom"]').inputValue();
    assert.match(bf, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
    await page.locator('input[name="currentFrom"]').fill(bf.replace(/T.*/, 'T00:00'));
    assert.match(await page.locator('[data-testid="drift-controls"]').innerText(), /The baseline must end before the current window starts/);
    assert.ok(await page.getByRole('button', { name: 'Apply' }).isDisabled());
    await page.locator('input[name="currentFrom"]').fill(await page.locator('input[name="baselineTo"]').inputValue());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/preset=custom&.*currentFrom=/);
    await rows.first().waitFor();
    assert.equal(await rows.first().getAttribute('data-feature'), 'inputTokens');
    await page.waitForFunction(() => !document.querySelector('.ql-loading'));
    await screenshot(page, 'drift-custom');
    await fits('drift custom');
    assert.deepEqual(errors, [], 'console errors');
  });

  test('a project without data: empty states, and the export of the chosen project (not the default one)', async () => {
    await page.evaluate(() => localStorage.setItem('spanlens.project', 'empty'));
    await page.goto(`${url}/quality`);
    await page.getByText('No feedback in this time range').waitFor();
    assert.equal(await page.locator('[data-testid="signal-refusal"]').getAttribute('data-count'), '0');
    // A link cannot send X-Spanlens-Project: the page fetches with it and saves the answer.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-link"]').click()]);
    assert.match(download.suggestedFilename(), /\.jsonl$/);
    assert.equal(readFileSync((await download.path())!, 'utf8'), '', 'nothing exported from the empty project');
    await page.getByText('No LLM calls in this range.').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'quality-empty');
    await fits('quality empty');
    await page.goto(`${url}/drift`);
    await page.getByText('No LLM calls in these windows').waitFor();
    await screenshot(page, 'drift-empty');
    await page.evaluate(() => localStorage.removeItem('spanlens.project'));
    assert.deepEqual(errors, [], 'console errors');
  });
});
