import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { spanRow } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const N = 12;
const traceId = (i: number) => (i + 1).toString(16).padStart(32, '0');
/** Trace i: rating (i % 5) + 1, model by parity, prompt v1 for the first half. */
const rating = (i: number) => (i % 5) + 1;
const model = (i: number) => (i % 2 === 0 ? 'gpt-4o' : 'claude-sonnet-4');

function seed(project: string, base: number): SpanRow[] {
  return Array.from({ length: N }, (_, i) => {
    const start = BigInt(base + i * 60_000) * 1_000_000n;
    const input = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: `Question "${i}", with, commas` },
    ];
    const output = i === 3 ? [{ role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":1}' }] }] : [{ role: 'assistant', content: `Answer ${i}` }];
    return spanRow(project, {
      trace_id: traceId(i),
      span_id: (i + 1).toString(16).padStart(16, '0'),
      kind: 'llm',
      name: `chat-${i}`,
      start_time: formatDateTime64(start),
      end_time: formatDateTime64(start + 1_000_000n),
      duration_ns: 1_000_000,
      model: model(i),
      provider: 'x',
      prompt_name: 'support',
      prompt_version: i < N / 2 ? 'v1' : 'v2',
      input: JSON.stringify(input),
      output: JSON.stringify(output),
    });
  });
}

