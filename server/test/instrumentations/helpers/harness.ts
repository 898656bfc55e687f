// What the Node instrumentation suites share: a real Spanlens, the fake provider, an
// OpenTelemetry SDK exporting with the official OTLP/protobuf exporter, a real `openai` client,
// and a way to run calls under an app span and read their trace back through the API.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { context, type Context, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { startTestSpanlens } from '../../helpers/spanlens.ts';
import { startFakeLlm } from '../../../../sdk/js/test/helpers/fake-llm.ts';

export type ApiSpan = Record<string, any>;

// gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output; the fake reports 42 in (10 cached), 7 out.
export const CHAT_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6;
export const QUESTION = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'Capital of France?' },
];
export const TOOLS = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

export interface Harness {
  client: OpenAI;
  /** For libraries that take a tracer rather than patch a client (the Vercel AI SDK). */
  tracerProvider: TracerProvider;
  llm: Awaited<ReturnType<typeof startFakeLlm>>;
  /** Runs `fn` under an app span (in `ctx` when given); returns the spans under it, in trace order, as the API shows them. */
  traced(fn: () => Promise<unknown>, ctx?: (active: Context) => Context): Promise<ApiSpan[]>;
}

/**
 * Registers before/after hooks for a suite: `instrument` gets the tracer provider and the
 * OpenAI class to patch (ES modules are not hooked on import, so suites instrument by hand).
 */
export function useHarness(service: string, instrument: (provider: TracerProvider, openai: typeof OpenAI) => void): Harness {
  let sl: Awaited<ReturnType<typeof startTestSpanlens>>;
  let provider: BasicTracerProvider;
  const contextManager = new AsyncLocalStorageContextManager();
  const h = {} as Harness;
  before(async () => {
    let llm: Awaited<ReturnType<typeof startFakeLlm>>;
    [sl, llm] = await Promise.all([startTestSpanlens(), startFakeLlm()]);
    context.setGlobalContextManager(contextManager.enable());
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${sl.httpUrl}/v1/traces`, headers: { authorization: `Bearer ${sl.key}` } }))],
    });
    instrument(provider, OpenAI);
    Object.assign(h, { llm, tracerProvider: provider, client: new OpenAI({ apiKey: 'sk-test', baseURL: `${llm.url}/v1`, maxRetries: 0 }) });
  });
  after(async () => {
    await provider.shutdown();
    context.disable();
    await Promise.all([sl.close(), h.llm.close()]);
  });
  h.traced = async (fn, ctx = (c) => c) => {
    let traceId = '';
    await context.with(ctx(context.active()), () =>
      provider.getTracer('app').startActiveSpan('handler', async (span) => {
        traceId = span.spanContext().traceId;
        try {
          await fn();
        } catch {
          /* the failed call is what the test looks at */
        } finally {
          span.end();
        }
      }),
    );
    await provider.forceFlush();
    const { status, body } = await sl.get(`/api/v1/traces/${traceId}`);
    assert.equal(status, 200);
    const [root, ...children] = body.spans as ApiSpan[];
    assert.equal(root!.name, 'handler');
    // Each span's parent is the app's span or a span before it (the SDK's own spans nest: ai.generateText > doGenerate).
    const seen = new Set([root!.spanId]);
    for (const c of children) {
      assert.ok(seen.has(c.parentSpanId), `${c.name} nests under the app's span`);
      seen.add(c.spanId);
    }
    return children;
  };
  return h;
}
