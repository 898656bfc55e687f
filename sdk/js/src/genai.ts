import { context, SpanKind, SpanStatusCode, trace, type Attributes, type AttributeValue, type Context, type Span } from '@opentelemetry/api';
import { suppressTracing, unsuppressTracing } from '@opentelemetry/core';
import { captureContent, contentText } from './content.ts';
import { tracer } from './sdk.ts';

/** A message part in the OpenTelemetry GenAI form (gen_ai.input.messages / gen_ai.output.messages). */
export type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id?: string; response: unknown }
  | { type: string; [key: string]: unknown };

export interface GenAiMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

export interface Usage {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
  reasoning?: number;
}

/** One LLM call being recorded. */
export class LlmCall {
  readonly span: Span;
  readonly context: Context;
  private readonly started = performance.now();
  private ttftMs: number | undefined;
  private done = false;

  constructor(name: string, attributes: Attributes) {
    // Recorded even inside a suppressed helper (see wrapAnthropic's messages.stream).
    this.span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, unsuppressTracing(context.active()));
    // Calls made by the client inside ours (its own native spans, HTTP spans) are
    // suppressed: this span already records the call, once.
    this.context = suppressTracing(trace.setSpan(unsuppressTracing(context.active()), this.span));
  }

  firstToken(): void {
    this.ttftMs ??= performance.now() - this.started;
  }

  setContent(key: 'gen_ai.input.messages' | 'gen_ai.output.messages' | 'gen_ai.system_instructions' | 'input.value', value: unknown): void {
    if (captureContent()) this.span.setAttribute(key, contentText(value));
  }

  succeed(attributes: Attributes, usage: Usage): void {
    if (this.done) return;
    this.done = true;
    try {
      this.span.setAttributes(clean({ ...attributes, ...usageAttributes(usage), 'spanlens.ttft_ms': this.ttftMs }));
      this.span.end();
    } catch {
      // recording must never reach the app
    }
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    try {
      const e = err as { status?: number; name?: string; message?: string };
      this.span.recordException(err instanceof Error ? err : String(err));
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: e?.message ?? String(err) });
      this.span.setAttributes(clean({
        'error.type': e?.status ? String(e.status) : (e?.name ?? 'Error'),
        'http.response.status_code': e?.status,
        'spanlens.ttft_ms': this.ttftMs,
      }));
      this.span.end();
    } catch {
      // recording must never reach the app
    }
  }
}

function usageAttributes(u: Usage): Attributes {
  return {
    'gen_ai.usage.input_tokens': u.input,
    'gen_ai.usage.output_tokens': u.output,
    'gen_ai.usage.cache_read.input_tokens': u.cacheRead || undefined,
    'gen_ai.usage.cache_creation.input_tokens': u.cacheCreation || undefined,
    'gen_ai.usage.reasoning.output_tokens': u.reasoning || undefined,
  };
}

/** Drops undefined and non-finite values, which OpenTelemetry would otherwise warn about. */
export function clean(attrs: Record<string, AttributeValue | undefined | null>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** Observes a promise without changing it or adding an unhandled rejection. */
export function watch<T>(p: PromiseLike<T>, onValue: (v: T) => void, onError: (e: unknown) => void): void {
  p.then(
    (v) => { try { onValue(v); } catch { /* recording must never reach the app */ } },
    (e: unknown) => { try { onError(e); } catch { /* idem */ } },
  );
}

/**
 * Records every item an async-iterable stream yields by replacing the iterator method on
 * this one instance: the object the app receives, with all its helper methods, stays
 * the same; only its iteration is observed.
 */
export function observeStream<T>(stream: AsyncIterable<T>, onItem: (item: T) => void, onEnd: () => void, onError: (e: unknown) => void): void {
  const original = stream[Symbol.asyncIterator].bind(stream);
  const safe = (f: () => void) => { try { f(); } catch { /* recording must never reach the app */ } };
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value(): AsyncIterator<T> {
      const it = original();
      return {
        async next(...args: [] | [unknown]) {
          try {
            const r = await it.next(...args);
            safe(() => (r.done ? onEnd() : onItem(r.value)));
            return r;
          } catch (err) {
            safe(() => onError(err));
            throw err;
          }
        },
        async return(value?: unknown) {
          safe(onEnd);
          return it.return ? it.return(value) : { done: true, value: undefined as T };
        },
        async throw(e?: unknown) {
          safe(() => onError(e));
          if (it.throw) return it.throw(e);
          throw e;
        },
      };
    },
  });
}

export function serverAttributes(baseURL: unknown): Attributes {
  try {
    const u = new URL(String(baseURL));
    return { 'server.address': u.hostname, 'server.port': Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return {};
  }
}

/** Runs a client helper with tracing suppressed, so only our wrapped call inside it records a span. */
export function suppressed<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
