import type { Producer } from 'kafkajs';
import type { RecordFormat } from '../kafka/records.ts';
import { FORMAT_HEADER, KEY_HEADER } from '../kafka/records.ts';
import { spanKey } from '../span-key.ts';
import type { SpanRow } from '@spanlens/clickhouse';
import { retryPolicy } from '../retry.ts';
import { BatchingExporter, type BatchingOptions } from './batching.ts';

/** Bytes per producer send, under the broker's default message.max.bytes (1 MiB) with room for batch overhead. */
const MAX_SEND_BYTES = 900 * 1024;

/**
 * Batches rows into one Kafka topic. A batch is acknowledged only when every replica in
 * sync has it (acks=-1); the producer is idempotent, so its own retries add no copies.
 */
export class KafkaExporter<T> extends BatchingExporter<T> {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly format: RecordFormat<T>,
    options: Omit<BatchingOptions<T>, 'name'> = {},
  ) {
    // The idempotent producer retries on its own; a second send of the batch would add copies.
    super({ name: `kafka/${topic}`, retry: retryPolicy({ initialMs: 0, maxAttempts: 1 }), ...options });
  }

  protected async write(rows: T[]): Promise<void> {
    const spans = this.format.table === 'spans';
    let messages: Array<{ key: string; value: string; headers: Record<string, string | Buffer> }> = [];
    let bytes = 0;
    // A broker refuses a record batch over message.max.bytes (1 MiB by default) for the whole
    // send, so a batch of large spans goes out in sends below that, one after another.
    for (const row of rows) {
      // The span's identity hash travels beside the row, so the writer's repeat check parses nothing.
      const headers: Record<string, string | Buffer> = { [FORMAT_HEADER]: this.format.name };
      if (spans) {
        const k = Buffer.allocUnsafe(8);
        k.writeBigUInt64LE(spanKey(row as unknown as SpanRow));
        headers[KEY_HEADER] = k;
      }
      const m = { key: this.format.key(row), value: this.format.encode(row), headers };
      const size = m.value.length + m.key.length + 64;
      if (messages.length > 0 && bytes + size > MAX_SEND_BYTES) {
        await this.send(messages);
        messages = [];
        bytes = 0;
      }
      messages.push(m);
      bytes += size;
    }
    if (messages.length > 0) await this.send(messages);
  }

  private async send(messages: Array<{ key: string; value: string; headers: Record<string, string | Buffer> }>): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages });
  }

  protected refused(): boolean {
    return false;
  }
}
