// What background evaluation costs per 1,000 spans, in one process on embedded ClickHouse:
//   node --import tsx bench/evaluations.ts [--spans 10000] [--batch 200]
// Stores N LLM calls, then runs one evaluator at a time (two rules and an LLM judge served by
// a local fake OpenAI-compatible endpoint that answers at once, so the judge's own latency is
// left out and what remains is Spanlens's work: scans, sampling, the already-scored check,
// span reads, the call itself, score inserts, state writes) until every span is scored.
// CPU is this process's (chDB runs in it, so the engine's work is included; the judge runs in a child process and is not).
import { createProject, formatDateTime64 } from '@spanlens/clickhouse';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { EvaluationWorker, SecretBox } from '@spanlens/api';
import { createLogger } from '@spanlens/collector';
import { evaluatorInput, type EvaluatorInput } from '../api/src/evaluations/definition.ts';
import { deleteEvaluator, putEvaluator } from '../api/src/evaluations/store.ts';
import { fork } from 'node:child_process';
import { spanRow } from '../api/test/helpers/seed.ts';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('spans', 10_000);
const batchSizes = process.argv.includes('--batch') ? [arg('batch', 1000)] : [200, 1000];

const storage = await openTestStorage();
// The judge runs in a child process: its CPU is not Spanlens's.
const child = fork(new URL('./fake-judge-process.ts', import.meta.url).pathname, { execArgv: ['--import', 'tsx'] });
const ask = <T>() => new Promise<T>((r) => child.once('message', (x) => r(x as T)));
const judge = { url: (await ask<{ url: string }>()).url };
const judgeCalls = async () => {
  const p = ask<{ calls: number }>();
  child.send('calls');
  return (await p).calls;
};
const box = new SecretBox('bench');
const projectId = (await createProject(storage, 'bench', 'bench')).id;

// Every statement the worker sends, counted.
let statements = 0;
const query = storage.client.query.bind(storage.client);
storage.client.query = ((p: Parameters<typeof query>[0]) => {
  statements++;
  return query(p);
}) as typeof storage.client.query;
const insertRows = storage.insertRows.bind(storage);
storage.insertRows = (t, r, o) => {
  statements++;
  return insertRows(t, r, o);
};

const answer = JSON.stringify({ city: 'Paris', population: 2_100_000 });
async function storeSpans(tag: string): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const rows = Array.from({ length: N }, (_, i) =>
    spanRow(projectId, {
      trace_id: `${tag}${i.toString(16)}`.padStart(32, '0'),
      span_id: `${tag}${i.toString(16)}`.padStart(16, '0'),
      start_time: formatDateTime64(now - BigInt(i) * 1_000_000n),
      end_time: formatDateTime64(now),
      duration_ns: 800_000_000,
      model: 'gpt-4o',
      provider: 'openai',
      cost_usd: 0.0004,
      input: JSON.stringify([
        { role: 'system', content: 'Answer in JSON.' },
        { role: 'user', content: `Tell me about city ${i}. `.repeat(20) },
      ]),
      output: JSON.stringify([{ role: 'assistant', content: i % 3 ? answer : 'GOOD ' + answer }]),
    }),
  );
  for (let i = 0; i < rows.length; i += 5000) await storage.insertRows('spans', rows.slice(i, i + 5000));
}

const EVALUATORS: Array<[string, Partial<EvaluatorInput>]> = [
  ['rule: contains', { type: 'rule', rule: { check: 'contains', text: 'paris', field: 'output', caseSensitive: false } }],
  [
    'rule: JSON Schema',
    {
      type: 'rule',
      rule: { check: 'json_schema', field: 'output', caseSensitive: false, schema: { type: 'object', required: ['city', 'population'], properties: { population: { type: 'integer' } } } },
    },
  ],
  [
    'LLM judge (fake, instant), concurrency 8',
    {
      type: 'llm_judge',
      concurrency: 8,
      judge: evaluatorInput.parse({ name: 'x', type: 'llm_judge', judge: { baseUrl: judge.url, model: 'judge-1', apiKey: 'sk-bench', builtIn: 'helpfulness', maxRetries: 0 } }).judge!,
    },
  ],
];

const lines: string[] = [];
let seq = 0;
for (const batchSize of batchSizes) {
  for (const [label, def] of EVALUATORS) {
    const id = `ev${++seq}`;
    await putEvaluator(storage, box, projectId, id, evaluatorInput.parse({ name: id, ratePerMinute: 60_000, ...def }));
    await storeSpans(id);
    const worker = new EvaluationWorker({ storage, box, settleMs: 0, batchSize, log: createLogger('warn') });
    statements = 0;
    child.send('reset');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let peakRss = 0;
    for (;;) {
      await worker.tick();
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const rs = await query({ query: 'SELECT count() AS n FROM feedback WHERE evaluator_id = {e:String}', query_params: { e: id }, format: 'JSONEachRow' });
      if (Number((await rs.json<{ n: string }>())[0]!.n) >= N) break;
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await worker.close();
    const calls = await judgeCalls();
    await deleteEvaluator(storage, projectId, id);
    const per1k = (x: number) => (x / N) * 1000;
    lines.push(
      `| ${label} | ${batchSize} | ${N.toLocaleString('en')} | ${(wall / 1000).toFixed(1)} | ${Math.round(N / (wall / 1000)).toLocaleString('en')} | ${Math.round(per1k((cpu.user + cpu.system) / 1000)).toLocaleString('en')} | ${per1k(statements).toFixed(1)} | ${calls ? per1k(calls).toFixed(0) : '-'} | ${Math.round(peakRss / 2 ** 20)} |`,
    );
    console.error(lines.at(-1));
  }
}

console.log(`Machine: ${(await import('node:os')).cpus().length} cores (${(await import('node:os')).cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}`);
console.log('| evaluator | batch | spans | wall s | spans/s | CPU ms per 1,000 spans | statements per 1,000 spans | judge calls per 1,000 | peak RSS MB |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const l of lines) console.log(l);
child.send('close');
await storage.destroy();
