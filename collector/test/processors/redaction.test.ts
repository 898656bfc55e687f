import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REDACTION, redactionSettingsSchema, type RedactionSettings } from '@spanlens/clickhouse';
import { luhn, redactionProcessor, Redactor } from '../../src/processors/redaction.ts';
import { limitsProcessor, DEFAULT_SPAN_LIMITS } from '../../src/processors/limits.ts';
import { toRecord } from '../../src/processors/normalize.ts';
import type { SpanBatch } from '../../src/processors/processor.ts';
import { makeEvent, makeSpan } from '../helpers/span.ts';
import type { DecodedSpan } from '../../src/model.ts';

const ALL: RedactionSettings = redactionSettingsSchema.parse({
  detectors: { email: true, phone: true, credit_card: true, ip_address: true },
  custom: [{ name: 'employee_id', pattern: String.raw`EMP-\d{6}` }],
});

const OPENAI_KEY = 'sk-proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
const CARD = '4111 1111 1111 1111'; // a Visa test number: passes Luhn

function redact(text: string, settings = ALL): { text: string; count: number } {
  const r = new Redactor(settings);
  const out = r.redact(text);
  return { text: out, count: r.take() };
}

function processed(span: DecodedSpan, settings = ALL) {
  const batch: SpanBatch = { projectId: 'p', records: [toRecord('p', span)], rejected: 0, errors: [] };
  redactionProcessor({ redactor: () => new Redactor(settings) }).process(batch);
  return batch.records[0]!;
}

describe('redaction detectors', () => {
  test('provider API keys and bearer tokens are masked even with every detector off', () => {
    const cases = [
      OPENAI_KEY,
      'sk-ant-api03-' + 'x'.repeat(40),
      'AKIAIOSFODNN7EXAMPLE',
      'AIza' + 'S'.repeat(35),
      'ghp_' + 'a'.repeat(36),
      'xoxb-1234567890-abcdefghij',
      'sk_live_' + '4'.repeat(24),
      'hf_' + 'q'.repeat(34),
      'sl_' + 'k'.repeat(43),
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    ];
    for (const key of cases) {
      const { text, count } = redact(`key=${key} end`, DEFAULT_REDACTION);
      assert.equal(text, 'key=[REDACTED:api_key] end', key);
      assert.equal(count, 1);
    }
    assert.equal(redact('Authorization: Bearer abc.DEF-123_xyz==', DEFAULT_REDACTION).text, 'Authorization: Bearer [REDACTED:bearer_token]');
  });

  test('optional detectors are off by default', () => {
    const text = `mail ann@example.com, card ${CARD}, ip 10.0.0.1, call +1 415 555 0100`;
    assert.deepEqual(redact(text, DEFAULT_REDACTION), { text, count: 0 });
  });

  test('email, phone, IPv4, IPv6 and custom patterns when turned on', () => {
    assert.equal(redact('write to ann.lee+x@mail.example.co.uk today').text, 'write to [REDACTED:email] today');
    assert.equal(redact('call +1 415 555 0100 or (415) 555-0100').text, 'call [REDACTED:phone] or [REDACTED:phone]');
    assert.equal(redact('from 192.168.1.20 and 2001:db8::8a2e:370:7334').text, 'from [REDACTED:ip_address] and [REDACTED:ip_address]');
    assert.equal(redact('badge EMP-123456').text, 'badge [REDACTED:employee_id]');
  });

  test('credit cards need a valid Luhn checksum', () => {
    assert.ok(luhn('4111111111111111'));
    assert.ok(!luhn('4111111111111112'));
    assert.deepEqual(redact(`pay ${CARD} now`), { text: 'pay [REDACTED:credit_card] now', count: 1 });
    assert.equal(redact('order 4111-1111-1111-1112').text, 'order 4111-1111-1111-1112', 'fails Luhn: not a card');
  });

  test('ordinary text is left alone', () => {
    const text = `The meeting is at 10:30 on 2026-11-28; version 1.2.3; 42 items cost 19.99; task-${'x'.repeat(30)}; the bearer of news; nobearer ${'y'.repeat(12)}`;
    assert.deepEqual(redact(text), { text, count: 0 });
  });

  test('a long run of characters costs linear time, not quadratic (ratio within one run)', () => {
    const time = (n: number) => {
      const texts = ['a', '1', '.'].map((c) => c.repeat(n));
      const t0 = process.hrtime.bigint();
      for (const t of texts) redact(t);
      return Number(process.hrtime.bigint() - t0);
    };
    time(20_000);
    const small = Math.min(time(25_000), time(25_000), time(25_000));
    const large = Math.min(time(200_000), time(200_000), time(200_000));
    // 8x the text: linear is about 8x, quadratic 64x.
    assert.ok(large / small < 24, `200k/25k chars took ${(large / small).toFixed(1)}x`);
  });
});

