import { context, SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Context, type Span } from '@opentelemetry/api';
import { unsuppressTracing } from '@opentelemetry/core';
import { suppressedContext } from './context-manager.ts';
import { captureContent, contentText } from './content.ts';
import { config, tracer } from './sdk.ts';
import { currentContext, runInContext, type SpanlensContext } from './context.ts';

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

export interface Finished {
  attributes: Attributes;
  usage: Usage;
}

export type ContentKey = 'gen_ai.input.messages' | 'gen_ai.output.messages' | 'gen_ai.system_instructions' | 'input.value';

/** How a kind of call reads its request, when its span is built (static objects: nothing is allocated per call). */
export interface StartDescriber {
  name(params: unknown): string;
  start(params: unknown, server: Attributes): Attributes;
  /** Content attributes from the request; `copy` is what the call path copied (the app may change its arrays). */
  input(params: unknown, copy: unknown): Array<[ContentKey, unknown]>;
}

/** How a kind of call reads its outcome (a response, or a stream's chunks), when its span is built. */
export interface ResultDescriber {
  output(value: unknown): unknown;
  finish(value: unknown): Finished;
}

/**
 * One LLM call being recorded. On the call path it only takes timestamps and keeps
 * references; the span is built later, off the call path, in a batch (see Recorder):
 * span creation and JSON are what cost CPU, and run much cheaper hot, many at a time.
 */
export class LlmCall {
  /** The OpenTelemetry context of the call (the parent span); see capture(). */
  parent: Context | undefined;
  readonly startMs = nowMs();
  endMs = 0;
  ttftMs: number | undefined;
  error: unknown;
  failed = false;
  result: ResultDescriber | undefined;
  value: unknown;
  /** The app's user/session context at call time; the span is built later, elsewhere. */
  appContext: SpanlensContext | undefined;
  private done = false;

  constructor(
    readonly describer: StartDescriber,
    readonly params: unknown,
    readonly server: Attributes,
    readonly copy: unknown,
  ) {}

  /**
   * Reads the call's async context (parent span, user/session), once. Called from the
   * reaction the wrapper attaches to the call's promise, not on the call path: a reaction
   * runs in the async context in force when it was attached, so it reads the same values,
   * and on Node 20 each AsyncLocalStorage read right after I/O costs several microseconds.
   */
  capture(): void {
    if (this.parent !== undefined) return;
    this.parent = context.active();
    this.appContext = currentContext();
  }

  /**
   * Runs the client call with tracing suppressed, for clients that trace themselves
   * (Anthropic's SDK starts its own span per call): this span already records it, once.
   */
  runSuppressed<T>(fn: () => T): T {
    this.capture();
    return context.with(suppressedContext(this.parent!), fn);
  }

  firstToken(): void {
    this.ttftMs ??= nowMs() - this.startMs;
  }

  succeed(result: ResultDescriber, value: unknown, endMs = nowMs()): void {
    if (this.done) return;
    this.done = true;
    this.endMs = endMs;
    this.result = result;
    this.value = value;
    recorder.add(this);
  }

  fail(err: unknown, endMs = nowMs()): void {
    if (this.done) return;
    this.done = true;
    this.endMs = endMs;
    this.failed = true;
    this.error = err;
    recorder.add(this);
  }
}

// Constant for the process; the getter is not free on the call path.
const TIME_ORIGIN = performance.timeOrigin;

export function nowMs(): number {
  return TIME_ORIGIN + performance.now();
}

const MAX_PENDING = 10_000;
// Built together, spans cost a fraction of what one costs alone (the code stays hot).
const BATCH = 100;

/** Builds the spans of finished calls in batches, off the call path. */
class Recorder {
  private pending: LlmCall[] = [];
  private scheduled: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  dropped = 0;

  add(call: LlmCall): void {
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(call);
    // A full batch is built in the next turn of the event loop, not in the reaction that
    // finished this call: the app's own continuation of the call runs first.
    if (this.pending.length >= BATCH) {
      this.immediate ??= setImmediate(() => this.drain());
      this.immediate.unref();
    } else if (!this.scheduled) {
      this.scheduled = setTimeout(() => this.drain(), config().spanBuildDelayMs);
      this.scheduled.unref();
    }
  }

  /** Builds every pending span now (flush and shutdown call this first). */
  drain(): void {
    if (this.scheduled) clearTimeout(this.scheduled);
    if (this.immediate) clearImmediate(this.immediate);
    this.scheduled = null;
    this.immediate = null;
    const batch = this.pending;
    this.pending = [];
    for (const call of batch) {
      try {
        runInContext(call.appContext, () => build(call));
      } catch {
        // recording must never reach the app
      }
    }
  }
}

