import { createTopicsIfMissing } from '@spanlens/collector';
import { Kafka, logLevel, type Consumer } from 'kafkajs';

/** Whether this process may evaluate alert rules and deliver their notifications right now. */
export interface Lease {
  held(): boolean;
  close(): Promise<void>;
}

/** One process, or an operator who runs exactly one evaluating process. */
export const soleLease: Lease = { held: () => true, close: async () => undefined };

export interface KafkaLeaseOptions {
  brokers: string[];
  clientId: string;
  /** A one-partition topic; whoever the group assigns partition 0 holds the lease. */
  topic: string;
  groupId: string;
  /** How long a crashed holder keeps the lease before the group moves it (broker minimum: 6 s). */
  sessionTimeoutMs?: number;
}

/**
 * Leader election through a Kafka consumer group: every evaluating process joins the group on
 * a one-partition topic and only the member assigned that partition acts. Kafka moves it on
 * when the holder leaves or stops heart-beating, so at most one evaluator acts at a time
 * (apart from a holder cut off from Kafka, which loses the lease at its next rebalance).
 */
export async function kafkaLease(o: KafkaLeaseOptions): Promise<Lease> {
  let closed = false;
  // After a failure the consumer rejoins (the lease must outlive a broker blip), until closed.
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 300, restartOnFailure: async () => !closed },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsIfMissing(admin, [o.topic], 1);
  } finally {
    await admin.disconnect();
  }
  let held = false;
  const consumer: Consumer = kafka.consumer({ groupId: o.groupId, sessionTimeout: o.sessionTimeoutMs ?? 6000, heartbeatInterval: 500 });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    held = (e.payload.memberAssignment[o.topic] ?? []).includes(0);
  });
  for (const lost of [consumer.events.REBALANCING, consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) {
    consumer.on(lost, () => {
      held = false;
    });
  }
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: false });
  // Nothing is ever produced to the topic; running keeps the membership and its heartbeats.
  await consumer.run({ eachMessage: async () => undefined });
  return {
    held: () => held,
    async close() {
      closed = true;
      held = false;
      // With the broker gone a clean leave cannot finish; the group times the member out anyway.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        consumer.disconnect().catch(() => undefined),
        new Promise((r) => {
          timer = setTimeout(r, 3000);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
