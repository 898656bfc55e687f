import { isDataRejection, type Storage } from '@spanlens/clickhouse';
import { BatchingExporter, type BatchingOptions } from './batching.ts';

/** Batches into one ClickHouse table, with insert_deduplication_token across retries. */
export class ClickHouseExporter<T extends object> extends BatchingExporter<T> {
  private readonly table: string;

  constructor(private readonly storage: Storage, { table, ...options }: Omit<BatchingOptions<T>, 'name'> & { table: string }) {
    super({ name: `clickhouse/${table}`, ...options });
    this.table = table;
  }

  protected write(rows: T[], token: string): Promise<void> {
    return this.storage.insertRows(this.table, rows, { dedupToken: token });
  }

  protected refused(err: unknown): boolean {
    return isDataRejection(err);
  }
}

