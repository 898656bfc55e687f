import { createContextKey, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';

const NEEDS_STORE = createContextKey('spanlens.needs-store');

/** `ctx` with tracing suppressed, carried through async work like any entered context. */
export function suppressedContext(ctx: Context): Context {
  return suppressTracing(ctx).setValue(NEEDS_STORE, true);
}

/**
 * OpenTelemetry's AsyncLocalStorage context manager, which leaves its store unused until
 * the app needs context. On Node 20 the first `run()` of any AsyncLocalStorage turns on
 * async hooks for every promise the process creates, the app's own included: measured,
 * 0.27-0.35 µs per promise, some 40 µs per OpenAI client call (BENCHMARKS.md).
 * OpenTelemetry's export runs inside `context.with(suppressTracing(...))`, which did
 * exactly that in apps that only wrap a client. While no context has ever been entered,
 * no span can be active and no instrumentation has entered one (they all do through
 * `with`), so that export runs as it is. What it would have suppressed is an HTTP
 * instrumentation's span for the export request; such an instrumentation enters a context
 * at its first request, so at worst the first export request of an app with no other
 * instrumented traffic is recorded once. Any other `with`, `bind` or `attach` uses the
 * store, and so does a context from `suppressedContext` (the wrappers' own, which must
 * reach a client's tracing through its awaits).
 */
export class SpanlensContextManager extends AsyncLocalStorageContextManager {
  private storeInUse = false;

  /** Whether any context has been entered (and so Node's async hooks are on). */
  get inUse(): boolean {
    return this.storeInUse;
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (!this.storeInUse) {
      if (isTracingSuppressed(context) && trace.getSpan(context) === undefined && context.getValue(NEEDS_STORE) === undefined) {
        return thisArg === undefined ? fn(...args) : fn.apply(thisArg, args);
      }
      this.storeInUse = true;
    }
    return super.with(context, fn, thisArg, ...args);
  }

  override attach(context: Context): ReturnType<AsyncLocalStorageContextManager['attach']> {
    this.storeInUse = true;
    return super.attach(context);
  }
}
