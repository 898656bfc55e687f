// CPU the SDK's OpenAI wrapper adds per call, against the unwrapped client, on a fake
// server in another process (so its CPU is not counted). Wrapped and plain calls
// alternate, so drift on this shared machine hits both alike. Spans are exported between
// rounds of 100 calls, outside the measured windows; that export CPU is reported apart
// (per span), since it runs in the background and never on the call path. The wrapper
// builds its spans in a setImmediate after the call; each window is followed by a turn
// of the event loop measured on its own ("deferred"), so that work is counted for the
// call that caused it and not for the next one. Last, what an entered context store would
// cost every call in the process (the SDK leaves it unused until the app needs context).
// Usage: node --import tsx bench/sdk-overhead.ts [calls=2000]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import OpenAI from 'openai';
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { flush, init, shutdown, stats, wrapOpenAI } from '../sdk/js/src/index.ts';
import { contextStoreInUse } from '../sdk/js/src/sdk.ts';

const N = Number(process.argv[2] ?? 2000);
const child = spawn(process.execPath, ['--import', 'tsx', new URL('./sdk-overhead-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout!, 'data')) as [Buffer];
const { llm, sink } = JSON.parse(line.toString()) as { llm: string; sink: string };

// Spans are built and exported at the flush between rounds (below), outside the measured
// windows: what is measured is the call path; the deferred work is measured apart.
init({ endpoint: sink, apiKey: 'sl_bench', serviceName: 'bench', spanBuildDelayMs: 600_000, maxQueueSize: 100_000 });
const plain = new OpenAI({ apiKey: 'sk', baseURL: `${llm}/v1`, maxRetries: 0 });
const wrapped = wrapOpenAI(new OpenAI({ apiKey: 'sk', baseURL: `${llm}/v1`, maxRetries: 0 }));
const messages = [
  { role: 'system' as const, content: 'You are terse.' },
  { role: 'user' as const, content: 'What is the capital of France? '.repeat(4) },
];

type Mode = 'chat' | 'stream';
let lastSyncUs = 0;
// Also times the synchronous part of create() alone: with no I/O inside, that is the
// wrapper's own call-path cost, free of the process-wide noise of cpuUsage().
async function call(client: OpenAI, mode: Mode): Promise<void> {
  const t0 = process.hrtime.bigint();
  if (mode === 'chat') {
    const p = client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    lastSyncUs = Number(process.hrtime.bigint() - t0) / 1000;
    await p;
    return;
  }
  const p = client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  lastSyncUs = Number(process.hrtime.bigint() - t0) / 1000;
  for await (const _ of await p) {
    /* drain */
  }
}

async function cpuMicros(f: () => Promise<void>): Promise<{ cpu: number; wall: number; deferred: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) * 1000;
  const d0 = process.cpuUsage();
  await new Promise((r) => setImmediate(r));
  const d = process.cpuUsage(d0);
  return { cpu: c.user + c.system, wall, deferred: d.user + d.system };
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

const results: Record<string, unknown> = {};
for (const mode of ['chat', 'stream'] as Mode[]) {
  for (let i = 0; i < 200; i++) {
    await call(plain, mode);
    await call(wrapped, mode);
  }
  await flush();
  const a = { cpu: [] as number[], wall: [] as number[], deferred: [] as number[], sync: [] as number[] };
  const b = { cpu: [] as number[], wall: [] as number[], deferred: [] as number[], sync: [] as number[] };
  let wrappedTotal = 0,
    plainTotal = 0,
    exportCpu = 0;
  for (let i = 0; i < N; i++) {
    if (i % 100 === 0) {
      const e0 = process.cpuUsage();
      await flush();
      const e = process.cpuUsage(e0);
      exportCpu += e.user + e.system;
    }
    const first = i % 2 === 0;
    for (const [client, acc] of (first
      ? [
          [wrapped, a],
          [plain, b],
        ]
      : [
          [plain, b],
          [wrapped, a],
        ]) as Array<[OpenAI, typeof a]>) {
      const r = await cpuMicros(() => call(client, mode));
      acc.cpu.push(r.cpu);
      acc.wall.push(r.wall);
      acc.deferred.push(r.deferred);
      acc.sync.push(lastSyncUs);
      if (acc === a) wrappedTotal += r.cpu;
      else plainTotal += r.cpu;
    }
  }
  const e0 = process.cpuUsage();
  await flush();
  const e = process.cpuUsage(e0);
  exportCpu += e.user + e.system;
  results[mode] = {
    calls: N,
    cpuUsPerCall: {
      plainMedian: q(b.cpu, 0.5),
      wrappedMedian: q(a.cpu, 0.5),
      addedMedian: q(a.cpu, 0.5) - q(b.cpu, 0.5),
      plainP99: q(b.cpu, 0.99),
      wrappedP99: q(a.cpu, 0.99),
      addedP99: q(a.cpu, 0.99) - q(b.cpu, 0.99),
    },
    // Each wrapped call against the plain call made next to it: drift between the two
    // halves of the run cancels out, which it does not in the difference of medians.
    addedMedianOfPairs: q(
      a.cpu.map((w, i) => w - b.cpu[i]!),
      0.5,
    ),
    addedMeanUsOnCallPath: Math.round((wrappedTotal - plainTotal) / N),
    createSyncUs: {
      plainMedian: Number(q(b.sync, 0.5).toFixed(1)),
      wrappedMedian: Number(q(a.sync, 0.5).toFixed(1)),
      addedMedian: Number((q(a.sync, 0.5) - q(b.sync, 0.5)).toFixed(1)),
      addedP99: Number((q(a.sync, 0.99) - q(b.sync, 0.99)).toFixed(1)),
    },
    deferredSpanBuildUs: {
      plainMedian: q(b.deferred, 0.5),
      wrappedMedian: q(a.deferred, 0.5),
      addedMedian: q(a.deferred, 0.5) - q(b.deferred, 0.5),
      addedP99: q(a.deferred, 0.99) - q(b.deferred, 0.99),
    },
    exportCpuUsPerSpanInBackground: Math.round(exportCpu / N),
    wallUsPerCall: { plainMedian: Math.round(q(b.wall, 0.5)), wrappedMedian: Math.round(q(a.wall, 0.5)) },
  };
}
// Everything the SDK costs the process, on and off the call path (span building, export):
// blocks of plain and wrapped calls alternate; total process CPU per call, wrapped minus plain.
for (const mode of ['chat', 'stream'] as Mode[]) {
  let plainCpu = 0,
    wrappedCpu = 0;
  const B = 200,
    rounds = Math.max(1, Math.floor(N / B));
  for (let r = 0; r < rounds; r++) {
    for (const [client, isWrapped] of [
      [plain, false],
      [wrapped, true],
    ] as Array<[OpenAI, boolean]>) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < B; i++) await call(client, mode);
      if (isWrapped) await flush();
      const c = process.cpuUsage(c0);
      if (isWrapped) wrappedCpu += c.user + c.system;
      else plainCpu += c.user + c.system;
    }
  }
  (results[mode] as Record<string, unknown>).totalAddedCpuUsPerCallIncludingBuildAndExport = Math.round((wrappedCpu - plainCpu) / (rounds * B));
}
// What an entered context store would cost every call in the process on Node 20: async
// hooks run for each promise created, the app's own included. Measured as the promises one
// plain call creates times the added CPU per promise (a promise chain, store entered or not,
// alternating); timing whole calls for this is too noisy on a shared machine.
{
  const storeUnusedAfterExports = contextStoreInUse() === false;
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  }).enable();
  for (let i = 0; i < 100; i++) await call(plain, 'chat');
  hook.disable();
  const chain = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise<void>((r) => r());
  };
  async function nsPerPromise(mode: 'unused' | 'entered'): Promise<number> {
    const als = new AsyncLocalStorage<object>();
    if (mode === 'entered') als.run({}, () => undefined);
    const c0 = process.cpuUsage();
    await chain(100_000);
    const c = process.cpuUsage(c0);
    als.disable();
    return ((c.user + c.system) * 1000) / 200_000; // two promises per step
  }
  await chain(100_000);
  const added: number[] = [];
  for (let r = 0; r < 12; r++) {
    const first = r % 2 ? 'entered' : 'unused';
    const a = await nsPerPromise(first);
    const b = await nsPerPromise(first === 'entered' ? 'unused' : 'entered');
    added.push(first === 'entered' ? a - b : b - a);
  }
  const promisesPerCall = promises / 100;
  const addedNsPerPromise = q(added, 0.5);
  results.contextStore = {
    storeUnusedAfterExports,
    promisesPerPlainChatCall: promisesPerCall,
    addedNsPerPromiseWhenEntered: Math.round(addedNsPerPromise),
    addedUsPerPlainChatCallWhenEntered: Math.round((promisesPerCall * addedNsPerPromise) / 1000),
  };
}
results.sdkStats = stats();
console.log(JSON.stringify(results, null, 1));
await shutdown();
child.kill('SIGTERM');
