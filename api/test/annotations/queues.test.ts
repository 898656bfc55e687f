import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { startTestApi, type TestApi } from '../helpers/api.ts';
import { spanRow } from '../helpers/seed.ts';

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** Traces of a root chain span and one LLM call, `n` of them, with the model given. */
function traces(project: string, n: number, model: string, offset: number): SpanRow[] {
  const now = BigInt(Date.now()) * 1_000_000n;
  return Array.from({ length: n }, (_, i) => {
    const t = offset + i;
    const trace = hex(0xa0000 + t, 32);
    const start = formatDateTime64(now - BigInt(60 - i) * 1_000_000_000n);
    const end = formatDateTime64(now - BigInt(59 - i) * 1_000_000_000n);
    return [
      spanRow(project, { trace_id: trace, span_id: hex(t * 2, 16), start_time: start, end_time: end, duration_ns: 1e9, kind: 'chain', name: 'ask' }),
      spanRow(project, {
        trace_id: trace,
        span_id: hex(t * 2 + 1, 16),
        parent_span_id: hex(t * 2, 16),
        start_time: start,
        end_time: end,
        duration_ns: 9e8,
        model,
        input: JSON.stringify([
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: `Question ${t}?` },
        ]),
        output: JSON.stringify([{ role: 'assistant', content: `Answer ${t}.` }]),
      }),
    ];
  }).flat();
}

