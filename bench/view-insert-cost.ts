// What one materialized view on spans costs each insert: 200-span inserts into a fresh
// embedded store, in rounds of 100 with the view and 100 without (dropped and recreated),
// alternating which goes first. Prints the milliseconds per insert of each round.
// Usage: node --import tsx bench/view-insert-cost.ts [--view spans_1h_mv]
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { formatDateTime64 } from '@spanlens/clickhouse';
import { randomBytes } from 'node:crypto';
const storage = await openTestStorage();
const batch = () =>
  Array.from({ length: 200 }, (_, i) => {
    const ns = BigInt(Date.now()) * 1_000_000n;
    return {
      project_id: 'p',
      trace_id: randomBytes(16).toString('hex'),
      span_id: randomBytes(8).toString('hex'),
      name: 'chat',
      kind: i % 2 ? 'llm' : 'chain',
      model: i % 2 ? 'gpt-4o-mini' : '',
      provider: 'openai',
      start_time: formatDateTime64(ns),
      end_time: formatDateTime64(ns + 5_000_000n),
      duration_ns: 5_000_000,
      input_tokens: 100,
      output_tokens: 20,
      total_tokens: 120,
      cost_usd: 0.0001,
      input: JSON.stringify([{ role: 'user', content: 'hello '.repeat(30) }]),
      output: JSON.stringify([{ role: 'assistant', content: 'hi '.repeat(30) }]),
      service: 'svc',
      environment: 'prod',
    };
  });
const VIEW = process.argv.includes('--view') ? process.argv[process.argv.indexOf('--view') + 1]! : 'spans_1h_mv';
let tok = 0;
const run = async (n: number) => {
  const t = performance.now();
  for (let i = 0; i < n; i++) await storage.insertRows('spans', batch(), { dedupToken: `t${tok++}` });
  return (performance.now() - t) / n;
};
const mvSql = (
  await (
    await storage.client.query({
      query: 'SELECT create_table_query AS q FROM system.tables WHERE name = {v:String} AND database = currentDatabase()',
      query_params: { v: VIEW },
      format: 'JSONEachRow',
    })
  ).json<{ q: string }>()
)[0]!.q;
await run(30);
const w: number[] = [],
  wo: number[] = [];
for (let r = 0; r < 6; r++) {
  const order = r % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
  for (const o of order) {
    if (o === 'without') await storage.client.command({ query: `DROP VIEW ${VIEW}` });
    const ms = await run(100);
    if (o === 'without') {
      await storage.client.command({ query: mvSql });
      wo.push(ms);
    } else w.push(ms);
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
console.log(VIEW);
console.log('with', w.map((x) => x.toFixed(1)).join(' '), 'median', med(w).toFixed(1));
console.log('without', wo.map((x) => x.toFixed(1)).join(' '), 'median', med(wo).toFixed(1));
await storage.destroy();
