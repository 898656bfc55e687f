import { backoffMs, retryPolicy } from '../retry.ts';
import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { topics, writerTopics, type KafkaSettings } from '../kafka/client.ts';
import { FORMAT_HEADER, KEY_HEADER } from '../kafka/records.ts';
import type { BatchOutcome, DeadLetter, LogBatch, LogRecord, LogSource } from './log.ts';

/** A crashed consumer is replaced after 0.5 s, doubling to 10 s (the restarts are its own loop, driven by kafkajs's crash events). */
const CONSUMER_RESTART = retryPolicy({ initialMs: 500, maxMs: 10_000, jitter: 0.2 });

export interface KafkaSourceOptions {
  kafka: Kafka;
  /** A connected admin client, owned by the caller (lag is read through it). */
  admin: Admin;
  settings: KafkaSettings;
  report?: (message: string) => void;
}

const NO_KEYS = new BigUint64Array(0);

function toRecord(m: KafkaMessage): LogRecord {
  const key = m.headers?.[KEY_HEADER];
  const keys = Buffer.isBuffer(key) && key.length === 8 ? new BigUint64Array([key.readBigUInt64LE(0)]) : NO_KEYS;
  return { offset: BigInt(m.offset), format: m.headers?.[FORMAT_HEADER]?.toString() ?? '', rows: 1, keys, body: m.value ?? Buffer.alloc(0), key: m.key };
}

/**
 * Kafka as the writer's source: a consumer group over the spans, feedback and logs topics, one
 * record per row. Offsets are committed only after the writer stored a batch; a batch the
 * writer abandons (stopping, partition lost) is fetched again by whoever owns it next.
 */
export class KafkaSource implements LogSource {
  readonly id: string;
  readonly exclusive = false;
  private consumer: Consumer;
  private readonly dlq: Producer;
  private readonly topics: ReturnType<typeof topics>;
  private reassigned: Array<() => void> = [];
  private handle?: (batch: LogBatch) => Promise<BatchOutcome>;
  private closed = false;
  private restartTimer?: NodeJS.Timeout;
  private restarts = 0;

  private constructor(private readonly o: KafkaSourceOptions) {
    this.id = o.settings.groupId;
    this.topics = topics(o.settings);
    this.consumer = this.newConsumer();
    this.dlq = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  static async connect(o: KafkaSourceOptions): Promise<KafkaSource> {
    const s = new KafkaSource(o);
    try {
      await s.dlq.connect();
      await s.subscribe(s.consumer);
    } catch (err) {
      await s.close().catch(() => undefined);
      throw err;
    }
    return s;
  }

  private newConsumer(): Consumer {
    // A short fetch wait keeps shutdown quick (disconnect waits for the fetch in flight).
    const c = this.o.kafka.consumer({ groupId: this.o.settings.groupId, sessionTimeout: 30_000, heartbeatInterval: 3000, maxBytesPerPartition: 8 * 1024 * 1024, maxWaitTimeInMs: 500 });
    // After a rebalance this writer may own partitions another writer stored into.
    c.on(c.events.GROUP_JOIN, () => {
      if (this.restarts > 0) this.o.report?.('spanlens: writer: Kafka consumer running again');
      this.restarts = 0;
      for (const l of this.reassigned) l();
    });
    // kafkajs restarts a consumer only after a retriable crash; one that gave up (a broker
    // gone longer than its retries, a non-retriable wrapper) would leave the writer stopped
    // for good, so a fresh consumer takes over until close().
    c.on(c.events.CRASH, (e) => {
      if (!e.payload.restart && c === this.consumer) this.replace(e.payload.error);
    });
    return c;
  }

  private async subscribe(c: Consumer): Promise<void> {
    await c.connect();
    await c.subscribe({ topics: writerTopics(this.o.settings), fromBeginning: true });
  }

  private replace(error: Error): void {
    if (this.closed) return;
    const delay = backoffMs(CONSUMER_RESTART, ++this.restarts);
    if (this.restarts === 1) this.o.report?.(`spanlens: writer: Kafka consumer stopped (${error.name}); a new one starts, retrying with backoff`);
    this.restartTimer = setTimeout(() => {
      void (async () => {
        if (this.closed) return;
        await this.consumer.disconnect().catch(() => undefined);
        const c = this.newConsumer();
        this.consumer = c;
        try {
          await this.subscribe(c);
          if (this.handle) this.runOn(c, this.handle);
        } catch (err) {
          if (c === this.consumer) this.replace(err as Error);
        }
      })();
    }, delay);
  }

  onReassigned(listener: () => void): void {
    this.reassigned.push(listener);
  }

  run(handle: (batch: LogBatch) => Promise<BatchOutcome>): void {
    this.handle = handle;
    this.runOn(this.consumer, handle);
  }

  private runOn(consumer: Consumer, handle: (batch: LogBatch) => Promise<BatchOutcome>): void {
    consumer
      .run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 2,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (batch.messages.length === 0) return;
          const outcome = await handle({
            stream: batch.topic,
            partition: batch.partition,
            records: batch.messages.map(toRecord),
            first: BigInt(batch.firstOffset()!),
            last: BigInt(batch.lastOffset()),
            active: () => isRunning() && !isStale() && consumer === this.consumer,
            heartbeat,
          });
          if (outcome.kind === 'need') {
            // The recorded batch is not all here yet: take none of it, so it is never split.
            await new Promise((r) => setTimeout(r, 200));
            return;
          }
          if (outcome.kind !== 'stored') return;
          resolveOffset(outcome.through.toString());
          // Committed only now, after the insert: a crash before this line redelivers the batch.
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (outcome.through + 1n).toString() }]);
        },
      })
      .catch((err: unknown) => {
        if (consumer === this.consumer) this.replace(err as Error);
      });
  }

  async deadLetter(partition: number, items: DeadLetter[]): Promise<void> {
    const t = this.topics;
    await this.dlq.send({
      topic: t.deadLetter,
      acks: -1,
      messages: items.map(({ record, row, reason }) => ({
        key: record.key ?? null,
        value: row,
        headers: { [FORMAT_HEADER]: record.format, 'spanlens-dlq-reason': reason.slice(0, 500), 'spanlens-source': `${record.format}/${partition}/${record.offset}` },
      })),
    });
  }

  async lag() {
    const out: Array<{ labels: Record<string, string>; value: number }> = [];
    const { admin, settings } = this.o;
    for (const topic of writerTopics(settings)) {
      const [latest, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: settings.groupId, topics: [topic] })]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const p of latest) out.push({ labels: { topic, partition: String(p.partition) }, value: Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0)) });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    await this.consumer.disconnect();
    await this.dlq.disconnect();
  }
}
