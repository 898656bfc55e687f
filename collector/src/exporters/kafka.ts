import type { Producer } from 'kafkajs';
import type { RecordFormat } from '../kafka/records.ts';
import { FORMAT_HEADER } from '../kafka/records.ts';
import { BatchingExporter, type BatchingOptions } from './batching.ts';

/**
 * Batches rows into one Kafka topic. A batch is acknowledged only when every replica in
 * sync has it (acks=-1); the producer is idempotent, so its own retries add no copies.
 */
export class KafkaExporter<T> extends BatchingExporter<T> {
  constructor(private readonly producer: Producer, private readonly topic: string, private readonly format: RecordFormat<T>, options: Omit<BatchingOptions<T>, 'name'> = {}) {
    super({ name: `kafka/${topic}`, attempts: 1, ...options });
  }

  protected async write(rows: T[]): Promise<void> {
    const headers = { [FORMAT_HEADER]: this.format.name };
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: rows.map((row) => ({ key: this.format.key(row), value: this.format.encode(row), headers })),
    });
  }

  protected refused(): boolean {
    return false;
  }
}
