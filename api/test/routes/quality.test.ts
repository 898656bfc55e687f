import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { spanRow } from '../helpers/seed.ts';
import { startTestApi, type TestApi } from '../helpers/api.ts';

const answer = (content: string) => JSON.stringify([{ role: 'assistant', content }]);

/** Each case: the span's fields and the signals ClickHouse must compute for it. */
const CASES: Array<{ name: string; row: Partial<SpanRow>; signals: string[] }> = [
  { name: 'plain answer', row: { output: answer('Your order ships tomorrow.') }, signals: [] },
  { name: 'empty answer', row: { output: answer('') }, signals: ['empty'] },
  { name: 'no output at all', row: { output: '' }, signals: ['empty'] },
  { name: 'answer not captured (tokens, no text)', row: { output: '', output_tokens: 7 }, signals: [] },
  { name: 'tool call only', row: { output: JSON.stringify([{ role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] }]) }, signals: [] },
  { name: 'failed call', row: { output: '', status: 'error' }, signals: ['error'] },
  { name: 'refusal', row: { output: answer("I'm sorry, but I can't help with that request.") }, signals: ['refusal'] },
  { name: 'curly refusal', row: { output: answer('I can’t assist with that.') }, signals: ['refusal'] },
  { name: 'Spanish refusal', row: { output: answer('Lo siento, pero no puedo ayudar con eso.') }, signals: ['refusal'] },
  { name: 'German refusal', row: { output: answer('Es tut mir leid, aber ich kann das nicht tun.') }, signals: ['refusal'] },
  { name: 'refusal words late in a long answer', row: { output: answer('x'.repeat(500) + " I can't help with") }, signals: [] },
  { name: 'cut off', row: { output: answer('The first three steps are'), finish_reason: 'length' }, signals: ['truncated'] },
  { name: 'Anthropic cut off', row: { output: answer('Partial'), finish_reason: 'max_tokens' }, signals: ['truncated'] },
  { name: 'JSON asked, JSON given', row: { output: answer('{"ok": true}'), attributes: { 'gen_ai.output.type': 'json' } }, signals: [] },
  { name: 'JSON asked, fenced JSON given', row: { output: answer('```json\n{"ok": true}\n```'), attributes: { 'gen_ai.output.type': 'json' } }, signals: [] },
  { name: 'JSON asked, prose given', row: { output: answer('Sure! Here it is: {ok: true'), attributes: { 'gen_ai.openai.request.response_format': 'json_object' } }, signals: ['invalid_json'] },
  { name: 'prose, no JSON asked', row: { output: answer('{not json') }, signals: [] },
  { name: 'embedding', row: { kind: 'embedding', output: '' }, signals: [] },
];

describe('quality signals, computed by ClickHouse at insert', () => {
  let api: TestApi;
  const base = Date.now() - 10 * 60_000;
  const range = `from=${new Date(base - 60_000).toISOString()}&to=${new Date(base + 3_600_000).toISOString()}`;

  before(async () => {
    api = await startTestApi(['a'], (p) =>
      CASES.map((c, i) => {
        const start = BigInt(base + i * 1000) * 1_000_000n;
        return spanRow(p.a!.id, {
          trace_id: (i + 1).toString(16).padStart(32, '0'),
          span_id: (i + 1).toString(16).padStart(16, '0'),
          name: c.name,
          start_time: formatDateTime64(start),
          end_time: formatDateTime64(start + 1_000_000n),
          duration_ns: 1_000_000,
          kind: 'llm',
          model: 'gpt-4o',
          provider: 'openai',
          ...c.row,
        });
      }),
    );
  });
  after(async () => api?.close());

  const names = async (query: string) => {
    const { status, body } = await api.get(`/api/v1/traces?${range}&limit=100&${query}`);
    assert.equal(status, 200, JSON.stringify(body));
    return body.traces.map((t: { name: string }) => t.name).sort();
  };

  for (const signal of ['empty', 'refusal', 'truncated', 'invalid_json', 'error']) {
    test(`signal=${signal} selects exactly its cases`, async () => {
      assert.deepEqual(
        await names(`signal=${signal}`),
        CASES.filter((c) => c.signals.includes(signal))
          .map((c) => c.name)
          .sort(),
      );
    });
  }

  test('metrics count each signal, from the raw spans and from the rollups alike', async () => {
    const count = (s: string) => CASES.filter((c) => c.signals.includes(s) && (c.row.kind ?? 'llm') !== 'embedding').length;
    for (const source of ['spans', 'rollup']) {
      const { body } = await api.get(`/api/v1/metrics/summary?${range}&source=${source}`);
      assert.equal(body.current.emptyOutputs, count('empty'), source);
      assert.equal(body.current.refusals, count('refusal'), source);
      assert.equal(body.current.truncated, count('truncated'), source);
      assert.equal(body.current.invalidJson, count('invalid_json'), source);
    }
    assert.deepEqual(
      await names('signal=refusal&signal=truncated'),
      CASES.filter((c) => c.signals.some((s) => s === 'refusal' || s === 'truncated'))
        .map((c) => c.name)
        .sort(),
    );
  });
});
