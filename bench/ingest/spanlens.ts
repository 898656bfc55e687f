// Starts `spanlens start` (the npm start entry point) in a child process on a fresh data
// directory, and the do-nothing sink, for the ingest benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@spanlens/clickhouse';

export const KEY = 'sl_bench_key_0123456789abcdef';
const ROOT = new URL('../../', import.meta.url).pathname;

async function waitFor(child: ChildProcess, output: () => string, marker: string): Promise<void> {
  while (!output().includes(marker)) {
    if (child.exitCode !== null) throw new Error(`process exited: ${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunningSpanlens {
  pid: number;
  url: string;
  apiUrl: string;
  metricsUrl: string;
  dataDir: string;
  /** Stops the process (flushing what it accepted) and returns the spans stored. */
  stopAndCount(): Promise<number>;
}

export async function startSpanlens(env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<RunningSpanlens> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-bench-'));
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/src/cli.ts', 'start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SPANLENS_DATA_DIR: dataDir,
      SPANLENS_INIT_API_KEY: KEY,
      SPANLENS_OTLP_HTTP_PORT: '0',
      SPANLENS_OTLP_GRPC_PORT: '0',
      SPANLENS_API_PORT: '0',
      SPANLENS_ALERTS: 'off',
      SPANLENS_INGEST_RATE_LIMIT: '0',
      SPANLENS_API_RATE_LIMIT: '0',
      ...env,
    },
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  await waitFor(child, () => out, 'spanlens: ready');
  const url = /OTLP\/HTTP on (\S+)/.exec(out)![1]!;
  return {
    pid: child.pid!,
    url,
    dataDir,
    apiUrl: /API and dashboard on (\S+?)\/?\n/.exec(out)![1]!,
    metricsUrl: url.replace('/v1/traces', '/metrics'),
    async stopAndCount() {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      const storage = await openStorage({ dataDir });
      try {
        const rs = await storage.client.query({ query: 'SELECT count() AS n FROM spans FINAL', format: 'JSONEachRow' });
        return Number((await rs.json<{ n: string }>())[0]!.n);
      } finally {
        await storage.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export async function startSink(): Promise<{ pid: number; url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest/sink.ts'], { cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  await waitFor(child, () => out, 'sink listening');
  const port = /sink listening (\d+)/.exec(out)![1]!;
  return {
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/v1/traces`,
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}

/** A Prometheus gauge or counter from the collector's /metrics. */
export async function metric(metricsUrl: string, name: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}