describe('feedback annotations, quality analytics and dataset export', () => {
  let api: TestApi;
  const base = Date.now() - 3_600_000;
  const post = (path: string, body: unknown, key = api.projects.a!.key) =>
    fetch(api.url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    api = await startTestApi(['a', 'b'], (p) => seed(p.a!.id, base));
    for (let i = 0; i < N; i++) {
      const res = await post(`/api/v1/traces/${traceId(i)}/feedback`, { id: `rating-${i}`, name: 'rating', value: rating(i), comment: i === 0 ? 'wrong answer' : null });
      assert.equal(res.status, 201);
    }
  });
  after(async () => api?.close());

  test('annotations are idempotent by id, typed, and only for traces of the project', async () => {
    for (let k = 0; k < 3; k++) assert.equal((await post(`/api/v1/traces/${traceId(1)}/feedback`, { id: 'thumbs-1', name: 'thumbs', value: false })).status, 201);
    assert.equal((await post(`/api/v1/traces/${traceId(1)}/feedback`, { id: 'topic-1', name: 'topic', value: 'billing' })).status, 201);
    const { body } = await api.get(`/api/v1/traces/${traceId(1)}`);
    const byName = Object.fromEntries(body.feedback.map((f: { name: string }) => [f.name, f]));
    assert.equal(body.feedback.filter((f: { id: string }) => f.id === 'thumbs-1').length, 1);
    assert.deepEqual([byName.thumbs.dataType, byName.thumbs.value, byName.thumbs.source], ['boolean', 0, 'annotation']);
    assert.deepEqual([byName.topic.dataType, byName.topic.stringValue], ['categorical', 'billing']);
    assert.equal((await post(`/api/v1/traces/${'f'.repeat(32)}/feedback`, { name: 'x', value: 1 })).status, 404);
    assert.equal((await post(`/api/v1/traces/${traceId(1)}/feedback`, { name: 'x', value: 1 }, api.projects.b!.key)).status, 404);
    const bad = await post(`/api/v1/traces/${traceId(1)}/feedback`, { name: 'x' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /value/);
  });

  test('quality: per model and prompt version, worst traces first', async () => {
    const { status, body } = await api.get('/api/v1/quality?name=rating');
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.name, 'rating');
    const idx = [...Array(N).keys()];
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const m of ['gpt-4o', 'claude-sonnet-4']) {
      const row = body.byModel.find((x: { key: string }) => x.key === m);
      const mine = idx.filter((i) => model(i) === m).map(rating);
      assert.equal(row.count, mine.length);
      assert.ok(Math.abs(row.avgScore - avg(mine)) < 1e-9);
    }
    const v1 = body.byPromptVersion.find((x: { key: string }) => x.key === 'support@v1');
    assert.ok(Math.abs(v1.avgScore - avg(idx.filter((i) => i < N / 2).map(rating))) < 1e-9);
    assert.deepEqual(
      body.worstTraces.slice(0, 3).map((t: { avgScore: number }) => t.avgScore),
      [1, 1, 1],
    );
    assert.equal(body.worstTraces.find((t: { traceId: string }) => t.traceId === traceId(0)).comment, 'wrong answer');
    assert.equal(
      body.series.reduce((n: number, p: { count: number }) => n + p.count, 0),
      N,
    );
    assert.ok(body.names.some((n: { name: string }) => n.name === 'thumbs'));
  });

  test('quality filtered by model reads only that model', async () => {
    const { status, body } = await api.get('/api/v1/quality?name=rating&model=gpt-4o');
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.byModel.map((x: { key: string }) => x.key),
      ['gpt-4o'],
    );
    assert.equal(body.byModel[0].count, [...Array(N).keys()].filter((i) => model(i) === 'gpt-4o').length);
  });

  test('JSONL export in chat fine-tuning format, only traces rated 4 or 5, line by line', async () => {
    const res = await fetch(`${api.url}/api/v1/export?format=jsonl&feedbackName=rating&minScore=4`, { headers: { authorization: `Bearer ${api.projects.a!.key}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /application\/x-ndjson/);
    assert.match(res.headers.get('content-disposition')!, /attachment; filename="spanlens-.*\.jsonl"/);
    const lines = (await res.text()).split('\n').filter(Boolean);
    assert.equal(lines.length, [...Array(N).keys()].filter((i) => rating(i) >= 4).length);
    for (const line of lines) {
      const { messages } = JSON.parse(line) as { messages: Array<{ role: string; content: string | null; tool_calls?: Array<{ type: string; function: { name: string } }> }> };
      assert.deepEqual(
        messages.map((m) => m.role),
        ['system', 'user', 'assistant'],
      );
      assert.equal(messages[0]!.content, 'Be brief.');
      const last = messages[2]!;
      assert.ok(typeof last.content === 'string' || last.tool_calls?.[0]?.function.name === 'lookup');
    }
    const withTool = lines.map((l) => JSON.parse(l)).find((l: { messages: Array<{ tool_calls?: unknown }> }) => l.messages[2]!.tool_calls);
    assert.deepEqual(withTool.messages[2].tool_calls, [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }]);
  });

  test('CSV export: quoted fields, one row per trace, the score column', async () => {
    const res = await fetch(`${api.url}/api/v1/export?format=csv&feedbackName=rating&maxScore=1`, { headers: { authorization: `Bearer ${api.projects.a!.key}` } });
    const text = await res.text();
    const rows = text.split('\r\n').filter(Boolean);
    assert.equal(rows[0], '"trace_id","start_time","model","input","output","score","comment"');
    const wanted = [...Array(N).keys()].filter((i) => rating(i) <= 1);
    assert.equal(rows.length - 1, wanted.length);
    const fields = rows[1]!.match(/"((?:[^"]|"")*)"/g)!.map((f) => f.slice(1, -1).replace(/""/g, '"'));
    assert.equal(fields.length, 7);
    assert.equal(fields[0], traceId(wanted[0]!));
    assert.equal(fields[3], `Be brief.\nQuestion "${wanted[0]}", with, commas`);
    assert.equal(fields[5], '1');
    assert.equal(fields[6], 'wrong answer');
    const other = await fetch(`${api.url}/api/v1/export?format=csv`, { headers: { authorization: `Bearer ${api.projects.b!.key}` } });
    assert.equal((await other.text()).split('\r\n').filter(Boolean).length, 1, 'project b exports only its own (none)');
  });
});
