import { retry, retryPolicy } from '../retry.ts';
import type { Storage } from '@spanlens/clickhouse';
import { FORMATS } from '../kafka/records.ts';
import type { BatchOutcome, DeadLetter, LogBatch, LogRecord, LogSource } from '../log/log.ts';
import { batchToken, findIntent, recordIntent, type Intent, type IntentKey } from './intents.ts';
import { insertOrIsolate, type Piece } from './insert.ts';
import { lines } from './lines.ts';
import { RepeatCheck } from './repeat-check.ts';

export interface WriterOptions {
  storage: Storage;
  source: LogSource;
  /** Keys the repeat check remembers (seconds of ingest). */
  repeatWindowSeconds: number;
  /** Told of every insert (rows, seconds) and failed attempt, for metrics. */
  observer?: { written(table: string, rows: number, seconds: number): void; failed(table: string): void };
  /** One line per outage and per dead-lettered batch; never row data. */
  report?: (message: string) => void;
}

export interface WriterStats {
  batches: number;
  rowsInserted: number;
  repeatsDropped: number;
  deadLettered: number;
  insertRetries: number;
}

export interface Writer {
  stats: WriterStats;
  repeat: RepeatCheck;
  /** Records not yet written, over all partitions. */
  lag(): Promise<number>;
  lagByPartition(): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  close(): Promise<void>;
}

/** While ClickHouse is down: 100 ms doubling to 5 s, ±25 %, for as long as the batch is this writer's. */
const OUTAGE_RETRY = retryPolicy({ initialMs: 100, maxMs: 5000, jitter: 0.25 });

/**
 * The one writer, for the local log and for Kafka alike: log batch -> intent (find or record)
 * -> repeat check -> insert per table with the batch's token -> dead-letter what ClickHouse
 * can never take -> the source commits. While ClickHouse is unavailable it backs off and
 * retries, for as long as the batch is its own; the log holds the backlog meanwhile.
 */
