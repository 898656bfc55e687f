import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { IngestError } from './errors.ts';

/**
 * Spans per second per API key, shared by every receiver, so one noisy key cannot take
 * the collector from the others. A request larger than a whole second's budget takes the
 * whole budget rather than never passing.
 */
export class IngestRateLimiter {
  private readonly limiter: RateLimiterMemory | null;

  constructor(private readonly spansPerSecond: number) {
    this.limiter = spansPerSecond > 0 ? new RateLimiterMemory({ points: spansPerSecond, duration: 1 }) : null;
  }

  /** Before decoding: refuses a key whose budget is already spent, without decoding its body. */
  async check(keyId: string): Promise<void> {
    if (!this.limiter) return;
    const res = await this.limiter.get(keyId);
    if (res && res.remainingPoints <= 0) throw this.refusal(res);
  }

  async take(keyId: string, spans: number): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(keyId, Math.max(1, Math.min(spans, this.spansPerSecond)));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw this.refusal(err);
      throw err;
    }
  }

  private refusal(res: RateLimiterRes): IngestError {
    return new IngestError(
      'rate_limited',
      `this API key is over its ingest rate of ${this.spansPerSecond} spans/s (SPANLENS_INGEST_RATE_LIMIT): retry after the Retry-After delay`,
      Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    );
  }
}
