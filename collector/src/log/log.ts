/**
 * The write pipeline's two roles: a log that holds what receivers acknowledged, and the
 * writer that moves it to ClickHouse. Two logs implement LogSource: the local segment log
 * (one process) and Kafka (many machines); the writer (writer/writer.ts) is the same for both.
 */

/** One record as the writer sees it: rows already encoded as insert-ready lines. */
export interface LogRecord {
  offset: bigint;
  /** Record format name (kafka/records.ts FORMATS); unknown names are dead-lettered. */
  format: string;
  rows: number;
  /** Identity hashes of span rows (span-key.ts), one per row; empty when unknown. */
  keys: BigUint64Array;
  /** `rows` lines, each ending in '\n' (Kafka: one row, the newline left out). */
  body: Buffer;
  /** The Kafka message key, kept on a dead letter. */
  key?: Buffer | null;
}

export interface LogBatch {
  /** The stream the batch is from (a Kafka topic; 'local' for the local log). */
  stream: string;
  /** The part of the stream (a Kafka partition; 0 for the local log). */
  partition: number;
  /** Records in offset order, consecutive except where a log has compacted or skipped. */
  records: LogRecord[];
  first: bigint;
  last: bigint;
  /** False once the batch is no longer this writer's (stopping, partition reassigned). */
  active(): boolean;
  /** Keeps a group membership alive during long retries. */
  heartbeat(): Promise<void>;
}

export type BatchOutcome =
  /** Stored through `through` (inclusive): commit that far; later records come again. */
  | { kind: 'stored'; through: bigint }
  /** An earlier attempt recorded this batch up to `through`, further than offered: offer from the same first offset again, through it. */
  | { kind: 'need'; through: bigint }
  /** Give up on the batch for now (not active any more); nothing is committed. */
  | { kind: 'abandoned' };

export interface DeadLetter {
  record: LogRecord;
  /** One line of the record's body; the whole body when the record could not be read. */
  row: Buffer;
  reason: string;
}

export interface LogSource {
  /** Names the log in intents and deduplication tokens: unique per log, stable across restarts. */
  readonly id: string;
  /** True when this writer is the log's only reader (no other writer can record intents). */
  readonly exclusive: boolean;
  /** Calls `handle` for batch after batch until close(); commits what each outcome says. */
  run(handle: (batch: LogBatch) => Promise<BatchOutcome>): void;
  /** Keeps rows ClickHouse can never take, with the reason, where an operator can find them. */
  deadLetter(partition: number, items: DeadLetter[]): Promise<void>;
  /** Records not yet committed, per partition. */
  lag(): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  /** Called when the writer must forget what it knows of other writers' work (a rebalance). */
  onReassigned?(listener: () => void): void;
  close(): Promise<void>;
}
