import type { Storage } from '@spanlens/clickhouse';
import { backoffMs, retryPolicy, type RetryPolicy } from '@spanlens/collector';
import type { Destination } from './rules.ts';
import { listDestinations, logAttempt, pendingDeliveries, type AlertEvent } from './store.ts';
import { postEvent, retryable, type PostResult } from './webhook.ts';

export interface NotifierOptions {
  storage: Storage;
  /** SPANLENS_WEBHOOK_ALLOW_PRIVATE: let webhooks reach loopback and private networks. */
  allowPrivate: boolean;
  timeoutMs?: number;
  /** Attempts and waits; default WEBHOOK_RETRY. */
  retry?: RetryPolicy;
  now?: () => number;
}

/** Six attempts over about ten minutes: waits of 10 s, 25 s, 1 min, 2.6 min, 6 min, ±20 %, at least Retry-After. */
export const WEBHOOK_RETRY = retryPolicy({ initialMs: 10_000, multiplier: 2.5, maxMs: 360_000, jitter: 0.2, maxAttempts: 6 });

/**
 * Delivers events to webhook destinations from the outbox (alert_events): every attempt is
 * logged, retryable failures wait with exponential backoff and jitter, and pending deliveries
 * resume after a restart. Receivers deduplicate on the event id header.
 */
export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queued = new Set<string>();
  private closed = false;
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  /** Checked before each attempt: false drops the delivery here (another process owns it now). */
  gate: () => boolean = () => true;

  constructor(private readonly opts: NotifierOptions) {
    this.policy = opts.retry ?? WEBHOOK_RETRY;
    this.now = opts.now ?? Date.now;
  }

  /** Picks up deliveries left pending by a previous process. */
  async resume(): Promise<number> {
    const pending = await pendingDeliveries(this.opts.storage);
    for (const p of pending) this.schedule(p.event, p.destinationId, p.attempts, Math.max(0, p.nextAttemptAt - this.now()));
    return pending.length;
  }

  enqueue(event: AlertEvent): void {
    for (const d of event.destinationIds) this.schedule(event, d, 0, 0);
  }

  /** Sends once, now, without the outbox: the destination's test button. */
  async test(dest: Destination, payload: Record<string, unknown>, eventId: string): Promise<PostResult> {
    return postEvent(dest, eventId, payload, { allowPrivate: this.opts.allowPrivate, timeoutMs: this.opts.timeoutMs ?? 10_000, now: this.now });
  }

  /** Resolves when nothing is in flight or due within `withinMs` (tests use it to wait for retries). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.timers.size > 0) {
      await Promise.all([...this.inFlight]);
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
  }

  private schedule(event: AlertEvent, destinationId: string, attemptsSoFar: number, delayMs: number): void {
    const key = `${event.id}/${destinationId}`;
    if (this.closed || this.queued.has(key)) return;
    this.queued.add(key);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.gate()) {
        this.queued.delete(key);
        return;
      }
      const run = this.attempt(event, destinationId, attemptsSoFar + 1).finally(() => {
        this.inFlight.delete(run);
      });
      this.inFlight.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(event: AlertEvent, destinationId: string, attempt: number): Promise<void> {
    const key = `${event.id}/${destinationId}`;
    const dest = (await listDestinations(this.opts.storage, event.projectId)).find((d) => d.id === destinationId);
    const result: PostResult = dest
      ? await postEvent(dest, event.id, event.payload, { allowPrivate: this.opts.allowPrivate, timeoutMs: this.opts.timeoutMs ?? 10_000, now: this.now })
      : { statusCode: 0, latencyMs: 0, error: 'destination deleted' };
    const ok = result.statusCode >= 200 && result.statusCode < 300;
    const again = !ok && dest !== undefined && retryable(result) && attempt < this.policy.maxAttempts;
    const wait = again ? backoffMs(this.policy, attempt, result.retryAfterMs) : 0;
    await logAttempt(this.opts.storage, {
      projectId: event.projectId,
      eventId: event.id,
      destinationId,
      attempt,
      outcome: ok ? 'success' : again ? 'retry' : 'failed',
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error: result.error,
      at: this.now(),
      nextAttemptAt: again ? this.now() + wait : null,
    });
    this.queued.delete(key);
    if (again) this.schedule(event, destinationId, attempt, wait);
  }
}
