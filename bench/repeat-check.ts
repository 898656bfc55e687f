// What the writer's repeat check costs per batch as the hour fills: a store seeded with N spans
// in the current hour (bench/seed-spans.ts), then batches of 20,000 new spans checked (a) by the
// check the writer had before (one query over the hour's trace_id column for the batch's
// traces) and (b) by the recent-keys filter with a primary-key lookup of what it cannot rule
// out; (c) the filter with 1 % of the batch repeats of stored spans. Also the filter's seed
// time and size. Each size is measured once the engine has stopped merging (parts and granules
// are reported), and each check is split into its lookup in ClickHouse and the rest.
// --filter-only: the check's JavaScript alone, with a filter of N random keys and no engine in
// the process (its few lookups answered empty at once), to tell its cost from the process's.
// Usage: node --import tsx bench/repeat-check.ts [--rows 5000000,20000000] [--filter-only]
import { randomBytes } from 'node:crypto';
import { SPAN_COLUMNS, type Storage } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import type { LogRecord } from '../collector/src/log/log.ts';
import { spanKey } from '../collector/src/span-key.ts';
import { RepeatCheck } from '../collector/src/writer/repeat-check.ts';
import { seedSpans } from './seed-spans.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SIZES = arg('rows', '5000000,20000000').split(',').map(Number);
const BATCH = 20_000;
const PROJECT = 'bench';
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
const at = new Date(hourStart + 1000).toISOString().replace('T', ' ').slice(0, 23);

/** A batch as the log hands it over: records of 384 rows (one OTLP request each, as the ingest bench sends), lines with the identity columns filled. */
function records(ids: Array<{ trace: string; span: string }>): LogRecord[] {
  const line = (id: { trace: string; span: string }) => {
    const row: unknown[] = SPAN_COLUMNS.map(() => '');
    row[SPAN_COLUMNS.indexOf('project_id')] = PROJECT;
    row[SPAN_COLUMNS.indexOf('trace_id')] = id.trace;
    row[SPAN_COLUMNS.indexOf('span_id')] = id.span;
    row[SPAN_COLUMNS.indexOf('start_time')] = at;
    return JSON.stringify(row) + '\n';
  };
  const out: LogRecord[] = [];
  for (let i = 0; i < ids.length; i += 384) {
    const part = ids.slice(i, i + 384);
    out.push({
      offset: BigInt(i),
      format: 'spans.v2',
      rows: part.length,
      body: Buffer.from(part.map(line).join('')),
      keys: BigUint64Array.from(part.map((p) => spanKey({ project_id: PROJECT, trace_id: p.trace, span_id: p.span }))),
    });
  }
  return out;
}

const fresh = () => Array.from({ length: BATCH }, (_, i) => ({ trace: randomBytes(16).toString('hex'), span: (i + 1).toString(16).padStart(16, '0') }));

// The check before this change, for the comparison (it read the hour's trace_id column per batch).
async function oldCheck(storage: Storage, traces: string[]): Promise<void> {
  await (
    await storage.client.query({
      query: `SELECT project_id, trace_id, span_id FROM spans WHERE project_id IN {p:Array(String)} AND toStartOfHour(start_time) IN {h:Array(DateTime('UTC'))} AND trace_id IN {t:Array(String)} SETTINGS use_skip_indexes = 0`,
      query_params: { p: [PROJECT], h: [at.slice(0, 13) + ':00:00'], t: traces },
      format: 'JSONEachRow',
    })
  ).json();
}

/** Waits (at most 5 min) until the engine has had no merge running for 5 s, so every size is measured with its parts merged as far as the engine goes by itself. */
async function settle(storage: Storage): Promise<{ parts: number; granules: number }> {
  const deadline = Date.now() + 300_000;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < 5000) {
    const [m] = await (await storage.client.query({ query: `SELECT count() AS n FROM system.merges WHERE table = 'spans'`, format: 'JSONEachRow' })).json<{ n: string }>();
    if (Number(m!.n) > 0) quietSince = Date.now();
    await new Promise((r) => setTimeout(r, 500));
  }
  const [p] = await (await storage.client.query({ query: `SELECT count() AS parts, sum(marks) AS granules FROM system.parts WHERE active AND table = 'spans'`, format: 'JSONEachRow' })).json<{
    parts: string;
    granules: string;
  }>();
  return { parts: Number(p!.parts), granules: Number(p!.granules) };
}

