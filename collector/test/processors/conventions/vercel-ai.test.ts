import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { vercelAi } from '../../../src/processors/conventions/vercel-ai.ts';
import { mapConventions } from '../../../src/processors/normalize.ts';
import type { LlmFields } from '../../../src/processors/conventions/fields.ts';
import type { Attributes } from '../../../src/model.ts';
import { makeSpan } from '../../helpers/span.ts';

function map(attributes: Attributes): LlmFields {
  const f: LlmFields = {};
  vercelAi.map(makeSpan(attributes), f);
  return f;
}

const MODEL = { 'ai.model.id': 'gpt-4o-mini', 'ai.model.provider': 'openai.chat' };

describe('vercel-ai: span kinds from ai.operationId', () => {
  const kinds: Array<[string, string]> = [
    ['ai.generateText', 'chain'],
    ['ai.streamText', 'chain'],
    ['ai.generateText.doGenerate', 'llm'],
    ['ai.streamText.doStream', 'llm'],
    ['ai.generateObject.doGenerate', 'llm'],
    ['ai.embed.doEmbed', 'embedding'],
    ['ai.embedMany.doEmbed', 'embedding'],
    ['ai.embed', 'chain'],
    ['ai.embedMany', 'chain'],
    ['ai.toolCall', 'tool'],
  ];
  for (const [op, kind] of kinds) {
    test(`${op} -> ${kind}`, () => {
      assert.equal(map({ 'ai.operationId': op, ...MODEL }).kind, kind);
    });
  }

  test('spans without ai.operationId or ai.model.id are left alone', () => {
    assert.deepEqual(map({ 'ai.response.text': 'hi', 'ai.usage.promptTokens': 3 }), {});
  });
});

