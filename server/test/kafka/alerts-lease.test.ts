import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { kafkaLease, type Lease } from '@spanlens/api';
import { brokers, waitFor } from './helpers.ts';

describe('alert evaluators share a Kafka lease: at most one acts', () => {
  const id = randomBytes(4).toString('hex');
  const options = { brokers: brokers().split(','), clientId: 'spanlens-lease-test', topic: `test-${id}.alerts-lease`, groupId: `alerts-${id}` };
  const open: Lease[] = [];
  after(async () => {
    await Promise.all(open.map((l) => l.close().catch(() => undefined)));
  });

  const holders = () => open.filter((l) => l.held()).length;

  test('three evaluators: exactly one holds it; when it leaves, another takes over', async () => {
    for (let i = 0; i < 3; i++) open.push(await kafkaLease(options));
    await waitFor('one holder', async () => (holders() === 1 ? true : undefined));
    // Stays at one: sample for a while.
    for (let i = 0; i < 20; i++) {
      assert.ok(holders() <= 1, 'never two holders');
      await new Promise((r) => setTimeout(r, 50));
    }
    const leader = open.find((l) => l.held())!;
    const started = Date.now();
    await leader.close();
    open.splice(open.indexOf(leader), 1);
    await waitFor('a new holder', async () => (holders() === 1 ? true : undefined), 30_000);
    const tookMs = Date.now() - started;
    assert.ok(!leader.held());
    console.log(`# lease moved to another evaluator ${tookMs} ms after the holder left`);
  });
});
