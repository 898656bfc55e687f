import type { Storage } from '@spanlens/clickhouse';

/**
 * Waits until the store runs no background merge for `quietChecks` checks in a row (one check
 * every `pollMs`), at most `timeoutMs`, as a store at rest would be. Returns the seconds waited.
 */
export async function mergesSettled(storage: Storage, { quietChecks = 1, pollMs = 50, timeoutMs = Infinity } = {}): Promise<number> {
  const start = performance.now();
  let quiet = 0;
  while (quiet < quietChecks && performance.now() - start < timeoutMs) {
    const rs = await storage.client.query({ query: 'SELECT count() AS n FROM system.merges', format: 'JSONEachRow' });
    quiet = Number((await rs.json<{ n: string }>())[0]!.n) === 0 ? quiet + 1 : 0;
    if (quiet < quietChecks) await new Promise((r) => setTimeout(r, pollMs));
  }
  return (performance.now() - start) / 1000;
}
