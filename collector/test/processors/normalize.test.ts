import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mapConventions, messagesText, toRecord, toSpanRow } from '../../src/processors/normalize.ts';
import type { LlmFields } from '../../src/processors/conventions/fields.ts';
import type { Attributes, DecodedSpan } from '../../src/model.ts';
import { makeEvent, makeSpan, START_NS } from '../helpers/span.ts';

function row(span: DecodedSpan, fields: LlmFields = mapConventions(span)) {
  return toSpanRow('proj-1', span, fields);
}

describe('toSpanRow: identity, time and status', () => {
  test('ids, name, times and duration in nanoseconds', () => {
    const span = makeSpan(
      {},
      {
        traceId: 'aa'.repeat(16),
        spanId: 'bb'.repeat(8),
        parentSpanId: 'cc'.repeat(8),
        name: 'work',
        startNs: START_NS + 123n,
        endNs: START_NS + 2_000_000_456n,
      },
    );
    const r = row(span);
    assert.equal(r.project_id, 'proj-1');
    assert.equal(r.trace_id, 'aa'.repeat(16));
    assert.equal(r.span_id, 'bb'.repeat(8));
    assert.equal(r.parent_span_id, 'cc'.repeat(8));
    assert.equal(r.name, 'work');
    assert.equal(r.duration_ns, 2_000_000_333);
    assert.equal(r.start_time, '2024-06-01 00:00:00.000000123');
    assert.equal(r.end_time, '2024-06-01 00:00:02.000000456');
  });

  const statuses: Array<[number, string]> = [
    [0, 'unset'],
    [1, 'ok'],
    [2, 'error'],
    [7, 'unset'],
  ];
  for (const [code, status] of statuses) {
    test(`status code ${code} -> ${status}`, () => {
      const r = row(makeSpan({}, { statusCode: code, statusMessage: code === 2 ? 'boom' : '' }));
      assert.equal(r.status, status);
      assert.equal(r.status_message, code === 2 ? 'boom' : '');
    });
  }

  const otelKinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
  test('OTLP span kind numbers become names; out of range is unspecified', () => {
    otelKinds.forEach((name, n) => {
      assert.equal(row(makeSpan({}, { otelKind: n })).otel_kind, name);
    });
    assert.equal(row(makeSpan({}, { otelKind: 42 })).otel_kind, 'unspecified');
  });

  test('events are JSON with formatted times; no events is empty text', () => {
    const r = row(makeSpan({}, { events: [makeEvent('retry', { attempt: 2 }, 5)] }));
    assert.deepEqual(JSON.parse(r.events), [{ time: '2024-06-01 00:00:00.005000000', name: 'retry', attributes: { attempt: 2 } }]);
    assert.equal(row(makeSpan()).events, '');
  });
});

describe('toSpanRow: resource', () => {
  test('service, environment and release from resource attributes', () => {
    const r = row(
      makeSpan(
        {},
        {
          resource: {
            'service.name': 'checkout',
            'deployment.environment.name': 'prod',
            'service.version': '1.4.2',
            'host.cpus': 8,
          },
        },
      ),
    );
    assert.equal(r.service, 'checkout');
    assert.equal(r.environment, 'prod');
    assert.equal(r.release, '1.4.2');
    assert.deepEqual(r.resource_attributes, {
      'service.name': 'checkout',
      'deployment.environment.name': 'prod',
      'service.version': '1.4.2',
      'host.cpus': '8',
    });
  });

  test('deprecated deployment.environment, then the span attribute, give the environment', () => {
    assert.equal(row(makeSpan({}, { resource: { 'deployment.environment': 'staging' } })).environment, 'staging');
    assert.equal(row(makeSpan({ 'deployment.environment.name': 'dev' })).environment, 'dev');
    assert.equal(row(makeSpan({ 'deployment.environment.name': 'dev' }, { resource: { 'deployment.environment': 'qa' } })).environment, 'qa');
  });

  test('missing resource fields are empty strings', () => {
    const r = row(makeSpan());
    assert.equal(r.service, '');
    assert.equal(r.environment, '');
    assert.equal(r.release, '');
  });
});

