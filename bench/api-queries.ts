// Query API latency on a large embedded store: seeds N spans (default 10 M) over the last
// 30 days straight into chDB (bench/seed-spans.ts), starts the API in this process and
// times the dashboard's requests over HTTP with a project key.
// Usage: node --import tsx bench/api-queries.ts [--spans 10000000] [--runs 30] [--warmup 3]
//          [--rounds 1] [--keep] [--data-dir DIR]
// --only REGEX limits the run to matching queries. --rounds measures every query that many times over (the store is seeded once); --keep
// leaves the data directory in place; --data-dir measures again on a store kept earlier
// (no seeding; its newest spans are as old as that run, and its TTL starts dropping the
// oldest an hour after it was seeded). Prints a Markdown table per round, then where the
// time goes: each SQL statement the API ran, its time in the request and alone, and the
// rows EXPLAIN ESTIMATE expects it to read.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { addApiKey, createProject, KeyCache, migrate, openStorage, prewarmCaches } from '@spanlens/clickhouse';
import { buildApi } from '@spanlens/api';
import { seedSpans } from './seed-spans.ts';
import { mergesSettled } from './merges.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SPANS = flag('spans', 10_000_000);
const RUNS = flag('runs', 30);
const WARMUP = flag('warmup', 3);
const ROUNDS = flag('rounds', 1);
const REUSE = process.argv.includes('--data-dir') ? process.argv[process.argv.indexOf('--data-dir') + 1] : undefined;
const KEEP = process.argv.includes('--keep') || REUSE !== undefined;
// --only REGEX: measure only the queries whose name matches.
const ONLY = process.argv.includes('--only') ? new RegExp(process.argv[process.argv.indexOf('--only') + 1]!) : undefined;
const KEY = 'sl_bench_api_queries_0123456789abcdef';
const MIN = 60_000,
  HOUR = 60 * MIN,
  DAY = 24 * HOUR;

const dataDir = REUSE ?? mkdtempSync(join(tmpdir(), 'spanlens-bench-api-'));
const storage = openStorage({ dataDir });
await migrate(storage);
const project = await createProject(storage, 'bench', 'bench');
await addApiKey(storage, project.id, KEY);

async function rows<T>(query: string): Promise<T[]> {
  return (await storage.client.query({ query, format: 'JSONEachRow' })).json<T>();
}
const num = (v: unknown) => Number(v);
const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

// 1. Seed: traces spread from 30 days minus an hour ago (the 30-day TTL must not start
// dropping the oldest rows during the run) to two minutes ago.
const seedEnd = Date.now() - 2 * MIN;
console.log(`${REUSE ? 'reusing' : `seeding ${fmtInt(SPANS)} spans into`} ${dataDir}`);
const t0 = performance.now();
const inserted = REUSE
  ? 0
  : await seedSpans(storage, {
      projectId: project.id,
      spans: SPANS,
      startMs: seedEnd - 30 * DAY + HOUR,
      endMs: seedEnd,
      onChunk: (n, total) => console.log(`  ${fmtInt(n)} / ${fmtInt(total)}  ${((performance.now() - t0) / 1000).toFixed(1)} s`),
    });
const seedSeconds = (performance.now() - t0) / 1000;
if (!REUSE) console.log(`seeded ${fmtInt(inserted)} spans in ${seedSeconds.toFixed(1)} s (${fmtInt(inserted / seedSeconds)} spans/s)`);

// Background merges: wait until none runs (at most 3 minutes), as a store at rest would be.
const waited = await mergesSettled(storage, { quietChecks: 3, pollMs: 1000, timeoutMs: 180_000 });
console.log(`merges settled after ${waited.toFixed(0)} s`);
// As Spanlens does when it opens embedded storage.
const prewarmStart = performance.now();
await prewarmCaches(storage);
console.log(`mark cache prewarmed in ${((performance.now() - prewarmStart) / 1000).toFixed(1)} s`);

