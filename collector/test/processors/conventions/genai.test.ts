import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { genai } from '../../../src/processors/conventions/genai.ts';
import type { LlmFields } from '../../../src/processors/conventions/fields.ts';
import type { Attributes, DecodedEvent } from '../../../src/model.ts';
import { makeEvent, makeSpan } from '../../helpers/span.ts';

function map(attributes: Attributes, events: DecodedEvent[] = [], fields: LlmFields = {}): LlmFields {
  genai.map(makeSpan(attributes, { events }), fields);
  return fields;
}

describe('genai: current attribute names', () => {
  test('provider, models, operation, usage, finish reason and conversation', () => {
    const f = map({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.reasoning.output_tokens': 64,
      'gen_ai.response.finish_reasons': ['length', 'stop'],
      'gen_ai.conversation.id': 'conv-9',
    });
    assert.equal(f.kind, 'llm');
    assert.equal(f.operation, 'chat');
    assert.equal(f.provider, 'openai');
    assert.equal(f.model, 'gpt-4o-mini-2024-07-18');
    assert.equal(f.requestModel, 'gpt-4o-mini');
    assert.equal(f.inputTokens, 1200);
    assert.equal(f.outputTokens, 300);
    assert.equal(f.cachedTokens, 200);
    assert.equal(f.reasoningTokens, 64);
    assert.equal(f.finishReason, 'length');
    assert.equal(f.sessionId, 'conv-9');
  });

  test("the end user from OpenAI's user request field; an empty one is no user", () => {
    assert.equal(map({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.request.user': 'u-42' }).userId, 'u-42');
    assert.equal(map({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.request.user': '' }).userId, undefined);
  });

  test('request model stands in for a missing response model', () => {
    const f = map({ 'gen_ai.request.model': 'claude-sonnet-4' });
    assert.equal(f.model, 'claude-sonnet-4');
    assert.equal(f.kind, 'llm');
  });

  const kinds: Array<[string, string]> = [
    ['chat', 'llm'],
    ['text_completion', 'llm'],
    ['generate_content', 'llm'],
    ['embeddings', 'embedding'],
    ['execute_tool', 'tool'],
    ['invoke_agent', 'agent'],
    ['create_agent', 'agent'],
  ];
  for (const [operation, kind] of kinds) {
    test(`gen_ai.operation.name ${operation} -> kind ${kind}`, () => {
      assert.equal(map({ 'gen_ai.operation.name': operation, 'gen_ai.request.model': 'm' }).kind, kind);
    });
  }

  test('a span with no GenAI attributes gets no kind', () => {
    assert.deepEqual(map({ 'http.method': 'GET' }), {});
  });

  test('token counts sent as strings are numbers', () => {
    const f = map({ 'gen_ai.usage.input_tokens': '42', 'gen_ai.usage.output_tokens': 'many' });
    assert.equal(f.inputTokens, 42);
    assert.equal(f.outputTokens, undefined);
  });

  test('time to first chunk in seconds becomes milliseconds', () => {
    assert.equal(map({ 'gen_ai.response.time_to_first_chunk': 0.25 }).ttftMs, 250);
  });

  test('provider spellings are normalized to price-table ids', () => {
    assert.equal(map({ 'gen_ai.provider.name': 'azure.ai.openai' }).provider, 'azure');
    assert.equal(map({ 'gen_ai.provider.name': 'aws.bedrock' }).provider, 'aws');
    assert.equal(map({ 'gen_ai.provider.name': 'gcp.vertex_ai' }).provider, 'google');
    assert.equal(map({ 'gen_ai.system': 'Anthropic' }).provider, 'anthropic');
  });

  test('a system prompt sent both as gen_ai.system_instructions and as a system message is stored once', () => {
    const f = map({
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be terse.' }]),
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'Be terse.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
      ]),
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  test('different system instructions and a system message are both kept', () => {
    const f = map({
      'gen_ai.system_instructions': 'Be terse.',
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: 'Answer in French.' }] },
        { role: 'user', parts: [{ type: 'text', content: 'Hi' }] },
      ]),
    });
    assert.deepEqual(
      f.inputMessages?.map((m) => m.content),
      ['Be terse.', 'Answer in French.', 'Hi'],
    );
  });

  test('input and output messages in parts form, with system instructions and tool calls', () => {
    const f = map({
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be terse.' }]),
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'rainy, 57F' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'It is rainy.' }], finish_reason: 'stop' }]),
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: 'rainy, 57F', toolCallId: 'call_1' },
    ]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'It is rainy.' }]);
    assert.equal(f.finishReason, 'stop');
  });

  test('messages given as structured attribute values, not JSON text', () => {
    const f = map({ 'gen_ai.input.messages': [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }] });
    assert.deepEqual(f.inputMessages, [{ role: 'user', content: 'hi' }]);
  });

  test('parts without text (images, blobs) add no empty lines', () => {
    const f = map({
      'gen_ai.input.messages': JSON.stringify([
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Describe this' },
            { type: 'uri', modality: 'image', uri: 'https://example.com/cat.png' },
          ],
        },
      ]),
    });
    assert.equal(f.inputMessages?.[0]?.content, 'Describe this');
  });

  test('system instructions sent as plain text are kept', () => {
    const f = map({
      'gen_ai.system_instructions': 'You are a pirate.',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]),
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'You are a pirate.' },
      { role: 'user', content: 'hello' },
    ]);
  });
});

