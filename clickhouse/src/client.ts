import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection, type ChdbConnection } from 'chdb/connection';

export interface StorageOptions {
  /** A ClickHouse server (http[s]://user:pass@host:port/db). Unset: embedded chDB. */
  url?: string;
  /** Data directory for embedded chDB; one process per directory. */
  dataDir: string;
}

export interface InsertOptions {
  /** Same token, same data: ClickHouse drops the repeat (needs non_replicated_deduplication_window). */
  dedupToken?: string;
}

/** The one storage handle: a @clickhouse/client over chDB or over a server, plus the fast insert path. */
export interface Storage {
  readonly client: ClickHouseClient;
  readonly embedded: boolean;
  /** Inserts rows as JSONEachRow in one statement (materialized views included). */
  insertRows(table: string, rows: readonly object[], options?: InsertOptions): Promise<void>;
  /** Inserts a body already in JSONCompactEachRow for `columns` (what Kafka records carry). */
  insertCompact(table: string, columns: readonly string[], body: Buffer, options?: InsertOptions): Promise<void>;
  /** Runs a query that ends in a FORMAT clause and returns its output bytes (RowBinary reads). */
  queryBinary(query: string, params?: Record<string, unknown>): Promise<Buffer>;
  close(): Promise<void>;
}

// The views an insert feeds (minute and hour rollups, trace index) run in parallel instead of
// one after another: a 200-span insert took 107 ms serially and 72 ms so (bench/view-insert-cost.ts).
// async_insert is pinned off: chDB 26.7 turns it on by default, with async_insert_deduplicate
// off, and the writer's exactly-once rests on each insert being one block deduplicated by
// its token (BENCHMARKS.md, insert settings).
function insertSettings(options?: InsertOptions): Record<string, string | number> {
  const base = { parallel_view_processing: 1, async_insert: 0, insert_deduplicate: 1 };
  if (!options?.dedupToken) return base;
  return {
    ...base,
    insert_deduplication_token: options.dedupToken,
    deduplicate_blocks_in_dependent_materialized_views: 1,
  };
}

export function openStorage(options: StorageOptions): Storage {
  if (options.url) return serverStorage(options.url);
  return embeddedStorage(resolve(options.dataDir));
}

function serverStorage(url: string): Storage {
  const client = createClient({
    url,
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
  return {
    client,
    embedded: false,
    async insertRows(table, rows, options) {
      if (rows.length === 0) return;
      await client.insert({
        table,
        values: rows as object[],
        format: 'JSONEachRow',
        clickhouse_settings: insertSettings(options),
      });
    },
    async insertCompact(table, columns, body, options) {
      if (body.length === 0) return;
      await client.insert({
        table,
        columns: [...columns] as [string, ...string[]],
        values: Readable.from([body]),
        format: 'JSONCompactEachRow',
        clickhouse_settings: insertSettings(options),
      });
    },
    queryBinary: (query, params) => collect(client, query, params),
    close: () => client.close(),
  };
}

async function collect(client: ClickHouseClient, query: string, params?: Record<string, unknown>): Promise<Buffer> {
  const r = await client.exec({ query, query_params: params });
  const chunks: Buffer[] = [];
  for await (const c of r.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function embeddedStorage(dataDir: string): Storage {
  mkdirSync(dataDir, { recursive: true });
  const connection: ChdbConnection = createChdbConnection({ path: dataDir });
  const client = createClient({ connection } as Parameters<typeof createClient>[0]);
  return {
    client,
    embedded: true,
    async insertRows(table, rows, options) {
      if (rows.length === 0) return;
      // chDB's raw path hands one Buffer to the engine's parser: no per-row work in JS
      // beyond JSON.stringify, and no copy on the way in.
      let body = '';
      for (const row of rows) body += JSON.stringify(row) + '\n';
      await connection.chdb.rawInsert({
        table,
        values: Buffer.from(body),
        format: 'JSONEachRow',
        settings: insertSettings(options),
      });
    },
    async insertCompact(table, columns, body, options) {
      if (body.length === 0) return;
      await connection.chdb.rawInsert({ table, columns, values: body, format: 'JSONCompactEachRow', settings: insertSettings(options) });
    },
    queryBinary: (query, params) => collect(client, query, params),
    close: () => client.close(),
  };
}

/** A clearer message for the one storage error a newcomer meets: a data directory in use. */
export function explainStorageError(err: unknown, dataDir: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  // chDB reports a locked directory as a failed connection (the engine's own line goes to stderr).
  if (/Cannot lock file|Another server instance|Failed to create connection for path/.test(message)) {
    return new Error(
      `cannot open data directory ${resolve(dataDir)}: it is in use by another Spanlens process (embedded ClickHouse allows one process per directory) or not writable. Stop that process, or set SPANLENS_DATA_DIR to another directory`,
    );
  }
  return err instanceof Error ? err : new Error(message);
}