export async function startWriter(o: WriterOptions): Promise<Writer> {
  const stats: WriterStats = { batches: 0, rowsInserted: 0, repeatsDropped: 0, deadLettered: 0, insertRetries: 0 };
  const repeat = new RepeatCheck(o.storage, o.repeatWindowSeconds);
  // A start with ClickHouse down must not fail: the check waits for its seed.
  const seed = () => {
    void retryForever(
      () => repeat.seed(),
      () => true,
    );
  };
  seed();
  o.source.onReassigned?.(seed);
  // With an exclusive log, only the first batch after start can have an intent from before.
  const resumed = new Set<string>();
  let outage: { since: number; reported: boolean } | null = null;

  async function retryForever(step: () => Promise<void>, active: () => boolean, onRetry?: () => Promise<void>): Promise<boolean> {
    const failed = (err: unknown) => {
      stats.insertRetries++;
      if (!outage) outage = { since: Date.now(), reported: false };
      if (!outage.reported) {
        outage.reported = true;
        const e = err as { code?: unknown; type?: unknown; name?: unknown };
        // The code and type only: ClickHouse messages can quote row data (prompts).
        o.report?.(`spanlens: writer: ClickHouse unavailable (code ${String(e.code ?? 'none')}, ${String(e.type ?? e.name ?? 'error')}); retrying with backoff, the log keeps the backlog`);
      }
    };
    try {
      await retry(
        OUTAGE_RETRY,
        async (attempt) => {
          if (attempt > 1) await onRetry?.().catch(() => undefined);
          try {
            await step();
          } catch (err) {
            failed(err);
            throw err;
          }
        },
        { active, retryable: () => true },
      );
    } catch {
      return false;
    }
    if (outage) {
      o.report?.(`spanlens: writer: ClickHouse takes inserts again after ${((Date.now() - outage.since) / 1000).toFixed(1)} s`);
      outage = null;
    }
    return true;
  }

  async function handle(batch: LogBatch): Promise<BatchOutcome> {
    const retry = (step: () => Promise<void>) => retryForever(step, batch.active, batch.heartbeat);
    const key: IntentKey = { log: o.source.id, stream: batch.stream, partition: batch.partition, first: batch.first };
    const where = `${batch.stream}/${batch.partition}`;
    let intent: Intent | undefined;
    if (!o.source.exclusive || !resumed.has(where)) {
      if (
        !(await retry(async () => {
          intent = await findIntent(o.storage, key);
        }))
      )
        return { kind: 'abandoned' };
      resumed.add(where);
    }
    if (intent && intent.last > batch.last) return { kind: 'need', through: intent.last };
    const spanRecords = batch.records.filter((r) => FORMATS[r.format]?.table === 'spans');
    if (!intent) {
      const rec: Intent = { last: batch.last, skippedRows: [], skippedOffsets: [], token: batchToken(key, batch.last) };
      const ok = await retry(async () => {
        rec.skippedRows = await repeat.check(spanRecords);
        await recordIntent(o.storage, key, rec);
      });
      if (!ok) return { kind: 'abandoned' };
      intent = rec;
    }
    const through = intent.last;
    const { groups, dead, keys, skipped } = plan(batch.records, intent);
    stats.repeatsDropped += skipped;
    for (const [name, pieces] of groups) {
      const f = FORMATS[name]!;
      let refused: DeadLetter[] = [];
      const started = performance.now();
      const ok = await retry(async () => {
        try {
          const r = await insertOrIsolate(o.storage, f.table, f.columns, pieces, `${intent!.token}/${name}`);
          stats.rowsInserted += r.inserted;
          refused = r.refused;
          o.observer?.written(f.table, r.inserted, (performance.now() - started) / 1000);
        } catch (err) {
          o.observer?.failed(f.table);
          throw err;
        }
      });
      if (!ok) return { kind: 'abandoned' };
      dead.push(...refused);
    }
    repeat.add(keys);
    if (dead.length > 0) {
      if (!(await retry(() => o.source.deadLetter(batch.partition, dead)))) return { kind: 'abandoned' };
      stats.deadLettered += dead.length;
      o.report?.(`spanlens: writer: ${dead.length} rows of ${where} that ClickHouse cannot take went to the dead-letter log (${[...new Set(dead.map((d) => d.reason))].slice(0, 3).join('; ')})`);
    }
    stats.batches++;
    return { kind: 'stored', through };
  }

  o.source.run(handle);

  return {
    stats,
    repeat,
    lagByPartition: () => o.source.lag(),
    async lag() {
      return (await o.source.lag()).reduce((n, p) => n + p.value, 0);
    },
    close: () => o.source.close(),
  };
}

/** The batch's records up to the intent's last offset, grouped by format, without the skipped rows. */
function plan(records: readonly LogRecord[], intent: Intent) {
  const groups = new Map<string, Piece[]>();
  const dead: DeadLetter[] = [];
  const keys: bigint[] = [];
  const skipRows = new Set(intent.skippedRows);
  const skipOffsets = new Set(intent.skippedOffsets);
  let ordinal = 0;
  let skipped = 0;
  for (const record of records) {
    const f = FORMATS[record.format];
    const isSpans = f?.table === 'spans';
    const firstOrdinal = ordinal;
    if (isSpans) ordinal += record.rows;
    if (record.offset > intent.last) continue;
    if (!f) {
      dead.push({ record, row: record.body, reason: `unknown record format '${record.format}'` });
      continue;
    }
    let piece: Piece = { record, body: record.body, rows: record.rows };
    if (isSpans) {
      if (skipOffsets.has(record.offset)) {
        skipped += record.rows;
        continue;
      }
      let kept: Buffer[] | null = null;
      for (let i = 0; i < record.rows; i++) {
        if (!skipRows.has(firstOrdinal + i)) {
          const k = record.keys[i];
          if (k !== undefined) keys.push(k);
          continue;
        }
        kept ??= lines(record.body);
        kept[i] = EMPTY;
        skipped++;
      }
      if (kept) piece = { record, body: Buffer.concat(kept), rows: kept.filter((l) => l !== EMPTY).length };
    }
    let g = groups.get(record.format);
    if (!g) groups.set(record.format, (g = []));
    g.push(piece);
  }
  return { groups, dead, keys, skipped };
}

const EMPTY = Buffer.alloc(0);
