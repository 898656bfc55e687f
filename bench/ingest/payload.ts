// Realistic OTLP/protobuf export requests of LLM traces at a chosen size per span.
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../collector/src/otlp/proto.ts';

type KeyValue = { key: string; value: { stringValue: string } | { intValue: number } };
const kv = (key: string, value: string | number): KeyValue => ({ key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } });

const WORDS = 'the customer says the invoice for march was charged twice and asks for a refund of the second payment before friday please check the order history and the payment provider logs'.split(
  ' ',
);
const prose = (chars: number, seed: number): string => {
  let out = '';
  for (let i = seed; out.length < chars; i++) out += WORDS[i % WORDS.length] + ' ';
  return out.slice(0, chars);
};

/** Spans per request for a span size: whole traces of 3, bodies of 256-800 KB, at most the OTel SDK's default batch of 512. */
export function spansPerRequest(spanBytes: number): number {
  return Math.floor(Math.min(512, Math.max(30, (768 * 1024) / spanBytes)) / 3) * 3;
}

/**
 * One request of `spans` spans in traces of three: an agent chain, an LLM call carrying
 * the conversation, and a tool call. The LLM span's messages are sized so the spans
 * average `spanBytes` on the wire. Every request gets fresh ids.
 */
export function buildRequest(spans: number, spanBytes: number, seed = 0, nowNs = BigInt(Date.now()) * 1_000_000n): { body: Buffer; traceIds: string[] } {
  const traces = Math.max(1, Math.floor(spans / 3));
  // ~870 bytes of ids, names, times, attributes and JSON framing per trace besides the message text.
  const content = Math.max(40, spanBytes * 3 - 870);
  const out = [];
  const traceIds: string[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = randomBytes(16);
    traceIds.push(traceId.toString('hex'));
    const root = randomBytes(8);
    const start = nowNs - 2_000_000_000n;
    out.push({
      traceId,
      spanId: root,
      name: 'support-agent',
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: start + 1_900_000_000n,
      attributes: [kv('openinference.span.kind', 'AGENT'), kv('user.id', `user-${(seed + t) % 200}`), kv('session.id', `s-${(seed + t) % 500}`)],
    });
    out.push({
      traceId,
      spanId: randomBytes(8),
      parentSpanId: root,
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: start + 10_000_000n,
      endTimeUnixNano: start + 1_500_000_000n,
      attributes: [
        kv('gen_ai.operation.name', 'chat'),
        kv('gen_ai.provider.name', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o-mini'),
        kv('gen_ai.response.model', 'gpt-4o-mini-2024-07-18'),
        kv('gen_ai.usage.input_tokens', 180 + (t % 400)),
        kv('gen_ai.usage.output_tokens', 40 + (t % 90)),
        kv(
          'gen_ai.input.messages',
          JSON.stringify([
            { role: 'system', parts: [{ type: 'text', content: prose(Math.floor(content * 0.2), t) }] },
            { role: 'user', parts: [{ type: 'text', content: prose(Math.floor(content * 0.5), t + 3) }] },
          ]),
        ),
        kv('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: prose(Math.floor(content * 0.3), t + 7) }], finish_reason: 'stop' }])),
      ],
    });
    out.push({
      traceId,
      spanId: randomBytes(8),
      parentSpanId: root,
      name: 'execute_tool lookup_order',
      kind: 1,
      startTimeUnixNano: start + 1_520_000_000n,
      endTimeUnixNano: start + 1_880_000_000n,
      attributes: [kv('gen_ai.operation.name', 'execute_tool'), kv('gen_ai.tool.name', 'lookup_order')],
    });
  }
  const msg = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{ resource: { attributes: [kv('service.name', 'bench'), kv('deployment.environment.name', 'prod')] }, scopeSpans: [{ scope: { name: 'bench' }, spans: out }] }],
  });
  return { body: Buffer.from(ExportTraceServiceRequest.encode(msg).finish()), traceIds };
}
