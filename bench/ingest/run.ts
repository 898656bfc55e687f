// `npm run bench`: Spanlens's ingest rate against this machine's limit, measured in one run.
// For each span size: the wire limit (the same load against a do-nothing receiver), the
// engine limit (the same rows inserted straight into chDB), and Spanlens (`spanlens start`
// in a child process), acknowledged and stored (timed until the last acknowledged span is in:
// the sustained rate). At 2 KB also send-to-visible latency at 80 % of the sustained rate,
// an overload run at twice it, and (with --kafka) the Kafka pipeline.
// Flags: --sizes 512,2048,8192 --seconds 20 --overload-seconds 60 --kafka --write (update BENCHMARKS.md)
// --rate-only (no latency, overload or Kafka runs); --spanlens-only (no wire or engine limit: A/B runs of a change). The child inherits SPANLENS_* variables, to try settings.
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { engineLimit } from './engine.ts';
import { RequestTemplate, runLoad } from './load.ts';
import { spansPerRequest } from './payload.ts';
import { watchProcess } from './proc.ts';
import { KEY, metric, startSink, startSpanlens } from './spanlens.ts';
import { writeReport, type Report } from './report.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const SIZES = arg('sizes', '512,2048,8192').split(',').map(Number);
const SECONDS = Number(arg('seconds', '20'));
const OVERLOAD_SECONDS = Number(arg('overload-seconds', '60'));
const CONCURRENCY = Number(arg('concurrency', '8'));
const ROOT = new URL('../../', import.meta.url).pathname;

const report: Report = {
  date: new Date().toISOString(),
  machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
  seconds: SECONDS,
  concurrency: CONCURRENCY,
  sizes: [],
};
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

for (const size of SIZES) {
  const n = spansPerRequest(size);
  const templates = Array.from({ length: 4 }, (_, i) => new RequestTemplate(n, size, i * 1000));
  log(`${size} B spans, ${n} per request (${templates[0]!.body.length} B)`);

  const { wire, wireProc, engine, limit } = process.argv.includes('--spanlens-only') ? await noLimit() : await machineLimit(templates, size);

  const sl = await startSpanlens();
  const watch = watchProcess(sl.pid);
  const t0 = performance.now();
  const load = await runLoad({ url: sl.url, key: KEY, templates, seconds: SECONDS, concurrency: CONCURRENCY });
  // A 200 means "in the log": the sustained rate is the stored one, timed until the last acknowledged span is in.
  await untilInserted(sl.metricsUrl, load.spansAccepted);
  const storedSpansPerSecond = Math.round(load.spansAccepted / ((performance.now() - t0) / 1000));
  const proc = watch.stop();
  const batches = await metric(sl.metricsUrl, 'spanlens_batches_written_total');
  const stored = await sl.stopAndCount();
  log(`spanlens ${load.spansPerSecond} spans/s acknowledged, ${storedSpansPerSecond} stored, ${stored} stored of ${load.spansAccepted} acknowledged, ${Math.round(stored / batches)} rows per insert`);
  const entry: Report['sizes'][number] = {
    spanBytes: size,
    spansPerRequest: n,
    requestBytes: templates[0]!.body.length,
    wire: { spansPerSecond: wire.spansPerSecond, mbPerSecond: wire.mbPerSecond, sinkCpuCores: wireProc.cpuCores },
    engine,
    limit,
    spanlens: {
      ...load,
      ...proc,
      stored,
      storedSpansPerSecond,
      rowsPerInsert: Math.round(stored / batches),
      ratioToLimit: Number((storedSpansPerSecond / limit).toFixed(2)),
      ratioToEngine: Number((storedSpansPerSecond / engine.rowsPerSecond).toFixed(2)),
    },
  };

  if (size === 2048 && !process.argv.includes('--rate-only')) {
    entry.visible = await visibility(templates, Math.round(((0.8 * storedSpansPerSecond) / n) * 10) / 10);
    log(`visible p50 ${entry.visible.p50Ms} p99 ${entry.visible.p99Ms} ms, ack p99 ${entry.visible.ackP99Ms} ms`);
    entry.overload = await overload(templates, (2 * storedSpansPerSecond) / n);
    log(`overload: ${JSON.stringify(entry.overload.statuses)}, lost ${entry.overload.lost}, peak RSS ${entry.overload.peakRssMb} MB`);
    if (process.argv.includes('--kafka')) {
      entry.kafka = await kafka(templates, storedSpansPerSecond);
      log(`kafka ${entry.kafka.storedSpansPerSecond} stored spans/s`);
    }
  }
  report.sizes.push(entry);
}

console.log(JSON.stringify(report, null, 2));
if (process.argv.includes('--write')) writeReport(report, `${ROOT}BENCHMARKS.md`);

async function machineLimit(templates: RequestTemplate[], size: number) {
  const sink = await startSink();
  const wireWatch = watchProcess(sink.pid);
  const wire = await runLoad({ url: sink.url, templates, seconds: SECONDS, concurrency: CONCURRENCY, freshIds: true });
  const wireProc = wireWatch.stop();
  sink.stop();
  log(`wire ${wire.spansPerSecond} spans/s`);
  const engine = await engineLimit(templates[0]!, Math.max(20_000, Math.min(200_000, Math.round(60_000_000 / size))));
  log(`engine ${engine.rowsPerSecond} rows/s`);
  return { wire, wireProc, engine, limit: Math.round(1 / (1 / wire.spansPerSecond + 1 / engine.rowsPerSecond)) };
}

