import { join } from 'node:path';
import { addApiKey, createProject, generateApiKey, KeyCache } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { startCollector, type CollectorOptions } from '../../src/service.ts';

/** A collector on ephemeral ports over a fresh embedded store, with one project and key. */
export async function startTestCollector({
  logMaxBytes = 64 << 20,
  beforeStart,
  ...overrides
}: Partial<CollectorOptions> & {
  logMaxBytes?: number;
  /** Runs on the log directory before the collector opens it (to leave records there). */
  beforeStart?: (logDir: string) => Promise<void>;
} = {}) {
  const storage = await openTestStorage();
  const project = await createProject(storage, 'test');
  const key = generateApiKey();
  await addApiKey(storage, project.id, key);
  const keys = new KeyCache(storage);
  const logDir = join(storage.dataDir, 'ingest-log');
  await beforeStart?.(logDir);
  const collector = await startCollector({
    storage,
    keys,
    host: '127.0.0.1',
    httpPort: 0,
    grpcPort: 0,
    retentionDays: 30,
    maxBodyBytes: 1024 * 1024,
    maxQueueRows: 10_000,
    maxBatchRows: 1000,
    maxBatchDelayMs: 5,
    localLog: { dir: logDir, maxBytes: logMaxBytes },
    ...overrides,
  });
  return {
    storage,
    key,
    projectId: project.id,
    collector,
    logDir,
    httpUrl: `http://127.0.0.1:${collector.httpPort}`,
    grpcUrl: `http://127.0.0.1:${collector.grpcPort}`,
    /** Rows in `table` once the writer has stored everything acknowledged so far. */
    async count(table = 'spans'): Promise<number> {
      await collector.flush();
      const rs = await storage.client.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' });
      return Number((await rs.json<{ n: number | string }>())[0]!.n);
    },
    /** A query once the writer has stored everything acknowledged so far. */
    async query<T>(query: string): Promise<T[]> {
      await collector.flush();
      return (await storage.client.query({ query, format: 'JSONEachRow' })).json<T>();
    },
    async close() {
      await collector.close();
      await storage.destroy();
    },
  };
}
