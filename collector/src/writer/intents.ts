import { randomBytes } from 'node:crypto';
import type { Storage } from '@spanlens/clickhouse';

/**
 * What a batch will be, recorded in ClickHouse before its insert: its last offset, the rows
 * the repeat check skipped and its deduplication token. A batch offered again after a crash
 * is replayed exactly (the same rows, the same token), so ClickHouse drops what it already
 * has and fills what it lacks (a rollup the crash cut off), and nothing is counted twice.
 */
export interface Intent {
  last: bigint;
  /** Ordinals of skipped span rows within the batch. */
  skippedRows: number[];
  /** Offsets of skipped records (intents recorded by writers before skipped_rows existed). */
  skippedOffsets: bigint[];
  token: string;
}

export interface IntentKey {
  log: string;
  stream: string;
  partition: number;
  first: bigint;
}

/** A token derived from the batch's place in its log; the nonce keeps a recreated Kafka topic's offsets from matching old tokens. */
export function batchToken(k: IntentKey, last: bigint): string {
  return `${k.log}/${k.stream}/${k.partition}/${k.first}-${last}/${randomBytes(4).toString('hex')}`;
}

export async function findIntent(storage: Storage, k: IntentKey): Promise<Intent | undefined> {
  const rs = await storage.client.query({
    query: `SELECT toString(last_offset) AS last, skipped, skipped_rows, token FROM writer_batches FINAL
            WHERE group_id = {g:String} AND topic = {t:String} AND partition = {p:UInt32} AND first_offset = {f:UInt64}`,
    query_params: { g: k.log, t: k.stream, p: k.partition, f: k.first.toString() },
    format: 'JSONEachRow',
  });
  const row = (await rs.json<{ last: string; skipped: Array<string | number>; skipped_rows: number[]; token: string }>())[0];
  if (!row) return undefined;
  return { last: BigInt(row.last), skippedRows: row.skipped_rows.map(Number), skippedOffsets: row.skipped.map((o) => BigInt(o)), token: row.token };
}

export async function recordIntent(storage: Storage, k: IntentKey, i: Intent): Promise<void> {
  await storage.insertRows('writer_batches', [
    {
      group_id: k.log,
      topic: k.stream,
      partition: k.partition,
      first_offset: k.first.toString(),
      last_offset: i.last.toString(),
      skipped: [],
      skipped_rows: i.skippedRows,
      token: i.token,
    },
  ]);
}
