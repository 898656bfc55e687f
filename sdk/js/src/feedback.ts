import { diag, trace } from '@opentelemetry/api';
import { config } from './sdk.ts';

export interface FeedbackInput {
  traceId: string;
  spanId?: string;
  /** What is scored, e.g. 'helpful', 'accuracy'. */
  name: string;
  /** A number, a thumbs up/down (boolean), or a category. */
  value: number | boolean | string;
  comment?: string;
  userId?: string;
  /** Idempotency key: sending the same id twice stores one score. */
  id?: string;
  source?: 'user' | 'annotation' | 'evaluation';
}

/** The trace id of the active span, to hand to a front end that later sends feedback. */
export function currentTraceId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

export function currentSpanId(): string | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.spanId : undefined;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * Sends a score to the collector's POST /v1/feedback. Resolves true when stored, false
 * when it could not be (never throws); retries 429/5xx and network errors with backoff.
 */
export async function feedback(input: FeedbackInput, attempts = 3): Promise<boolean> {
  const c = config();
  const body = JSON.stringify(input);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(`${c.endpoint}/v1/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {}) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (res.ok) return true;
      if (!RETRYABLE.has(res.status)) {
        diag.warn(`spanlens: feedback rejected with ${res.status}: ${await res.text()}`);
        return false;
      }
    } catch (err) {
      diag.debug('spanlens: feedback attempt failed', err);
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1) * (0.5 + Math.random())));
  }
  return false;
}
