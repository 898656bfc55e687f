import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, mayRetry, parseRetryAfter, PermanentError, retry, retryPolicy } from '../src/retry.ts';

test('waits grow by the multiplier up to the cap, jittered within their share, and Retry-After wins when longer', () => {
  const p = retryPolicy({ initialMs: 100, multiplier: 2, maxMs: 1000, jitter: 0.2 });
  const mid = () => 0.5;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((n) => backoffMs(p, n, undefined, mid)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(
    backoffMs(p, 1, undefined, () => 0),
    80,
  );
  assert.equal(
    backoffMs(p, 1, undefined, () => 1),
    120,
  );
  assert.equal(backoffMs(p, 1, 5000, mid), 5000, 'the server asked for 5 s: past the cap, and honoured');
  assert.equal(backoffMs(p, 3, 10, mid), 400, 'a shorter Retry-After does not shorten the backoff');
});

test('Retry-After in delay-seconds and HTTP-date form; unreadable values are ignored', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 3 ', now), 3000);
  assert.equal(parseRetryAfter('Fri, 04 Dec 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Fri, 04 Dec 2026 11:00:00 GMT', now), 0, 'a date in the past: retry now');
  assert.equal(parseRetryAfter(['7', '9'], now), 7000);
  for (const bad of [undefined, '', 'soon', '-5', '1.5']) assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
});

test('retry: tries until success, never past maxAttempts or the deadline, never again after a permanent failure', async () => {
  const quick = retryPolicy({ initialMs: 1 });
  let calls = 0;
  assert.equal(
    await retry(quick, async (n) => {
      calls++;
      if (n < 3) throw new Error('flaky');
      return n;
    }),
    3,
  );
  assert.equal(calls, 3);

  calls = 0;
  await assert.rejects(
    retry(retryPolicy({ initialMs: 1, maxAttempts: 4 }), async () => {
      calls++;
      throw new Error('down');
    }),
    /down/,
  );
  assert.equal(calls, 4);

  calls = 0;
  await assert.rejects(
    retry(quick, async () => {
      calls++;
      throw new PermanentError('refused');
    }),
    PermanentError,
  );
  assert.equal(calls, 1);

  calls = 0;
  await assert.rejects(
    retry(
      quick,
      async () => {
        calls++;
        throw new Error('4xx');
      },
      { retryable: () => false },
    ),
    /4xx/,
  );
  assert.equal(calls, 1);

  calls = 0;
  let owned = true;
  await assert.rejects(
    retry(
      quick,
      async () => {
        calls++;
        if (calls === 2) owned = false;
        throw new Error('down');
      },
      { active: () => owned },
    ),
    /down/,
  );
  assert.equal(calls, 2, 'a step no longer ours is not retried');

  // A deadline of 50 ms with waits of 40 ms: the first retry fits, the second would start past it.
  calls = 0;
  await assert.rejects(
    retry(retryPolicy({ initialMs: 40, multiplier: 1, deadlineMs: 50 }), async () => {
      calls++;
      throw new Error('slow');
    }),
    /slow/,
  );
  assert.equal(calls, 2);
  assert.equal(mayRetry(retryPolicy({ initialMs: 1, deadlineMs: 1000 }), 1, 0, 500, 600), false);
  assert.equal(mayRetry(retryPolicy({ initialMs: 1, deadlineMs: 1000 }), 1, 0, 400, 600), true);
});

test('retry: the wait honours what the failure asked for, and onRetry hears of every retried failure', async () => {
  const waits: number[] = [];
  const t0 = Date.now();
  await retry(
    retryPolicy({ initialMs: 1 }),
    async (n) => {
      if (n === 1) throw Object.assign(new Error('429'), { after: 60 });
    },
    {
      retryAfterMs: (e) => (e as { after?: number }).after,
      onRetry: (_e, _n, wait) => waits.push(wait),
    },
  );
  assert.deepEqual(waits, [60]);
  assert.ok(Date.now() - t0 >= 55, 'it waited');
});
