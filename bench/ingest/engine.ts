// The engine limit: the rows Spanlens would store for these requests, inserted straight into
// a fresh embedded ClickHouse (same schema and views), best of three single large inserts.
import { randomBytes } from 'node:crypto';
import { openTestStorage } from '@spanlens/clickhouse/testing';
import { SPAN_COLUMNS, type SpanRow } from '@spanlens/clickhouse';
import { decodeProtobuf } from '../../collector/src/otlp/decode.ts';
import { toRecord } from '../../collector/src/processors/normalize.ts';
import { encodeBody, spansV2 } from '../../collector/src/kafka/records.ts';
import type { RequestTemplate } from './load.ts';

export interface EngineResult {
  rows: number;
  format: string;
  bestSeconds: number;
  rowsPerSecond: number;
  /** The same rows into a plain MergeTree with only the inserted columns: no views, indexes or computed columns. */
  minimalRowsPerSecond: number;
}

/** `count` copies of the base rows, cycling, each with fresh trace and span ids (a real store keeps every one). */
export function freshRows(base: readonly SpanRow[], count: number): SpanRow[] {
  return Array.from({ length: count }, (_, i) => ({ ...base[i % base.length]!, trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex') }));
}

export async function engineLimit(template: RequestTemplate, rows: number): Promise<EngineResult> {
  const base = decodeProtobuf(template.body).spans.map((s) => toRecord('bench', s).row);
  const make = () => freshRows(base, rows);
  const storage = await openTestStorage();
  try {
    const encode = (r: SpanRow[]) => encodeBody(spansV2, r);
    const bestOfThree = async (table: string) => {
      await storage.insertCompact(table, SPAN_COLUMNS, encode(make().slice(0, 2000))); // warm-up
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const body = encode(make());
        // Only the insert is timed: encoding rows is the pipeline's work, not the engine's.
        const t = performance.now();
        await storage.insertCompact(table, SPAN_COLUMNS, body);
        best = Math.min(best, (performance.now() - t) / 1000);
      }
      return best;
    };
    const best = await bestOfThree('spans');
    // What the schema itself costs: the inserted columns with their types, nothing else.
    const rs = await storage.client.query({ query: "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'spans'", format: 'JSONEachRow' });
    const types = new Map((await rs.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]));
    const columns = SPAN_COLUMNS.map((c) => `\`${c}\` ${types.get(c)!}`).join(', ');
    await storage.client.command({ query: `CREATE TABLE spans_minimal (${columns}) ENGINE = MergeTree ORDER BY tuple()` });
    const minimal = await bestOfThree('spans_minimal');
    return {
      rows,
      format: 'JSONCompactEachRow (raw Buffer insert)',
      bestSeconds: Number(best.toFixed(3)),
      rowsPerSecond: Math.round(rows / best),
      minimalRowsPerSecond: Math.round(rows / minimal),
    };
  } finally {
    await storage.destroy();
  }
}
