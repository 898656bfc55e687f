import { randomUUID } from 'node:crypto';
import { COLLECTOR_DEFAULTS } from '../defaults.ts';
import { silentLogger, type Logger } from '../logger.ts';
import { retry, retryPolicy, type RetryPolicy } from '../retry.ts';
import { ExportFailedError, QueueFullError, type Exporter } from './exporter.ts';

export interface BatchingOptions<T> {
  name: string;
  /** Flush when this many rows wait. */
  maxBatchRows?: number;
  /** Flush at the latest this long after the first row arrived. */
  maxDelayMs?: number;
  /** Rows waiting plus rows being written; beyond this, export() rejects with QueueFullError. */
  maxQueueRows?: number;
  /** Write attempts per batch, each with the same deduplication token; refused rows are not retried. */
  retry?: RetryPolicy;
  /** Runs once per batch before the first insert attempt (for example to drop rows already stored). */
  prepare?: (rows: T[]) => Promise<T[]>;
  /** Told of every batch written (rows, seconds) or failed, for metrics. */
  observer?: { written(rows: number, seconds: number): void; failed(): void };
  log?: Logger;
}

interface Pending<T> {
  rows: T[];
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Size- and time-bounded batches to one destination (a ClickHouse table, a Kafka topic).
 * export() resolves when the batch holding its rows is durable, so a receiver
 * acknowledges only stored spans. A batch keeps one token across retries, which the
 * destination uses to drop a repeat (an insert that succeeded but reported an error).
 */
export abstract class BatchingExporter<T> implements Exporter<T> {
  readonly name: string;
  private readonly opts: Required<Omit<BatchingOptions<T>, 'prepare' | 'observer'>> & Pick<BatchingOptions<T>, 'prepare' | 'observer'>;
  private queue: Pending<T>[] = [];
  private queuedRows = 0;
  private inflightRows = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(options: BatchingOptions<T>) {
    const d = COLLECTOR_DEFAULTS;
    this.opts = { maxBatchRows: d.maxBatchRows, maxDelayMs: d.maxBatchDelayMs, maxQueueRows: d.maxQueueRows, retry: retryPolicy({ initialMs: 100, maxAttempts: 4 }), log: silentLogger(), ...options };
    this.name = options.name;
  }

  /** Writes one batch durably; `token` is the same on every retry of the batch. */
  protected abstract write(rows: T[], token: string): Promise<void>;

  /** True when the destination refused the data itself (not a lost connection). */
  protected abstract refused(err: unknown): boolean;

  /** Rows accepted but not yet committed. */
  get backlog(): number {
    return this.queuedRows + this.inflightRows;
  }

  get full(): boolean {
    return this.backlog >= this.opts.maxQueueRows;
  }

  export(rows: T[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    if (this.closed) return Promise.reject(new ExportFailedError('exporter is shut down'));
    if (this.backlog + rows.length > this.opts.maxQueueRows) {
      return Promise.reject(new QueueFullError());
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      if (this.queuedRows >= this.opts.maxBatchRows) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.maxDelayMs);
    });
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  // One insert at a time: while it runs the next batch fills, which is what batches them.
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Pending<T>[] = [];
      let n = 0;
      while (this.queue.length > 0 && n < this.opts.maxBatchRows) {
        const p = this.queue.shift()!;
        batch.push(p);
        n += p.rows.length;
      }
      this.queuedRows -= n;
      this.inflightRows += n;
      const started = performance.now();
      try {
        await this.insert(batch.flatMap((p) => p.rows));
        this.opts.observer?.written(n, (performance.now() - started) / 1000);
        for (const p of batch) p.resolve();
      } catch (err) {
        this.opts.observer?.failed();
        this.logFailure(err, n);
        if (batch.length > 1 && this.refused(err)) await this.insertEach(batch);
        else for (const p of batch) p.reject(new ExportFailedError('storage write failed', { cause: err }));
      } finally {
        this.inflightRows -= n;
      }
    }
  }

  // The destination refused the batch (bad data rather than a lost connection): write
  // request by request so one bad request does not fail the others that shared its batch.
  private async insertEach(batch: Pending<T>[]): Promise<void> {
    for (const p of batch) {
      try {
        await this.insert(p.rows);
        p.resolve();
      } catch (err) {
        p.reject(new ExportFailedError('storage write failed', { cause: err }));
      }
    }
  }

  // One line per failed batch, never per row; error messages can quote row data
  // (prompts), so only the error code and type are logged.
  private logFailure(err: unknown, rows: number): void {
    const e = err as { type?: unknown; name?: unknown; code?: unknown; clickhouseCode?: unknown };
    this.opts.log.error(`${this.name} write of ${rows} rows failed (code ${String(e.clickhouseCode ?? e.code ?? 'none')}, ${String(e.type ?? e.name ?? 'error')})`);
  }

  private async insert(batchRows: T[]): Promise<void> {
    const token = randomUUID();
    let rows: T[] | null = null;
    await retry(
      this.opts.retry,
      async () => {
        rows ??= this.opts.prepare ? await this.opts.prepare(batchRows) : batchRows;
        await this.write(rows, token);
      },
      { retryable: (err) => !this.refused(err) },
    );
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }
}
