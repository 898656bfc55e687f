/** The last stage of a pipeline: resolves only once the items are durable. */
export interface Exporter<T> {
  readonly name: string;
  /** True while export() would refuse with QueueFullError: receivers check it before decoding. */
  readonly full: boolean;
  /** What a client is told while full (names the limit it hit). */
  readonly fullMessage?: string;
  export(items: T[]): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The exporter's queue is full: the receiver answers 503 with Retry-After, by default one
 * second, the shortest delay the header can give: the queue drains in inserts of a batch.
 */
export class QueueFullError extends Error {
  constructor(
    readonly retryAfterSeconds = 1,
    message = 'ingest buffer is full, retry later',
  ) {
    super(message);
  }
}

/** Storage failed even after retries: the receiver answers 503 so the client retries. */
export class ExportFailedError extends Error {}
