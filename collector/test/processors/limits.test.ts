import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DROPPED_ATTRIBUTES, limitsProcessor, truncateText, type SpanLimits } from '../../src/processors/limits.ts';
import { toRecord } from '../../src/processors/normalize.ts';
import type { SpanBatch } from '../../src/processors/processor.ts';
import { makeEvent, makeSpan } from '../helpers/span.ts';
import type { Attributes, DecodedSpan } from '../../src/model.ts';

const LIMITS: SpanLimits = { maxAttributes: 5, maxAttributeLength: 20, maxContentLength: 50, maxEvents: 2 };

function limited(span: DecodedSpan, limits = LIMITS) {
  const batch: SpanBatch = { projectId: 'p', records: [toRecord('p', span)], rejected: 0, errors: [] };
  limitsProcessor(limits).process(batch);
  assert.equal(batch.records.length, 1, 'a span is never dropped for its size');
  assert.equal(batch.rejected, 0);
  return batch.records[0]!.row;
}

describe('limits processor', () => {
  test('truncateText keeps the head and says how much was cut', () => {
    assert.equal(truncateText('abcdef', 10), 'abcdef');
    assert.equal(truncateText('abcdefghij', 4), 'abcd…[truncated 6 chars]');
  });

  test('attribute values are cut with a marker; extra attributes are dropped and counted', () => {
    const attrs: Attributes = { long: 'x'.repeat(100) };
    for (let i = 0; i < 9; i++) attrs[`a${i}`] = `v${i}`;
    const row = limited(makeSpan(attrs, { name: 'n'.repeat(30), statusMessage: 's'.repeat(40) }));
    assert.equal(row.attributes.long, `${'x'.repeat(20)}…[truncated 80 chars]`);
    assert.equal(row.attributes[DROPPED_ATTRIBUTES], '5');
    assert.equal(Object.keys(row.attributes).length, 6, '5 kept plus the count');
    assert.equal(row.name, `${'n'.repeat(20)}…[truncated 10 chars]`);
    assert.match(row.status_message, /^s{20}…\[truncated 20 chars\]$/);
  });

  test('long message contents are cut one by one and the conversation stays valid JSON', () => {
    const messages = JSON.stringify([
      { role: 'system', content: 'short' },
      { role: 'user', content: 'u'.repeat(120) },
    ]);
    const row = limited(makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': messages }));
    const parsed = JSON.parse(row.input) as Array<{ role: string; content: string }>;
    assert.equal(parsed.length, 2);
    assert.equal(parsed[0]!.content, 'short');
    assert.equal(parsed[1]!.content, `${'u'.repeat(50)}…[truncated 70 chars]`);
  });

  test('a plain text output over the limit is cut', () => {
    const row = limited(makeSpan({ 'openinference.span.kind': 'CHAIN', 'output.value': 'o'.repeat(200) }));
    assert.equal(row.output, `${'o'.repeat(50)}…[truncated 150 chars]`);
  });

  test('events beyond the limit are dropped, and their long attribute values cut', () => {
    const row = limited(makeSpan({}, { events: [makeEvent('a', { 'exception.stacktrace': 'at '.repeat(40) }), makeEvent('b'), makeEvent('c')] }));
    const events = JSON.parse(row.events) as Array<{ name: string; attributes: Record<string, string> }>;
    assert.deepEqual(
      events.map((e) => e.name),
      ['a', 'b'],
    );
    assert.equal(events[0]!.attributes['exception.stacktrace'], `${'at '.repeat(40).slice(0, 20)}…[truncated 100 chars]`);
  });

  test('a span under every limit is left as it was', () => {
    const span = makeSpan({ k: 'v' }, { events: [makeEvent('a')] });
    const before = toRecord('p', span).row;
    assert.deepEqual(limited(span), before);
  });
});
