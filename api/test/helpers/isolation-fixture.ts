/**
 * The two seeded projects of the isolation walk: their spans, the ids and values that point at
 * each one's data, and the strings that exist only in one of them.
 */
import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';
import { spanRow } from './seed.ts';
import { T0, fits, genNumber, genString, paramKind, type JsonSchema, type Route } from './openapi-walk.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Fixed time windows for query parameters of these names, so two calls a moment apart read the
 * same rows (the header variants are compared with the plain call) and B's snapshot is stable.
 */
export const TIME_HINTS: Record<string, string> = {
  from: new Date(T0 - 8 * DAY).toISOString(),
  to: new Date(T0 + HOUR / 2).toISOString(),
  currentFrom: new Date(T0 - 23 * HOUR).toISOString(),
  currentTo: new Date(T0 + HOUR / 2).toISOString(),
  baselineFrom: new Date(T0 - 8 * DAY).toISOString(),
  baselineTo: new Date(T0 - 23 * HOUR).toISOString(),
};

export type Side = 'alpha' | 'bravo';

export interface Fixture {
  side: Side;
  projectId: string;
  key: string;
  /** The project's objects by kind, for path parameters (`traceId`, `/rules/{id}` -> rule). */
  ids: Record<string, string>;
  /** Values a query parameter of this name may carry to point at the project's data. */
  queryHints: Record<string, string>;
  /** The same for request body fields. */
  bodyHints: Record<string, string>;
  /** Strings that exist only in this project's data. */
  markers: string[];
}

const TRACE_PREFIX: Record<Side, string> = { alpha: 'a1a1a1a1', bravo: 'b7b7b7b7' };
const SPAN_PREFIX: Record<Side, string> = { alpha: 'd1d1', bravo: 'c7c7' };
/** Traces per window; different, so numbers-only answers (metrics) differ between projects. */
export const TRACES: Record<Side, number> = { alpha: 4, bravo: 3 };

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
export const traceIdOf = (side: Side, i: number) => TRACE_PREFIX[side] + hex(i + 1, 24);
export const spanIdOf = (side: Side, i: number, child: number) => SPAN_PREFIX[side] + hex(i * 2 + child + 1, 12);

/** Root and LLM span per trace: half in the last day, half days ago (drift's baseline). */
export function spansOf(side: Side, project: string): SpanRow[] {
  const rows: SpanRow[] = [];
  const n = TRACES[side];
  for (let i = 0; i < 2 * n; i++) {
    const startMs = i < n ? T0 - 20 * HOUR + i * HOUR : T0 - 3 * DAY + (i - n) * HOUR;
    const start = BigInt(startMs) * 1_000_000n;
    const failed = i % 3 === 2;
    const common = {
      trace_id: traceIdOf(side, i),
      user_id: `usr-${side}-${i % 2}`,
      session_id: `sess-${side}-${i % 2}`,
      service: `svc-${side}`,
      environment: `env-${side}`,
      release: `rel-${side}`,
      tags: [`tag-${side}`],
      status: failed ? ('error' as const) : ('ok' as const),
    };
    rows.push(
      spanRow(project, {
        ...common,
        span_id: spanIdOf(side, i, 0),
        name: `root-${side}`,
        kind: 'chain',
        otel_kind: 'server',
        start_time: formatDateTime64(start),
        end_time: formatDateTime64(start + 900_000_000n),
        duration_ns: 900_000_000,
      }),
    );
    const input = 100 + 10 * i;
    const output = 20 + i;
    rows.push(
      spanRow(project, {
        ...common,
        span_id: spanIdOf(side, i, 1),
        parent_span_id: spanIdOf(side, i, 0),
        name: `call-${side}`,
        kind: 'llm',
        start_time: formatDateTime64(start + 100_000_000n),
        end_time: formatDateTime64(start + 800_000_000n),
        duration_ns: 700_000_000,
        model: `mdl-${side}`,
        request_model: `mdl-${side}`,
        provider: `prv-${side}`,
        operation: 'chat',
        input_tokens: input,
        output_tokens: output,
        total_tokens: input + output,
        cost_usd: (input + output) / 1e5,
        cost_source: 'table',
        ttft_ms: 40 + i,
        status_message: failed ? `err-${side}` : '',
        prompt_name: `pmt-${side}`,
        prompt_version: '1',
        input: JSON.stringify([{ role: 'user', content: `zulu${side} question ${i}` }]),
        output: failed ? '' : JSON.stringify([{ role: 'assistant', content: `yankee${side} answer ${i}` }]),
        attributes: { 'app.note': `attr-${side}` },
      }),
    );
  }
  return rows;
}

/**
 * A value with the project's name in every string it can hold (collected in `out`): the seed
 * for routes the hand-written one does not reach, such as settings added after this test.
 */
export function rich(s: JsonSchema, side: Side, out: string[]): unknown {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return rich(alternatives.find((x) => x.type !== 'null') ?? alternatives[0]!, side, out);
  if (s.enum?.length) return s.enum.find((x) => x !== null) ?? s.enum[0];
  switch (s.type) {
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, ps]) => [k, rich(ps, side, out)]));
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 0) }, () => rich(s.items ?? {}, side, out));
    case 'string': {
      const n = String(out.length + 1).padStart(3, '0');
      const marked = [`gen-${side}-${n}`, `gen_${side}_${n}`, `gen${side}${n}`, `https://gen-${side}-${n}.example/hook`].find((c) => fits(s, c));
      if (marked === undefined) return genString(s);
      out.push(marked);
      return marked;
    }
    case 'number':
    case 'integer':
      return genNumber(s);
    case 'boolean':
      return true;
    default:
      return s.default ?? 'probe';
  }
}

/**
 * The route's path filled with the fixture's ids, once per candidate: the id of the object kind
 * the parameter names, or else every id of the fixture that fits the parameter's schema.
 */
export function fillPath(route: Route, fx: Fixture): { urls: string[]; unresolved: string[] } {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  let urls = [route.path];
  const unresolved: string[] = [];
  for (const name of names) {
    const schema = route.op?.parameters?.find((p) => p.in === 'path' && p.name === name)?.schema;
    const known = fx.ids[paramKind(route.path, name)];
    const candidates = known !== undefined ? [known] : [...new Set(Object.values(fx.ids))].filter((v) => fits(schema, v));
    if (candidates.length === 0) unresolved.push(name);
    urls = urls.flatMap((u) => candidates.map((c) => u.replace(`{${name}}`, encodeURIComponent(c))));
  }
  return { urls, unresolved };
}
