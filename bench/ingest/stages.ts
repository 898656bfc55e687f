// Where a 2 KB span's cost goes, stage by stage, on the ingest benchmark's own requests:
// the collector's JavaScript (protobuf decode, translate, processors, row encoding) timed hot
// on one thread, and the engine's insert of the same rows at the batch size Spanlens reaches
// under load against one large insert, each with the process CPU it used (the engine's threads
// included). Together with the wire and engine figures of `npm run bench` this gives the CPU
// budget per span that a ratio to the limit needs (BENCHMARKS.md, "what stands in the way").
// Usage: node --import tsx bench/ingest/stages.ts [--size 2048] [--batch 1536] [--rows 30000]
//   [--drop-views trace_totals_mv,spans_1h_mv] (the engine part without those views: each view's share)
//   [--rounds 7] [--engine-only] [--js-only] (with --cpu-prof: a profile of the JavaScript stages alone)
import { randomUUID } from 'node:crypto';
import { DEFAULT_REDACTION, SPAN_COLUMNS, type SpanRow } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { decodeProtobuf } from '../../collector/src/otlp/decode.ts';
import { toRecord } from '../../collector/src/processors/normalize.ts';
import { NO_CUSTOM_PRICES } from '../../collector/src/processors/pricing.ts';
import { Redactor } from '../../collector/src/processors/redaction.ts';
import { DEFAULT_SPAN_LIMITS } from '../../collector/src/processors/limits.ts';
import { traceProcessors } from '../../collector/src/service.ts';
import type { SpanBatch } from '../../collector/src/processors/processor.ts';

import { encodeBody, spansV2 } from '../../collector/src/kafka/records.ts';
import { spanKeys } from '../../collector/src/span-key.ts';
import { RepeatCheck } from '../../collector/src/writer/repeat-check.ts';
import { freshRows } from './engine.ts';
import { mergesSettled } from '../merges.ts';
import { buildRequest, spansPerRequest } from './payload.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SIZE = arg('size', 2048);
const BATCH = arg('batch', 20_000);
const ROWS = arg('rows', 30_000);
const ROUNDS = arg('rounds', 7);
const iv = process.argv.indexOf('--drop-views');
const DROP_VIEWS = iv >= 0 ? process.argv[iv + 1]!.split(',') : [];
const ENGINE_ONLY = process.argv.includes('--engine-only');
const JS_ONLY = process.argv.includes('--js-only');
const n = spansPerRequest(SIZE);
// Fresh ids per request, as the load generator sends them.
const bodies = Array.from({ length: 8 }, (_, i) => buildRequest(n, SIZE, i * 1000).body);
const processors = traceProcessors({ retentionDays: 30, prices: NO_CUSTOM_PRICES, redaction: { redactor: () => new Redactor(DEFAULT_REDACTION) }, limits: DEFAULT_SPAN_LIMITS });
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};

// 1. JavaScript stages, hot: each round runs every body through each stage in turn.
const js: Record<string, number[]> = {
  'protobuf decode': [],
  'translate (conventions, row)': [],
  'processors (window, pricing, redaction, limits)': [],
  'row encoding (JSONCompactEachRow)': [],
  'span keys (for the repeat check)': [],
};
for (let r = 0; r <= (ENGINE_ONLY ? -1 : ROUNDS); r++) {
  const t = { decode: 0n, translate: 0n, process: 0n, encode: 0n, keys: 0n };
  let spans = 0;
  for (const body of bodies) {
    let t0 = process.hrtime.bigint();
    const decoded = decodeProtobuf(body);
    let t1 = process.hrtime.bigint();
    t.decode += t1 - t0;
    const batch: SpanBatch = { projectId: 'bench', records: decoded.spans.map((s) => toRecord('bench', s)), rejected: 0, errors: [] };
    t0 = process.hrtime.bigint();
    t.translate += t0 - t1;
    for (const p of processors) await p.process(batch);
    t1 = process.hrtime.bigint();
    t.process += t1 - t0;
    const rows = batch.records.map((rec) => rec.row);
    encodeBody(spansV2, rows);
    t0 = process.hrtime.bigint();
    t.encode += t0 - t1;
    spanKeys(rows);
    t.keys += process.hrtime.bigint() - t0;
    spans += decoded.spans.length;
  }
  if (r === 0) continue; // warm-up
  const per = (ns: bigint) => Number(ns) / 1000 / spans;
  js['protobuf decode']!.push(per(t.decode));
  js['translate (conventions, row)']!.push(per(t.translate));
  js['processors (window, pricing, redaction, limits)']!.push(per(t.process));
  js['row encoding (JSONCompactEachRow)']!.push(per(t.encode));
  js['span keys (for the repeat check)']!.push(per(t.keys));
}

