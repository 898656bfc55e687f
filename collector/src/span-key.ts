import xxhash from 'xxhash-wasm';
import type { SpanRow } from '@spanlens/clickhouse';

const { h64 } = await xxhash();

/**
 * A span's identity as one 64-bit hash, computed at ingest and carried in the log with its
 * row, so the writer's repeat check reads no row. ClickHouse computes the same value as
 * SPAN_KEY_SQL (XXH64 of the same UTF-8 text), which seeds the check from what is stored.
 */
export function spanKey(row: Pick<SpanRow, 'project_id' | 'trace_id' | 'span_id'>): bigint {
  return h64(`${row.project_id}/${row.trace_id}/${row.span_id}`);
}

export const SPAN_KEY_SQL = "xxHash64(concat(project_id, '/', trace_id, '/', span_id))";

export function spanKeys(rows: readonly SpanRow[]): BigUint64Array {
  const keys = new BigUint64Array(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = spanKey(rows[i]!);
  return keys;
}