/** For --spanlens-only: no limit measured (ratios come out as NaN and are not written). */
async function noLimit() {
  if (process.argv.includes('--write')) throw new Error('--spanlens-only runs do not write BENCHMARKS.md');
  return { wire: { spansPerSecond: NaN, mbPerSecond: NaN }, wireProc: { cpuCores: NaN }, engine: { rows: 0, format: '', bestSeconds: NaN, rowsPerSecond: NaN, minimalRowsPerSecond: NaN }, limit: NaN };
}

/** Waits until the writer has inserted `rows` (every span of the run is fresh, so none is a repeat). */
async function untilInserted(metricsUrl: string, rows: number): Promise<void> {
  while ((await metric(metricsUrl, 'spanlens_writer_rows_inserted')) < rows) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Paced at `rate` requests/s; one trace of every request timed from its send until the API
 * returns it. One poll is in flight at a time, for the newest acknowledged trace: a request is
 * acknowledged only once its batch is stored, so when that trace is visible every trace
 * acknowledged before it is too, and each is counted visible then (an upper bound, within one
 * poll). Polling every trace (a poll per trace every 25 ms, the first version; or one at a time
 * in turn, the second) queued dozens of reads behind the inserts on an engine that runs one
 * query at a time, and timed the queue the harness made.
 */
async function visibility(templates: RequestTemplate[], rate: number): Promise<NonNullable<Report['sizes'][number]['visible']>> {
  const sl = await startSpanlens();
  const seen: number[] = [];
  // In acknowledgement order: [trace id, sent at].
  const pending: Array<[string, number]> = [];
  let sending = true;
  const poller = (async () => {
    while (sending || pending.length > 0) {
      const newest = pending.length;
      if (newest === 0) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const res = await fetch(`${sl.apiUrl}/api/v1/traces/${pending[newest - 1]![0]}`, { headers: { authorization: `Bearer ${KEY}` } });
      await res.arrayBuffer();
      if (res.status !== 200) continue;
      const now = performance.now();
      for (const [, sentAt] of pending.splice(0, newest)) seen.push(now - sentAt);
    }
  })();
  const load = await runLoad({
    url: sl.url,
    key: KEY,
    templates,
    seconds: SECONDS,
    rate,
    onAccepted: (traceId, sentAt) => {
      pending.push([traceId, sentAt]);
    },
  });
  sending = false;
  await poller;
  await sl.stopAndCount();
  seen.sort((a, b) => a - b);
  const q = (p: number) => Math.round(seen[Math.min(seen.length - 1, Math.floor(p * seen.length))]!);
  return { requestsPerSecond: rate, spansPerSecond: load.spansPerSecond, traces: seen.length, p50Ms: q(0.5), p99Ms: q(0.99), ackP50Ms: load.ackMs.p50, ackP99Ms: load.ackMs.p99 };
}

/** Twice the sustainable rate: what is shed, with what status, and whether every acknowledged span is stored. */
async function overload(templates: RequestTemplate[], rate: number): Promise<NonNullable<Report['sizes'][number]['overload']>> {
  const sl = await startSpanlens();
  const watch = watchProcess(sl.pid);
  const load = await runLoad({ url: sl.url, key: KEY, templates, seconds: OVERLOAD_SECONDS, rate, maxInFlight: 64 });
  await untilInserted(sl.metricsUrl, load.spansAccepted);
  const proc = watch.stop();
  const stored = await sl.stopAndCount();
  return {
    seconds: OVERLOAD_SECONDS,
    offeredRequestsPerSecond: Number(rate.toFixed(1)),
    statuses: load.statuses,
    retryAfterMissing: load.retryAfterMissing,
    skippedByGenerator: load.skipped,
    acknowledgedSpans: load.spansAccepted,
    stored,
    lost: load.spansAccepted - stored,
    peakRssMb: proc.peakRssMb,
    cpuCores: proc.cpuCores,
  };
}

/** The same load through KAFKA_BROKERS (ingest + writer in one process, local broker). */
async function kafka(templates: RequestTemplate[], oneProcess: number): Promise<NonNullable<Report['sizes'][number]['kafka']>> {
  const started = spawnSync('bash', ['scripts/kafka-local.sh', 'start'], { cwd: ROOT, encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`kafka-local.sh start failed: ${started.stderr.slice(-1000)}`);
  const brokers = '127.0.0.1:9092'; // scripts/kafka-local.sh's default listener
  const sl = await startSpanlens({ KAFKA_BROKERS: brokers, SPANLENS_KAFKA_TOPIC_PREFIX: `bench-${Date.now()}.` });
  const t0 = performance.now();
  const load = await runLoad({ url: sl.url, key: KEY, templates, seconds: SECONDS, concurrency: CONCURRENCY });
  await untilInserted(sl.metricsUrl, load.spansAccepted);
  const storedSeconds = (performance.now() - t0) / 1000;
  const stored = await sl.stopAndCount();
  spawnSync('bash', ['scripts/kafka-local.sh', 'stop'], { cwd: ROOT });
  const storedSpansPerSecond = Math.round(load.spansAccepted / storedSeconds);
  return { acceptedSpansPerSecond: load.spansPerSecond, storedSpansPerSecond, stored, acknowledged: load.spansAccepted, ratioToOneProcess: Number((storedSpansPerSecond / oneProcess).toFixed(2)) };
}
