import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { captureContent, contentText } from './content.ts';
import { tracer } from './sdk.ts';

export type ObservedKind = 'chain' | 'tool' | 'agent' | 'retriever' | 'embedding' | 'reranker' | 'guardrail' | 'evaluator' | 'llm';

export interface ObserveOptions {
  /** What the step is, as Spanlens shows it. Default 'chain'. */
  kind?: ObservedKind;
  /** Record the arguments as the span's input. Default: the SDK's captureContent. */
  captureInput?: boolean;
  /** Record the return value (or yielded values) as the span's output. Default: captureContent. */
  captureOutput?: boolean;
  attributes?: Attributes;
}

const MAX_YIELDS = 1000;

/**
 * Wraps `fn` so every call runs inside a span named `name`: sync and async functions,
 * generators and async generators. Spans nest through async context. What `fn` returns
 * is returned unchanged (promises are observed, not replaced); errors are recorded and
 * rethrown as they were.
 */
export function observe<A extends unknown[], R>(name: string, fn: (...args: A) => R, options: ObserveOptions = {}): (...args: A) => R {
  return function observed(this: unknown, ...args: A): R {
    let span: Span;
    try {
      span = tracer().startSpan(name, { attributes: { 'spanlens.span.kind': options.kind ?? 'chain', ...options.attributes } });
      if (options.captureInput ?? captureContent()) span.setAttribute('input.value', contentText(args.length === 1 ? args[0] : args));
    } catch {
      return fn.apply(this, args);
    }
    const ctx = trace.setSpan(context.active(), span);
    let result: R;
    try {
      result = context.with(ctx, () => fn.apply(this, args));
    } catch (err) {
      fail(span, err);
      throw err;
    }
    const out = options.captureOutput ?? captureContent();
    if (isThenable(result)) {
      result.then(
        (v) => succeed(span, v, out),
        (err: unknown) => fail(span, err),
      );
      return result;
    }
    if (isAsyncIterator(result)) return observeAsyncIterator(result, span, ctx, out) as R;
    if (isIterator(result)) return observeIterator(result, span, ctx, out) as R;
    succeed(span, result, out);
    return result;
  };
}

function succeed(span: Span, value: unknown, capture: boolean): void {
  try {
    if (capture && value !== undefined) span.setAttribute('output.value', contentText(value));
    span.end();
  } catch {
    // recording must never reach the app
  }
}

function fail(span: Span, err: unknown): void {
  try {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    span.setAttribute('error.type', err instanceof Error ? err.name : typeof err);
    span.end();
  } catch {
    // recording must never reach the app
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as PromiseLike<unknown> | null)?.then === 'function';
}

function isAsyncIterator(v: unknown): v is AsyncGenerator<unknown, unknown, unknown> {
  const g = v as AsyncGenerator | null;
  return typeof g?.next === 'function' && typeof g[Symbol.asyncIterator] === 'function';
}

function isIterator(v: unknown): v is Generator<unknown, unknown, unknown> {
  const g = v as Generator | null;
  return typeof g?.next === 'function' && typeof g[Symbol.iterator] === 'function' && typeof v !== 'string' && !Array.isArray(v);
}

/** Re-yields every value; each step runs in the span's context; the span ends with the generator. */
function observeIterator(gen: Generator<unknown, unknown, unknown>, span: Span, ctx: ReturnType<typeof context.active>, capture: boolean): Generator<unknown, unknown, unknown> {
  const yielded: unknown[] = [];
  let ended = false;
  const finish = (r: IteratorResult<unknown>) => {
    if (r.done && !ended) {
      ended = true;
      succeed(span, yielded, capture);
    } else if (!r.done && yielded.length < MAX_YIELDS) yielded.push(r.value);
    return r;
  };
  const step = (f: () => IteratorResult<unknown>) => {
    try {
      return finish(context.with(ctx, f));
    } catch (err) {
      if (!ended) {
        ended = true;
        fail(span, err);
      }
      throw err;
    }
  };
  const wrapped: Generator<unknown, unknown, unknown> = {
    next: (v?: unknown) => step(() => gen.next(v)),
    return: (v?: unknown) => step(() => gen.return(v)),
    throw: (e?: unknown) => step(() => gen.throw(e)),
    [Symbol.iterator]() {
      return wrapped;
    },
    [Symbol.toStringTag]: 'Generator',
  } as Generator<unknown, unknown, unknown>;
  return wrapped;
}

function observeAsyncIterator(gen: AsyncGenerator<unknown, unknown, unknown>, span: Span, ctx: ReturnType<typeof context.active>, capture: boolean): AsyncGenerator<unknown, unknown, unknown> {
  const yielded: unknown[] = [];
  let ended = false;
  const step = async (f: () => Promise<IteratorResult<unknown>>) => {
    try {
      const r = await context.with(ctx, f);
      if (r.done && !ended) {
        ended = true;
        succeed(span, yielded, capture);
      } else if (!r.done && yielded.length < MAX_YIELDS) yielded.push(r.value);
      return r;
    } catch (err) {
      if (!ended) {
        ended = true;
        fail(span, err);
      }
      throw err;
    }
  };
  const wrapped = {
    next: (v?: unknown) => step(() => gen.next(v)),
    return: (v?: unknown) => step(() => gen.return(v)),
    throw: (e?: unknown) => step(() => gen.throw(e)),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
    [Symbol.toStringTag]: 'AsyncGenerator',
  } as AsyncGenerator<unknown, unknown, unknown>;
  return wrapped;
}
