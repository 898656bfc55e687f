// The ingest benchmark's result shape, and its section of BENCHMARKS.md (between markers,
// so a rerun replaces it).
import { readFileSync, writeFileSync } from 'node:fs';
import type { EngineResult } from './engine.ts';
import type { LoadResult } from './load.ts';

export interface Report {
  date: string;
  machine: string;
  seconds: number;
  concurrency: number;
  sizes: Array<{
    spanBytes: number;
    spansPerRequest: number;
    requestBytes: number;
    wire: { spansPerSecond: number; mbPerSecond: number; sinkCpuCores: number };
    engine: EngineResult;
    limit: number;
    spanlens: LoadResult & { peakRssMb: number; cpuCores: number; stored: number; storedSpansPerSecond: number; rowsPerInsert: number; ratioToLimit: number; ratioToEngine: number };
    visible?: { requestsPerSecond: number; spansPerSecond: number; traces: number; p50Ms: number; p99Ms: number; ackP50Ms: number; ackP99Ms: number };
    overload?: {
      seconds: number;
      offeredRequestsPerSecond: number;
      statuses: Record<string, number>;
      retryAfterMissing: number;
      skippedByGenerator: number;
      acknowledgedSpans: number;
      stored: number;
      lost: number;
      peakRssMb: number;
      cpuCores: number;
    };
    kafka?: { acceptedSpansPerSecond: number; storedSpansPerSecond: number; stored: number; acknowledged: number; ratioToOneProcess: number };
  }>;
}

const START = '<!-- bench:ingest:start -->';
const END = '<!-- bench:ingest:end -->';

export function renderReport(r: Report): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const rows = r.sizes.map(
    (s) =>
      `| ${s.spanBytes} B | ${s.spansPerRequest} | ${n(s.wire.spansPerSecond)} (${s.wire.mbPerSecond} MB/s) | ${n(s.engine.rowsPerSecond)} (minimal table ${n(s.engine.minimalRowsPerSecond)}) | ${n(s.limit)} | ${n(s.spanlens.spansPerSecond)} | ${n(s.spanlens.storedSpansPerSecond)} (${s.spanlens.rowsPerInsert} rows/insert) | **${s.spanlens.ratioToLimit}** | ${s.spanlens.ratioToEngine} | ${s.spanlens.ackMs.p50} / ${s.spanlens.ackMs.p99} | ${s.spanlens.peakRssMb} MB, ${s.spanlens.cpuCores} cores | ${s.spanlens.stored} / ${s.spanlens.spansAccepted} |`,
  );
  const two = r.sizes.find((s) => s.spanBytes === 2048);
  const extra: string[] = [];
  if (two?.visible)
    extra.push(
      `- Send-to-visible at ${two.visible.spansPerSecond.toLocaleString('en-US')} spans/s (${two.visible.requestsPerSecond} requests/s, 80 % of the sustained rate): p50 ${two.visible.p50Ms} ms, p99 ${two.visible.p99Ms} ms over ${two.visible.traces} traces (one per request; one poll of \`GET /api/v1/traces/:id\` in flight, for the newest acknowledged trace); acknowledgement at that rate p50 ${two.visible.ackP50Ms} ms, p99 ${two.visible.ackP99Ms} ms.`,
    );
  if (two?.overload) {
    const o = two.overload;
    extra.push(
      `- Overload, ${o.offeredRequestsPerSecond} requests/s offered (twice the sustained rate) for ${o.seconds} s: answers ${Object.entries(o.statuses)
        .map(([k, v]) => `${k}: ${v}`)
        .join(
          ', ',
        )}; ${o.retryAfterMissing} refusals without \`Retry-After\`; ${o.skippedByGenerator} sends skipped at 64 in flight; ${o.acknowledgedSpans.toLocaleString('en-US')} spans acknowledged, ${o.stored.toLocaleString('en-US')} stored (lost: ${o.lost}); collector peak RSS ${o.peakRssMb} MB, ${o.cpuCores} cores.`,
    );
  }
  if (two?.kafka)
    extra.push(
      `- Kafka pipeline (local broker, ingest + writer in one process): ${two.kafka.acceptedSpansPerSecond.toLocaleString('en-US')} spans/s acknowledged, ${two.kafka.storedSpansPerSecond.toLocaleString('en-US')} spans/s stored until the last was written; ${two.kafka.stored} stored of ${two.kafka.acknowledged}; ${two.kafka.ratioToOneProcess} of the one-process rate.`,
    );
  return [
    START,
    `## Ingest against the machine's limit (${r.date.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Machine: ${r.machine}. How: \`npm run bench\` (bench/ingest/run.ts), ${r.seconds} s per run, ${r.concurrency} requests in flight, OTLP/HTTP protobuf requests of LLM traces (agent chain, chat span with messages, tool span; fresh trace ids per request). Wire: the same load against a do-nothing receiver in its own process. Engine: the same rows, encoded beforehand, inserted straight into a fresh embedded ClickHouse with Spanlens's schema and views, best of three single inserts. Limit = 1 / (1/wire + 1/engine). Acknowledged: 200s per second of load (a 200 means the rows are fsynced in the local log). Stored: the acknowledged spans over the time from the first send until the writer had inserted the last of them, the rate the pipeline sustains; the ratios and the runs below are taken from it. Minimal table: the same rows into a plain MergeTree holding only the inserted columns (no views, indexes or computed columns), so the schema's own cost shows.`,
    '',
    '| span size | spans/request | wire spans/s | engine rows/s | limit | acknowledged spans/s | stored spans/s | stored: ratio to limit | ratio to engine | ack p50 / p99 ms | collector peak RSS, CPU | stored / acknowledged |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...extra,
    END,
  ].join('\n');
}

export function writeReport(r: Report, path: string): void {
  const text = readFileSync(path, 'utf8');
  const section = renderReport(r);
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  const next = a >= 0 && b > a ? text.slice(0, a) + section + text.slice(b + END.length) : text.replace(/(\n## )/, `\n${section}\n$1`);
  writeFileSync(path, next);
}