export const recorder = new Recorder();

function build(call: LlmCall): void {
  const d = call.describer;
  // Recorded even when called inside a suppressed helper (see wrapAnthropic's messages.stream).
  const span = tracer().startSpan(
    d.name(call.params),
    { kind: SpanKind.CLIENT, startTime: call.startMs, attributes: d.start(call.params, call.server) },
    unsuppressTracing(call.parent ?? context.active()),
  );
  const capture = captureContent();
  if (capture) for (const [key, value] of d.input(call.params, call.copy)) span.setAttribute(key, contentText(value));
  if (call.failed) {
    const err = call.error;
    const e = err as { status?: number; name?: string; message?: string } | undefined;
    span.recordException(err instanceof Error ? err : String(err), call.endMs);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e?.message ?? String(err) });
    span.setAttribute('error.type', e?.status ? String(e.status) : (e?.name ?? 'Error'));
    setIf(span, 'http.response.status_code', e?.status);
  } else if (call.result) {
    if (capture) {
      const out = call.result.output(call.value);
      if (out !== undefined) span.setAttribute('gen_ai.output.messages', contentText(out));
    }
    const { attributes, usage } = call.result.finish(call.value);
    span.setAttributes(clean(attributes as Record<string, AttributeValue | undefined>));
    setIf(span, 'gen_ai.usage.input_tokens', usage.input);
    setIf(span, 'gen_ai.usage.output_tokens', usage.output);
    setIf(span, 'gen_ai.usage.cache_read.input_tokens', usage.cacheRead || undefined);
    setIf(span, 'gen_ai.usage.cache_creation.input_tokens', usage.cacheCreation || undefined);
    setIf(span, 'gen_ai.usage.reasoning.output_tokens', usage.reasoning || undefined);
  }
  setIf(span, 'spanlens.ttft_ms', call.ttftMs);
  span.end(call.endMs);
}

function setIf(span: Span, key: string, value: number | undefined | null): void {
  if (typeof value === 'number' && Number.isFinite(value)) span.setAttribute(key, value);
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

export type Method = (params: never, options?: unknown) => unknown;

/**
 * The shape of every wrapped client method: start recording, call the original, record
 * the outcome when the promise settles, and return exactly what the original returned.
 * If recording cannot even start, the original runs untouched.
 */
/** What a wrapped method does around its call; one object per wrapped method, made at wrap time. */
export interface CallKind {
  begin(params: unknown): LlmCall;
  onValue(call: LlmCall, value: unknown, params: unknown): void;
  suppress?: boolean;
}

/**
 * The shape of every wrapped client method: start recording, call the original, record
 * the outcome when the promise settles, and return exactly what the original returned.
 * If recording cannot even start, the original runs untouched.
 */
export function recordCall(orig: Method, params: never, options: unknown, kind: CallKind): unknown {
  let call: LlmCall;
  try {
    call = kind.begin(params);
  } catch {
    return orig(params, options);
  }
  let result: unknown;
  try {
    result = kind.suppress ? call.runSuppressed(() => orig(params, options)) : orig(params, options);
  } catch (err) {
    call.capture();
    call.fail(err);
    throw err;
  }
  // Both reactions run in the call's async context (see LlmCall.capture).
  watch(
    result as PromiseLike<unknown>,
    (value) => {
      call.capture();
      kind.onValue(call, value, params);
    },
    (err) => {
      call.capture();
      call.fail(err);
    },
  );
  return result;
}

/** Replaces `target[method]` with a recording version, once (wrapping twice records once). */
export function patch(target: Record<string, unknown> | undefined, method: string, make: (orig: Method) => Method): void {
  const marker = Symbol.for(`spanlens.wrapped.${method}`);
  if (!target || typeof target[method] !== 'function' || Object.hasOwn(target, marker)) return;
  const orig = (target[method] as Method).bind(target);
  target[method] = make(orig);
  Object.defineProperty(target, marker, { value: true });
}

/** Observes a promise without changing it or adding an unhandled rejection. */
export function watch<T>(p: PromiseLike<T>, onValue: (v: T) => void, onError: (e: unknown) => void): void {
  p.then(
    (v) => {
      try {
        onValue(v);
      } catch {
        /* recording must never reach the app */
      }
    },
    (e: unknown) => {
      try {
        onError(e);
      } catch {
        /* idem */
      }
    },
  );
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
  return context.with(suppressedContext(context.active()), fn);
}
