// Drift report latency on a store seeded by bench/api-queries.ts (--keep):
//   node --import tsx bench/drift-query.ts --data-dir /tmp/spanlens-bench-api-XXXX [--runs 5]
// Times GET /api/v1/drift for each preset, overall and grouped by model, over HTTP.
import { addApiKey, KeyCache, listProjects, openStorage } from '@spanlens/clickhouse';
import { buildApi } from '@spanlens/api';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const dataDir = arg('data-dir');
if (!dataDir) throw new Error('--data-dir: the store kept by bench/api-queries.ts --keep');
const runs = Number(arg('runs') ?? 5);

const storage = openStorage({ dataDir });
const [project] = await listProjects(storage);
if (!project) throw new Error(`no project in ${dataDir}`);
const key = 'sl_drift_bench_' + 'k'.repeat(24);
await addApiKey(storage, project.id, key, 'drift bench');
const app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30 });
await app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

const rows: string[] = [];
for (const preset of ['1h_vs_24h', '24h_vs_7d', '7d_vs_7d']) {
  for (const groupBy of ['', 'model']) {
    const path = `/api/v1/drift?preset=${preset}${groupBy ? `&groupBy=${groupBy}` : ''}`;
    const times: number[] = [];
    let features = 0;
    let sample = '';
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const res = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
      const body = (await res.json()) as { features?: unknown[]; message?: string; sample?: { baselineRate: number; currentRate: number; method: string } };
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.message}`);
      if (i > 0) times.push(performance.now() - t0); // the first is a warm-up
      features = body.features?.length ?? 0;
      sample = body.sample ? `${body.sample.method}: ${(body.sample.baselineRate * 100).toFixed(1)} % / ${(body.sample.currentRate * 100).toFixed(1)} %` : '';
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    rows.push(`| ${path} | ${features} | ${sample} | ${median.toFixed(0)} | ${times[times.length - 1]!.toFixed(0)} |`);
    console.log(rows[rows.length - 1]);
  }
}
console.log(['| request | feature rows | sample read (baseline / current) | median ms | max ms |', '| --- | --- | --- | --- | --- |', ...rows].join('\n'));
await app.close();
await storage.close();
