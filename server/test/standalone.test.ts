import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { at, baseTime, llmTrace } from '../../collector/test/helpers/fixtures.ts';
import { exportSpans, makeExporter, recordSpans, type Protocol } from '../../collector/test/helpers/otel.ts';
import { startTestSpanlens } from './helpers/spanlens.ts';

type Spanlens = Awaited<ReturnType<typeof startTestSpanlens>>;

function isoNs(t: [number, number]): string {
  return new Date(t[0] * 1000).toISOString().slice(0, 19) + '.' + String(t[1]).padStart(9, '0') + 'Z';
}

describe('one process: real OpenTelemetry exporters in, API out', () => {
  let sl: Spanlens;
  before(async () => {
    sl = await startTestSpanlens();
  });
  after(async () => {
    await sl.close();
  });

  for (const protocol of ['http/protobuf', 'http/json', 'grpc'] as Protocol[]) {
    for (const compression of ['none', 'gzip'] as const) {
      test(`${protocol} (${compression}): every field of every span reads back`, async () => {
        const base = baseTime();
        const spans = recordSpans((tracer) => llmTrace(tracer, base), { 'service.name': 'support-bot', 'service.version': '1.4.2', 'deployment.environment.name': 'staging' });
        const outcome = await exportSpans(makeExporter(protocol, { httpUrl: sl.httpUrl, grpcUrl: sl.grpcUrl, key: sl.key, compression }), spans);
        assert.equal(outcome.code, 0, outcome.error?.message);

        const traceId = spans[0]!.spanContext().traceId;
        const ids = Object.fromEntries(spans.map((s) => [s.name, s.spanContext().spanId]));
        const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
        assert.equal(status, 200);
        assert.equal(body.traceId, traceId);
        assert.deepEqual(
          body.spans.map((s: { name: string }) => s.name),
          ['answer-question', 'chat gpt-4o-mini', 'execute_tool get_weather'],
        );
        const [root, llm, tool] = body.spans;

        const common = { service: 'support-bot', release: '1.4.2', environment: 'staging', promptName: null, promptVersion: null, tags: [] };
        assert.deepEqual(root, {
          ...common,
          spanId: ids['answer-question'],
          parentSpanId: null,
          name: 'answer-question',
          kind: 'chain',
          model: null,
          requestModel: null,
          provider: null,
          operation: null,
          startTime: isoNs(base),
          endTime: isoNs(at(base, 1700)),
          durationMs: 1700,
          inputTokens: 0,
          outputTokens: 0,
          totalTokens: 0,
          cachedTokens: 0,
          reasoningTokens: 0,
          tokensEstimated: false,
          costUsd: 0,
          costEstimated: false,
          costSource: 'none',
          ttftMs: null,
          finishReason: null,
          status: 'unset',
          statusMessage: null,
          input: null,
          output: null,
          userId: 'user-42',
          sessionId: 'session-7',
          attributes: { 'user.id': 'user-42', 'session.id': 'session-7', 'traceloop.span.kind': 'workflow' },
          resourceAttributes: root.resourceAttributes,
          events: [],
          redactions: 0,
        });
        assert.equal(root.resourceAttributes['service.name'], 'support-bot');
        assert.deepEqual(root.resourceAttributes, { 'service.name': 'support-bot', 'service.version': '1.4.2', 'deployment.environment.name': 'staging' });

        // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output.
        const expectedCost = (1000 * 0.15 + 200 * 0.075 + 300 * 0.6) / 1e6;
        assert.ok(Math.abs(llm.costUsd - expectedCost) < 1e-12, `cost ${llm.costUsd} != ${expectedCost}`);
        assert.deepEqual(
          { ...llm, costUsd: expectedCost },
          {
            ...common,
            spanId: ids['chat gpt-4o-mini'],
            parentSpanId: ids['answer-question'],
            name: 'chat gpt-4o-mini',
            kind: 'llm',
            model: 'gpt-4o-mini-2024-07-18',
            requestModel: 'gpt-4o-mini',
            provider: 'openai',
            operation: 'chat',
            startTime: isoNs(at(base, 10)),
            endTime: isoNs(at(base, 1510)),
            durationMs: 1500,
            inputTokens: 1200,
            outputTokens: 300,
            totalTokens: 1500,
            cachedTokens: 200,
            reasoningTokens: 0,
            tokensEstimated: false,
            costUsd: expectedCost,
            costEstimated: false,
            costSource: 'table',
            ttftMs: null,
            finishReason: 'stop',
            status: 'ok',
            statusMessage: null,
            input: JSON.stringify([
              { role: 'system', content: 'You are terse.' },
              { role: 'user', content: 'What is the capital of France?' },
            ]),
            output: JSON.stringify([{ role: 'assistant', content: 'Paris.' }]),
            userId: 'user-42',
            sessionId: 'session-7',
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'openai',
              'gen_ai.request.model': 'gpt-4o-mini',
              'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
              'gen_ai.usage.input_tokens': '1200',
              'gen_ai.usage.output_tokens': '300',
              'gen_ai.usage.cache_read.input_tokens': '200',
              'gen_ai.response.finish_reasons': '["stop"]',
              'user.id': 'user-42',
              'session.id': 'session-7',
            },
            resourceAttributes: root.resourceAttributes,
            events: [{ time: isoNs(at(base, 210)), name: 'gen_ai.first_token', attributes: { 'spanlens.note': 'first chunk' } }],
            redactions: 0,
          },
        );

        assert.equal(tool.kind, 'tool');
        assert.equal(tool.parentSpanId, ids['answer-question']);
        assert.equal(tool.status, 'error');
        assert.equal(tool.statusMessage, 'weather service timed out');
        assert.equal(tool.durationMs, 100);
        assert.equal(tool.costSource, 'none');

        const list = await sl.get('/api/v1/traces?limit=100');
        const summary = list.body.traces.find((t: { traceId: string }) => t.traceId === traceId);
        assert.deepEqual(
          { ...summary, costUsd: Math.round(summary.costUsd * 1e12) },
          {
            traceId,
            name: 'answer-question',
            startTime: isoNs(base),
            durationMs: 1700,
            spanCount: 3,
            inputTokens: 1200,
            outputTokens: 300,
            totalTokens: 1500,
            costUsd: Math.round(expectedCost * 1e12),
            errorCount: 1,
            status: 'error',
            models: ['gpt-4o-mini-2024-07-18'],
            service: 'support-bot',
            environment: 'staging',
            userId: 'user-42',
            sessionId: 'session-7',
            tags: [],
          },
        );
      });
    }
  }

  test('the collector answers /readyz and counts rejected spans by reason in /metrics', async () => {
    assert.equal((await fetch(`${sl.httpUrl}/readyz`)).status, 200);
    const res = await fetch(`${sl.httpUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0'.repeat(32), spanId: '1'.repeat(16), startTimeUnixNano: '1' }] }] }] }),
    });
    assert.equal(res.status, 200);
    const text = await (await fetch(`${sl.httpUrl}/metrics`)).text();
    assert.match(text, /spanlens_spans_rejected_total\{reason="invalid traceId"\} 1/);
    assert.match(text, /spanlens_ingest_requests_total\{receiver="otlp-grpc",outcome="OK"\} [1-9]/);

    // A span from before the retention window is refused by the time-window processor, counted
    // under its name; every processor counts what it took and passed on.
    const count = (t: string, labels: string) => Number(new RegExp(`spanlens_processor_spans_total\\{${labels}\\} (\\d+)`).exec(t)?.[1] ?? 0);
    const before = {
      in: count(text, 'processor="time-window",outcome="in"'),
      rejected: count(text, 'processor="time-window",outcome="rejected"'),
      limitsIn: count(text, 'processor="limits",outcome="in"'),
    };
    const old = String((BigInt(Date.now()) - 40n * 86_400_000n) * 1_000_000n);
    const span = (spanId: string, start: string) => ({ traceId: 'ab'.repeat(16), spanId, name: 'old', startTimeUnixNano: start, endTimeUnixNano: start });
    const late = await fetch(`${sl.httpUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sl.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('2'.repeat(16), old), span('3'.repeat(16), String(BigInt(Date.now()) * 1_000_000n))] }] }] }),
    });
    assert.equal(late.status, 200);
    assert.equal(((await late.json()) as { partialSuccess?: { rejectedSpans?: string | number } }).partialSuccess?.rejectedSpans?.toString(), '1');
    const after = await (await fetch(`${sl.httpUrl}/metrics`)).text();
    assert.equal(count(after, 'processor="time-window",outcome="in"') - before.in, 2);
    assert.equal(count(after, 'processor="time-window",outcome="rejected"') - before.rejected, 1);
    assert.equal(count(after, 'processor="limits",outcome="in"') - before.limitsIn, 1, 'the next processor gets what time-window passed on');
    assert.match(after, /spanlens_spans_rejected_total\{reason="time-window"\} 1/);
  });

  test('the dashboard placeholder and the OpenAPI document are served', async () => {
    const page = await fetch(sl.apiUrl + '/');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Spanlens<\/title>/);
    const doc = (await (await fetch(sl.apiUrl + '/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/api/v1/traces']);
    for (const path of [
      '/api/v1/traces/{traceId}',
      '/api/v1/sessions',
      '/api/v1/users',
      '/api/v1/metrics/summary',
      '/api/v1/metrics/timeseries',
      '/api/v1/metrics/top',
      '/api/v1/keys',
      '/api/v1/prices',
    ]) {
      assert.ok(doc.paths[path], path);
    }
  });
});
