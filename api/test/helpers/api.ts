import type { FastifyInstance } from 'fastify';
import { addApiKey, createProject, KeyCache, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { buildApi, type ApiOptions } from '../../src/server.ts';

export type TestStorage = Awaited<ReturnType<typeof openTestStorage>>;

export interface TestApi {
  storage: TestStorage;
  app: FastifyInstance;
  url: string;
  projects: Record<string, { id: string; key: string }>;
  /** GET with a project key (the first project's unless given); `null` sends none. */
  get(path: string, key?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The API on an embedded store with projects, a key each, and the given spans inserted. */
export async function startTestApi(projectNames: string[], seed: (projects: Record<string, { id: string; key: string }>) => SpanRow[], options: Partial<ApiOptions> = {}): Promise<TestApi> {
  const storage = await openTestStorage();
  const projects: Record<string, { id: string; key: string }> = {};
  for (const name of projectNames) {
    const p = await createProject(storage, name, name);
    const key = `sl_test_${name}_`.padEnd(32, 'k');
    await addApiKey(storage, p.id, key);
    projects[name] = { id: p.id, key };
  }
  const rows = seed(projects);
  for (let i = 0; i < rows.length; i += 5000) await storage.insertRows('spans', rows.slice(i, i + 5000));
  const app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30, ...options });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const firstKey = projects[projectNames[0]!]!.key;
  return {
    storage,
    app,
    url,
    projects,
    async get(path, key = firstKey) {
      const res = await fetch(url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await app.close();
      await storage.destroy();
    },
  };
}
