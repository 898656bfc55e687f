// The span tree of a trace, flattened for the waterfall.
import type { Span } from './api.ts';
import { isoToMs } from './format.ts';

export interface TreeRow {
  span: Span;
  depth: number;
  /** Offset from the trace start, ms. */
  offsetMs: number;
}

/** Orders spans depth-first (children by start time) with their depth; orphans become roots. */
export function buildTree(spans: Span[]): { rows: TreeRow[]; startMs: number; totalMs: number } {
  if (spans.length === 0) return { rows: [], startMs: 0, totalMs: 0 };
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a: Span, b: Span) => isoToMs(a.startTime) - isoToMs(b.startTime);
  let startMs = Infinity;
  let endMs = -Infinity;
  for (const s of spans) {
    const st = isoToMs(s.startTime);
    startMs = Math.min(startMs, st);
    endMs = Math.max(endMs, st + s.durationMs);
  }
  const rows: TreeRow[] = [];
  const seen = new Set<string>();
  const visit = (s: Span, depth: number) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    rows.push({ span: s, depth, offsetMs: isoToMs(s.startTime) - startMs });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  // Spans in a parent cycle are never reached from a root: list them at the top level.
  for (const s of spans) if (!seen.has(s.spanId)) visit(s, 0);
  return { rows, startMs, totalMs: Math.max(endMs - startMs, 0) };
}