const [{ v: version } = { v: '?' }] = await rows<{ v: string }>('SELECT version() AS v');
const parts = await rows<{ table: string; parts: string; rows: string; disk: string; raw: string }>(`
  SELECT table, count() AS parts, sum(rows) AS rows, sum(bytes_on_disk) AS disk, sum(data_uncompressed_bytes) AS raw
  FROM system.parts WHERE active AND database = currentDatabase() AND table IN ('spans', 'trace_items', 'spans_1m')
  GROUP BY table ORDER BY table`);
const [shape] = await rows<Record<string, string>>(`
  SELECT uniqExact(trace_id) AS traces, uniqExact(user_id) AS users, uniqExact(session_id) AS sessions,
         countIf(status = 'error' AND parent_span_id = '') / countIf(parent_span_id = '') AS trace_error_rate,
         avg(length(input) + length(output)) AS io_bytes, min(start_time) AS first, max(start_time) AS last
  FROM spans`);
// Trace ids for the detail lookups: 200 pseudo-random roots over the whole range, each
// opened once (a first visit; with 31 ids and 15 runs the p95 was the slowest of 15).
const DETAIL_IDS = 200;
const traceIds = (
  await rows<{ id: string }>(`
  SELECT trace_id AS id FROM spans WHERE parent_span_id = '' ORDER BY cityHash64(trace_id, 7) LIMIT ${DETAIL_IDS + WARMUP}`)
).map((r) => r.id);
const [oneModel] = (await rows<{ m: string }>("SELECT model AS m FROM spans WHERE model != '' GROUP BY model ORDER BY count() DESC LIMIT 1 OFFSET 2")).map((r) => r.m);

// 2. The API in this process, with a recorder of the SQL it runs (for the analysis).
const recorded: Array<{ query: string; params: Record<string, unknown>; ms: number }> = [];
let recording = false;
const client = storage.client;
const query = client.query.bind(client);
client.query = (async (p: Parameters<typeof query>[0]) => {
  const start = performance.now();
  const rs = await query(p);
  if (recording) recorded.push({ query: p.query, params: (p.query_params ?? {}) as Record<string, unknown>, ms: performance.now() - start });
  return rs;
}) as typeof client.query;

const app = await buildApi({ storage, keys: new KeyCache(storage), retentionDays: 30 });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1`;

async function get(path: string): Promise<any> {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${KEY}` } });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
/** from = now - ms, to = now, as the dashboard sends them (recomputed per request). */
const range = (ms: number) => {
  const now = Date.now();
  return `from=${new Date(now - ms).toISOString()}&to=${new Date(now).toISOString()}`;
};
const since = (ms: number) => `from=${new Date(Date.now() - ms).toISOString()}`;

const firstPage = await get('/traces?limit=50');
if (firstPage.traces.length !== 50 || !firstPage.nextCursor) throw new Error('the newest-first trace list has no second page');
const cursor = encodeURIComponent(firstPage.nextCursor as string);

interface Bench {
  name: string;
  target?: number;
  runs?: number;
  run: (i: number) => Promise<unknown>;
}
const overview =
  (ms: number, extra = false, more = '') =>
  async () => {
    const q = range(ms) + more;
    await Promise.all([get(`/metrics/summary?${q}`), get(`/metrics/timeseries?${q}`), ...(extra ? [get(`/metrics/top?${q}&by=model&metric=requests&limit=8`)] : [])]);
  };
