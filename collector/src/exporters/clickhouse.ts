import type { Storage } from '@spanlens/clickhouse';
import { BatchingExporter, type BatchingOptions } from './batching.ts';

/** Batches into one ClickHouse table, with insert_deduplication_token across retries. */
export class ClickHouseExporter<T extends object> extends BatchingExporter<T> {
  constructor(private readonly storage: Storage, options: Omit<BatchingOptions<T>, 'name'> & { table: string }) {
    super({ name: `clickhouse/${options.table}`, ...options });
    this.table = options.table;
  }

  private readonly table: string;

  protected write(rows: T[], token: string): Promise<void> {
    return this.storage.insertRows(this.table, rows, { dedupToken: token });
  }

  protected refused(err: unknown): boolean {
    return clickHouseCode(err) !== undefined;
  }
}

/** The ClickHouse error code of a server-side rejection; undefined for transport errors. */
function clickHouseCode(err: unknown): string | undefined {
  const e = err as { clickhouseCode?: unknown; code?: unknown };
  const code = e.clickhouseCode ?? e.code;
  return (typeof code === 'number' || (typeof code === 'string' && /^\d+$/.test(code))) ? String(code) : undefined;
}
