import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlockedBloom, RecentKeys } from '../../src/writer/bloom.ts';

const randomKeys = (n: number) => {
  const b = randomBytes(n * 8);
  return Array.from({ length: n }, (_, i) => b.readBigUInt64LE(i * 8));
};

test('no key added is ever reported absent, and about 0.2 % of absent keys are reported maybe', () => {
  const f = new BlockedBloom(200_000);
  const added = randomKeys(200_000);
  for (const k of added) f.add(k);
  assert.equal(added.filter((k) => !f.has(k)).length, 0);
  const absent = randomKeys(200_000);
  const rate = absent.filter((k) => f.has(k)).length / absent.length;
  assert.ok(rate < 0.005, `false positive rate ${rate}`);
});

test('recent keys grow past one filter and forget only what is older than two windows', () => {
  let now = 0;
  const keys = new RecentKeys(1000, 1000, () => now);
  const first = randomKeys(5000);
  for (const k of first) keys.add(k);
  assert.ok(
    first.every((k) => keys.has(k)),
    'every key of the current window',
  );
  now = 1500;
  const second = randomKeys(10);
  for (const k of second) keys.add(k); // rotates: the first keys are the previous generation now
  assert.ok(
    first.every((k) => keys.has(k)),
    'the previous window is still known',
  );
  now = 3000;
  for (const k of randomKeys(10)) keys.add(k); // rotates again: the first keys are dropped
  const remembered = first.filter((k) => keys.has(k)).length;
  assert.ok(remembered < 50, `${remembered} of 5000 old keys still reported`);
  assert.ok(second.every((k) => keys.has(k)));
});

test('a seed reserved up front is one filter: every key found, the false-positive rate of one filter', () => {
  const n = 300_000;
  const keys = new RecentKeys(60_000, 1000);
  const seed = randomBytes(n * 8);
  keys.reserve(n);
  keys.addWords(new Uint32Array(seed.buffer, seed.byteOffset, n * 2));
  // One filter of 1.25 n keys at 16 bits each, not a chain of doublings from 1,000.
  assert.equal(keys.bytes, Math.ceil((Math.ceil(n * 1.25) * 16) / 512) * 64);
  const seeded = Array.from({ length: n }, (_, i) => seed.readBigUInt64LE(i * 8));
  assert.equal(seeded.filter((k) => !keys.has(k)).length, 0);
  const absent = randomKeys(200_000);
  const rate = absent.filter((k) => keys.has(k)).length / absent.length;
  assert.ok(rate < 0.005, `false positive rate ${rate}`);
});
