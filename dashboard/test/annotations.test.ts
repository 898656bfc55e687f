// Annotation queues in headless Chromium against a real Spanlens API on embedded ClickHouse: a
// queue filled from a filter and worked through on the review page (keyboard and clicks, a
// skip, a correction), its exports, someone else's hold (409), the queue form, and the trace
// page's "Add to annotation queue".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { createProject, formatMillis } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { assertFits, launch, newPage, screenshot, skipReason, startApi, type TestStorage } from './browser.ts';
import { ordinaryTraces } from './seed.ts';

const HOUR = 3_600_000;
const traceIdOf = (t: number) => (0x1000 + t).toString(16).padStart(32, '0');
const CORRECTION = 'Your parcel left our warehouse today; it arrives on Friday.';

interface QueueBody {
  id: string;
  progress: { total: number; pending: number; done: number; skipped: number };
}
interface ItemBody {
  itemId: string;
  traceId: string;
  spanId: string | null;
  status: string;
  reviewer: string | null;
  correctedOutput: string | null;
}
interface FeedbackBody {
  name: string;
  value: number;
  stringValue: string | null;
  dataType: string;
  source: string;
  author: string | null;
  comment: string | null;
}

describe('annotation queues in Chromium', { skip: skipReason() ?? false }, () => {
  let storage: TestStorage;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(url + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const fits = (what: string) => assertFits(page, what);
  const item = (p: Page) => p.locator('[data-testid="review-item"]');
  /** Waits for the review page to show another item than `prev`, and returns its id. */
  const nextItem = async (prev: string | null): Promise<string> => {
    await page.waitForFunction((p) => {
      const el = document.querySelector('[data-testid="review-item"]');
      return el !== null && el.getAttribute('data-item-id') !== p;
    }, prev);
    return (await item(page).getAttribute('data-item-id'))!;
  };
  const progress = (done: number, skipped: number) => page.locator(`[data-testid="review-progress"][data-done="${done}"][data-skipped="${skipped}"]`).waitFor();

  before(async () => {
    storage = await openTestStorage();
    await createProject(storage, 'Default', 'default');
    // Twelve traces in the last hours; the even ones are support-bot's.
    await storage.insertRows('spans', ordinaryTraces('default', 12, Date.now() - 10 * 60_000, 6 * HOUR));
    ({ app, url } = await startApi(storage));
    browser = await launch();
    ({ page, errors } = await newPage(browser));
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await storage?.destroy();
  });

  test('a queue filled from a filter, reviewed with the keyboard and by clicks, then exported', async () => {
    const queue = await api<QueueBody>('POST', '/api/v1/annotation-queues', {
      name: 'Support answers',
      description: 'Is the answer helpful, and how does it sound?',
      target: 'trace',
      allowCorrection: true,
      scores: [
        { type: 'boolean', name: 'helpful' },
        { type: 'categorical', name: 'tone', labels: ['friendly', 'neutral', 'rude'] },
      ],
    });
    await page.goto(`${url}/queues`);
    const row = page.locator(`[data-testid="queues-table"] tr[data-queue-id="${queue.id}"]`);
    await row.waitFor();
    assert.equal(await page.locator('.nav-link.active').innerText(), 'Annotation');
    assert.match(await row.innerText(), /Support answers[\s\S]*Traces\s+helpful, tone\s+0 \/ 0/);

    // Add from filter: support-bot's traces (6 of 12), 4 at most.
    await row.locator('.ev-name').click();
    const detail = page.locator(`[data-testid="queue-detail"][data-queue-id="${queue.id}"]`);
    const form = detail.locator('[data-testid="from-filter"]');
    await form.locator('input[name="ff-service"]').fill('support-bot');
    await form.locator('input[name="ff-limit"]').fill('4x');
    assert.match(await form.innerText(), /a number: digits only, no letters/);
    assert.ok(await form.getByRole('button', { name: 'Add matching items' }).isDisabled());
    await form.locator('input[name="ff-limit"]').fill('4');
    await form.getByRole('button', { name: 'Add matching items' }).click();
    const result = form.locator('[data-testid="from-filter-result"]');
    await result.waitFor();
    assert.equal(await result.getAttribute('data-added'), '4');
    assert.equal(await result.getAttribute('data-matched'), '6');
    assert.match(await result.innerText(), /Added 4 of 6 matching/);
    await row.locator('[data-testid="queue-progress"][data-total="4"]').waitFor();
    const items = await api<{ items: ItemBody[] }>('GET', `/api/v1/annotation-queues/${queue.id}/items`);
    assert.deepEqual(
      items.items.map((i) => i.traceId),
      [0, 2, 4, 6].map(traceIdOf),
      'the four oldest support-bot traces',
    );
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'queues');
    await fits('queues');

    // The review page asks who reviews, once.
    await detail.getByRole('link', { name: 'Start reviewing' }).click();
    await page.waitForURL(new RegExp(`/queues/${queue.id}/review`));
    await page.getByLabel('Your name').fill('alice');
    await page.getByLabel('Your name').press('Enter');
    let id = await nextItem(null);
    assert.equal(id, traceIdOf(0));
    await progress(0, 0);
    assert.match(await page.locator('[data-testid="review-progress"]').innerText(), /0 of 4 reviewed · 4 pending/);
    assert.equal(await page.evaluate(() => localStorage.getItem('spanlens.reviewer')), 'alice');
    assert.deepEqual(
      await item(page)
        .locator('[data-testid="io-input"] .msg')
        .evaluateAll((m) => m.map((e) => e.getAttribute('data-role'))),
      ['user'],
    );
    assert.match(await item(page).locator('[data-testid="io-output"]').innerText(), /Answer 0\./);
    assert.match(await page.locator('[data-testid="review-keys"]').innerText(), /1 yes, 2 no[\s\S]*Enter submits[\s\S]*s skips/);
    assert.equal(await page.locator('[data-score="helpful"]').getAttribute('data-active'), 'true', 'the number keys start on the first score');
    await screenshot(page, 'review');
    await fits('review');

    // Item 1 by keyboard: 1 = helpful yes, then (the next score) 2 = neutral, Enter.
    await page.keyboard.press('1');
    assert.equal(await page.locator('[data-score="helpful"] [data-value="true"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('[data-score="tone"]').getAttribute('data-active'), 'true');
    await page.keyboard.press('2');
    assert.equal(await page.locator('[data-score="tone"] [data-value="neutral"]').getAttribute('aria-pressed'), 'true');
    await page.keyboard.press('Enter');
    id = await nextItem(id);
    assert.equal(id, traceIdOf(2));
    await progress(1, 0);
    assert.match(await page.locator('[data-testid="review-notice"]').innerText(), /Review saved/);

    // Item 2 by clicks, with a comment and a corrected output.
    await page.locator('[data-score="helpful"] [data-value="false"]').click();
    await page.locator('[data-score="tone"] [data-value="friendly"]').click();
    await page.locator('textarea[name="comment"]').fill('says nothing about the parcel');
    await page.getByRole('button', { name: 'start from the output' }).click();
    assert.equal(await page.locator('textarea[name="correctedOutput"]').inputValue(), 'Answer 2.');
    await page.locator('textarea[name="correctedOutput"]').fill(CORRECTION);
    await screenshot(page, 'review-filled');
    await page.getByRole('button', { name: /^Submit/ }).click();
    id = await nextItem(id);
    await progress(2, 0);

    // Item 3 (its call failed: no output): skipped with s.
    assert.equal(id, traceIdOf(4));
    await page.keyboard.press('s');
    id = await nextItem(id);
    await progress(2, 1);
    assert.match(await page.locator('[data-testid="review-progress"]').innerText(), /2 of 4 reviewed · 1 skipped · 1 pending/);

    // Item 4: nothing given yet, so Enter asks for a score; keys typed in the comment stay text; Ctrl+Enter sends from it.
    assert.equal(id, traceIdOf(6));
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="review-missing"]').waitFor();
    await page.keyboard.press('1');
    await page.keyboard.press('1');
    await page.locator('textarea[name="comment"]').click();
    await page.keyboard.type('fine 2');
    assert.equal(await page.locator('textarea[name="comment"]').inputValue(), 'fine 2');
    assert.equal(await page.locator('[data-score="tone"] [data-value="friendly"]').getAttribute('aria-pressed'), 'true', 'a 2 typed in the comment is not a shortcut');
    await page.keyboard.press('Control+Enter');

    // Empty: says so, with the exports.
    const empty = page.locator('[data-testid="review-empty"]');
    await empty.waitFor();
    await progress(3, 1);
    assert.match(await empty.innerText(), /Nothing left to review in this queue[\s\S]*3 reviewed, 1 skipped of 4/);
    assert.deepEqual(await empty.locator('[data-export]').allInnerTexts(), ['Fine-tuning JSONL', 'Evaluation JSONL', 'Evaluation CSV']);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'review-empty');

    // The fine-tuning JSONL, downloaded: the correction is item 2's answer.
    const [download] = await Promise.all([page.waitForEvent('download'), empty.locator('[data-export="openai-jsonl"]').click()]);
    assert.equal(download.suggestedFilename(), 'Support-answers-openai.jsonl');
    const lines = readFileSync((await download.path())!, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { messages: Array<{ role: string; content: string }> });
    assert.equal(lines.length, 3);
    const answers = lines.map((l) => l.messages.at(-1)!);
    assert.ok(answers.every((m) => m.role === 'assistant'));
    assert.deepEqual(answers.map((m) => m.content).sort(), ['Answer 0.', 'Answer 6.', CORRECTION].sort());
    assert.ok(lines.find((l) => l.messages.at(-1)!.content === CORRECTION)!.messages[0]!.content.startsWith('Question 2:'), 'the correction goes with its question');

    // The evaluation CSV: one column per score.
    const csvHref = await empty.locator('[data-export="eval-csv"]').getAttribute('href');
    const csv = (await (await fetch(new URL(csvHref!, url))).text()).trim().split('\r\n');
    assert.equal(csv[0], '"trace_id","span_id","input","expected_output","output","helpful","tone","reviewer"');
    assert.equal(csv.length, 4);
    const row2 = csv.find((l) => l.startsWith(`"${traceIdOf(2)}"`))!;
    assert.match(row2, new RegExp(`"${CORRECTION}","Answer 2\\.","false","friendly","alice"$`));
    assert.match(csv.find((l) => l.startsWith(`"${traceIdOf(0)}"`))!, /"true","neutral","alice"$/);

    // The scores are feedback of the traces: source annotation, alice as author.
    const fb = async (t: number) => (await api<{ feedback: FeedbackBody[] }>('GET', `/api/v1/traces/${traceIdOf(t)}`)).feedback;
    const first = await fb(0);
    assert.deepEqual(first.map((f) => [f.name, f.source, f.author]).sort(), [
      ['helpful', 'annotation', 'alice'],
      ['tone', 'annotation', 'alice'],
    ]);
    assert.equal(first.find((f) => f.name === 'helpful')!.value, 1);
    assert.equal(first.find((f) => f.name === 'tone')!.stringValue, 'neutral');
    const second = await fb(2);
    assert.equal(second.find((f) => f.name === 'helpful')!.value, 0);
    assert.equal(second.find((f) => f.name === 'helpful')!.comment, 'says nothing about the parcel');
    assert.equal((await fb(6)).find((f) => f.name === 'helpful')!.comment, 'fine 2');
    assert.deepEqual(await fb(4), [], 'a skipped item has no score');
    const done = await api<{ items: ItemBody[] }>('GET', `/api/v1/annotation-queues/${queue.id}/items?status=done`);
    assert.equal(done.items.find((i) => i.traceId === traceIdOf(2))!.correctedOutput, CORRECTION);

    // Back on the list: 4 of 4 handled, 1 of them skipped.
    await page.getByRole('link', { name: '← Queues' }).click();
    await row.locator('[data-testid="queue-progress"][data-done="4"][data-total="4"]').waitFor();
    assert.match(await row.locator('[data-testid="queue-progress"]').innerText(), /4 \/ 4 · 1 skipped/);
    assert.deepEqual(errors, [], 'console errors');
  });

  test('an item someone else holds: the page says so and moves on', async () => {
    const queue = await api<QueueBody>('POST', '/api/v1/annotation-queues', { name: 'Contested', scores: [{ type: 'numeric', name: 'accuracy', min: 1, max: 5 }] });
    await api('POST', `/api/v1/annotation-queues/${queue.id}/items`, { items: [{ traceId: traceIdOf(1) }, { traceId: traceIdOf(3) }] });
    await page.goto(`${url}/queues/${queue.id}/review`);
    const id = await nextItem(null);
    assert.equal(id, traceIdOf(1));
    assert.match(await page.locator('[data-score="accuracy"]').innerText(), /keys: 1–5 → that value/);
    // bob's hold, older than alice's: the earliest hold wins, so alice's review is refused.
    await storage.insertRows('annotation_locks', [
      {
        project_id: 'default',
        queue_id: queue.id,
        item_id: id,
        reviewer: 'bob',
        locked_at: formatMillis(Date.now() - 60_000),
        expires_at: formatMillis(Date.now() + 600_000),
      },
    ]);
    await page.keyboard.press('4');
    assert.equal(await page.locator('input[name="score-accuracy"]').inputValue(), '4');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="review-notice"]').filter({ hasText: 'Someone else is reviewing this item' }).waitFor();
    assert.equal(await nextItem(id), traceIdOf(3));
    assert.ok(errors.length === 1 && /409/.test(errors[0]!), errors.join('\n'));
    errors.length = 0;
    await screenshot(page, 'review-conflict');
    const items = await api<{ items: ItemBody[] }>('GET', `/api/v1/annotation-queues/${queue.id}/items?status=pending`);
    assert.equal(items.items.length, 2, 'nothing was scored');
    // A number outside the range is refused in the page.
    await page.locator('input[name="score-accuracy"]').fill('7');
    await page.locator('input[name="score-accuracy"]').press('Enter');
    await page.locator('[data-score="accuracy"] [data-problem]').filter({ hasText: 'at most 5' }).waitFor();
    assert.deepEqual(errors, [], 'console errors');
  });

  test('the queue form: score definitions checked in the page, then created', async () => {
    await page.goto(`${url}/queues`);
    await page.getByRole('button', { name: 'New queue' }).click();
    const form = page.locator('[data-testid="queue-form"]');
    await form.locator('input[name="name"]').fill('Accuracy review');
    await form.locator('select[name="target"]').selectOption('span');
    await form.getByRole('button', { name: '+ number' }).click();
    await form.locator('input[name="score-1-name"]').fill('accuracy');
    await form.locator('input[name="score-1-max"]').fill('five');
    await form.getByRole('button', { name: '+ labels' }).click();
    await form.locator('input[name="score-2-name"]').fill('helpful');
    await form.locator('input[name="score-2-labels"]').fill('only-one');
    await form.getByRole('button', { name: 'Create queue' }).click();
    assert.match(await form.locator('[data-testid="form-problems"]').innerText(), /fix the fields marked in red/);
    assert.deepEqual(await form.locator('[data-problem]').allInnerTexts(), ['named twice', 'a number: digits only, no letters', 'named twice', 'at least two, comma-separated']);
    await form.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await screenshot(page, 'queue-form');
    await fits('queue form');
    await form.locator('input[name="score-1-max"]').fill('5');
    await form.locator('input[name="score-2-name"]').fill('verdict');
    await form.locator('input[name="score-2-labels"]').fill('right, wrong, partly');
    await form.getByRole('button', { name: 'Remove score 1' }).click();
    await form.getByRole('button', { name: 'Create queue' }).click();
    await page.waitForURL(/\/queues\?queue=/);
    const id = new URL(page.url()).searchParams.get('queue')!;
    const q = await api<QueueBody & { target: string; scores: unknown[] }>('GET', `/api/v1/annotation-queues/${id}`);
    assert.equal(q.target, 'span');
    assert.deepEqual(q.scores, [
      { type: 'numeric', name: 'accuracy', min: 1, max: 5 },
      { type: 'categorical', name: 'verdict', labels: ['right', 'wrong', 'partly'] },
    ]);
    await page.locator(`[data-testid="queue-detail"][data-queue-id="${id}"]`).waitFor();
    assert.deepEqual(errors, [], 'console errors');
  });

  test('the trace page adds the trace, or for a span queue the selected span', async () => {
    const traces = await api<QueueBody>('POST', '/api/v1/annotation-queues', { name: 'From traces', scores: [{ type: 'boolean', name: 'ok' }] });
    const spans = await api<QueueBody>('POST', '/api/v1/annotation-queues', { name: 'From spans', target: 'span', scores: [{ type: 'boolean', name: 'ok' }] });
    const traceId = traceIdOf(9);
    await page.goto(`${url}/traces/${traceId}`);
    const card = page.locator('[data-testid="add-to-queue"]');
    await card.locator('select[name="queue"]').selectOption(traces.id);
    await card.getByRole('button', { name: 'Add this trace' }).click();
    await card.locator('[data-testid="add-to-queue-result"]').filter({ hasText: 'Added this trace to From traces' }).waitFor();
    let items = await api<{ items: ItemBody[] }>('GET', `/api/v1/annotation-queues/${traces.id}/items`);
    assert.deepEqual(
      items.items.map((i) => [i.traceId, i.spanId]),
      [[traceId, null]],
    );
    await card.getByRole('button', { name: 'Add this trace' }).click();
    await card.locator('[data-testid="add-to-queue-result"]').filter({ hasText: 'Already queued: this trace in From traces' }).waitFor();

    // A span queue: the span selected in the waterfall (trace 9's second LLM call).
    const spanId = (9 * 16 + 2).toString(16).padStart(16, '0');
    await page.locator('.wf-row').nth(2).click();
    await page.waitForURL(new RegExp(`span=${spanId}`));
    await card.locator('select[name="queue"]').selectOption(spans.id);
    await card.getByRole('button', { name: /^Add the span “chat / }).click();
    await card.locator('[data-testid="add-to-queue-result"]').filter({ hasText: 'Added the span' }).waitFor();
    items = await api<{ items: ItemBody[] }>('GET', `/api/v1/annotation-queues/${spans.id}/items`);
    assert.deepEqual(
      items.items.map((i) => [i.traceId, i.spanId]),
      [[traceId, spanId]],
    );
    await card.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'trace-add-to-queue');
    await fits('trace');
    assert.deepEqual(errors, [], 'console errors');
  });
});
