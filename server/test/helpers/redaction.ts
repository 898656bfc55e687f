import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { baseTime } from '../../../collector/test/helpers/fixtures.ts';
import { exportSpans, makeExporter, recordSpans } from '../../../collector/test/helpers/otel.ts';
import type { startTestSpanlens } from './spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

export const SECRETS = {
  email: 'dana.reyes@example.org',
  key: 'sk-proj-' + 'Zq9'.repeat(12),
  card: '5555 5555 5555 4444',
  employee: 'EMP-204981',
};

async function call(sl: Spanlens, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(sl.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${sl.key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json() };
}

/** Turns the project's redaction on through the API, as a user would. */
export async function enableRedaction(sl: Spanlens): Promise<void> {
  const res = await call(sl, 'PUT', '/api/v1/redaction', {
    detectors: { email: true, credit_card: true },
    custom: [{ name: 'employee_id', pattern: String.raw`EMP-\d{6}` }],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const read = await call(sl, 'GET', '/api/v1/redaction');
  assert.deepEqual(read.body, {
    detectors: { email: true, phone: false, credit_card: true, ip_address: false },
    custom: [{ name: 'employee_id', pattern: String.raw`EMP-\d{6}` }],
    alwaysOn: ['api_key', 'bearer_token'],
  });
  const bad = await call(sl, 'PUT', '/api/v1/redaction', { custom: [{ name: 'slow', pattern: '(a*)*b' }] });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /nested quantifiers/);
}

/** Sends one LLM span full of secrets with the real OTLP exporter; returns its trace id. */
export async function sendSecrets(sl: Spanlens): Promise<string> {
  const s = SECRETS;
  const spans = recordSpans((tracer) => {
    const span = tracer.startSpan('chat gpt-4o', {
      kind: SpanKind.CLIENT,
      startTime: baseTime(),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.provider.name': 'openai',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `I'm ${s.email}, card ${s.card}, badge ${s.employee}` }] }]),
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: `Thanks ${s.email}` }] }]),
        'app.openai_key': s.key,
      },
    });
    span.end();
  });
  const outcome = await exportSpans(makeExporter('http/protobuf', { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key }), spans);
  assert.equal(outcome.code, 0, outcome.error?.message);
  return spans[0]!.spanContext().traceId;
}

/** The stored row is masked everywhere and carries its count. */
export async function assertStoredMasked(sl: Spanlens, traceId: string): Promise<void> {
  await sl.app.collector.flush();
  const rs = await sl.app.storage.client.query({
    query: 'SELECT input, output, attributes, redactions FROM spans WHERE trace_id = {t:String}',
    query_params: { t: traceId },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ input: string; output: string; attributes: Record<string, string>; redactions: number }>();
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.match(row.input, /I'm \[REDACTED:email\], card \[REDACTED:credit_card\], badge \[REDACTED:employee_id\]/);
  assert.match(row.output, /Thanks \[REDACTED:email\]/);
  assert.equal(row.attributes['app.openai_key'], '[REDACTED:api_key]');
  assert.equal(Number(row.redactions), 5);
  const text = JSON.stringify(row);
  for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret), `${secret} was stored`);
}
