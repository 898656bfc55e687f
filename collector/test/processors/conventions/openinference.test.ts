import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openinference } from '../../../src/processors/conventions/openinference.ts';
import { mapConventions } from '../../../src/processors/normalize.ts';
import type { LlmFields } from '../../../src/processors/conventions/fields.ts';
import type { Attributes } from '../../../src/model.ts';
import { makeSpan } from '../../helpers/span.ts';

function map(attributes: Attributes, fields: LlmFields = {}): LlmFields {
  openinference.map(makeSpan(attributes), fields);
  return fields;
}

describe('openinference: span kinds', () => {
  const kinds: Array<[string, string]> = [
    ['LLM', 'llm'],
    ['CHAIN', 'chain'],
    ['TOOL', 'tool'],
    ['RETRIEVER', 'retriever'],
    ['EMBEDDING', 'embedding'],
    ['AGENT', 'agent'],
    ['RERANKER', 'reranker'],
    ['GUARDRAIL', 'guardrail'],
    ['EVALUATOR', 'evaluator'],
    ['PROMPT', 'chain'],
  ];
  for (const [value, kind] of kinds) {
    test(`openinference.span.kind ${value} -> ${kind}`, () => {
      assert.equal(map({ 'openinference.span.kind': value }).kind, kind);
    });
  }

  test('kind values are case-insensitive; unknown ones set nothing', () => {
    assert.equal(map({ 'openinference.span.kind': 'llm' }).kind, 'llm');
    assert.equal(map({ 'openinference.span.kind': 'UNKNOWN' }).kind, undefined);
  });
});

describe('openinference: LLM attributes', () => {
  test('model, provider and token counts', () => {
    const f = map({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-2024-08-06',
      'llm.provider': 'openai',
      'llm.system': 'anthropic',
      'llm.token_count.prompt': 120,
      'llm.token_count.completion': 30,
      'llm.token_count.total': 150,
      'llm.token_count.prompt_details.cache_read': 100,
      'llm.token_count.completion_details.reasoning': 12,
      'llm.invocation_parameters': '{"model":"gpt-4o","temperature":0}',
    });
    assert.equal(f.model, 'gpt-4o-2024-08-06');
    assert.equal(f.requestModel, 'gpt-4o');
    assert.equal(f.provider, 'openai');
    assert.equal(f.inputTokens, 120);
    assert.equal(f.outputTokens, 30);
    assert.equal(f.totalTokens, 150);
    assert.equal(f.cachedTokens, 100);
    assert.equal(f.reasoningTokens, 12);
  });

  test('llm.system is the provider when llm.provider is absent', () => {
    assert.equal(map({ 'llm.system': 'Anthropic' }).provider, 'anthropic');
  });

  test('embedding.model_name is the model of embedding spans', () => {
    assert.equal(map({ 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small' }).model, 'text-embedding-3-small');
  });

  test('llm.cost.total, else prompt + completion cost', () => {
    assert.equal(map({ 'llm.cost.total': 0.5, 'llm.cost.prompt': 0.1, 'llm.cost.completion': 0.2 }).costUsd, 0.5);
    const f = map({ 'llm.cost.prompt': 0.125, 'llm.cost.completion': 0.25 });
    assert.equal(f.costUsd, 0.375);
    assert.equal(map({ 'llm.cost.completion': 0.25 }).costUsd, 0.25);
    assert.equal(map({}).costUsd, undefined);
  });

  test('indexed input and output messages, with content parts and tool calls', () => {
    const f = map({
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'Be brief.',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.contents.1.message_content.type': 'text',
      'llm.input_messages.1.message.contents.1.message_content.text': 'second part',
      'llm.input_messages.1.message.contents.0.message_content.type': 'text',
      'llm.input_messages.1.message.contents.0.message_content.text': 'first part',
      'llm.input_messages.2.message.role': 'tool',
      'llm.input_messages.2.message.content': '{"temp":12}',
      'llm.input_messages.2.message.tool_call_id': 'call_0',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'call_1',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'get_weather',
      'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"city":"Rome"}',
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'first part\nsecond part' },
      { role: 'tool', content: '{"temp":12}', toolCallId: 'call_0' },
    ]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Rome"}' }] }]);
  });

  test('input.value / output.value become input/output text', () => {
    const f = map({ 'input.value': '{"question":"why?"}', 'input.mime_type': 'application/json', 'output.value': 'because' });
    assert.equal(f.inputText, '{"question":"why?"}');
    assert.equal(f.outputText, 'because');
  });

  test('user, session, tags and prompt template version', () => {
    const f = map({
      'user.id': 'u-1',
      'session.id': 's-1',
      'tag.tags': ['beta', 'eu'],
      'llm.prompt_template.template': 'Answer {q}',
      'llm.prompt_template.version': 'v3',
    });
    assert.equal(f.userId, 'u-1');
    assert.equal(f.sessionId, 's-1');
    assert.deepEqual(f.tags, ['beta', 'eu']);
    assert.equal(f.promptVersion, 'v3');
  });

  test('tags sent as JSON text are parsed', () => {
    assert.deepEqual(map({ 'tag.tags': '["a","b"]' }).tags, ['a', 'b']);
  });
});

describe('openinference: through all conventions', () => {
  test('an OpenInference LLM span maps completely', () => {
    const f = mapConventions(
      makeSpan({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'claude-3-5-haiku',
        'llm.provider': 'anthropic',
        'llm.token_count.prompt': 10,
        'llm.token_count.completion': 5,
        'session.id': 'sess',
      }),
    );
    assert.equal(f.kind, 'llm');
    assert.equal(f.model, 'claude-3-5-haiku');
    assert.equal(f.provider, 'anthropic');
    assert.equal(f.inputTokens, 10);
    assert.equal(f.sessionId, 'sess');
  });

  test('a RETRIEVER span keeps its kind', () => {
    assert.equal(mapConventions(makeSpan({ 'openinference.span.kind': 'RETRIEVER', 'input.value': 'q' })).kind, 'retriever');
  });
});

describe('openinference: finish reason, model on failed calls, first token', () => {
  test('llm.finish_reason is the finish reason', () => {
    assert.equal(map({ 'llm.finish_reason': 'tool_calls' }).finishReason, 'tool_calls');
  });

  test('a failed call without llm.model_name takes the model from llm.invocation_parameters', () => {
    const f = map({ 'openinference.span.kind': 'LLM', 'llm.invocation_parameters': '{"model":"gpt-4o-mini","temperature":0}' });
    assert.deepEqual([f.model, f.requestModel], ['gpt-4o-mini', 'gpt-4o-mini']);
  });

  test('llm.model_name (the response model) wins over the requested one', () => {
    const f = map({ 'llm.model_name': 'gpt-4o-mini-2024-07-18', 'llm.invocation_parameters': '{"model":"gpt-4o-mini"}' });
    assert.deepEqual([f.model, f.requestModel], ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini']);
  });

  test('the First Token Stream Event gives the time to first token', () => {
    const span = makeSpan({ 'openinference.span.kind': 'LLM' });
    span.events = [{ name: 'First Token Stream Event', timeNs: span.startNs + 123_400_000n, attributes: {} }];
    const f: LlmFields = {};
    openinference.map(span, f);
    assert.equal(f.ttftMs, 123.4);
  });
});
