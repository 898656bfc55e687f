import { createContextKey, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';

/**
 * OpenTelemetry's AsyncLocalStorage context manager, which leaves its store unused until
 * the app needs context. On Node 20 the first `run()` of any AsyncLocalStorage turns on
 * async hooks for every promise the process creates: measured, 190-280 µs more CPU per
 * OpenAI client call, in the app's own calls too (BENCHMARKS.md). OpenTelemetry's export
 * runs inside `context.with(suppressTracing(...))`, which did exactly that in apps that
 * only wrap a client. While no context has ever been entered, no span can be active and
 * no instrumentation has entered one either (they all do through `with`), so that export
 * runs as it is: the only thing it could suppress is an instrumented HTTP client's span
 * for the export request, and such an instrumentation enters a context (and so turns the
 * store on) at its first request. Any other `with`, `bind` or `attach` uses the store, and
 * so does a suppressed context made by `suppressedContext` (the wrappers' own, which must
 * reach a client's tracing through its awaits).
 */
const NEEDS_STORE = createContextKey('spanlens.needs-store');

/** `ctx` with tracing suppressed, carried through async work like any entered context. */
export function suppressedContext(ctx: Context): Context {
  return suppressTracing(ctx).setValue(NEEDS_STORE, true);
}

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
