import { z } from 'zod';
import { formatMillis } from '@spanlens/clickhouse';
import { ApiError } from './errors.ts';
import { clickHouseNow, isoToClickHouse } from './time.ts';

const value = z.string().min(1).max(200);
/** One value, or the parameter repeated: a row matches any of them. */
const multi = z.union([value, z.array(value).min(1).max(50)]).optional();
const statuses = z.enum(['ok', 'error', 'unset']);
const isoTime = z.iso.datetime({ offset: true });
const signals = z.enum(['empty', 'refusal', 'truncated', 'invalid_json', 'error']);
const SIGNAL_SQL = { empty: 'q_empty', refusal: 'q_refusal', truncated: 'q_truncated', invalid_json: 'q_invalid_json', error: "status = 'error'" } as const;

/** Filters shared by every list and metrics route; see docs/api.md. */
export const filterShape = {
  from: isoTime.optional().describe('Start of the time range, ISO 8601'),
  to: isoTime.optional().describe('End of the time range (exclusive), ISO 8601'),
  model: multi,
  provider: multi,
  service: multi,
  environment: multi,
  release: multi,
  kind: multi,
  userId: multi,
  sessionId: multi,
  promptName: multi,
  promptVersion: multi,
  tag: multi.describe('The span carries this tag'),
  status: z.union([statuses, z.array(statuses).min(1).max(3)]).optional(),
  q: z.string().min(1).max(200).optional().describe('Case-insensitive text in any span input or output'),
  signal: z
    .union([signals, z.array(signals).min(1).max(5)])
    .optional()
    .describe('Spans with any of these quality signals'),
};

export type FilterQuery = { [K in keyof typeof filterShape]?: z.infer<(typeof filterShape)[K]> };

/** Span fields a filter or group-by may name, and their columns. */
export const SPAN_FIELDS = {
  model: 'model',
  provider: 'provider',
  service: 'service',
  environment: 'environment',
  release: 'release',
  kind: 'kind',
  userId: 'user_id',
  sessionId: 'session_id',
  promptName: 'prompt_name',
  promptVersion: 'prompt_version',
} as const;

export type SpanField = keyof typeof SPAN_FIELDS;

/** The dimensions the minute rollups keep; anything else needs the raw spans. */
export const ROLLUP_FIELDS: ReadonlySet<string> = new Set(['model', 'provider', 'service', 'environment', 'kind']);

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Builds WHERE conditions from filters. Values only ever travel as query parameters;
 * the SQL text holds column names from the fixed table above.
 */
export class SqlFilter {
  readonly params: Record<string, unknown> = {};
  private n = 0;

  param(v: unknown, type: string): string {
    const name = `p${this.n++}`;
    this.params[name] = v;
    return `{${name}:${type}}`;
  }

  /** Conditions on span columns; `status` is left out when the caller applies it per trace. */
  spanConditions(f: FilterQuery, opts: { spanStatus: boolean }): string[] {
    const out: string[] = [];
    for (const [field, column] of Object.entries(SPAN_FIELDS)) {
      const values = asArray(f[field as SpanField]);
      if (values.length) out.push(`has(${this.param(values, 'Array(String)')}, ${column})`);
    }
    const tags = asArray(f.tag);
    if (tags.length) out.push(`hasAny(tags, ${this.param(tags, 'Array(String)')})`);
    const status = asArray(f.status);
    if (opts.spanStatus && status.length) out.push(`has(${this.param(status, 'Array(String)')}, status)`);
    const wanted = asArray(f.signal);
    if (wanted.length) out.push(`(${wanted.map((x) => SIGNAL_SQL[x]).join(' OR ')})`);
    if (f.q) {
      const q = this.param(f.q, 'String');
      out.push(`(positionCaseInsensitiveUTF8(input, ${q}) > 0 OR positionCaseInsensitiveUTF8(output, ${q}) > 0)`);
    }
    return out;
  }

  timeRange(column: string, from: string, to: string, type = "DateTime64(9, 'UTC')"): string {
    return `${column} >= ${this.param(from, type)} AND ${column} < ${this.param(to, type)}`;
  }
}

/** The dimensions the hour totals (spans_1h) keep. */
export const HOUR_ROLLUP_FIELDS: ReadonlySet<string> = new Set(['kind']);

/** The filters that name only dimensions a rollup keeps (and no status or text search). */
export function rollupCompatible(f: FilterQuery, fields: ReadonlySet<string> = ROLLUP_FIELDS): boolean {
  for (const key of Object.keys(filterShape) as Array<keyof FilterQuery>) {
    if (key === 'from' || key === 'to' || f[key] === undefined) continue;
    if (!fields.has(key)) return false;
  }
  return true;
}

export interface TimeRange {
  /** ClickHouse DateTime64(9) text. */
  from: string;
  to: string;
  fromMs: number;
  toMs: number;
}

/** Resolves `from`/`to` with a default length, checking order; `to` defaults to now. */
export function resolveRange(f: FilterQuery, defaultMs: number, defaultToOffsetMs = 0): TimeRange {
  const to = f.to ? isoToClickHouse(f.to) : clickHouseNow(defaultToOffsetMs);
  const from = f.from ? isoToClickHouse(f.from) : null;
  if (!to) throw new ApiError('invalid_request', 'to: not an ISO 8601 time');
  if (f.from && !from) throw new ApiError('invalid_request', 'from: not an ISO 8601 time');
  const toMs = chToMs(to);
  const fromMs = from ? chToMs(from) : toMs - defaultMs;
  if (fromMs >= toMs) throw new ApiError('invalid_request', 'from: must be before to');
  return { from: from ?? msToCh(fromMs), to, fromMs, toMs };
}

const DAY = 86_400_000;

/**
 * The range of list routes (traces, sessions, users): the whole retention by default, and an
 * end a day ahead so spans from clocks that run fast are listed too.
 */
export function listRange(f: FilterQuery, retentionDays: number): TimeRange {
  return resolveRange(f, retentionDays * DAY + DAY, DAY);
}

export function chToMs(ch: string): number {
  return Date.parse(`${ch.slice(0, 10)}T${ch.slice(11, 23)}Z`);
}

export function msToCh(ms: number): string {
  return `${formatMillis(ms)}000000`;
}
