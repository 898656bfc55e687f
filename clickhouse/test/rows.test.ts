import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime64 } from '../src/rows.ts';

test('formatDateTime64 keeps all nine digits, across seconds and back again', () => {
  const t = 1_764_734_400n * 1_000_000_000n; // 2025-12-03 04:00:00 UTC
  assert.equal(formatDateTime64(t + 123_456_789n), '2025-12-03 04:00:00.123456789');
  assert.equal(formatDateTime64(t + 1n), '2025-12-03 04:00:00.000000001');
  assert.equal(formatDateTime64(t + 1_999_999_999n), '2025-12-03 04:00:01.999999999');
  assert.equal(formatDateTime64(t - 1n), '2025-12-03 03:59:59.999999999');
  assert.equal(formatDateTime64(t), '2025-12-03 04:00:00.000000000');
  assert.equal(formatDateTime64(0n), '1970-01-01 00:00:00.000000000');
});
