// Sends a demo plan the way an instrumented app would: spans built with the OpenTelemetry SDK
// (explicit timestamps and the planned ids) and exported by the official OTLP/HTTP protobuf
// exporter to /v1/traces, many spans per request; then feedback scores to /v1/feedback.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace as otelTrace, type HrTime, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, type IdGenerator, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DemoPlan, PlannedFeedback, PlannedTrace } from './generate.ts';

export interface SendOptions {
  /** The collector's OTLP/HTTP base URL, e.g. http://127.0.0.1:4318. */
  endpoint: string;
  apiKey: string;
  /** Spans per export request (default 2000). */
  batchSpans?: number;
  /** Export requests in flight (default 3). */
  concurrency?: number;
  /** Feedback requests in flight (default 32: each waits for its batch to be committed). */
  feedbackConcurrency?: number;
  onProgress?: (p: { phase: 'spans' | 'feedback'; done: number; total: number }) => void;
}

export interface SendResult {
  traces: number;
  spans: number;
  feedback: number;
  exportRequests: number;
  elapsedMs: number;
}

/** A failed request to Spanlens; `status` is the HTTP status when there was an answer. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Hands the SDK the ids the plan chose, so what is stored matches the plan. */
class PlannedIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

class Collect implements SpanProcessor {
  spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const OTEL_KINDS = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL } as const;

function hr(ms: number): HrTime {
  let s = Math.floor(ms / 1000);
  let ns = Math.round((ms - s * 1000) * 1e6);
  if (ns >= 1e9) {
    s += 1;
    ns -= 1e9;
  }
  return [s, ns];
}

/** Turns planned traces into SDK spans: one tracer provider per (service, environment, release) resource. */
export class SpanRecorder {
  private readonly ids = new PlannedIds();
  private readonly collect = new Collect();
  private readonly tracers = new Map<string, Tracer>();

  private tracerFor(t: PlannedTrace): Tracer {
    const key = `${t.service}\u0000${t.environment}\u0000${t.release}`;
    let tracer = this.tracers.get(key);
    if (!tracer) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({
          'service.name': t.service,
          'service.version': t.release,
          'deployment.environment.name': t.environment,
          'telemetry.sdk.language': 'nodejs',
        }),
        idGenerator: this.ids,
        sampler: new AlwaysOnSampler(),
        spanProcessors: [this.collect],
      });
      tracer = provider.getTracer('spanlens-demo', '1.0.0');
      this.tracers.set(key, tracer);
    }
    return tracer;
  }

  record(traces: PlannedTrace[]): ReadableSpan[] {
    for (const t of traces) {
      const tracer = this.tracerFor(t);
      const live = new Map<string, Span>();
      for (const ps of t.spans) {
        this.ids.traceId = t.traceId;
        this.ids.spanId = ps.spanId;
        const parent = ps.parentSpanId ? live.get(ps.parentSpanId) : undefined;
        const ctx = parent ? otelTrace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
        const span = tracer.startSpan(ps.name, { kind: OTEL_KINDS[ps.otelKind], startTime: hr(ps.startMs), attributes: ps.attributes }, ctx);
        for (const e of ps.events) span.addEvent(e.name, e.attributes, hr(e.timeMs));
        if (ps.error !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: ps.error });
        live.set(ps.spanId, span);
      }
      for (const ps of t.spans) live.get(ps.spanId)!.end(hr(ps.endMs));
    }
    const out = this.collect.spans;
    this.collect.spans = [];
    return out;
  }
}

/** Traces grouped so each export request carries about `maxSpans` spans (a trace is never split). */
export function batchTraces(traces: PlannedTrace[], maxSpans: number): PlannedTrace[][] {
  const batches: PlannedTrace[][] = [];
  let current: PlannedTrace[] = [];
  let n = 0;
  for (const t of traces) {
    if (n > 0 && n + t.spans.length > maxSpans) {
      batches.push(current);
      current = [];
      n = 0;
    }
    current.push(t);
    n += t.spans.length;
  }
  if (current.length) batches.push(current);
  return batches;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function sendSpans(plan: DemoPlan, opts: SendOptions): Promise<{ spans: number; requests: number }> {
  const concurrency = opts.concurrency ?? 3;
  const exporter = new OTLPTraceExporter({
    url: `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: { authorization: `Bearer ${opts.apiKey}` },
    timeoutMillis: 60_000,
    concurrencyLimit: concurrency * 2,
  });
  const recorder = new SpanRecorder();
  const batches = batchTraces(plan.traces, opts.batchSpans ?? 2000);
  let sent = 0;
  try {
    await pool(batches, concurrency, async (batch) => {
      const spans = recorder.record(batch);
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
      if (result.code !== 0) {
        const status = (result.error as { code?: unknown } | undefined)?.code;
        throw new SendError(`POST /v1/traces failed: ${result.error?.message ?? 'unknown error'}`, typeof status === 'number' ? status : undefined);
      }
      sent += spans.length;
      opts.onProgress?.({ phase: 'spans', done: sent, total: plan.spanCount });
    });
  } finally {
    await exporter.shutdown();
  }
  return { spans: sent, requests: batches.length };
}

async function postFeedback(url: string, apiKey: string, f: PlannedFeedback): Promise<void> {
  const body = JSON.stringify({ id: f.id, traceId: f.traceId, name: f.name, value: f.value, comment: f.comment, source: 'user', userId: f.userId, timestamp: f.timestamp });
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body });
    const text = await res.text();
    if (res.ok) return;
    if (res.status === 503 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      continue;
    }
    throw new SendError(`POST /v1/feedback answered ${res.status}: ${text.slice(0, 300)}`, res.status);
  }
}

export async function sendFeedback(plan: DemoPlan, opts: SendOptions): Promise<number> {
  const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/feedback`;
  const all = plan.traces.flatMap((t) => t.feedback);
  let done = 0;
  await pool(all, opts.feedbackConcurrency ?? 32, async (f) => {
    await postFeedback(url, opts.apiKey, f);
    done++;
    if (done % 50 === 0 || done === all.length) opts.onProgress?.({ phase: 'feedback', done, total: all.length });
  });
  return done;
}

/** Everything in the plan: spans first (so a score always finds its trace), then feedback. */
export async function sendPlan(plan: DemoPlan, opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const { spans, requests } = await sendSpans(plan, opts);
  const feedback = await sendFeedback(plan, opts);
  return { traces: plan.traces.length, spans, feedback, exportRequests: requests, elapsedMs: performance.now() - started };
}
