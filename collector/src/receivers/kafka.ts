import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { clickHouseErrorCode, isDataRejection, type Storage } from '@spanlens/clickhouse';
import { topics, type KafkaSettings } from '../kafka/client.ts';
import { randomUUID } from 'node:crypto';
import { FORMAT_HEADER, FORMATS, SPAN_KEY_INDEX } from '../kafka/records.ts';
import { dropStoredSpans, type SpanKey } from '../exporters/span-dedup.ts';

export interface KafkaWriterOptions {
  kafka: Kafka;
  /** A connected admin client, owned by the caller (consumer lag is read through it). */
  admin: Admin;
  settings: KafkaSettings;
  storage: Storage;
  groupId: string;
}

export interface WriterStats {
  batches: number;
  rowsInserted: number;
  repeatsDropped: number;
  deadLettered: number;
  insertRetries: number;
}

interface Line extends SpanKey {
  message: KafkaMessage;
}

const MAX_BACKOFF_MS = 5000;

function backoff(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 6))));
}

interface Intent {
  last_offset: string;
  skipped: Array<string | number>;
  token: string;
}

async function findIntent(storage: Storage, groupId: string, topic: string, partition: number, first: string): Promise<Intent | undefined> {
  const rs = await storage.client.query({
    query: `SELECT toString(last_offset) AS last_offset, skipped, token FROM writer_batches FINAL
            WHERE group_id = {g:String} AND topic = {t:String} AND partition = {p:UInt32} AND first_offset = {f:UInt64}`,
    query_params: { g: groupId, t: topic, p: partition, f: first },
    format: 'JSONEachRow',
  });
  return (await rs.json<Intent>())[0];
}

/**
 * The Kafka receiver of the write pipeline: consumer group -> batches -> ClickHouse.
 * Offsets are committed only after the insert succeeded. While ClickHouse is down it
 * backs off and retries (Kafka holds the backlog); a redelivered record is dropped if
 * already stored; a record ClickHouse can never take goes to the dead-letter topic with
 * the reason, and its partition moves on.
 */
export interface KafkaWriter {
  stats: WriterStats;
  /** Records not yet written, over all partitions. */
  lag(): Promise<number>;
  lagByPartition(): Promise<Array<{ labels: { topic: string; partition: string }; value: number }>>;
  close(): Promise<void>;
}

