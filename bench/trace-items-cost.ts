// What the trace_items view (migration 0010) costs a bulk insert, and which part of it is
// the JSON doc: seeds 1 M spans (bench/seed-spans.ts) into a fresh embedded store with one
// variant of the view, waits for merges, and prints the seconds, the process CPU and the
// table's size. One variant per process (one store each); run them alternately.
// Usage: node --import tsx bench/trace-items-cost.ts <variant> [--spans 1000000]
//   shipped   the view as migration 0010 makes it (JSONEachRow doc, ZSTD(3))
//   none      no view
//   empty     the view with an empty doc (its rows without the formatting)
//   compact   the doc as JSONCompactEachRow (values without names)
//   lz4       the shipped doc stored with CODEC(LZ4)
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { seedSpans } from './seed-spans.ts';
import { mergesSettled } from './merges.ts';

const variant = process.argv[2] ?? 'shipped';
const i = process.argv.indexOf('--spans');
const SPANS = i > 0 ? Number(process.argv[i + 1]) : 1_000_000;
const KEYS = 'project_id, trace_id, span_id, start_time, ingested_at';
const view = (doc: string) => `CREATE MATERIALIZED VIEW trace_items_spans_mv TO trace_items AS
  SELECT project_id, trace_id, 'span' AS item, span_id AS item_id, start_time AS time, ingested_at AS version, ${doc} AS doc FROM spans`;
const variants: Record<string, string[]> = {
  shipped: [],
  none: ['DROP VIEW trace_items_spans_mv'],
  empty: ['DROP VIEW trace_items_spans_mv', view("''")],
  compact: ['DROP VIEW trace_items_spans_mv', view(`formatRowNoNewline('JSONCompactEachRow', * EXCEPT (${KEYS}))`)],
  lz4: ['ALTER TABLE trace_items MODIFY COLUMN doc String CODEC(LZ4)'],
};
if (!variants[variant]) throw new Error(`unknown variant ${variant}: one of ${Object.keys(variants).join(', ')}`);

const storage = await openTestStorage();
for (const query of variants[variant]!) await storage.client.command({ query });
const now = Date.now();
const cpu0 = process.cpuUsage();
const start = performance.now();
await seedSpans(storage, { projectId: 'p', spans: SPANS, startMs: now - 7 * 86_400_000, endMs: now - 60_000 });
const seconds = (performance.now() - start) / 1000;
await mergesSettled(storage, { quietChecks: 3, pollMs: 500, timeoutMs: 120_000 });
const cpu = process.cpuUsage(cpu0);
const rs = await storage.client.query({ query: "SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE active AND database = currentDatabase() AND table = 'trace_items'", format: 'JSONEachRow' });
const bytes = Number((await rs.json<{ b: string }>())[0]!.b);
console.log(`| ${variant} | ${SPANS.toLocaleString('en-US')} | ${seconds.toFixed(1)} | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} | ${(bytes / 2 ** 20).toFixed(1)} |`);
await storage.destroy();
