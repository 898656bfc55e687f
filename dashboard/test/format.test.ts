import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { delta, fmtBucket, fmtCount, fmtInterval, fmtMs, fmtMsAxis, fmtPct, fmtPrompt, fmtTick, fmtUsd, fmtUsdAxis, isoToMs, niceTicks, projectMonth, timeTicks } from '../src/format.ts';
import { parseMessages } from '../src/messages.ts';
import { PALETTE, seriesColors } from '../src/colors.ts';
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
    assert.deepEqual(delta(7860, 5), { text: '×1.57k', trend: 'up' });
    assert.deepEqual(delta(1200, 100), { text: '×12', trend: 'up' });
    assert.deepEqual(delta(900, 100), { text: '+800%', trend: 'up' });
    assert.deepEqual(delta(0.12, 0.1, 'points'), { text: '+2 pp', trend: 'up' });
    assert.equal(delta(null, 3).trend, 'none');
  });

  test('time axis: round local times, dates on multi-day ranges', () => {
    const H = 3_600_000;
    // 24 hours from 05:51: every 3 hours on the clock, midnight labelled with its date.
    const from = new Date(2026, 10, 27, 5, 51).getTime();
    const day = timeTicks(from, from + 24 * H, 9);
    assert.equal(day.stepMs, 3 * H);
    assert.deepEqual(
      day.ticks.map((t) => fmtTick(t, day.stepMs)),
      ['06:00', '09:00', '12:00', '15:00', '18:00', '21:00', 'Nov 28', '03:00'],
    );
    // 7 days: one tick per local midnight, labelled with the date (not "14:00" without a day).
    const week = timeTicks(from - 6 * 24 * H, from + 24 * H, 9);
    assert.equal(week.stepMs, 24 * H);
    assert.deepEqual(
      week.ticks.map((t) => fmtTick(t, week.stepMs)),
      ['Nov 22', 'Nov 23', 'Nov 24', 'Nov 25', 'Nov 26', 'Nov 27', 'Nov 28'],
    );
    for (const t of week.ticks) assert.equal(new Date(t).getHours(), 0);
    // 30 days: a tick every few days, at most the number asked.
    const month = timeTicks(from - 29 * 24 * H, from + 24 * H, 9);
    assert.ok(month.ticks.length <= 9 && month.ticks.length >= 4, String(month.ticks.length));
    assert.ok(month.ticks.every((t) => /^[A-Z][a-z]{2} \d+$/.test(fmtTick(t, month.stepMs))));
    assert.equal(fmtBucket(new Date(2026, 10, 22, 14).getTime(), 3600), 'Nov 22 14:00 – 15:00');
    assert.equal(fmtInterval(900), '15 min');
    assert.equal(fmtInterval(3600), '1 hour');
    assert.equal(fmtInterval(21_600), '6 hours');
    assert.equal(fmtInterval(86_400), '1 day');
  });

  test('axis ticks: same decimals on a money axis, short durations', () => {
    assert.deepEqual([0, 0.25, 0.5, 0.75, 1].map(fmtUsdAxis), ['$0', '$0.25', '$0.50', '$0.75', '$1.00']);
    assert.deepEqual([0.9, 1.8, 2.7, 3.6].map(fmtUsdAxis), ['$0.90', '$1.80', '$2.70', '$3.60']);
    assert.equal(fmtUsdAxis(0.0005), '$0.0005');
    assert.equal(fmtUsdAxis(150), '$150');
    assert.equal(fmtUsdAxis(25_000), '$25k');
    assert.deepEqual([0, 250, 1500, 8000, 24_000].map(fmtMsAxis), ['0', '250 ms', '1.5 s', '8 s', '24 s']);
    assert.deepEqual(niceTicks(0.034), [0, 0.01, 0.02, 0.03, 0.04]);
    assert.deepEqual(niceTicks(3, 5, true), [0, 1, 2, 3]);
    assert.deepEqual(niceTicks(180, 5, true), [0, 50, 100, 150, 200]);
    assert.deepEqual(niceTicks(32_000), [0, 10_000, 20_000, 30_000, 40_000]);
    assert.deepEqual(niceTicks(0.9), [0, 0.25, 0.5, 0.75, 1]);
    assert.deepEqual(niceTicks(0), [0, 1]);
  });

  test('prompt versions are not prefixed twice; tiny shares are not 0%', () => {
    assert.equal(fmtPrompt('support-agent', 'v8'), 'support-agent v8');
    assert.equal(fmtPrompt('support-agent', '8'), 'support-agent v8');
    assert.equal(fmtPrompt('support-agent', null), 'support-agent');
    assert.equal(fmtPct(0.000024), '<0.01%');
    assert.equal(fmtPct(0), '0%');
  });

  test('series colours follow the key, not its rank, and differ within a chart', () => {
    const week = ['text-embedding-3-small', 'claude-sonnet-4-20250514', 'gpt-4o-2024-08-06', 'claude-3-5-haiku-20241022'];
    const a = seriesColors(week);
    const b = seriesColors([...week].reverse());
    assert.deepEqual([...b].reverse(), a);
    assert.equal(new Set(a).size, a.length);
    assert.equal(new Set(seriesColors(PALETTE.map((_, i) => `model-${i}`))).size, PALETTE.length);
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
    const msgs = parseMessages(
      JSON.stringify([
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'tool', content: 'ok', toolCallId: 'c1' },
      ]),
    );
    assert.deepEqual(msgs, [
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'tool', content: 'ok', toolCallId: 'c1' },
    ]);
    assert.equal(parseMessages('plain text'), null);
    assert.equal(parseMessages('[1, 2]'), null);
    assert.equal(parseMessages('[not json'), null);
  });

  test('the span tree: depth first, children by start time, orphans at the top', () => {
    const s = (spanId: string, parentSpanId: string | null, startMs: number, durationMs: number) => ({ spanId, parentSpanId, startTime: new Date(startMs).toISOString(), durationMs }) as Span;
    const { rows, totalMs } = buildTree([s('c', 'a', 300, 50), s('a', null, 0, 1000), s('b', 'a', 100, 100), s('d', 'b', 120, 10), s('x', 'gone', 50, 10)]);
    assert.deepEqual(
      rows.map((r) => `${r.span.spanId}${r.depth}@${r.offsetMs}`),
      ['a0@0', 'b1@100', 'd2@120', 'c1@300', 'x0@50'],
    );
    assert.equal(totalMs, 1000);
  });
});
