import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toRecord } from '../../../src/processors/normalize.ts';
import { makeSpan, START_NS } from '../../helpers/span.ts';

const TEMPLATE = 'Chat Completion with {request_data[model]!r}';
const REQUEST = {
  'logfire.span_type': 'span',
  'logfire.msg_template': TEMPLATE,
  'logfire.msg': "Chat Completion with 'gpt-4o-mini'",
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o-mini',
};

describe('logfire', () => {
  test('a template name shows as the rendered message; the template stays an attribute', () => {
    const { row } = toRecord('p', makeSpan({ ...REQUEST, 'gen_ai.usage.input_tokens': 42 }, { name: TEMPLATE }));
    assert.equal(row.name, "Chat Completion with 'gpt-4o-mini'");
    assert.equal(row.attributes['logfire.msg_template'], TEMPLATE);
    assert.equal(row.kind, 'llm');
  });

  test('a name that is not the template is kept', () => {
    assert.equal(toRecord('p', makeSpan(REQUEST, { name: 'my own name' })).row.name, 'my own name');
  });

  test('a stream: the request without an answer is a chain, the streaming-response record the LLM call with its real duration', () => {
    const request = toRecord('p', makeSpan(REQUEST, { name: TEMPLATE })).row;
    assert.equal(request.kind, 'chain');
    const streamTemplate = 'streaming response from {request_data[model]!r} took {duration:.2f}s';
    const record = toRecord(
      'p',
      makeSpan(
        {
          'logfire.span_type': 'log',
          'logfire.msg_template': streamTemplate,
          'logfire.msg': "streaming response from 'gpt-4o-mini' took 0.06s",
          duration: 0.0569,
          'gen_ai.operation.name': 'chat',
          'gen_ai.usage.input_tokens': 42,
          'gen_ai.usage.output_tokens': 7,
        },
        { name: streamTemplate, endNs: START_NS },
      ),
    ).row;
    assert.deepEqual([record.kind, record.duration_ns, record.name], ['llm', 56_900_000, "streaming response from 'gpt-4o-mini' took 0.06s"]);
    assert.equal(record.end_time, toRecord('p', makeSpan({}, { endNs: START_NS })).row.end_time, 'it ends where it was sent');
  });

  test('a failed request without an answer stays an LLM call', () => {
    assert.equal(toRecord('p', makeSpan(REQUEST, { name: TEMPLATE, statusCode: 2 })).row.kind, 'llm');
  });
});
