import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { openllmetry } from '../../../src/processors/conventions/openllmetry.ts';
import { mapConventions } from '../../../src/processors/normalize.ts';
import type { LlmFields } from '../../../src/processors/conventions/fields.ts';
import type { Attributes } from '../../../src/model.ts';
import { makeSpan } from '../../helpers/span.ts';

function map(attributes: Attributes): LlmFields {
  const f: LlmFields = {};
  openllmetry.map(makeSpan(attributes), f);
  return f;
}

describe('openllmetry: mapper alone', () => {
  const kinds: Array<[string, string]> = [
    ['workflow', 'chain'],
    ['task', 'chain'],
    ['agent', 'agent'],
    ['tool', 'tool'],
  ];
  for (const [value, kind] of kinds) {
    test(`traceloop.span.kind ${value} -> ${kind}`, () => {
      assert.equal(map({ 'traceloop.span.kind': value }).kind, kind);
    });
  }

  test('llm.request.type chat -> llm, embedding -> embedding, unknown -> nothing', () => {
    assert.equal(map({ 'llm.request.type': 'chat' }).kind, 'llm');
    assert.equal(map({ 'llm.request.type': 'completion' }).kind, 'llm');
    assert.equal(map({ 'llm.request.type': 'embedding' }).kind, 'embedding');
    assert.equal(map({ 'llm.request.type': 'unknown' }).kind, undefined);
  });

  test('total tokens, entity input/output, association properties and prompt', () => {
    const f = map({
      'llm.usage.total_tokens': 77,
      'traceloop.entity.input': '{"args":["hi"]}',
      'traceloop.entity.output': '"done"',
      'traceloop.association.properties.user_id': 'u-7',
      'traceloop.association.properties.session_id': 's-7',
      'traceloop.prompt.key': 'support-answer',
      'traceloop.prompt.version': 4,
    });
    assert.equal(f.totalTokens, 77);
    assert.equal(f.inputText, '{"args":["hi"]}');
    assert.equal(f.outputText, '"done"');
    assert.equal(f.userId, 'u-7');
    assert.equal(f.sessionId, 's-7');
    assert.equal(f.promptName, 'support-answer');
    assert.equal(f.promptVersion, '4');
  });

  test('camelCase association properties are read too', () => {
    const f = map({ 'traceloop.association.properties.userId': 'u-8', 'traceloop.association.properties.sessionId': 's-8' });
    assert.equal(f.userId, 'u-8');
    assert.equal(f.sessionId, 's-8');
  });
});

describe('openllmetry: spans as OpenLLMetry emits them, through all conventions', () => {
  test('an OpenAI chat span with gen_ai.prompt.N / gen_ai.completion.N', () => {
    const f = mapConventions(
      makeSpan({
        'llm.request.type': 'chat',
        'gen_ai.system': 'OpenAI',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.prompt_tokens': 25,
        'gen_ai.usage.completion_tokens': 9,
        'llm.usage.total_tokens': 34,
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'You are helpful.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'Tell me a joke',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Why did the chicken...',
        'gen_ai.completion.0.finish_reason': 'stop',
        'traceloop.association.properties.user_id': 'alice',
        'traceloop.association.properties.session_id': 'chat-1',
      }),
    );
    assert.equal(f.kind, 'llm');
    assert.equal(f.provider, 'openai');
    assert.equal(f.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(f.inputTokens, 25);
    assert.equal(f.outputTokens, 9);
    assert.equal(f.totalTokens, 34);
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Tell me a joke' },
    ]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'Why did the chicken...' }]);
    assert.equal(f.finishReason, 'stop');
    assert.equal(f.userId, 'alice');
    assert.equal(f.sessionId, 'chat-1');
  });

  test('an embedding span stays an embedding although it carries gen_ai.* model attributes', () => {
    const f = mapConventions(
      makeSpan({
        'llm.request.type': 'embedding',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.prompt.0.content': 'some text to embed',
      }),
    );
    assert.equal(f.kind, 'embedding');
    assert.equal(f.model, 'text-embedding-3-small');
    assert.deepEqual(f.inputMessages, [{ role: 'user', content: 'some text to embed' }]);
  });

  test('a workflow span with entity input/output', () => {
    const f = mapConventions(
      makeSpan({
        'traceloop.span.kind': 'workflow',
        'traceloop.workflow.name': 'joke_generator',
        'traceloop.entity.name': 'joke_generator',
        'traceloop.entity.input': '{"args":[],"kwargs":{"topic":"cats"}}',
        'traceloop.entity.output': '"a joke"',
      }),
    );
    assert.equal(f.kind, 'chain');
    assert.equal(f.inputText, '{"args":[],"kwargs":{"topic":"cats"}}');
    assert.equal(f.outputText, '"a joke"');
    assert.equal(f.inputMessages, undefined);
  });

  test('a task span that also names a model is still a task', () => {
    const f = mapConventions(makeSpan({ 'traceloop.span.kind': 'task', 'gen_ai.request.model': 'gpt-4o' }));
    assert.equal(f.kind, 'chain');
  });

  test('gen_ai.operation.name, when present, still decides the kind', () => {
    const f = mapConventions(makeSpan({ 'gen_ai.operation.name': 'chat', 'llm.request.type': 'embedding', 'gen_ai.request.model': 'm' }));
    assert.equal(f.kind, 'llm');
  });

  test('a managed prompt on an LLM span', () => {
    const f = mapConventions(
      makeSpan({
        'llm.request.type': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'traceloop.prompt.key': 'greeting',
        'traceloop.prompt.version': '2',
        'traceloop.prompt.template': 'Hello {name}',
      }),
    );
    assert.equal(f.promptName, 'greeting');
    assert.equal(f.promptVersion, '2');
  });
});