export async function startKafkaWriter(o: KafkaWriterOptions): Promise<KafkaWriter> {
  const t = topics(o.settings);
  // A short fetch wait keeps shutdown quick (disconnect waits for the fetch in flight).
  const consumer: Consumer = o.kafka.consumer({ groupId: o.groupId, sessionTimeout: 30_000, heartbeatInterval: 3000, maxBytesPerPartition: 8 * 1024 * 1024, maxWaitTimeInMs: 500 });
  const dlq: Producer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const stats: WriterStats = { batches: 0, rowsInserted: 0, repeatsDropped: 0, deadLettered: 0, insertRetries: 0 };
  await dlq.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [t.spans, t.feedback], fromBeginning: true });

  const deadLetter = async (batch: EachBatchPayload['batch'], items: Array<{ message: KafkaMessage; reason: string }>) => {
    if (items.length === 0) return;
    await dlq.send({
      topic: t.deadLetter,
      acks: -1,
      messages: items.map(({ message, reason }) => ({
        key: message.key,
        value: message.value,
        headers: { ...message.headers, 'spanlens-dlq-reason': reason.slice(0, 500), 'spanlens-source': `${batch.topic}/${batch.partition}/${message.offset}` },
      })),
    });
    stats.deadLettered += items.length;
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 2,
    eachBatch: async (payload) => {
      const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
      if (batch.messages.length === 0) return;
      const poison: Array<{ message: KafkaMessage; reason: string }> = [];
      // Grouped by record format: during an upgrade a topic carries two versions at once.
      const groups = new Map<(typeof FORMATS)[string], Line[]>();
      for (const message of batch.messages) {
        const name = message.headers?.[FORMAT_HEADER]?.toString();
        const f = name ? FORMATS[name] : undefined;
        if (!f) { poison.push({ message, reason: `unknown record format '${name ?? ''}'` }); continue; }
        let row: unknown;
        try {
          row = JSON.parse(message.value?.toString('utf8') ?? '');
        } catch {
          poison.push({ message, reason: 'record value is not JSON' });
          continue;
        }
        if (!Array.isArray(row) || row.length !== f.columns.length) {
          poison.push({ message, reason: `record value must be an array of ${f.columns.length} columns` });
          continue;
        }
        let lines = groups.get(f);
        if (!lines) groups.set(f, (lines = []));
        lines.push(f.table === 'spans'
          ? { message, project_id: String(row[SPAN_KEY_INDEX.project]), trace_id: String(row[SPAN_KEY_INDEX.trace]), span_id: String(row[SPAN_KEY_INDEX.span]), start_time: String(row[SPAN_KEY_INDEX.start]) }
          : { message, project_id: '', trace_id: '', span_id: message.offset, start_time: '' });
      }
      // Retries while ClickHouse is unreachable or overloaded (Kafka keeps the backlog);
      // false when the consumer is stopping or lost the partition.
      const retry = async (step: () => Promise<void>): Promise<boolean> => {
        for (let attempt = 0; ; attempt++) {
          try {
            await step();
            return true;
          } catch {
            stats.insertRetries++;
            if (!isRunning() || isStale()) return false;
            await backoff(attempt);
            await heartbeat().catch(() => undefined);
          }
        }
      };

      // Each batch's boundaries, skipped offsets and token are recorded before its insert. A
      // batch seen again (the writer died before committing) is replayed exactly: the same
      // rows with the same token, which ClickHouse drops where it has them and fills where
      // it lacks them (a rollup the crash cut off).
      const first = batch.firstOffset()!;
      let intent: Intent | undefined;
      if (!(await retry(async () => { intent = await findIntent(o.storage, o.groupId, batch.topic, batch.partition, first); }))) return;
      if (intent && BigInt(intent.last_offset) > BigInt(batch.lastOffset())) {
        // The recorded batch is not all here yet: take none of it, so it is never split.
        await new Promise((r) => setTimeout(r, 200));
        return;
      }
      if (!intent) {
        const rec: Intent = { last_offset: batch.lastOffset(), skipped: [], token: `${batch.topic}/${batch.partition}/${first}/${randomUUID()}` };
        const ok = await retry(async () => {
          // Spans a client sent twice (at other offsets) are skipped, and the skip is recorded.
          const spans = [...groups].filter(([f]) => f.table === 'spans').flatMap(([, l]) => l);
          const fresh = new Set(await dropStoredSpans(o.storage, spans));
          rec.skipped = spans.filter((l) => !fresh.has(l)).map((l) => l.message.offset);
          await o.storage.insertRows('writer_batches', [{ group_id: o.groupId, topic: batch.topic, partition: batch.partition, first_offset: first, last_offset: rec.last_offset, skipped: rec.skipped, token: rec.token }]);
        });
        if (!ok) return;
        intent = rec;
      }
      // A recorded batch may end before this one: only its offsets now, the rest next time.
      const upTo = BigInt(intent.last_offset);
      const inRange = (m: KafkaMessage) => BigInt(m.offset) <= upTo;
      const skipped = new Set(intent.skipped.map(String));
      for (const [fmt, lines] of groups) {
        const keep = lines.filter((l) => inRange(l.message) && !skipped.has(l.message.offset));
        stats.repeatsDropped += lines.filter((l) => inRange(l.message)).length - keep.length;
        let refused: typeof poison = [];
        if (!(await retry(async () => { refused = await insertOrIsolate(o.storage, fmt.table, fmt.columns, keep, `${intent!.token}/${fmt.name}`, stats); }))) return;
        poison.push(...refused);
      }
      await deadLetter(batch, poison.filter((p) => inRange(p.message)));
      resolveOffset(intent.last_offset);
      // Committed only now, after the insert: a crash before this line redelivers the batch.
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (upTo + 1n).toString() }]);
      stats.batches++;
    },
  });

  const { admin } = o;
  const lagByPartition = async () => {
    const out: Array<{ labels: { topic: string; partition: string }; value: number }> = [];
    for (const topic of [t.spans, t.feedback]) {
      const [latest, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: o.groupId, topics: [topic] })]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      for (const p of latest) out.push({ labels: { topic, partition: String(p.partition) }, value: Math.max(0, Number(p.high) - Math.max(0, done.get(p.partition) ?? 0)) });
    }
    return out;
  };

  return {
    stats,
    lagByPartition,
    async lag() {
      return (await lagByPartition()).reduce((n, p) => n + p.value, 0);
    },
    async close() {
      await consumer.disconnect();
      await dlq.disconnect();
    },
  };
}

/**
 * Inserts the lines; when ClickHouse refuses the data itself, halves the batch until the
 * refused records are found and returns them (for the dead-letter topic). Transport
 * errors are thrown for the caller to retry.
 */
async function insertOrIsolate(storage: Storage, table: string, columns: readonly string[], lines: Line[], token: string, stats: WriterStats): Promise<Array<{ message: KafkaMessage; reason: string }>> {
  if (lines.length === 0) return [];
  try {
    await storage.insertCompact(table, columns, body(lines), { dedupToken: token });
    stats.rowsInserted += lines.length;
    return [];
  } catch (err) {
    if (!isDataRejection(err)) throw err;
    if (lines.length === 1) return [{ message: lines[0]!.message, reason: `ClickHouse refused the row (code ${clickHouseErrorCode(err)})` }];
    const mid = lines.length >> 1;
    return [
      ...await insertOrIsolate(storage, table, columns, lines.slice(0, mid), `${token}/a`, stats),
      ...await insertOrIsolate(storage, table, columns, lines.slice(mid), `${token}/b`, stats),
    ];
  }
}

function body(lines: Line[]): Buffer {
  return Buffer.concat(lines.flatMap((l) => [l.message.value ?? Buffer.alloc(0), NEWLINE]));
}

const NEWLINE = Buffer.from('\n');