describe('vercel-ai: model, usage and timing', () => {
  test('model id and provider; provider suffix is dropped', () => {
    const f = map({ 'ai.operationId': 'ai.generateText.doGenerate', ...MODEL, 'ai.response.model': 'gpt-4o-mini-2024-07-18' });
    assert.equal(f.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(f.requestModel, 'gpt-4o-mini');
    assert.equal(f.provider, 'openai');
    assert.equal(map({ ...MODEL, 'ai.model.provider': 'anthropic.messages' }).provider, 'anthropic');
  });

  test('v4 usage names (promptTokens / completionTokens)', () => {
    const f = map({ ...MODEL, 'ai.usage.promptTokens': 40, 'ai.usage.completionTokens': 8 });
    assert.equal(f.inputTokens, 40);
    assert.equal(f.outputTokens, 8);
  });

  test('v5 usage names (inputTokens / outputTokens / cached / reasoning) win over v4', () => {
    const f = map({
      ...MODEL,
      'ai.usage.inputTokens': 41,
      'ai.usage.outputTokens': 9,
      'ai.usage.totalTokens': 50,
      'ai.usage.cachedInputTokens': 32,
      'ai.usage.reasoningTokens': 4,
      'ai.usage.promptTokens': 1,
      'ai.usage.completionTokens': 1,
    });
    assert.equal(f.inputTokens, 41);
    assert.equal(f.outputTokens, 9);
    assert.equal(f.totalTokens, 50);
    assert.equal(f.cachedTokens, 32);
    assert.equal(f.reasoningTokens, 4);
  });

  test('doStream: msToFirstChunk is the time to first token', () => {
    const f = map({ 'ai.operationId': 'ai.streamText.doStream', ...MODEL, 'ai.response.msToFirstChunk': 312.5, 'ai.response.finishReason': 'stop' });
    assert.equal(f.kind, 'llm');
    assert.equal(f.ttftMs, 312.5);
    assert.equal(f.finishReason, 'stop');
  });

  test('doEmbed: ai.usage.tokens are the input tokens and ai.values the input', () => {
    const f = map({
      'ai.operationId': 'ai.embedMany.doEmbed',
      'ai.model.id': 'text-embedding-3-small',
      'ai.model.provider': 'openai.embedding',
      'ai.usage.tokens': 12,
      'ai.values': ['sunny day', 'rainy night'],
    });
    assert.equal(f.kind, 'embedding');
    assert.equal(f.inputTokens, 12);
    assert.equal(f.inputText, '["sunny day","rainy night"]');
  });

  test('telemetry metadata gives user and session', () => {
    const f = map({ ...MODEL, 'ai.telemetry.metadata.userId': 'u-5', 'ai.telemetry.metadata.sessionId': 's-5' });
    assert.equal(f.userId, 'u-5');
    assert.equal(f.sessionId, 's-5');
  });
});

describe('vercel-ai: prompt and response', () => {
  test('ai.prompt.messages with text, tool-call and tool-result parts', () => {
    const f = map({
      'ai.operationId': 'ai.generateText.doGenerate',
      ...MODEL,
      'ai.prompt.messages': JSON.stringify([
        { role: 'system', content: 'Be terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in' },
            { type: 'text', text: 'Berlin?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'tc1', toolName: 'weather', args: { city: 'Berlin' } }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'tc1', toolName: 'weather', result: { temp: 20 } }] },
      ]),
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in\nBerlin?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'tc1', name: 'weather', arguments: '{"city":"Berlin"}' }] },
      { role: 'tool', content: '{"temp":20}', toolCallId: 'tc1' },
    ]);
  });

  test('v5 tool-call parts use input instead of args', () => {
    const f = map({
      ...MODEL,
      'ai.prompt.messages': JSON.stringify([{ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't', toolName: 'n', input: { a: 1 } }] }]),
    });
    assert.deepEqual(f.inputMessages?.[0]?.toolCalls, [{ id: 't', name: 'n', arguments: '{"a":1}' }]);
  });

  test('ai.prompt with system and prompt on the outer span', () => {
    const f = map({ 'ai.operationId': 'ai.generateText', ...MODEL, 'ai.prompt': JSON.stringify({ system: 'Be nice.', prompt: 'Hello?' }) });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be nice.' },
      { role: 'user', content: 'Hello?' },
    ]);
  });

  test('ai.prompt.messages wins over ai.prompt', () => {
    const f = map({
      ...MODEL,
      'ai.prompt': JSON.stringify({ prompt: 'outer' }),
      'ai.prompt.messages': JSON.stringify([{ role: 'user', content: 'inner' }]),
    });
    assert.deepEqual(f.inputMessages, [{ role: 'user', content: 'inner' }]);
  });

  test('ai.response.text and ai.response.toolCalls form the output message', () => {
    const f = map({
      'ai.operationId': 'ai.generateText.doGenerate',
      ...MODEL,
      'ai.response.text': 'Checking.',
      'ai.response.toolCalls': JSON.stringify([{ toolCallType: 'function', toolCallId: 'c9', toolName: 'search', args: '{"q":"x"}' }]),
    });
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'c9', name: 'search', arguments: '{"q":"x"}' }] }]);
  });

  test('malformed tool-call entries are skipped instead of throwing', () => {
    const f = map({ ...MODEL, 'ai.response.text': 'ok', 'ai.response.toolCalls': '[null, 3, {"toolCallId":"a","toolName":"t","input":"{}"}]' });
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'ok', toolCalls: [{ id: 'a', name: 't', arguments: '{}' }] }]);
  });

  test('ai.toolCall spans: args and result are the input and output', () => {
    const f = map({
      'ai.operationId': 'ai.toolCall',
      'ai.toolCall.name': 'weather',
      'ai.toolCall.id': 'tc1',
      'ai.toolCall.args': '{"city":"Oslo"}',
      'ai.toolCall.result': '{"temp":3}',
    });
    assert.equal(f.kind, 'tool');
    assert.equal(f.inputText, '{"city":"Oslo"}');
    assert.equal(f.outputText, '{"temp":3}');
  });

  test('generateObject: ai.response.object is the output', () => {
    const f = map({ 'ai.operationId': 'ai.generateObject.doGenerate', ...MODEL, 'ai.response.object': '{"name":"x"}' });
    assert.equal(f.outputText, '{"name":"x"}');
  });
});

describe('vercel-ai: through all conventions', () => {
  test('a doGenerate span that also carries gen_ai.* attributes', () => {
    const f = mapConventions(
      makeSpan({
        'ai.operationId': 'ai.generateText.doGenerate',
        ...MODEL,
        'gen_ai.system': 'openai.chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 40,
        'gen_ai.usage.output_tokens': 8,
        'ai.usage.promptTokens': 40,
        'ai.usage.completionTokens': 8,
      }),
    );
    assert.equal(f.kind, 'llm');
    assert.equal(f.provider, 'openai');
    assert.equal(f.inputTokens, 40);
    assert.equal(f.outputTokens, 8);
  });
});
