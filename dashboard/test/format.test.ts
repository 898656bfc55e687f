import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { delta, fmtCount, fmtMs, fmtPct, fmtUsd, isoToMs, projectMonth } from '../src/format.ts';
import { parseMessages } from '../src/messages.ts';
import { buildTree } from '../src/tree.ts';
import type { Span } from '../src/api.ts';

describe('format', () => {
  test('dollars with a precision that suits the amount', () => {
    assert.equal(fmtUsd(0), '$0');
    assert.equal(fmtUsd(0.00000024), '$0.00000024');
    assert.equal(fmtUsd(0.000042), '$0.000042');
    assert.equal(fmtUsd(0.0036), '$0.0036');
    assert.equal(fmtUsd(0.219), '$0.219');
    assert.equal(fmtUsd(0.08), '$0.08');
    assert.equal(fmtUsd(12.345), '$12.35');
    assert.equal(fmtUsd(1234.5), '$1,235');
    assert.equal(fmtUsd(250_000), '$250k');
    assert.equal(fmtUsd(null), '—');
  });

  test('counts, durations, percentages', () => {
    assert.equal(fmtCount(999), '999');
    assert.equal(fmtCount(1980), '1.98k');
    assert.equal(fmtCount(61_600), '61.6k');
    assert.equal(fmtCount(1_250_000), '1.25M');
    assert.equal(fmtMs(0.42), '0.42 ms');
    assert.equal(fmtMs(983), '983 ms');
    assert.equal(fmtMs(1120), '1.12 s');
    assert.equal(fmtMs(42_000), '42.0 s');
    assert.equal(fmtMs(125_000), '2m 05s');
    assert.equal(fmtMs(null), '—');
    assert.equal(fmtPct(0.12), '12%');
    assert.equal(fmtPct(0.025), '2.5%');
    assert.equal(fmtPct(0.0012), '0.12%');
  });

  test('change against the previous period', () => {
    assert.deepEqual(delta(150, 100), { text: '+50%', trend: 'up' });
    assert.deepEqual(delta(95, 100), { text: '−5%', trend: 'down' });
    assert.deepEqual(delta(104.2, 100), { text: '+4.2%', trend: 'up' });
    assert.deepEqual(delta(5, 0), { text: 'new', trend: 'up' });
    assert.deepEqual(delta(0.12, 0.1, 'points'), { text: '+2 pp', trend: 'up' });
    assert.equal(delta(null, 3).trend, 'none');
  });

  test('nanosecond ISO times keep sub-millisecond digits', () => {
    const sub = isoToMs('2026-01-02T03:04:05.123456789Z') - Date.parse('2026-01-02T03:04:05Z');
    assert.ok(Math.abs(sub - 123.456789) < 1e-4, String(sub));
  });

  test('month projection: month to date + 7-day daily average × days remaining', () => {
    const p = projectMonth(10, 14, new Date(Date.UTC(2026, 10, 28, 12)));
    assert.equal(p.avgDaily7d, 2);
    assert.equal(p.daysRemaining, 2.5);
    assert.equal(p.projected, 15);
  });
});

describe('trace rendering', () => {
  test('messages: JSON conversations by role, anything else as text', () => {
    const msgs = parseMessages(JSON.stringify([{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] }, { role: 'tool', content: 'ok', toolCallId: 'c1' }]));
    assert.deepEqual(msgs, [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] }, { role: 'tool', content: 'ok', toolCallId: 'c1' }]);
    assert.equal(parseMessages('plain text'), null);
    assert.equal(parseMessages('[1, 2]'), null);
    assert.equal(parseMessages('[not json'), null);
  });

  test('the span tree: depth first, children by start time, orphans at the top', () => {
    const s = (spanId: string, parentSpanId: string | null, startMs: number, durationMs: number) =>
      ({ spanId, parentSpanId, startTime: new Date(startMs).toISOString(), durationMs }) as Span;
    const { rows, totalMs } = buildTree([s('c', 'a', 300, 50), s('a', null, 0, 1000), s('b', 'a', 100, 100), s('d', 'b', 120, 10), s('x', 'gone', 50, 10)]);
    assert.deepEqual(rows.map((r) => `${r.span.spanId}${r.depth}@${r.offsetMs}`), ['a0@0', 'b1@100', 'd2@120', 'c1@300', 'x0@50']);
    assert.equal(totalMs, 1000);
  });
});
