import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createProject, formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { EvaluationWorker, kafkaLease, SecretBox, type Lease } from '@spanlens/api';
import { evaluatorInput } from '../../../api/src/evaluations/definition.ts';
import { putEvaluator } from '../../../api/src/evaluations/store.ts';
import { startFakeJudge } from '../../../api/test/helpers/fake-judge.ts';
import { spanRow } from '../../../api/test/helpers/seed.ts';
import { brokers, waitFor } from './helpers.ts';

/**
 * The many-machine deployment runs the evaluation worker in every API process; a Kafka lease
 * lets one act at a time, and the score ids keep one result per span even so.
 */
describe('evaluation workers share a Kafka lease', () => {
  const id = randomBytes(4).toString('hex');
  const leaseOptions = { brokers: brokers().split(','), clientId: 'spanlens-eval-lease-test', topic: `test-${id}.evaluations-lease`, groupId: `evaluations-${id}` };
  let storage: Awaited<ReturnType<typeof openTestStorage>>;
  let judge: Awaited<ReturnType<typeof startFakeJudge>>;
  const workers: EvaluationWorker[] = [];
  const leases: Lease[] = [];
  const box = new SecretBox('shared by every process of the deployment');
  let projectId = '';
  let seq = 0;

  before(async () => {
    storage = await openTestStorage();
    judge = await startFakeJudge();
    projectId = (await createProject(storage, 'leased', 'leased')).id;
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
    await judge.close();
    await storage.destroy();
  });

  const store = async (n: number) => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const rows: SpanRow[] = Array.from({ length: n }, () => {
      const t = ++seq;
      return spanRow(projectId, {
        trace_id: t.toString(16).padStart(32, '0'),
        span_id: t.toString(16).padStart(16, '0'),
        start_time: formatDateTime64(now),
        end_time: formatDateTime64(now + 1_000_000n),
        duration_ns: 1_000_000,
        model: 'gpt-4o',
        input: `q${t}`,
        output: t % 2 ? 'GOOD' : 'poor',
      });
    });
    await storage.insertRows('spans', rows);
  };
  const results = async () => {
    const rs = await storage.client.query({ query: "SELECT count() AS n, uniqExact(id) AS ids FROM feedback FINAL WHERE source = 'evaluation'", format: 'JSONEachRow' });
    const [r] = await rs.json<{ n: string; ids: string }>();
    return { n: Number(r!.n), ids: Number(r!.ids) };
  };
  const tickAll = () => Promise.all(workers.map((w) => w.tick()));

  test('three workers: only the lease holder calls the judge; when it leaves another carries on; one result per span', async () => {
    await putEvaluator(
      storage,
      box,
      projectId,
      'judge',
      evaluatorInput.parse({
        name: 'helpful',
        type: 'llm_judge',
        judge: { baseUrl: judge.url, model: 'judge-1', apiKey: 'sk-lease-test-key', builtIn: 'helpfulness', maxRetries: 0 },
      }),
    );
    for (let i = 0; i < 3; i++) {
      leases.push(await kafkaLease(leaseOptions));
      workers.push(new EvaluationWorker({ storage, box, settleMs: 0, lease: leases[i]! }));
    }
    await store(30);
    await waitFor('30 results', async () => {
      await tickAll();
      return (await results()).n === 30 ? true : undefined;
    });
    assert.equal(judge.calls.length, 30, 'no span judged by two workers');

    const holders = leases.flatMap((l, i) => (l.held() ? [i] : []));
    assert.equal(holders.length, 1);
    const [leader] = workers.splice(holders[0]!, 1);
    await leader!.close();
    await store(10);
    await waitFor(
      '40 results after the holder left',
      async () => {
        await tickAll();
        return (await results()).n === 40 ? true : undefined;
      },
      60_000,
    );
    assert.deepEqual(await results(), { n: 40, ids: 40 });
    assert.equal(judge.calls.length, 40);
  });
});
