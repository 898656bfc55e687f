import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { exportSpans, makeExporter, recordSpans, type Protocol } from '../../collector/test/helpers/otel.ts';
import { at, baseTime } from '../../collector/test/helpers/fixtures.ts';
import { startTestSpanlens } from './helpers/spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

/** One parent with one child carrying `attributes`, sent by a real exporter; returns the child as the API shows it. */
async function roundTrip(sl: Spanlens, protocol: Protocol, attributes: Record<string, string | number | string[]>, parentAttrs: Record<string, string> = {}) {
  const base = baseTime();
  const spans = recordSpans((tracer: Tracer) => {
    const parent = tracer.startSpan('parent', { startTime: base, attributes: parentAttrs });
    const child = tracer.startSpan('child', { kind: SpanKind.CLIENT, startTime: at(base, 5), attributes }, trace.setSpan(context.active(), parent));
    child.end(at(base, 905));
    parent.end(at(base, 1000));
  });
  const outcome = await exportSpans(makeExporter(protocol, { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans);
  assert.equal(outcome.code, 0, outcome.error?.message);
  const { body } = await sl.get(`/api/v1/traces/${spans[0]!.spanContext().traceId}`);
  return { parent: body.spans.find((s: { name: string }) => s.name === 'parent'), child: body.spans.find((s: { name: string }) => s.name === 'child') };
}

describe('conventions in the wild, sent by the real exporters', () => {
  let sl: Spanlens;
  before(async () => {
    sl = await startTestSpanlens();
  });
  after(async () => {
    await sl.close();
  });

  test('OpenInference (protobuf)', async () => {
    const { child } = await roundTrip(sl, 'http/protobuf', {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'claude-3-5-sonnet-20241022',
      'llm.provider': 'anthropic',
      'llm.token_count.prompt': 2000,
      'llm.token_count.completion': 400,
      'llm.token_count.total': 2400,
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'Hello',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'Hi there',
      'user.id': 'oi-user',
      'session.id': 'oi-session',
      'tag.tags': ['beta', 'eu'],
    });
    assert.equal(child.kind, 'llm');
    assert.equal(child.model, 'claude-3-5-sonnet-20241022');
    assert.equal(child.provider, 'anthropic');
    assert.deepEqual([child.inputTokens, child.outputTokens, child.totalTokens], [2000, 400, 2400]);
    assert.equal(child.input, JSON.stringify([{ role: 'user', content: 'Hello' }]));
    assert.equal(child.output, JSON.stringify([{ role: 'assistant', content: 'Hi there' }]));
    assert.deepEqual([child.userId, child.sessionId, child.tags], ['oi-user', 'oi-session', ['beta', 'eu']]);
    // claude-3.5-sonnet: $3/M input, $15/M output.
    assert.ok(Math.abs(child.costUsd - (2000 * 3 + 400 * 15) / 1e6) < 1e-12, String(child.costUsd));
    assert.equal(child.costSource, 'table');
  });

  test('OpenLLMetry (JSON): workflow parent, gen_ai.prompt.N child', async () => {
    const { parent, child } = await roundTrip(
      sl,
      'http/json',
      {
        'llm.request.type': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.prompt_tokens': 100,
        'gen_ai.usage.completion_tokens': 20,
        'llm.usage.total_tokens': 120,
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'Tell me a joke',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'No.',
        'gen_ai.completion.0.finish_reason': 'stop',
        'traceloop.association.properties.user_id': 'tl-user',
      },
      { 'traceloop.span.kind': 'workflow', 'traceloop.entity.input': '{"q":"joke"}' },
    );
    assert.equal(parent.kind, 'chain');
    assert.equal(parent.input, '{"q":"joke"}');
    assert.equal(child.kind, 'llm');
    assert.equal(child.provider, 'openai');
    assert.equal(child.model, 'gpt-4o-2024-08-06');
    assert.deepEqual([child.inputTokens, child.outputTokens, child.totalTokens], [100, 20, 120]);
    assert.equal(child.input, JSON.stringify([{ role: 'user', content: 'Tell me a joke' }]));
    assert.equal(child.finishReason, 'stop');
    assert.equal(child.userId, 'tl-user');
    assert.ok(child.costUsd > 0);
  });

  test('Vercel AI SDK (gRPC): doStream with time to first chunk', async () => {
    const { parent, child } = await roundTrip(
      sl,
      'grpc',
      {
        'ai.operationId': 'ai.streamText.doStream',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.usage.inputTokens': 50,
        'ai.usage.outputTokens': 10,
        'ai.response.msToFirstChunk': 123.5,
        'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]),
        'ai.response.text': 'Hello!',
        'ai.response.finishReason': 'stop',
        'ai.telemetry.metadata.userId': 'v-user',
      },
      { 'ai.operationId': 'ai.streamText' },
    );
    assert.equal(parent.kind, 'chain');
    assert.equal(child.kind, 'llm');
    assert.equal(child.provider, 'openai');
    assert.equal(child.ttftMs, 123.5);
    assert.deepEqual([child.inputTokens, child.outputTokens], [50, 10]);
    assert.equal(child.output, JSON.stringify([{ role: 'assistant', content: 'Hello!' }]));
    assert.equal(child.userId, 'v-user');
  });

  test('no usage: tokens counted, cost marked estimated', async () => {
    const { child } = await roundTrip(sl, 'http/protobuf', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'How many tokens is this sentence?' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'About eight.' }] }]),
    });
    assert.ok(child.inputTokens > 5 && child.inputTokens < 30, String(child.inputTokens));
    assert.ok(child.outputTokens > 0 && child.outputTokens < 10, String(child.outputTokens));
    assert.equal(child.costEstimated, true);
    assert.ok(child.costUsd > 0);
  });

  test('a project price set through the API prices the next spans', async () => {
    const put = await fetch(`${sl.apiUrl}/api/v1/prices`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'openai', model: 'gpt-4o-mini', inputPerMTok: 1, outputPerMTok: 2 }),
    });
    assert.equal(put.status, 200);
    const { child } = await roundTrip(sl, 'http/protobuf', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 1000,
    });
    assert.equal(child.costSource, 'custom');
    assert.ok(Math.abs(child.costUsd - 0.003) < 1e-12, String(child.costUsd));
    const list = await sl.get('/api/v1/prices');
    assert.deepEqual(list.body.prices, [{ provider: 'openai', model: 'gpt-4o-mini', inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: null }]);
  });
});
