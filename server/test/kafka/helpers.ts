import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';

/** The broker the Kafka suite runs against (scripts/run-tests.mjs sets it). */
export function brokers(): string {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error('KAFKA_BROKERS is not set: run the Kafka suite through npm test, which starts scripts/kafka-local.sh');
  return b;
}

/** Topic prefix and consumer group of their own, so test files never see each other's records. */
export function isolatedKafkaEnv(): Record<string, string> {
  const id = randomBytes(4).toString('hex');
  return { KAFKA_BROKERS: brokers(), SPANLENS_KAFKA_TOPIC_PREFIX: `test-${id}.`, SPANLENS_KAFKA_GROUP: `writers-${id}`, SPANLENS_KAFKA_PARTITIONS: '3' };
}

export function kafkaClient(): Kafka {
  return new Kafka({ clientId: 'spanlens-tests', brokers: brokers().split(','), logLevel: logLevel.NOTHING });
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