const BENCHES: Bench[] = [
  { name: 'floor: GET /healthz (HTTP only, no query)', run: () => fetch(`${base.replace('/api/v1', '')}/healthz`).then((r) => r.json()) },
  { name: 'overview 7 d: summary + timeseries (concurrent)', target: 300, run: overview(7 * DAY) },
  { name: 'overview 7 d: summary alone', run: () => get(`/metrics/summary?${range(7 * DAY)}`) },
  { name: 'overview 7 d: timeseries alone (1h buckets)', run: () => get(`/metrics/timeseries?${range(7 * DAY)}`) },
  { name: 'overview 7 d, dashboard page (+ top models)', run: overview(7 * DAY, true) },
  { name: 'overview 30 d: summary + timeseries (concurrent)', target: 1000, run: overview(30 * DAY) },
  { name: 'overview 30 d: summary alone', run: () => get(`/metrics/summary?${range(30 * DAY)}`) },
  { name: 'overview 30 d: timeseries alone (6h buckets)', run: () => get(`/metrics/timeseries?${range(30 * DAY)}`) },
  { name: 'overview 24 h: summary + timeseries', run: overview(DAY) },
  { name: 'overview 24 h, source=spans (raw path): summary + timeseries', run: overview(DAY, false, '&source=spans') },
  { name: 'traces, newest first, limit 50', target: 200, run: () => get('/traces?limit=50') },
  { name: 'traces, from now-7d', target: 200, run: () => get(`/traces?limit=50&${since(7 * DAY)}`) },
  { name: `traces, model=${oneModel}, from now-7d`, target: 200, run: () => get(`/traces?limit=50&model=${oneModel}&${since(7 * DAY)}`) },
  // The dashboard sends to=now as well; without it the API's default end is now + 1 day.
  { name: 'traces, from now-7d to now (as the dashboard)', target: 200, run: () => get(`/traces?limit=50&${range(7 * DAY)}`) },
  { name: `traces, model=${oneModel}, from now-7d to now`, target: 200, run: () => get(`/traces?limit=50&model=${oneModel}&${range(7 * DAY)}`) },
  { name: 'traces, 24 h, sort=costUsd', target: 200, run: () => get(`/traces?limit=50&sort=costUsd&${since(DAY)}`) },
  { name: 'traces, second page (nextCursor)', target: 200, run: () => get(`/traces?limit=50&cursor=${cursor}`) },
  { name: `trace detail (${DETAIL_IDS} ids, each opened once)`, target: 50, runs: DETAIL_IDS, run: (i) => get(`/traces/${traceIds[i % traceIds.length]}`) },
  { name: 'top users by cost, 7 d', run: () => get(`/metrics/top?by=user&metric=costUsd&${range(7 * DAY)}`) },
  { name: 'sessions, limit 50, 24 h', run: () => get(`/sessions?limit=50&${since(DAY)}`) },
  { name: 'sessions, limit 50, 7 d', run: () => get(`/sessions?limit=50&${since(7 * DAY)}`) },
  { name: 'users, limit 50, 7 d', run: () => get(`/users?limit=50&${since(7 * DAY)}`) },
  { name: 'users, limit 50, default range (retention)', run: () => get('/users?limit=50') },
];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));

// 3. Measure: each query sequentially, WARMUP unrecorded runs then RUNS timed ones.
const results: Array<Array<{ name: string; median: number; p95: number; target?: number }>> = [];
for (let round = 1; round <= ROUNDS; round++) {
  const table: (typeof results)[number] = [];
  for (const b of BENCHES.filter((x) => !ONLY || ONLY.test(x.name))) {
    const runs = b.runs ?? RUNS;
    for (let i = 0; i < WARMUP; i++) await b.run(runs + i);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await b.run(i);
      times.push(performance.now() - start);
    }
    times.sort((a, z) => a - z);
    table.push({ name: b.name, median: pct(times, 0.5), p95: pct(times, 0.95), target: b.target });
    console.log(`  ${b.name}: median ${ms(pct(times, 0.5))} ms, p95 ${ms(pct(times, 0.95))} ms`);
  }
  results.push(table);
  console.log(`\nround ${round} (load average at end ${loadavg()[0]!.toFixed(2)}):\n`);
  console.log('| query | median ms | p95 ms | target p95 ms | result |\n| --- | --- | --- | --- | --- |');
  for (const r of table) {
    const verdict = r.target === undefined ? '' : r.p95 <= r.target ? 'PASS' : 'FAIL';
    console.log(`| ${r.name} | ${ms(r.median)} | ${ms(r.p95)} | ${r.target ?? '-'} | ${verdict} |`);
  }
  console.log();
}

