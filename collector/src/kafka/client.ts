import { Kafka, logLevel, type Admin } from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Topic names start with this. */
  topicPrefix: string;
  partitions: number;
  /** Consumer group of the writers. */
  groupId: string;
}

export function topics(s: KafkaSettings): { spans: string; feedback: string; logs: string; deadLetter: string } {
  return { spans: `${s.topicPrefix}spans`, feedback: `${s.topicPrefix}feedback`, logs: `${s.topicPrefix}logs`, deadLetter: `${s.topicPrefix}dead-letter` };
}

/** The topics writers read (everything but the dead letters). */
export function writerTopics(s: KafkaSettings): string[] {
  const t = topics(s);
  return [t.spans, t.feedback, t.logs];
}

export function createKafka(s: KafkaSettings): Kafka {
  return new Kafka({
    clientId: s.clientId,
    brokers: s.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    // A short retry budget: an unreachable broker must turn into a 503 within seconds.
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/** Creates the topics if missing; safe to run from every process at start. */
export async function ensureTopics(admin: Admin, s: KafkaSettings): Promise<void> {
  const t = topics(s);
  await createTopicsIfMissing(admin, [...writerTopics(s), t.deadLetter], s.partitions);
}

/**
 * Creates the topics that do not exist yet, then waits until the broker answers metadata for
 * all of them with a leader per partition. Another process may create them in between; a
 * broker that has just started (KRaft) can answer UNKNOWN_TOPIC_OR_PARTITION for a while
 * after the create returned, and a consumer subscribing then fails, so both are retried.
 */
export async function createTopicsIfMissing(admin: Admin, names: readonly string[], partitions: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const retriable = (err: unknown) => {
    const e = err as { type?: string; retriable?: boolean };
    return e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || e.type === 'LEADER_NOT_AVAILABLE' || e.retriable === true;
  };
  for (;;) {
    try {
      const existing = new Set(await admin.listTopics());
      const wanted = names.filter((name) => !existing.has(name));
      if (wanted.length > 0) {
        await admin.createTopics({ waitForLeaders: true, topics: wanted.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) }).catch((err: unknown) => {
          if (!String((err as Error).message).includes('already exists')) throw err;
        });
      }
      const { topics: meta } = await admin.fetchTopicMetadata({ topics: [...names] });
      if (meta.length === names.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (!retriable(err) || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`kafka: topics ${names.join(', ')} have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
