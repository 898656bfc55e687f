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
  const existing = new Set(await admin.listTopics());
  const wanted = [t.spans, t.feedback, t.deadLetter].filter((name) => !existing.has(name));
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ waitForLeaders: true, topics: wanted.map((topic) => ({ topic, numPartitions: s.partitions, replicationFactor: 1 })) });
  } catch (err) {
    // Another process may have created them in between.
    if (!String((err as Error).message).includes('already exists')) throw err;
  }
}