if (process.argv.includes('--filter-only')) {
  const noEngine = { client: { query: async () => ({ json: async () => [] }) } } as unknown as Storage;
  console.log('| keys in the filter | ms per batch of 20,000 new spans (10 batches: median, min-max) | rows looked up per batch |\n| --- | --- | --- |');
  for (const n of SIZES) {
    const check = new RepeatCheck(noEngine, 3600);
    check.seedFrom(randomBytes(n * 8));
    const times: number[] = [];
    for (let k = 0; k < 10; k++) {
      const batch = records(fresh());
      const t = performance.now();
      await check.check(batch);
      times.push(performance.now() - t);
    }
    console.log(`| ${n.toLocaleString('en-US')} | ${med(times).toFixed(1)}, ${Math.min(...times).toFixed(1)}-${Math.max(...times).toFixed(1)} | ${(check.stats.lookedUp / 10).toFixed(1)} |`);
  }
  process.exit(0);
}

const out: string[] = [
  '| spans in the hour | parts (granules) | before: query per batch (ms, median of 5) | filter, new spans (ms per batch: total / lookup) | filter, 1 % repeats (ms per batch: total / lookup; rows looked up) | filter seed at start (s, keys, MB) |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const rows of SIZES) {
  const storage = await openTestStorage();
  try {
    const t0 = performance.now();
    await seedSpans(storage, { projectId: PROJECT, spans: rows, startMs: hourStart, endMs: hourStart + 3_000_000 });
    process.stderr.write(`seeded ${rows} spans in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    const shape = await settle(storage);
    const before: number[] = [];
    for (let k = 0; k < 5; k++) {
      const traces = [...new Set(fresh().map((i) => i.trace))].slice(0, 512 * 4);
      const t = performance.now();
      await oldCheck(storage, traces);
      before.push(performance.now() - t);
    }
    const check = new RepeatCheck(storage, 3600);
    await check.seed();
    const ruledOut: number[] = [];
    const ruledOutLookup: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const l = check.stats.lookupMs;
      await check.check(records(fresh()));
      ruledOut.push(performance.now() - t);
      ruledOutLookup.push(check.stats.lookupMs - l);
    }
    const stored = await (await storage.client.query({ query: `SELECT trace_id AS trace, span_id AS span FROM spans LIMIT ${BATCH / 100}`, format: 'JSONEachRow' })).json<{
      trace: string;
      span: string;
    }>();
    const withRepeats: number[] = [];
    const withRepeatsLookup: number[] = [];
    const lookedUp0 = check.stats.lookedUp;
    let skipped = 0;
    for (let k = 0; k < 5; k++) {
      const ids = [...fresh().slice(0, BATCH - stored.length), ...stored.map((s) => ({ ...s }))];
      const t = performance.now();
      const l = check.stats.lookupMs;
      skipped = (await check.check(records(ids))).length;
      withRepeats.push(performance.now() - t);
      withRepeatsLookup.push(check.stats.lookupMs - l);
    }
    if (skipped !== stored.length) throw new Error(`the check skipped ${skipped} of ${stored.length} repeats`);
    const seedMb = check.filterBytes / 2 ** 20;
    out.push(
      `| ${rows.toLocaleString('en-US')} | ${shape.parts} (${shape.granules.toLocaleString('en-US')}) | ${med(before).toFixed(0)} | ${med(ruledOut).toFixed(1)} / ${med(ruledOutLookup).toFixed(1)} | ${med(withRepeats).toFixed(1)} / ${med(withRepeatsLookup).toFixed(1)}; ${(check.stats.lookedUp - lookedUp0) / 5} | ${check.stats.seedSeconds.toFixed(2)}, ${check.stats.seededKeys.toLocaleString('en-US')}, ${seedMb.toFixed(0)} |`,
    );
    process.stderr.write(out.at(-1) + '\n');
  } finally {
    await storage.destroy();
  }
}
console.log(`\nBatches of ${BATCH.toLocaleString('en-US')} spans (before: the ${512 * 4} traces of a batch as the old query took them):\n`);
console.log(out.join('\n'));
