import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { startSpanlens } from '../../src/standalone.ts';

/** The whole one-process Spanlens on ephemeral ports and a temp data directory. */
export async function startTestSpanlens(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-e2e-'));
  const key = 'sl_e2e_' + 'k'.repeat(24);
  const config = loadConfig({
    SPANLENS_DATA_DIR: dataDir,
    SPANLENS_OTLP_HTTP_PORT: '0',
    SPANLENS_OTLP_GRPC_PORT: '0',
    SPANLENS_API_PORT: '0',
    SPANLENS_INIT_API_KEY: key,
    SPANLENS_BATCH_MAX_DELAY_MS: '5',
    ...env,
  });
  const app = await startSpanlens(config);
  const apiUrl = `http://127.0.0.1:${app.apiPort}`;
  return {
    app,
    key,
    dataDir,
    apiUrl,
    httpUrl: `http://127.0.0.1:${app.collector.httpPort}`,
    grpcUrl: `http://127.0.0.1:${app.collector.grpcPort}`,
    /** An API read once the writer has stored everything acknowledged so far (a 200 means in the log). */
    async get(path: string, apiKey: string = key): Promise<{ status: number; body: any }> {
      await app.collector.flush();
      const res = await fetch(apiUrl + path, { headers: { authorization: `Bearer ${apiKey}` } });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
