// Quick ingest figure for one Spanlens process: OTLP/HTTP protobuf requests of LLM spans,
// sent with a few connections in flight, counting acknowledged spans per second.
// Usage: node --import tsx bench/quick-ingest.ts [requests=300] [spansPerRequest=200] [concurrency=4]
// With KAFKA_BROKERS set, Spanlens runs OTLP -> Kafka -> writer -> ClickHouse in the one
// process, and the run also reports when the writer had stored every accepted span.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../collector/src/otlp/proto.ts';

const [requests = 300, perRequest = 200, concurrency = 4] = process.argv.slice(2).map(Number);
const KEY = 'sl_bench_key_0123456789abcdef';
const ROOT = new URL('../', import.meta.url).pathname;

function kv(key: string, value: string | number) {
  return { key, value: typeof value === 'number' ? { intValue: value } : { stringValue: value } };
}

function body(): Buffer {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < perRequest; i += 2) {
    const traceId = randomBytes(16);
    const rootId = randomBytes(8);
    spans.push({ traceId, spanId: rootId, name: 'answer', kind: 2, startTimeUnixNano: now, endTimeUnixNano: now + 900_000_000n, attributes: [kv('user.id', `user-${i % 50}`)] });
    spans.push({
      traceId,
      spanId: randomBytes(8),
      parentSpanId: rootId,
      name: 'chat gpt-4o-mini',
      kind: 3,
      startTimeUnixNano: now + 1_000_000n,
      endTimeUnixNano: now + 800_000_000n,
      attributes: [
        kv('gen_ai.operation.name', 'chat'),
        kv('gen_ai.provider.name', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o-mini'),
        kv('gen_ai.usage.input_tokens', 420),
        kv('gen_ai.usage.output_tokens', 96),
        kv('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Summarise this support ticket. '.repeat(12) }] }])),
        kv('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'The customer reports a billing error. '.repeat(6) }], finish_reason: 'stop' }])),
      ],
    });
  }
  const msg = ExportTraceServiceRequest.fromObject({ resourceSpans: [{ resource: { attributes: [kv('service.name', 'bench')] }, scopeSpans: [{ spans }] }] });
  return Buffer.from(ExportTraceServiceRequest.encode(msg).finish());
}

const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-bench-'));
const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', 'server/src/cli.ts', 'start'], {
  cwd: ROOT,
  env: { ...process.env, SPANLENS_DATA_DIR: dataDir, SPANLENS_INIT_API_KEY: KEY, SPANLENS_OTLP_HTTP_PORT: '0', SPANLENS_OTLP_GRPC_PORT: '0', SPANLENS_API_PORT: '0' },
});
let out = '';
child.stdout.on('data', (d) => {
  out += d;
});
child.stderr.on('data', (d) => {
  out += d;
});
while (!out.includes('spanlens: ready')) await new Promise((r) => setTimeout(r, 50));
const url = /OTLP\/HTTP on (\S+)/.exec(out)![1]!;
const apiUrl = /API and dashboard on (\S+?)\/?\n/.exec(out)![1]!;

const bodies = Array.from({ length: requests }, body);
const bytes = bodies.reduce((n, b) => n + b.length, 0);
const latencies: number[] = [];
let next = 0,
  accepted = 0,
  refused = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      const s = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${KEY}` }, body: new Uint8Array(b) });
      await res.arrayBuffer();
      latencies.push(performance.now() - s);
      if (res.status === 200) accepted += perRequest;
      else refused++;
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
let storedSeconds: number | undefined;
if (process.env.KAFKA_BROKERS) {
  const metricsUrl = url.replace('/v1/traces', '/metrics');
  for (;;) {
    const text = await (await fetch(metricsUrl)).text();
    const inserted = Number(/^spanlens_writer_rows_inserted (\S+)$/m.exec(text)?.[1] ?? 0);
    if (inserted >= accepted) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  storedSeconds = (performance.now() - t0) / 1000;
}
latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
const list = (await (await fetch(`${apiUrl}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { traces: unknown[] };
console.log(
  JSON.stringify({
    requests,
    spansPerRequest: perRequest,
    concurrency,
    avgSpanBytes: Math.round(bytes / (requests * perRequest)),
    acceptedSpans: accepted,
    refusedRequests: refused,
    seconds: Number(seconds.toFixed(2)),
    spansPerSecond: Math.round(accepted / seconds),
    mbPerSecond: Number((bytes / seconds / 1e6).toFixed(2)),
    ackLatencyMs: { p50: q(0.5), p99: q(0.99) },
    apiSeesTraces: list.traces.length > 0,
    ...(storedSeconds ? { viaKafka: true, allStoredAfterSeconds: Number(storedSeconds.toFixed(2)), storedSpansPerSecond: Math.round(accepted / storedSeconds) } : {}),
  }),
);
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
rmSync(dataDir, { recursive: true, force: true });
