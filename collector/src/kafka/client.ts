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

export function topics(s: KafkaSettings): { spans: string; feedback: string; deadLetter: string } {
  return { spans: `${s.topicPrefix}spans`, feedback: `${s.topicPrefix}feedback`, deadLetter: `${s.topicPrefix}dead-letter` };
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
  await createTopicsIfMissing(admin, [t.spans, t.feedback, t.deadLetter], s.partitions);
}

/**
 * Creates the topics that do not exist yet and waits for their leaders. Another process may
 * create them in between; a broker that has just started can answer the leader check
 * before it knows a new topic (UNKNOWN_TOPIC_OR_PARTITION), which is retried.
 */
export async function createTopicsIfMissing(admin: Admin, names: readonly string[], partitions: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const existing = new Set(await admin.listTopics());
    const wanted = names.filter((name) => !existing.has(name));
    if (wanted.length === 0) return;
    try {
      await admin.createTopics({ waitForLeaders: true, topics: wanted.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
      return;
    } catch (err) {
      const e = err as { message?: string; type?: string };
      if (String(e.message).includes('already exists')) return;
      if (e.type !== 'UNKNOWN_TOPIC_OR_PARTITION' || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
