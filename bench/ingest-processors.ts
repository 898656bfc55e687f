// What the hardening processors cost per span on the ingest path: translate alone, then
// translate + redaction (default detectors, and every detector plus a custom pattern) +
// limits, over the same 2 KB LLM spans. Rounds alternate so drift on a shared machine
// hits each variant alike. Prints microseconds per span, median of the rounds.
// Usage: node --import tsx bench/ingest-processors.ts
import { redactionSettingsSchema, DEFAULT_REDACTION, type RedactionSettings } from '@spanlens/clickhouse';
import { toRecord } from '../collector/src/processors/normalize.ts';
import { redactionProcessor, Redactor } from '../collector/src/processors/redaction.ts';
import { DEFAULT_SPAN_LIMITS, limitsProcessor } from '../collector/src/processors/limits.ts';
import type { SpanBatch } from '../collector/src/processors/processor.ts';
import type { DecodedSpan } from '../collector/src/model.ts';

const SPANS = 2000;
const ROUNDS = 9;
const words = 'the quick brown fox asked about order 1234 shipped to Berlin yesterday and wants a refund today'.split(' ');
const text = (n: number, i: number) => Array.from({ length: n }, (_, k) => words[(i + k) % words.length]).join(' ');

function span(i: number): DecodedSpan {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: i.toString(16).padStart(32, '1'),
    spanId: i.toString(16).padStart(16, '2'),
    parentSpanId: '',
    name: 'chat gpt-4o-mini',
    otelKind: 3,
    startNs: start,
    endNs: start + 900_000_000n,
    events: [],
    statusCode: 1,
    statusMessage: '',
    scopeName: 'bench',
    resource: { 'service.name': 'support', 'deployment.environment.name': 'prod' },
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 300,
      'gen_ai.usage.output_tokens': 80,
      'user.id': `user-${i % 50}`,
      'gen_ai.input.messages': JSON.stringify([
        { role: 'system', parts: [{ type: 'text', content: text(40, i) }] },
        { role: 'user', parts: [{ type: 'text', content: text(150, i + 3) }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text(90, i + 7) }] }]),
    },
  };
}

const decoded = Array.from({ length: SPANS }, (_, i) => span(i));
console.log(`span input+output ≈ ${toRecord('p', decoded[0]!).row.input.length + toRecord('p', decoded[0]!).row.output.length} chars`);
const all: RedactionSettings = redactionSettingsSchema.parse({
  detectors: { email: true, phone: true, credit_card: true, ip_address: true },
  custom: [{ name: 'order', pattern: String.raw`ORD-\d{8}` }],
});
const variants: Record<string, (b: SpanBatch) => void> = {
  translate: () => undefined,
  'translate+limits': (b) => limitsProcessor(DEFAULT_SPAN_LIMITS).process(b),
  'translate+redact(default)+limits': (b) => {
    redactionProcessor({ redactor: () => new Redactor(DEFAULT_REDACTION) }).process(b);
    limitsProcessor(DEFAULT_SPAN_LIMITS).process(b);
  },
  'translate+redact(all)+limits': (b) => {
    redactionProcessor({ redactor: () => new Redactor(all) }).process(b);
    limitsProcessor(DEFAULT_SPAN_LIMITS).process(b);
  },
};
const results: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS + 1; r++) {
  const names = Object.keys(variants);
  for (const name of r % 2 ? names.reverse() : names) {
    const t = process.hrtime.bigint();
    const batch: SpanBatch = { projectId: 'p', records: decoded.map((s) => toRecord('p', s)), rejected: 0, errors: [] };
    variants[name]!(batch);
    const us = Number(process.hrtime.bigint() - t) / 1000 / SPANS;
    if (r > 0) results[name]!.push(us); // round 0 warms up
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(36)} ${med(xs).toFixed(1)} µs/span (rounds: ${xs.map((x) => x.toFixed(1)).join(' ')})`);
