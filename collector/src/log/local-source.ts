import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchOutcome, DeadLetter, LogBatch, LogSource } from './log.ts';
import type { LocalLog } from './local-log.ts';

export interface LocalSourceOptions {
  /** Rows per batch, at most (a batch holds whole records, so one large record can exceed it). */
  maxBatchRows: number;
  /** Bytes of encoded rows per batch, at most (same rule): the engine's memory for an insert grows with it. */
  maxBatchBytes: number;
  /** How long the writer lets a batch fill once records arrive at an idle log. */
  maxDelayMs: number;
  /** How long close() keeps writing what the log holds before it stops (the rest waits for the next start). */
  drainMs: number;
  report?: (message: string) => void;
}

/** The local log as the writer's source: batches in offset order, one reader, commit after each. */
export class LocalLogSource implements LogSource {
  readonly id: string;
  readonly exclusive = true;
  private loop: Promise<void> | null = null;
  private stopping = false;
  private drainUntil = Infinity;

  constructor(
    private readonly log: LocalLog,
    private readonly o: LocalSourceOptions,
  ) {
    this.id = `local:${log.id}`;
  }

  run(handle: (batch: LogBatch) => Promise<BatchOutcome>): void {
    this.loop = this.consume(handle);
  }

  private active = () => !this.stopping || (Date.now() < this.drainUntil && this.log.committed < this.log.end);

  private async consume(handle: (batch: LogBatch) => Promise<BatchOutcome>): Promise<void> {
    let through: bigint | undefined;
    while (this.active()) {
      const next = this.log.committed;
      if (this.log.end <= next) {
        if (this.stopping) return;
        await this.log.waitFor(next, 1000);
        // Arrived at an idle log: let the batch fill a little (a busy writer never waits here).
        if (this.log.end > next && this.o.maxDelayMs > 0) await new Promise((r) => setTimeout(r, this.o.maxDelayMs));
        continue;
      }
      try {
        const records = await this.log.read(next, this.o.maxBatchRows, through, this.o.maxBatchBytes);
        if (records.length === 0) continue;
        const outcome = await handle({
          stream: 'local',
          partition: 0,
          records,
          first: records[0]!.offset,
          last: records.at(-1)!.offset,
          active: this.active,
          heartbeat: async () => undefined,
        });
        if (outcome.kind === 'need') {
          through = outcome.through;
          continue;
        }
        through = undefined;
        if (outcome.kind === 'stored') await this.log.commit(outcome.through + 1n);
      } catch (err) {
        // A failure here is this process's (a segment unreadable); the records stay for the next try.
        this.o.report?.(`spanlens: writer: reading the log failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Appends the rows to dead-letter.jsonl in the log directory, one JSON object a line. */
  async deadLetter(_partition: number, items: DeadLetter[]): Promise<void> {
    const fh = await open(join(this.log.dir, 'dead-letter.jsonl'), 'a');
    try {
      const at = new Date().toISOString();
      await fh.writeFile(
        items.map((d) => JSON.stringify({ at, offset: d.record.offset.toString(), format: d.record.format, reason: d.reason, row: d.row.toString('utf8').trimEnd() }) + '\n').join(''),
      );
      await fh.datasync();
    } finally {
      await fh.close();
    }
  }

  async lag() {
    return [{ labels: { topic: 'local', partition: '0' }, value: this.log.lag }];
  }

  /** Writes out what the log holds for up to drainMs, then stops; the log itself is closed by its owner. */
  async close(): Promise<void> {
    this.drainUntil = Date.now() + this.o.drainMs;
    this.stopping = true;
    await this.loop;
  }
}