// 2. The engine: the same rows (new ids per copy), in Spanlens's batches with a dedup token
// each and the repeat check before each, then as one insert, each into a fresh store.
const baseRows: SpanRow[] = bodies.flatMap((b) => decodeProtobuf(b).spans.map((s) => toRecord('bench', s).row));
const rowsFor = (count: number): SpanRow[] => freshRows(baseRows, count);
const encode = (rows: SpanRow[]) => encodeBody(spansV2, rows);

async function engine(batch: number, repeatCheck: boolean): Promise<{ rowsPerSecond: number; cpuUsPerRow: number; cores: number }> {
  const storage = await openTestStorage();
  try {
    for (const v of DROP_VIEWS) await storage.client.command({ query: `DROP VIEW ${v.replace(/[^\w]/g, '')}` });
    await storage.insertCompact('spans', SPAN_COLUMNS, encode(rowsFor(2000)));
    const rows = rowsFor(ROWS);
    const chunks: Array<{ rows: SpanRow[]; body: Buffer }> = [];
    for (let i = 0; i < rows.length; i += batch) chunks.push({ rows: rows.slice(i, i + batch), body: encode(rows.slice(i, i + batch)) });
    const check = new RepeatCheck(storage, 3600);
    await check.seed();
    const c0 = cpuUs();
    const t0 = performance.now();
    for (const c of chunks) {
      const keys = spanKeys(c.rows);
      if (repeatCheck) await check.check([{ offset: 0n, format: spansV2.name, rows: c.rows.length, keys, body: c.body }]);
      await storage.insertCompact('spans', SPAN_COLUMNS, c.body, { dedupToken: randomUUID() });
      if (repeatCheck) check.add(keys);
    }
    // Background merges the inserts caused run while the next ones wait: let them finish.
    await mergesSettled(storage);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = cpuUs() - c0;
    return { rowsPerSecond: Math.round(rows.length / seconds), cpuUsPerRow: Math.round(cpu / rows.length), cores: Number((cpu / 1e6 / seconds).toFixed(2)) };
  } finally {
    await storage.destroy();
  }
}

const skip = { rowsPerSecond: NaN, cpuUsPerRow: NaN, cores: NaN };
const big = JS_ONLY ? skip : await engine(ROWS, false);
const small = JS_ONLY ? skip : await engine(BATCH, false);
const smallChecked = JS_ONLY ? skip : await engine(BATCH, true);

if (!ENGINE_ONLY) console.log(`\n${SIZE} B spans, ${n} per request, ${bodies.length} requests per round, median of ${ROUNDS} rounds (µs of one thread per span):\n`);
if (!ENGINE_ONLY) console.log('| stage | µs per span |\n| --- | --- |');
let total = 0;
if (!ENGINE_ONLY)
  for (const [name, xs] of Object.entries(js)) {
    total += med(xs);
    console.log(`| ${name} | ${med(xs).toFixed(1)} |`);
  }
if (!ENGINE_ONLY) console.log(`| **collector JavaScript, sum** | **${total.toFixed(1)}** |`);
console.log(
  `\nEngine${DROP_VIEWS.length ? ` without ${DROP_VIEWS.join(', ')}` : ''}, ${ROWS.toLocaleString('en-US')} rows into a fresh store, until its merges settle (process CPU includes the engine's threads):\n`,
);
console.log('| inserts | rows/s | CPU µs per row | cores busy |\n| --- | --- | --- | --- |');
console.log(`| one insert of ${ROWS.toLocaleString('en-US')} | ${big.rowsPerSecond.toLocaleString('en-US')} | ${big.cpuUsPerRow} | ${big.cores} |`);
console.log(`| ${BATCH.toLocaleString('en-US')} rows each, dedup token | ${small.rowsPerSecond.toLocaleString('en-US')} | ${small.cpuUsPerRow} | ${small.cores} |`);
console.log(
  `| ${BATCH.toLocaleString('en-US')} rows each, dedup token and repeat check (as Spanlens) | ${smallChecked.rowsPerSecond.toLocaleString('en-US')} | ${smallChecked.cpuUsPerRow} | ${smallChecked.cores} |`,
);