describe('genai: deprecated attribute names', () => {
  test('gen_ai.system and prompt/completion token names', () => {
    const f = map({
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4',
      'gen_ai.usage.prompt_tokens': 11,
      'gen_ai.usage.completion_tokens': 7,
    });
    assert.equal(f.provider, 'openai');
    assert.equal(f.inputTokens, 11);
    assert.equal(f.outputTokens, 7);
    assert.equal(f.kind, 'llm');
  });

  test('indexed gen_ai.prompt.N and gen_ai.completion.N with tool calls and finish reason', () => {
    const f = map({
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'Be brief.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Weather?',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': '',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.1.name': 'get_time',
      'gen_ai.completion.0.tool_calls.1.arguments': '{}',
      'gen_ai.completion.0.tool_calls.0.id': 'call_a',
      'gen_ai.completion.0.tool_calls.0.name': 'get_weather',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"city":"Oslo"}',
    });
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather?' },
    ]);
    assert.deepEqual(f.outputMessages, [
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_a', name: 'get_weather', arguments: '{"city":"Oslo"}' },
          { name: 'get_time', arguments: '{}' },
        ],
      },
    ]);
    assert.equal(f.finishReason, 'tool_calls');
  });

  test('indexed messages without a role default to user / assistant', () => {
    const f = map({ 'gen_ai.prompt.0.content': 'q', 'gen_ai.completion.0.content': 'a' });
    assert.deepEqual(f.inputMessages, [{ role: 'user', content: 'q' }]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'a' }]);
  });

  test('span events gen_ai.content.prompt / gen_ai.content.completion become input/output text', () => {
    const f = map({}, [makeEvent('gen_ai.content.prompt', { 'gen_ai.prompt': '[{"role":"user","content":"hi"}]' }), makeEvent('gen_ai.content.completion', { 'gen_ai.completion': 'hello there' })]);
    assert.equal(f.inputText, '[{"role":"user","content":"hi"}]');
    assert.equal(f.outputText, 'hello there');
  });

  test('message events gen_ai.system.message / gen_ai.user.message and gen_ai.choice', () => {
    const f = map({}, [
      makeEvent('gen_ai.system.message', { content: 'Be kind.' }),
      makeEvent('gen_ai.user.message', { content: 'Hi!' }),
      makeEvent('gen_ai.choice', { index: 0, finish_reason: 'stop', message: JSON.stringify({ role: 'assistant', content: 'Hello.' }) }),
    ]);
    assert.deepEqual(f.inputMessages, [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'Hi!' },
    ]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'Hello.' }]);
    assert.equal(f.finishReason, 'stop');
  });

  test('gen_ai.choice with a structured message and tool calls', () => {
    const f = map({}, [
      makeEvent('gen_ai.choice', {
        finish_reason: 'tool_calls',
        message: { content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }] },
      }),
    ]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }] }]);
  });
});

describe('genai: current names win over deprecated ones', () => {
  test('each field prefers the current attribute', () => {
    const f = map(
      {
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.system': 'openai',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.prompt_tokens': 1,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.completion_tokens': 2,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'new' }] }]),
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'old',
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'new answer' }] }]),
        'gen_ai.completion.0.content': 'old answer',
        'gen_ai.completion.0.finish_reason': 'length',
        'gen_ai.response.finish_reasons': ['stop'],
      },
      [makeEvent('gen_ai.user.message', { content: 'from event' })],
    );
    assert.equal(f.provider, 'anthropic');
    assert.equal(f.inputTokens, 100);
    assert.equal(f.outputTokens, 50);
    assert.deepEqual(f.inputMessages, [{ role: 'user', content: 'new' }]);
    assert.deepEqual(f.outputMessages, [{ role: 'assistant', content: 'new answer' }]);
    assert.equal(f.finishReason, 'stop');
  });

  test('fields already set by a higher-precedence convention are kept', () => {
    const f = map({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 9 }, [], { model: 'pinned', inputTokens: 1 });
    assert.equal(f.model, 'pinned');
    assert.equal(f.inputTokens, 1);
    assert.equal(f.requestModel, 'gpt-4o');
  });
});
