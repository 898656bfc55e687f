import type { SpanRow, Storage } from '@spanlens/clickhouse';

/**
 * Drops spans that are already stored, or repeated within the batch, before the insert.
 * A client that re-sends a request whose answer it lost would otherwise be counted
 * twice by the rollups (the spans table itself collapses repeats on merge). One query
 * per batch, narrowed by the primary key (project, hour) and the trace_id bloom filter.
 */
export type SpanKey = Pick<SpanRow, 'project_id' | 'trace_id' | 'span_id' | 'start_time'>;

export async function dropStoredSpans<T extends SpanKey>(storage: Storage, rows: T[]): Promise<T[]> {
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const r of rows) {
    const k = `${r.project_id}\u0000${r.trace_id}\u0000${r.span_id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    unique.push(r);
  }
  if (unique.length === 0) return unique;
  const projects = new Set<string>();
  const hours = new Set<string>();
  const traces = new Set<string>();
  for (const r of unique) {
    projects.add(r.project_id);
    hours.add(r.start_time.slice(0, 13) + ':00:00');
    traces.add(r.trace_id);
  }
  const rs = await storage.client.query({
    query: `
      SELECT project_id, trace_id, span_id FROM spans
      WHERE project_id IN {projects:Array(String)}
        AND toStartOfHour(start_time) IN {hours:Array(DateTime('UTC'))}
        AND trace_id IN {traces:Array(String)}
      SETTINGS use_skip_indexes = 0`,
    query_params: { projects: [...projects], hours: [...hours], traces: [...traces] },
    format: 'JSONEachRow',
  });
  const stored = await rs.json<{ project_id: string; trace_id: string; span_id: string }>();
  if (stored.length === 0) return unique;
  const storedKeys = new Set(stored.map((s) => `${s.project_id}\u0000${s.trace_id}\u0000${s.span_id}`));
  return unique.filter((r) => !storedKeys.has(`${r.project_id}\u0000${r.trace_id}\u0000${r.span_id}`));
}
