// The collector's defaults, in one place: the configuration schema (server/src/config.ts, the
// SPANLENS_* variables and the README's table) and every component built without a setting read
// these, so a collector built in a test behaves as `npm start` does.
export const COLLECTOR_DEFAULTS = {
  /** Days of spans kept; older spans are refused at ingest. */
  retentionDays: 30,
  /** Largest request body after decompression. */
  maxBodyBytes: 16 << 20,
  /** A request must arrive whole within this time (slow-drip uploads get 408). */
  requestTimeoutMs: 30_000,
  /** Spans per second per API key over all receivers; 0: no limit. */
  rateLimitSpansPerSecond: 50_000,
  /** Kafka producer: rows accepted but not yet in Kafka before ingest answers 503. */
  maxQueueRows: 20_000,
  /** Disk budget of the local log; ingest answers 503 beyond it. */
  logMaxBytes: 1 << 30,
  /** Seconds of ingest the writer's repeat check remembers. */
  repeatWindowSeconds: 3600,
  /** Rows per insert (the writer) and per producer batch (Kafka). */
  maxBatchRows: 20_000,
  /** 16 MiB: about 7,000 rows of 2 KB spans, past which larger inserts cost the engine memory and save it little CPU (BENCHMARKS.md). */
  maxBatchBytes: 16 << 20,
  /** How long a batch may wait to fill. */
  maxBatchDelayMs: 50,
  /** How long close() keeps writing out the local log; the rest is written at the next start. */
  drainMs: 30_000,
  limits: {
    maxSpansPerRequest: 10_000,
    maxAttributes: 256,
    maxAttributeLength: 16_384,
    maxContentLength: 262_144,
    maxEvents: 128,
  },
};

/** `given` over `defaults`, except where `given` holds undefined (an unset option keeps its default). */
export function withDefaults<T extends object>(defaults: T, given: Partial<T>): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
