import { addApiKey, createProject, generateApiKey, KeyCache } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { startCollector, type CollectorOptions } from '../../src/service.ts';

/** A collector on ephemeral ports over a fresh embedded store, with one project and key. */
export async function startTestCollector(overrides: Partial<CollectorOptions> = {}) {
  const storage = await openTestStorage();
  const project = await createProject(storage, 'test');
  const key = generateApiKey();
  await addApiKey(storage, project.id, key);
  const keys = new KeyCache(storage);
  const collector = await startCollector({
    storage, keys, host: '127.0.0.1', httpPort: 0, grpcPort: 0, retentionDays: 30,
    maxBodyBytes: 1024 * 1024, maxQueueRows: 10_000, maxBatchRows: 1000, maxBatchDelayMs: 5,
    ...overrides,
  });
  return {
    storage, key, projectId: project.id, collector,
    httpUrl: `http://127.0.0.1:${collector.httpPort}`,
    grpcUrl: `http://127.0.0.1:${collector.grpcPort}`,
    async count(table = 'spans'): Promise<number> {
      const rs = await storage.client.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: number | string }>())[0]!.n);
    },
    async close() {
      await collector.close();
      await storage.destroy();
    },
  };
}
