import { AsyncLocalStorage } from 'node:async_hooks';

/** Who and what a piece of work is about; applied to every span started beneath it. */
export interface SpanlensContext {
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, string | number | boolean>;
}

const store = new AsyncLocalStorage<SpanlensContext>();

function merge(base: SpanlensContext | undefined, next: SpanlensContext): SpanlensContext {
  return {
    userId: next.userId ?? base?.userId,
    sessionId: next.sessionId ?? base?.sessionId,
    tags: next.tags ? [...new Set([...(base?.tags ?? []), ...next.tags])] : base?.tags,
    metadata: next.metadata ? { ...base?.metadata, ...next.metadata } : base?.metadata,
  };
}

/** Runs `fn` with `values` added to the context; spans started inside carry them. */
export function withContext<T>(values: SpanlensContext, fn: () => T): T {
  return store.run(merge(store.getStore(), values), fn);
}

/**
 * Adds `values` to the context of the current async execution (a request handler, say)
 * and everything it starts from now on; other requests are not affected.
 */
export function setContext(values: SpanlensContext): void {
  store.enterWith(merge(store.getStore(), values));
}

export function currentContext(): SpanlensContext | undefined {
  return store.getStore();
}

/** Runs `fn` with exactly `c` as the context (for spans built after the fact). */
export function runInContext<T>(c: SpanlensContext | undefined, fn: () => T): T {
  // An app that never sets a context never enables this store: on Node 20 every enabled
  // AsyncLocalStorage adds work to each promise the process creates.
  if (c === undefined && store.getStore() === undefined) return fn();
  return store.run(c as SpanlensContext, fn);
}

/** The span attributes for a context, in the names the Spanlens collector reads. */
export function contextAttributes(c: SpanlensContext): Record<string, string | string[] | number | boolean> {
  const attrs: Record<string, string | string[] | number | boolean> = {};
  if (c.userId) attrs['user.id'] = c.userId;
  if (c.sessionId) attrs['session.id'] = c.sessionId;
  if (c.tags?.length) attrs['spanlens.tags'] = c.tags;
  for (const [k, v] of Object.entries(c.metadata ?? {})) attrs[`spanlens.metadata.${k}`] = v;
  return attrs;
}
