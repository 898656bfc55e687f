import type { Storage } from '@spanlens/clickhouse';
import type { LogRecord } from '../log/log.ts';
import { SPAN_KEY_SQL } from '../span-key.ts';
import { SPAN_KEY_INDEX } from '../kafka/records.ts';
import { RecentKeys } from './bloom.ts';
import { lines } from './lines.ts';

const { project: PROJECT, trace: TRACE, span: SPAN, start: START } = SPAN_KEY_INDEX;

export interface RepeatStats {
  /** Rows the filter could not rule out, looked up in ClickHouse. */
  lookedUp: number;
  /** Time spent in those lookups, in ms (the rest of a check is the filter, in JavaScript). */
  lookupMs: number;
  seededKeys: number;
  seedSeconds: number;
}

/**
 * Finds span rows that are already stored or repeated within the batch, so a client that
 * re-sends a request whose answer it lost is not counted twice by the rollups (the spans
 * table itself collapses repeats on merge). A filter of the keys stored in the last window
 * rules out almost every row without a query; only the rows it cannot rule out (repeats,
 * and about 0.2 % false alarms) are looked up by primary key. Its cost per batch does not
 * grow with the rows in the hour. The filter is seeded from ClickHouse at start and after a
 * rebalance, so it also knows what earlier processes and other writers stored.
 */
export class RepeatCheck {
  private readonly keys: RecentKeys;
  private seeding: Promise<void> | null = null;
  readonly stats: RepeatStats = { lookedUp: 0, lookupMs: 0, seededKeys: 0, seedSeconds: 0 };

  constructor(
    private readonly storage: Storage,
    private readonly windowSeconds: number,
  ) {
    this.keys = new RecentKeys(windowSeconds * 1000);
  }

  /** (Re)loads the keys ClickHouse stored in the last window. */
  seed(): Promise<void> {
    this.seeding = this.load();
    return this.seeding;
  }

  private async load(): Promise<void> {
    const t = performance.now();
    const bytes = await this.storage.queryBinary(`SELECT ${SPAN_KEY_SQL} FROM spans WHERE ingested_at >= now64(3) - toIntervalSecond({w:UInt32}) FORMAT RowBinary`, { w: this.windowSeconds });
    const n = this.seedFrom(bytes);
    this.stats.seededKeys = n;
    this.stats.seedSeconds = (performance.now() - t) / 1000;
  }

  /** Replaces the filter's keys with `bytes` (UInt64 keys, as RowBinary has them); returns how many. */
  seedFrom(bytes: Buffer): number {
    this.keys.clear();
    const n = Math.floor(bytes.length / 8);
    this.keys.reserve(n);
    // Little-endian: low word first. A typed view needs 4-byte alignment.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
    this.keys.addWords(new Uint32Array(aligned.buffer, aligned.byteOffset, n * 2));
    return n;
  }

  /** Ordinals (over the span rows of `records`, in order) of the rows to skip. */
  async check(records: readonly LogRecord[]): Promise<number[]> {
    await this.seeding;
    const inBatch = new Set<bigint>();
    const skipped: number[] = [];
    const candidates: Array<{ ordinal: number; record: LogRecord; row: number }> = [];
    let ordinal = 0;
    for (const record of records) {
      // The same keys as 32-bit halves (little-endian: low word first), for the filter.
      const words = new Uint32Array(record.keys.buffer, record.keys.byteOffset, record.keys.length * 2);
      for (let i = 0; i < record.rows; i++, ordinal++) {
        const key = record.keys[i];
        if (key === undefined) {
          candidates.push({ ordinal, record, row: i });
          continue;
        }
        if (inBatch.has(key)) {
          skipped.push(ordinal);
          continue;
        }
        inBatch.add(key);
        if (this.keys.hasHalves(words[2 * i + 1]!, words[2 * i]!)) candidates.push({ ordinal, record, row: i });
      }
    }
    if (candidates.length === 0) return skipped;
    this.stats.lookedUp += candidates.length;
    const split = new Map<LogRecord, Buffer[]>();
    const ids = candidates.map((c) => {
      let rows = split.get(c.record);
      if (!rows) split.set(c.record, (rows = lines(c.record.body)));
      return identity(rows[c.row]);
    });
    const known = ids.filter((id): id is SpanIdentity => id !== undefined);
    const t = performance.now();
    const stored = known.length > 0 ? await this.storedAmong(known) : new Set<string>();
    this.stats.lookupMs += performance.now() - t;
    const seen = new Set<string>();
    for (const [n, c] of candidates.entries()) {
      const id = ids[n];
      // A row that is not a span row is no repeat: the insert refuses it and it is dead-lettered.
      if (!id) continue;
      const k = `${id.project}\u0000${id.trace}\u0000${id.span}`;
      if (stored.has(k) || seen.has(k)) skipped.push(c.ordinal);
      seen.add(k);
    }
    return skipped.sort((a, b) => a - b);
  }

  /** Memory the filter takes. */
  get filterBytes(): number {
    return this.keys.bytes;
  }

  /** Keys now stored: what later batches are checked against. */
  add(keys: Iterable<bigint>): void {
    for (const k of keys) this.keys.add(k);
  }

  // One query, narrowed by the primary key (project, hour, trace): a handful of granules.
  private async storedAmong(ids: SpanIdentity[]): Promise<Set<string>> {
    const rs = await this.storage.client.query({
      query: `
        SELECT project_id, trace_id, span_id FROM spans
        WHERE project_id IN {projects:Array(String)}
          AND toStartOfHour(start_time) IN {hours:Array(DateTime('UTC'))}
          AND trace_id IN {traces:Array(String)}
          AND span_id IN {spans:Array(String)}`,
      query_params: {
        projects: [...new Set(ids.map((i) => i.project))],
        hours: [...new Set(ids.map((i) => i.hour))],
        traces: [...new Set(ids.map((i) => i.trace))],
        spans: [...new Set(ids.map((i) => i.span))],
      },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ project_id: string; trace_id: string; span_id: string }>();
    return new Set(rows.map((r) => `${r.project_id}\u0000${r.trace_id}\u0000${r.span_id}`));
  }
}

interface SpanIdentity {
  project: string;
  trace: string;
  span: string;
  hour: string;
}

const HOUR = /^\d{4}-\d{2}-\d{2} \d{2}/;

function identity(line: Buffer | undefined): SpanIdentity | undefined {
  let row: unknown;
  try {
    row = JSON.parse(line?.toString('utf8') ?? '');
  } catch {
    return undefined;
  }
  if (!Array.isArray(row)) return undefined;
  const [project, trace, span, start] = [row[PROJECT], row[TRACE], row[SPAN], row[START]];
  if (typeof project !== 'string' || typeof trace !== 'string' || typeof span !== 'string' || typeof start !== 'string' || !HOUR.test(start)) return undefined;
  return { project, trace, span, hour: start.slice(0, 13) + ':00:00' };
}