// 4. Where the time goes: each statement one request runs, its time inside the request
// (median of 5 requests; includes waiting for the other statements of the same request,
// since chDB runs one query at a time), its time run alone (median of 5) and the rows and
// marks the primary key leaves to read (EXPLAIN ESTIMATE).
const stripParens = (sql: string) => {
  let prev = '';
  while (prev !== sql) {
    prev = sql;
    sql = sql.replace(/\([^()]*\)/g, '');
  }
  return sql;
};
async function timeAlone(sql: string, params: Record<string, unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await (await query({ query: sql, query_params: params, format: 'JSONEachRow' })).json();
    t.push(performance.now() - start);
  }
  return pct(
    t.sort((a, z) => a - z),
    0.5,
  );
}
console.log('| query | statement | ms in request | ms alone | rows / marks to read |\n| --- | --- | --- | --- | --- |');
for (const b of BENCHES.filter((x) => !ONLY || ONLY.test(x.name))) {
  const byStatement = new Map<string, { sql: string; params: Record<string, unknown>; times: number[] }>();
  for (let i = 0; i < 5; i++) {
    recorded.length = 0;
    recording = true;
    await b.run(i);
    recording = false;
    const seen = new Map<string, number>();
    for (const r of recorded) {
      // The same statement twice in one request (summary: current and previous period) counts apart.
      const nth = (seen.get(r.query) ?? 0) + 1;
      seen.set(r.query, nth);
      const entry = byStatement.get(`${nth}:${r.query}`) ?? { sql: r.query, params: r.params, times: [] };
      entry.times.push(r.ms);
      byStatement.set(`${nth}:${r.query}`, entry);
    }
  }
  for (const s of byStatement.values()) {
    if (/FROM api_keys/.test(s.sql)) continue; // the key cache's first lookup
    const est = await (await query({ query: `EXPLAIN ESTIMATE ${s.sql}`, query_params: s.params, format: 'JSONEachRow' })).json<{ table: string; rows: string; marks: string }>();
    const main = stripParens(s.sql);
    // A FROM (subquery) names the tables EXPLAIN ESTIMATE found.
    const from = /FROM\s+\w+(?:\s+FINAL)?/.exec(main)?.[0] ?? `FROM ${[...new Set(est.map((e) => e.table))].join(' + ') || '?'}`;
    const group = /GROUP BY\s+([\w, ]+?)\s*(?:\n|HAVING|ORDER|$)/.exec(main)?.[1];
    // The first two time parameters are the statement's range (a trace list window is narrower than the request's).
    const times = Object.values(s.params).filter((v): v is string => typeof v === 'string' && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v));
    const hours = times.length >= 2 ? (Date.parse(`${times[1]!.slice(0, 19)}Z`) - Date.parse(`${times[0]!.slice(0, 19)}Z`)) / HOUR : undefined;
    const label = `${from}${group ? ` GROUP BY ${group}` : ''}${hours ? `, ${hours.toFixed(hours < 10 ? 1 : 0)} h` : ''}`;
    const reads = est.map((e) => `${e.table} ${fmtInt(num(e.rows))} / ${fmtInt(num(e.marks))}`).join('; ');
    console.log(
      `| ${b.name} | ${label} | ${ms(
        pct(
          s.times.sort((a, z) => a - z),
          0.5,
        ),
      )} | ${ms(await timeAlone(s.sql, s.params))} | ${reads} |`,
    );
  }
}
console.log(`
machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, chDB engine ${version}
seed: ${fmtInt(inserted)} spans in ${seedSeconds.toFixed(1)} s (${fmtInt(inserted / seedSeconds)} spans/s); ${fmtInt(num(shape?.traces))} traces, ${shape?.users} users, ${fmtInt(num(shape?.sessions))} sessions, trace error rate ${(num(shape?.trace_error_rate) * 100).toFixed(1)}%, ${num(shape?.io_bytes).toFixed(0)} bytes of input+output per span, ${shape?.first} .. ${shape?.last}`);
for (const p of parts) {
  console.log(`  ${p.table}: ${fmtInt(num(p.rows))} rows in ${p.parts} parts, ${(num(p.disk) / 2 ** 20).toFixed(0)} MiB on disk (${(num(p.raw) / 2 ** 20).toFixed(0)} MiB uncompressed)`);
}

await app.close();
await storage.close();
if (KEEP) console.log(`kept ${dataDir}`);
else rmSync(dataDir, { recursive: true, force: true });
