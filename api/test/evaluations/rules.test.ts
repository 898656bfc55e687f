import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleSettings } from '../../src/evaluations/definition.ts';
import { compileRule } from '../../src/evaluations/rules.ts';
import type { EvaluatedSpan } from '../../src/evaluations/spans.ts';

const span = (output: string, over: Partial<EvaluatedSpan> = {}): EvaluatedSpan => ({
  traceId: 't',
  spanId: 's',
  parentSpanId: '',
  name: 'chat',
  kind: 'llm',
  model: 'gpt-4o',
  provider: 'openai',
  input: JSON.stringify([{ role: 'user', content: 'Give me JSON about Paris' }]),
  output,
  attributes: {},
  durationMs: 1200,
  costUsd: 0.002,
  status: 'ok',
  ...over,
});
const run = (rule: unknown, s: EvaluatedSpan) => compileRule(ruleSettings.parse(rule))(s);
const chat = (content: string) => JSON.stringify([{ role: 'assistant', content }]);

test('regex and not_regex read the message text, case-insensitive unless asked', () => {
  assert.equal(run({ check: 'regex', pattern: 'paris' }, span(chat('The capital is Paris.'))).passed, true);
  assert.equal(run({ check: 'regex', pattern: 'paris', caseSensitive: true }, span(chat('The capital is Paris.'))).passed, false);
  assert.equal(run({ check: 'not_regex', pattern: '\\bsorry\\b' }, span(chat('Sorry, I cannot.'))).passed, false);
  assert.equal(run({ check: 'regex', field: 'input', pattern: '^give' }, span('')).passed, true);
  assert.match(run({ check: 'regex', pattern: 'x' }, span('abc')).comment, /does not match/);
});

test('regex runs in linear time: a pattern that backtracks exponentially elsewhere is instant on RE2', () => {
  const evil = `${'a'.repeat(5000)}!`;
  // On a backtracking engine (a|a)*$ over 5,000 a's and a "!" would never finish.
  assert.equal(run({ check: 'regex', pattern: '^(a|a)*$' }, span(evil)).passed, false);
  assert.equal(run({ check: 'regex', pattern: '(\\w|\\d)+$' }, span(evil)).passed, false);
});

test('contains and not_contains', () => {
  assert.equal(run({ check: 'contains', text: 'PARIS' }, span(chat('paris'))).passed, true);
  assert.equal(run({ check: 'contains', text: 'PARIS', caseSensitive: true }, span(chat('paris'))).passed, false);
  assert.equal(run({ check: 'not_contains', text: 'as an ai' }, span(chat('As an AI, I think'))).passed, false);
});

test('json_parses, with a markdown fence taken off', () => {
  assert.equal(run({ check: 'json_parses' }, span(chat('{"city":"Paris"}'))).passed, true);
  assert.equal(run({ check: 'json_parses' }, span(chat('```json\n{"city":"Paris"}\n```'))).passed, true);
  const bad = run({ check: 'json_parses' }, span(chat('{"city":')));
  assert.equal(bad.passed, false);
  assert.match(bad.comment, /not JSON/);
});

test('json_schema validates with ajv and says what failed', () => {
  const schema = { type: 'object', required: ['city', 'population'], properties: { city: { type: 'string' }, population: { type: 'integer', minimum: 0 } } };
  assert.equal(run({ check: 'json_schema', schema }, span(chat('{"city":"Paris","population":2100000}'))).passed, true);
  const r = run({ check: 'json_schema', schema }, span(chat('{"city":"Paris","population":-1}')));
  assert.equal(r.passed, false);
  assert.match(r.comment, /population must be >= 0/);
  assert.throws(() => run({ check: 'json_schema', schema: { type: 'nonsense' } }, span('')), /schema/);
});

test('length bounds count characters, not bytes', () => {
  assert.equal(run({ check: 'length', min: 3, max: 5 }, span(chat('héllo'))).passed, true);
  assert.equal(run({ check: 'length', max: 4 }, span(chat('héllo'))).passed, false);
  assert.equal(run({ check: 'length', min: 1 }, span('')).passed, false);
});

test('latency and cost thresholds', () => {
  assert.equal(run({ check: 'latency', max: 1500 }, span('')).passed, true);
  assert.equal(run({ check: 'latency', max: 1000 }, span('')).passed, false);
  assert.equal(run({ check: 'cost', max: 0.001 }, span('')).passed, false);
  assert.equal(run({ check: 'cost', max: 0.01 }, span('')).passed, true);
});

test('a rule without what its check needs is refused with the field named', () => {
  const r = ruleSettings.safeParse({ check: 'regex' });
  assert.equal(r.success, false);
  assert.deepEqual(r.error!.issues[0]!.path, ['pattern']);
  assert.equal(ruleSettings.safeParse({ check: 'length' }).success, false);
  assert.throws(() => compileRule(ruleSettings.parse({ check: 'regex', pattern: '(unclosed' })));
});
