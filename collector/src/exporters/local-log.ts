import type { SpanRow } from '@spanlens/clickhouse';
import { encodeBody, type RecordFormat } from '../kafka/records.ts';
import type { LocalLog } from '../log/local-log.ts';
import { spanKeys } from '../span-key.ts';
import { ExportFailedError, QueueFullError, type Exporter } from './exporter.ts';

const NO_KEYS = new BigUint64Array(0);

/**
 * Appends one request's rows to the local log as one record, encoded once as insert-ready
 * lines (with the span keys the writer's repeat check needs). export() resolves when the
 * record is on disk: that is what a 200 means in the one-process deployment.
 */
export class LocalLogExporter<T> implements Exporter<T> {
  readonly name: string;
  readonly fullMessage = 'the ingest log is at its disk budget (SPANLENS_LOG_MAX_BYTES) until the writer catches up: retry later';

  constructor(
    private readonly log: LocalLog,
    private readonly format: RecordFormat<T>,
  ) {
    this.name = `log/${format.table}`;
  }

  get full(): boolean {
    return this.log.full;
  }

  async export(rows: T[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.log.full) throw new QueueFullError(1, this.fullMessage);
    const keys = this.format.table === 'spans' ? spanKeys(rows as unknown as SpanRow[]) : NO_KEYS;
    try {
      await this.log.append({ format: this.format.name, rows: rows.length, keys, body: encodeBody(this.format, rows) });
    } catch (err) {
      throw new ExportFailedError('the local log could not be written', { cause: err });
    }
  }

  async shutdown(): Promise<void> {}
}