describe('toSpanRow: attributes', () => {
  const content: Attributes = {
    'gen_ai.input.messages': '[]',
    'gen_ai.output.messages': '[]',
    'gen_ai.system_instructions': '[]',
    'gen_ai.prompt.0.content': 'p',
    'gen_ai.prompt.0.role': 'user',
    'gen_ai.completion.0.content': 'c',
    'llm.input_messages.0.message.content': 'p',
    'llm.output_messages.0.message.content': 'c',
    'input.value': 'in',
    'output.value': 'out',
    'ai.prompt': '{}',
    'ai.prompt.messages': '[]',
    'ai.response.text': 't',
    'ai.response.toolCalls': '[]',
    'traceloop.entity.input': 'i',
    'traceloop.entity.output': 'o',
  };

  test('attributes that hold prompt or completion content are not copied', () => {
    const r = row(makeSpan({ ...content, 'gen_ai.request.model': 'gpt-4o' }));
    for (const key of Object.keys(content)) assert.equal(key in r.attributes, false, key);
    assert.deepEqual(Object.keys(r.attributes), ['gen_ai.request.model']);
  });

  test('other attributes are kept, including look-alikes of content keys', () => {
    const kept: Attributes = {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.prompt.name': 'faq',
      'input.mime_type': 'text/plain',
      'llm.model_name': 'x',
      'llm.token_count.prompt': 3,
      'http.route': '/chat',
      'ai.prompt.tools': '[{"name":"get_weather"}]',
      'ai.prompt.toolChoice': 'auto',
    };
    const r = row(makeSpan({ ...kept, ...content, 'ai.toolCall.args': '{"city":"Paris"}', 'ai.response.object': '{}', 'ai.values': ['a'], 'gen_ai.prompt': 'p' }));
    assert.deepEqual(r.attributes, {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.prompt.name': 'faq',
      'input.mime_type': 'text/plain',
      'llm.model_name': 'x',
      'llm.token_count.prompt': '3',
      'http.route': '/chat',
      'ai.prompt.tools': '[{"name":"get_weather"}]',
      'ai.prompt.toolChoice': 'auto',
    });
  });

  test('non-string values are JSON text; null is empty', () => {
    const r = row(makeSpan({ n: 1.5, b: false, list: ['a', 2], map: { k: 'v' }, nothing: null }));
    assert.deepEqual(r.attributes, { n: '1.5', b: 'false', list: '["a",2]', map: '{"k":"v"}', nothing: '' });
  });
});

describe('toSpanRow: LLM fields', () => {
  test('unknown or missing kind is span', () => {
    assert.equal(row(makeSpan(), { kind: 'weird' as never }).kind, 'span');
    assert.equal(row(makeSpan(), {}).kind, 'span');
    assert.equal(row(makeSpan(), { kind: 'retriever' }).kind, 'retriever');
  });

  test('defaults when no convention matched', () => {
    const r = row(makeSpan(), {});
    assert.equal(r.model, '');
    assert.equal(r.request_model, '');
    assert.equal(r.input_tokens, 0);
    assert.equal(r.total_tokens, 0);
    assert.equal(r.ttft_ms, null);
    assert.equal(r.input, '');
    assert.equal(r.cost_usd, 0);
    assert.equal(r.cost_source, 'none');
    assert.equal(r.tokens_estimated, false);
    assert.deepEqual(r.tags, []);
  });

  test('tokens, totals and models', () => {
    const r = row(makeSpan(), { model: 'm-2024', inputTokens: 10, outputTokens: 4, cachedTokens: 2, reasoningTokens: 1, ttftMs: 0 });
    assert.equal(r.model, 'm-2024');
    assert.equal(r.request_model, 'm-2024');
    assert.equal(r.total_tokens, 14);
    assert.equal(r.cached_tokens, 2);
    assert.equal(r.reasoning_tokens, 1);
    assert.equal(r.ttft_ms, 0);
    assert.equal(row(makeSpan(), { inputTokens: 10, outputTokens: 4, totalTokens: 20 }).total_tokens, 20);
    assert.equal(row(makeSpan(), { model: 'a', requestModel: 'b' }).request_model, 'b');
  });

  test('messages are stored as JSON and win over plain text', () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const r = row(makeSpan(), { inputMessages: messages, inputText: 'ignored', outputText: 'plain out' });
    assert.deepEqual(JSON.parse(r.input), messages);
    assert.equal(r.input, messagesText(messages));
    assert.equal(r.output, 'plain out');
  });

  test('identity and prompt fields', () => {
    const r = row(makeSpan(), { userId: 'u', sessionId: 's', promptName: 'p', promptVersion: '3', tags: ['t'], finishReason: 'stop', provider: 'openai', operation: 'chat' });
    assert.deepEqual([r.user_id, r.session_id, r.prompt_name, r.prompt_version, r.tags, r.finish_reason, r.provider, r.operation], ['u', 's', 'p', '3', ['t'], 'stop', 'openai', 'chat']);
  });
});

describe('toRecord', () => {
  test('keeps the span and maps conventions into fields and row', () => {
    const span = makeSpan({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 5 });
    const rec = toRecord('p', span);
    assert.equal(rec.span, span);
    assert.equal(rec.fields.model, 'gpt-4o');
    assert.equal(rec.row.kind, 'llm');
    assert.equal(rec.row.input_tokens, 5);
    assert.equal(rec.row.project_id, 'p');
  });
});
