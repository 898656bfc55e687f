// One retry policy for every retry loop of the server: the exporters' writes, the writer's inserts,
// the Kafka consumer's restarts, the evaluation worker's pauses and webhook deliveries. Our own,
// not p-retry or exponential-backoff: those run a loop in memory, while a webhook delivery keeps
// its next attempt in ClickHouse across restarts and the writer retries without end while a batch
// is its own. What all of them share is here: the schedule, jitter, the attempt and time budgets,
// Retry-After, and the split between failures worth another try and final ones.

export interface RetryPolicy {
  /** Wait before the first retry. */
  initialMs: number;
  /** Each wait is the previous one times this. */
  multiplier: number;
  /** Longest wait (Retry-After may ask for more, and gets it). */
  maxMs: number;
  /** ± this share of each wait, so clients coming back are spread out. */
  jitter: number;
  /** Attempts in all, the first included; Infinity: no count. */
  maxAttempts: number;
  /** No retry starts later than this after the first attempt; Infinity: no deadline. */
  deadlineMs: number;
}

export function retryPolicy(p: Partial<RetryPolicy> & Pick<RetryPolicy, 'initialMs'>): RetryPolicy {
  return { multiplier: 2, maxMs: Infinity, jitter: 0, maxAttempts: Infinity, deadlineMs: Infinity, ...p };
}

/** The wait before attempt `attempt + 1` after `attempt` failed attempts (1-based), at least `retryAfterMs`. */
export function backoffMs(p: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const base = Math.min(p.maxMs, p.initialMs * p.multiplier ** Math.max(0, attempt - 1));
  const wait = base * (1 - p.jitter + random() * 2 * p.jitter);
  return Math.round(Math.max(wait, retryAfterMs ?? 0));
}

/** Whether another attempt fits the policy after `attempt` failed ones, starting `waitMs` from now. */
export function mayRetry(p: RetryPolicy, attempt: number, startedAt: number, waitMs: number, now = Date.now()): boolean {
  return attempt < p.maxAttempts && now + waitMs - startedAt <= p.deadlineMs;
}

/**
 * A Retry-After header as milliseconds from now: delay-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"), RFC 9110 §10.2.3. Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Every HTTP-date form names its month ("Oct"); Date.parse would also take "1.5" or "-5".
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A failure that no retry can fix (a refused row, a 4xx): `retry` gives up on it at once. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export interface RetryHooks {
  /** Whether this failure may be tried again (default: all but PermanentError). */
  retryable?: (err: unknown) => boolean;
  /** What the failure asked to wait (a Retry-After), in ms. */
  retryAfterMs?: (err: unknown) => number | undefined;
  /** Told of each failure that will be retried, before the wait. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
  /** Checked before each wait: false gives up (the caller no longer owns the work). */
  active?: () => boolean;
}

/** Runs `step` until it succeeds, or throws its last failure once the policy or the hooks say stop. */
export async function retry<T>(p: RetryPolicy, step: (attempt: number) => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (err) {
      const retryable = hooks.retryable ? hooks.retryable(err) : !(err instanceof PermanentError);
      const wait = backoffMs(p, attempt, hooks.retryAfterMs?.(err));
      if (!retryable || !mayRetry(p, attempt, startedAt, wait) || hooks.active?.() === false) throw err;
      hooks.onRetry?.(err, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