describe('annotation queues', () => {
  let api: TestApi;
  let rows: SpanRow[];
  const send = async (method: string, path: string, body?: unknown, key = api.projects.acme!.key) => {
    const res = await fetch(api.url + path, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, body: text && res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : null };
  };
  const queueBody = {
    name: 'support answers',
    target: 'trace',
    scores: [
      { type: 'boolean', name: 'correct' },
      { type: 'categorical', name: 'tone', labels: ['friendly', 'neutral', 'rude'] },
      { type: 'numeric', name: 'quality', min: 1, max: 5 },
    ],
  };

  before(async () => {
    api = await startTestApi(['acme', 'other'], (p) => (rows = [...traces(p.acme!.id, 6, 'gpt-4o', 0), ...traces(p.acme!.id, 4, 'claude-sonnet-4', 100)]));
  });
  after(() => api.close());

  test('a queue filled by filter, by sample and by hand, worked through by two reviewers, then exported', async () => {
    const created = await send('POST', '/api/v1/annotation-queues', queueBody);
    assert.equal(created.status, 201, created.text);
    const q = created.body;
    assert.deepEqual(q.progress, { total: 0, pending: 0, done: 0, skipped: 0, locked: 0 });

    const byFilter = await send('POST', `/api/v1/annotation-queues/${q.id}/items/from-filter`, { model: 'gpt-4o', limit: 4 });
    assert.deepEqual(byFilter.body, { added: 4, matched: 6 });
    const sampled = await send('POST', `/api/v1/annotation-queues/${q.id}/items/from-filter`, { model: 'claude-sonnet-4', sampleRate: 0 });
    assert.deepEqual(sampled.body, { added: 0, matched: 4 });
    const claude = rows.find((r) => r.model === 'claude-sonnet-4')!;
    const byHand = await send('POST', `/api/v1/annotation-queues/${q.id}/items`, { items: [{ traceId: claude.trace_id }, { traceId: rows[0]!.trace_id }] });
    assert.deepEqual(byHand.body, { added: 1 }, 'an item queued already is not added twice');
    const unknown = await send('POST', `/api/v1/annotation-queues/${q.id}/items`, { items: [{ traceId: 'f'.repeat(32) }] });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /trace f+ not found/);

    // Two reviewers open items at the same moment: never the same one.
    const [a, b] = await Promise.all([send('POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'ana' }), send('POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'ben' })]);
    assert.ok(a.body.item && b.body.item);
    assert.notEqual(a.body.item.itemId, b.body.item.itemId);
    // A trace item shows the trace's LLM call.
    assert.equal(a.body.item.span.kind, 'llm');
    assert.match(a.body.item.span.output, /Answer \d+\./);
    // Opening again gives a reviewer the item they hold.
    assert.equal((await send('POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'ana' })).body.item.itemId, a.body.item.itemId);
    const progress = (await send('GET', `/api/v1/annotation-queues/${q.id}`)).body.progress;
    assert.deepEqual(progress, { total: 5, pending: 5, done: 0, skipped: 0, locked: 2 });

    const taken = await send('POST', `/api/v1/annotation-queues/${q.id}/items/${a.body.item.itemId}/review`, { reviewer: 'ben', scores: { correct: true } });
    assert.equal(taken.status, 409);
    assert.match(taken.body.message, /being reviewed by ana/);

    for (const [scores, message] of [
      [{ correct: 'yes' }, /correct: true or false/],
      [{ tone: 'angry' }, /tone: one of friendly, neutral, rude/],
      [{ quality: 9 }, /quality: a number from 1 to 5/],
      [{ speed: 1 }, /speed: not a score of this queue/],
      [{}, /at least one/],
    ] as const) {
      const r = await send('POST', `/api/v1/annotation-queues/${q.id}/items/${a.body.item.itemId}/review`, { reviewer: 'ana', scores });
      assert.equal(r.status, 400, r.text);
      assert.match(r.body.message, message);
    }
    const corrected = 'The corrected answer.';
    const reviewed = await send('POST', `/api/v1/annotation-queues/${q.id}/items/${a.body.item.itemId}/review`, {
      reviewer: 'ana',
      scores: { correct: false, tone: 'rude', quality: 2 },
      comment: 'too curt',
      correctedOutput: corrected,
    });
    assert.equal(reviewed.status, 200, reviewed.text);
    assert.equal(reviewed.body.status, 'done');
    const again = await send('POST', `/api/v1/annotation-queues/${q.id}/items/${a.body.item.itemId}/review`, {
      reviewer: 'ana',
      scores: { correct: true, tone: 'neutral', quality: 3 },
      comment: 'second look',
      correctedOutput: corrected,
    });
    assert.equal(again.status, 200, 'a second review replaces the first');
    assert.equal((await send('POST', `/api/v1/annotation-queues/${q.id}/items/${b.body.item.itemId}/skip`, { reviewer: 'ben' })).status, 200);

    const detail = await send('GET', `/api/v1/traces/${a.body.item.traceId}`);
    const mine = detail.body.feedback.filter((f: { source: string }) => f.source === 'annotation');
    assert.deepEqual(mine.map((f: { name: string; value: number; stringValue: string | null; author: string; comment: string }) => [f.name, f.value, f.stringValue, f.author, f.comment]).sort(), [
      ['correct', 1, null, 'ana', 'second look'],
      ['quality', 3, null, 'ana', 'second look'],
      ['tone', 0, 'neutral', 'ana', 'second look'],
    ]);

    // Work the rest through.
    let reviewedCount = 1;
    for (;;) {
      const next = await send('POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'ana' });
      if (!next.body.item) break;
      await send('POST', `/api/v1/annotation-queues/${q.id}/items/${next.body.item.itemId}/review`, { reviewer: 'ana', scores: { correct: true, quality: 5 } });
      reviewedCount++;
    }
    assert.equal(reviewedCount, 4);
    assert.deepEqual((await send('GET', `/api/v1/annotation-queues/${q.id}`)).body.progress, { total: 5, pending: 0, done: 4, skipped: 1, locked: 0 });

    const ft = await send('GET', `/api/v1/annotation-queues/${q.id}/export?format=openai`);
    const lines = ft.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { messages: Array<{ role: string; content: string }> });
    assert.equal(lines.length, 4);
    assert.deepEqual(
      lines.map((l) => l.messages.map((m) => m.role)),
      Array(4).fill(['system', 'user', 'assistant']),
    );
    assert.equal(lines.filter((l) => l.messages[2]!.content === corrected).length, 1, 'the correction replaces the answer');
    const evalJsonl = (await send('GET', `/api/v1/annotation-queues/${q.id}/export?format=eval`)).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const fixed = evalJsonl.find((l) => l.corrected);
    assert.equal(fixed.expectedOutput, corrected);
    assert.deepEqual(fixed.scores, { correct: true, tone: 'neutral', quality: 3 });
    const csv = (await send('GET', `/api/v1/annotation-queues/${q.id}/export?format=eval&as=csv`)).text.split('\r\n');
    assert.equal(csv[0], '"trace_id","span_id","input","expected_output","output","correct","tone","quality","reviewer"');
    assert.equal(csv.filter((l) => l.includes(`"${corrected}"`)).length, 1);
    assert.equal((await send('GET', `/api/v1/annotation-queues/${q.id}/export?format=openai&as=csv`)).status, 400);

    const other = api.projects.other!.key;
    assert.deepEqual((await send('GET', '/api/v1/annotation-queues', undefined, other)).body.queues, []);
    for (const [method, path, body] of [
      ['GET', `/api/v1/annotation-queues/${q.id}`],
      ['GET', `/api/v1/annotation-queues/${q.id}/items`],
      ['GET', `/api/v1/annotation-queues/${q.id}/export`],
      ['POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'eve' }],
      ['POST', `/api/v1/annotation-queues/${q.id}/items/${a.body.item.itemId}/review`, { reviewer: 'eve', scores: { correct: true } }],
      ['POST', `/api/v1/annotation-queues/${q.id}/items`, { items: [{ traceId: rows[0]!.trace_id }] }],
      ['DELETE', `/api/v1/annotation-queues/${q.id}`],
    ] as const) {
      assert.equal((await send(method, path, body, other)).status, 404, `${method} ${path}`);
    }
  });

  test('a span queue takes spans, and its scores attach to the span', async () => {
    const q = (await send('POST', '/api/v1/annotation-queues', { ...queueBody, name: 'llm calls', target: 'span', scores: [{ type: 'boolean', name: 'ok' }] })).body;
    const llm = rows.find((r) => r.kind === 'llm')!;
    assert.equal((await send('POST', `/api/v1/annotation-queues/${q.id}/items`, { items: [{ traceId: llm.trace_id }] })).status, 400);
    assert.deepEqual((await send('POST', `/api/v1/annotation-queues/${q.id}/items`, { items: [{ traceId: llm.trace_id, spanId: llm.span_id }] })).body, { added: 1 });
    const next = (await send('POST', `/api/v1/annotation-queues/${q.id}/next`, { reviewer: 'ana' })).body.item;
    assert.equal(next.spanId, llm.span_id);
    await send('POST', `/api/v1/annotation-queues/${q.id}/items/${next.itemId}/review`, { reviewer: 'ana', scores: { ok: true } });
    const fb = (await send('GET', `/api/v1/traces/${llm.trace_id}`)).body.feedback.find((f: { name: string }) => f.name === 'ok');
    assert.equal(fb.spanId, llm.span_id);
  });
});
