import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';

/** Seconds and nanoseconds of "now", rounded down to the second, plus a fixed sub-second part. */
export function baseTime(): [number, number] {
  return [Math.floor(Date.now() / 1000) - 60, 123_456_789];
}

export function at(base: [number, number], plusMs: number): [number, number] {
  const ns = base[1] + plusMs * 1_000_000;
  return [base[0] + Math.floor(ns / 1e9), ns % 1e9];
}

export const INPUT_MESSAGES = [
  { role: 'system', parts: [{ type: 'text', content: 'You are terse.' }] },
  { role: 'user', parts: [{ type: 'text', content: 'What is the capital of France?' }] },
];
export const OUTPUT_MESSAGES = [{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }], finish_reason: 'stop' }];

/** A small agent trace: a workflow root, an LLM call (GenAI semconv), a failing tool call. */
export function llmTrace(tracer: Tracer, base: [number, number]): void {
  const root = tracer.startSpan('answer-question', {
    kind: SpanKind.SERVER,
    startTime: base,
    attributes: { 'user.id': 'user-42', 'session.id': 'session-7', 'traceloop.span.kind': 'workflow' },
  });
  const ctx = trace.setSpan(context.active(), root);
  const llm = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      startTime: at(base, 10),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 200,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.input.messages': JSON.stringify(INPUT_MESSAGES),
        'gen_ai.output.messages': JSON.stringify(OUTPUT_MESSAGES),
        'user.id': 'user-42',
        'session.id': 'session-7',
      },
    },
    ctx,
  );
  llm.addEvent('gen_ai.first_token', { 'spanlens.note': 'first chunk' }, at(base, 210));
  llm.setStatus({ code: SpanStatusCode.OK });
  llm.end(at(base, 1510));
  const tool = tracer.startSpan(
    'execute_tool get_weather',
    {
      kind: SpanKind.INTERNAL,
      startTime: at(base, 1520),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'get_weather' },
    },
    ctx,
  );
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'weather service timed out' });
  tool.end(at(base, 1620));
  root.end(at(base, 1700));
}
