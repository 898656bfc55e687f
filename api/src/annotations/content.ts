import type { Storage } from '@spanlens/clickhouse';
import { loadSpans, type EvaluatedSpan } from '../evaluations/spans.ts';

/**
 * The span a reviewer reads for each item: the item's own span, or for a trace its last LLM
 * call (what the trace answered), else its root span. Keyed by item trace and span.
 */
export async function itemSpans(storage: Storage, projectId: string, items: ReadonlyArray<{ traceId: string; spanId: string | null }>): Promise<Map<string, EvaluatedSpan>> {
  const traces = [...new Set(items.filter((i) => !i.spanId).map((i) => i.traceId))];
  const chosen = new Map<string, string>();
  for (let i = 0; i < traces.length; i += 1000) {
    const rs = await storage.client.query({
      query: `SELECT trace_id, if(countIf(kind = 'llm') > 0, argMaxIf(span_id, start_time, kind = 'llm'), argMinIf(span_id, start_time, parent_span_id = '')) AS span_id
              FROM spans WHERE project_id = {p:String} AND trace_id IN {t:Array(String)} GROUP BY trace_id`,
      query_params: { p: projectId, t: traces.slice(i, i + 1000) },
      format: 'JSONEachRow',
    });
    for (const r of await rs.json<{ trace_id: string; span_id: string }>()) chosen.set(r.trace_id, r.span_id);
  }
  const keys = items.flatMap((i) => {
    const spanId = i.spanId ?? chosen.get(i.traceId);
    return spanId ? [{ traceId: i.traceId, spanId }] : [];
  });
  const out = new Map<string, EvaluatedSpan>();
  for (let i = 0; i < keys.length; i += 1000) {
    for (const s of await loadSpans(storage, projectId, keys.slice(i, i + 1000))) out.set(`${s.traceId}:${s.spanId}`, s);
  }
  const result = new Map<string, EvaluatedSpan>();
  for (const it of items) {
    const s = out.get(`${it.traceId}:${it.spanId ?? chosen.get(it.traceId)}`);
    if (s) result.set(`${it.traceId}:${it.spanId ?? ''}`, s);
  }
  return result;
}