describe('redaction processor', () => {
  test('masks input and output messages, attributes, resource attributes, events and the status message; counts them', () => {
    const input = JSON.stringify([{ role: 'user', content: `I am ann@example.com\nmy key is ${OPENAI_KEY}` }]);
    const output = JSON.stringify([{ role: 'assistant', content: 'Noted, ann@example.com' }]);
    const rec = processed(
      makeSpan(
        {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.input.messages': input,
          'gen_ai.output.messages': output,
          'http.request.header.authorization': 'Bearer abcdefgh12345678',
          'app.card': CARD,
        },
        { resource: { 'host.ip': '10.1.2.3' }, statusCode: 2, statusMessage: 'failed for ann@example.com', events: [makeEvent('exception', { 'exception.message': `bad key ${OPENAI_KEY}` })] },
      ),
    );
    const row = rec.row;
    const messages = JSON.parse(row.input) as Array<{ content: string }>;
    assert.equal(messages[0]!.content, 'I am [REDACTED:email]\nmy key is [REDACTED:api_key]');
    assert.equal((JSON.parse(row.output) as Array<{ content: string }>)[0]!.content, 'Noted, [REDACTED:email]');
    assert.equal(row.attributes['http.request.header.authorization'], 'Bearer [REDACTED:bearer_token]');
    assert.equal(row.attributes['app.card'], '[REDACTED:credit_card]');
    assert.equal(row.resource_attributes['host.ip'], '[REDACTED:ip_address]');
    assert.equal(row.status_message, 'failed for [REDACTED:email]');
    assert.match(row.events, /bad key \[REDACTED:api_key\]/);
    assert.equal(row.redactions, 8, '2 in the input, 1 output, 2 attributes, 1 resource, 1 status, 1 event');
    const stored = JSON.stringify(row);
    for (const secret of ['ann@example.com', OPENAI_KEY, 'abcdefgh12345678', '4111', '10.1.2.3']) assert.ok(!stored.includes(secret), secret);
  });

  test('a span with nothing to mask keeps its text byte for byte and counts 0', () => {
    const input = JSON.stringify([{ role: 'user', content: 'What is the capital of France?' }]);
    const span = makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': input, k: 'v' });
    const rec = processed(span);
    assert.deepEqual(rec.row, toRecord('p', span).row);
    assert.equal(rec.row.redactions, 0);
  });

  test('limits after redaction cut the masked text, never bring the original back', () => {
    const input = JSON.stringify([{ role: 'user', content: `${OPENAI_KEY} ${'z'.repeat(100)}` }]);
    const batch: SpanBatch = {
      projectId: 'p',
      records: [toRecord('p', makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.input.messages': input }))],
      rejected: 0,
      errors: [],
    };
    redactionProcessor({ redactor: () => new Redactor(DEFAULT_REDACTION) }).process(batch);
    limitsProcessor({ ...DEFAULT_SPAN_LIMITS, maxContentLength: 40 }).process(batch);
    const content = (JSON.parse(batch.records[0]!.row.input) as Array<{ content: string }>)[0]!.content;
    assert.match(content, /^\[REDACTED:api_key\] z+…\[truncated \d+ chars\]$/);
  });

  test('settings refuse invalid and catastrophic custom patterns with a reason', () => {
    const bad = redactionSettingsSchema.safeParse({ custom: [{ name: 'x', pattern: '(a+)+$' }] });
    assert.ok(!bad.success);
    assert.match(bad.error.issues[0]!.message, /nested quantifiers/);
    const broken = redactionSettingsSchema.safeParse({ custom: [{ name: 'x', pattern: '([a-z' }] });
    assert.ok(!broken.success);
    assert.match(broken.error.issues[0]!.message, /not a valid regular expression/);
  });
});
