// Number, money, duration and time formatting for the dashboard. Pure functions (unit-tested).

const DASH = '—';

/** US dollars with a precision that suits the size: $0, $0.000042, $0.0123, $1.23, $1,234, $12.3k. */
export function fmtUsd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v === 0) return '$0';
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  // Tiny amounts (one embedding call): two significant digits, never scientific notation.
  if (a < 0.0001) return `${sign}$${trim(a.toFixed(Math.min(12, 1 - Math.floor(Math.log10(a)))))}`;
  if (a < 0.01) return `${sign}$${a.toFixed(4).replace(/0+$/, '')}`;
  if (a < 1) return `${sign}$${a.toFixed(3).replace(/0+$/, '').replace(/\.$/, '')}`;
  if (a < 1000) return `${sign}$${a.toFixed(2)}`;
  if (a < 100_000) return `${sign}$${Math.round(a).toLocaleString('en-US')}`;
  return `${sign}$${compact(a)}`;
}

function compact(a: number): string {
  if (a < 1e6) return `${trim((a / 1e3).toFixed(a < 1e4 ? 2 : a < 1e5 ? 1 : 0))}k`;
  if (a < 1e9) return `${trim((a / 1e6).toFixed(a < 1e7 ? 2 : a < 1e8 ? 1 : 0))}M`;
  return `${trim((a / 1e9).toFixed(a < 1e10 ? 2 : 1))}B`;
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** Counts (requests, tokens): 999, 12.3k, 1.25M. */
export function fmtCount(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const a = Math.abs(v);
  if (a < 1000) return `${v < 0 ? '-' : ''}${Number.isInteger(a) ? a : trim(a.toFixed(1))}`;
  return `${v < 0 ? '-' : ''}${compact(a)}`;
}

/** Durations in milliseconds: 0.42 ms, 123 ms, 1.23 s, 2m 05s, 1h 02m. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  if (v < 1) return `${trim(v.toFixed(2))} ms`;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(2)} s`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const s = Math.round(v / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A ratio (0..1) as a percentage: 0%, 0.12%, 2.5%, 100%. */
export function fmtPct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return DASH;
  const p = v * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) < 1) return `${trim(p.toFixed(2))}%`;
  if (Math.abs(p) < 10) return `${trim(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}

export type Trend = 'up' | 'down' | 'flat' | 'none';

/** Change of a value against the previous period: relative for amounts, in points for rates. */
export function delta(cur: number | null, prev: number | null, kind: 'relative' | 'points' = 'relative'): { text: string; trend: Trend } {
  if (cur === null || prev === null || !Number.isFinite(cur) || !Number.isFinite(prev)) return { text: 'no previous data', trend: 'none' };
  if (kind === 'points') {
    const d = (cur - prev) * 100;
    if (Math.abs(d) < 0.005) return { text: '±0 pp', trend: 'flat' };
    return { text: `${d > 0 ? '+' : '−'}${trim(Math.abs(d).toFixed(Math.abs(d) < 10 ? 2 : 1))} pp`, trend: d > 0 ? 'up' : 'down' };
  }
  if (prev === 0) return cur === 0 ? { text: '±0%', trend: 'flat' } : { text: 'new', trend: 'up' };
  const r = (cur - prev) / Math.abs(prev);
  if (Math.abs(r) < 0.0005) return { text: '±0%', trend: 'flat' };
  const pct = Math.abs(r) * 100;
  return { text: `${r > 0 ? '+' : '−'}${trim(pct.toFixed(pct < 10 ? 1 : 0))}%`, trend: r > 0 ? 'up' : 'down' };
}

/** Milliseconds since the epoch of an ISO 8601 time, keeping sub-millisecond digits (spans carry nanoseconds). */
export function isoToMs(iso: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso);
  if (!m) return Date.parse(iso);
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0;
  return base + frac;
}

const pad = (n: number): string => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local time of day, with the date when it is not today: "14:03:05" or "Mar 4 14:03". */
export function fmtTime(iso: string, now: Date = new Date()): string {
  const d = new Date(isoToMs(iso));
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  if (sameDay) return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Full local date and time, for titles and detail views. */
export function fmtDateTime(iso: string): string {
  const d = new Date(isoToMs(iso));
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Chart axis label of a bucket start, given the bucket size in seconds. */
export function fmtAxisTime(ms: number, intervalSeconds: number): string {
  const d = new Date(ms);
  if (intervalSeconds >= 86_400) return `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  if (intervalSeconds >= 6 * 3600) return `${MONTHS[d.getMonth()]} ${d.getDate()} ${pad(d.getHours())}h`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** USD per million tokens, as typed in the prices form. */
export function fmtPerMTok(v: number | null): string {
  if (v === null) return DASH;
  return `$${trim(v.toFixed(4))}`;
}

/** Short form of a long id: first 8 and last 4 characters. */
export function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 8)}…${id.slice(-4)}` : id;
}

export interface Projection {
  monthToDate: number;
  avgDaily7d: number;
  daysRemaining: number;
  projected: number;
}

/**
 * Projected cost of the calendar month (UTC): month-to-date cost plus the average daily
 * cost over the last 7 days times the days remaining in the month (fractional).
 */
export function projectMonth(monthToDate: number, last7Days: number, now: Date = new Date()): Projection {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const daysRemaining = Math.max(0, (end - now.getTime()) / 86_400_000);
  const avgDaily7d = last7Days / 7;
  return { monthToDate, avgDaily7d, daysRemaining, projected: monthToDate + avgDaily7d * daysRemaining };
}

/** Start of the current calendar month, UTC. */
export function monthStart(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
