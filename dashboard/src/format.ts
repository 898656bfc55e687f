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
  // Not zero, but less than the smallest step shown.
  if (Math.abs(p) < 0.005) return p > 0 ? '<0.01%' : '>-0.01%';
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
  // Ten times the previous value or more: a factor reads better than "+157180%".
  if (r >= 9 && prev > 0) return { text: `×${fmtCount(Number((cur / prev).toPrecision(3)))}`, trend: 'up' };
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

/** A local time range, the second date left out when it is the same day: "Nov 21 13:04 → 13:07" (or "13:04 → 13:07"). */
export function fmtTimeRange(fromIso: string, toIso: string, withDate = true): string {
  const a = new Date(isoToMs(fromIso));
  const b = new Date(isoToMs(toIso));
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return `${fromIso} → ${toIso}`;
  const date = (d: Date) => `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  const time = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = a.toDateString() === b.toDateString();
  if (sameDay && !withDate) return `${time(a)} → ${time(b)}`;
  return `${date(a)} ${time(a)} → ${sameDay ? '' : `${date(b)} `}${time(b)}`;
}

/** Full local date and time, for titles and detail views. */
export function fmtDateTime(iso: string): string {
  const d = new Date(isoToMs(iso));
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TICK_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 5 * DAY, 7 * DAY, 14 * DAY];

/**
 * Round local times for a time axis over [fromMs, toMs]: the smallest step from 1 minute to
 * 2 weeks giving at most `maxTicks` ticks, aligned on local midnight (so a 24h range ticks at
 * 00:00, 03:00, ... and a 7d range at each midnight).
 */
export function timeTicks(fromMs: number, toMs: number, maxTicks = 8): { ticks: number[]; stepMs: number } {
  if (!(toMs > fromMs)) return { ticks: [fromMs], stepMs: DAY };
  const span = toMs - fromMs;
  const stepMs = TICK_STEPS.find((s) => span / s <= maxTicks) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  const from = new Date(fromMs);
  const ticks: number[] = [];
  if (stepMs < DAY) {
    // Multiples of the step since the local midnight of the first day (a step divides 24 h).
    const midnight = new Date(from.getFullYear(), from.getMonth(), from.getDate()).getTime();
    let t = midnight + Math.ceil((fromMs - midnight) / stepMs) * stepMs;
    for (; t <= toMs; t += stepMs) ticks.push(t);
  } else {
    // Local midnights, every n days counted from a fixed day so ticks do not move as time passes.
    const n = Math.round(stepMs / DAY);
    const day = new Date(from.getFullYear(), from.getMonth(), from.getDate());
    if (day.getTime() < fromMs) day.setDate(day.getDate() + 1);
    const dayNumber = (d: Date) => Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / DAY);
    while (dayNumber(day) % n !== 0) day.setDate(day.getDate() + 1);
    for (; day.getTime() <= toMs; day.setDate(day.getDate() + n)) ticks.push(day.getTime());
  }
  return { ticks, stepMs };
}

/** Label of a time-axis tick: the date for daily ticks and at midnight, the time of day otherwise. */
export function fmtTick(ms: number, stepMs: number): string {
  const d = new Date(ms);
  const date = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  if (stepMs >= DAY || (d.getHours() === 0 && d.getMinutes() === 0)) return date;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A bucket of a time series, for tooltips: "Nov 22 14:00 – 15:00", "Nov 22 – Nov 23". */
export function fmtBucket(startMs: number, intervalSeconds: number): string {
  const a = new Date(startMs);
  const b = new Date(startMs + intervalSeconds * 1000);
  const date = (d: Date) => `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  const time = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (intervalSeconds >= 86_400) return `${date(a)} – ${date(b)}`;
  return `${date(a)} ${time(a)} – ${time(b)}`;
}

/** A bucket size in words: "1 min", "15 min", "1 hour", "6 hours", "1 day". */
export function fmtInterval(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Ticks of a value axis from 0 to at least `max`: steps of 1, 2, 2.5 or 5 times a power of ten
 * (0, 10, 20, 30, 40 rather than 0, 8.5, 17, 25.5, 34), whole steps when `integer`.
 */
export function niceTicks(max: number, count = 5, integer = false): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / (count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const steps = [1, 2, 2.5, 5, 10].map((m) => m * mag).filter((s) => !integer || Number.isInteger(s) || s < 1);
  let step = steps.find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const n = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Duration axis ticks: 0, 250 ms, 1.5 s, 8 s, 24 s, 2m 30s. */
export function fmtMsAxis(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '0';
  if (Math.abs(v) < 1000) return `${trim(v.toFixed(Math.abs(v) < 10 ? 1 : 0))} ms`;
  if (Math.abs(v) < 10_000) return `${trim((v / 1000).toFixed(2))} s`;
  if (Math.abs(v) < 120_000) return `${trim((v / 1000).toFixed(1))} s`;
  return fmtMs(v);
}

/** Money axis ticks, with the same decimals on every tick of an axis: $0, $0.25, $0.50, $1.80, $120, $12k. */
export function fmtUsdAxis(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '$0';
  const a = Math.abs(v);
  const sign = v < 0 ? '-' : '';
  if (a >= 10_000) return `${sign}$${compact(a)}`;
  if (a >= 100) return `${sign}$${Math.round(a).toLocaleString('en-US')}`;
  // At least cents; more digits only when the tick needs them ($0.0005).
  let digits = 2;
  while (digits < 8 && Math.abs(Number(a.toFixed(digits)) - a) > a * 1e-9) digits += 1;
  return `${sign}$${a.toFixed(digits)}`;
}

/** A prompt reference: "support-agent v8" whether the version is stored as "8" or "v8". */
export function fmtPrompt(name: string, version: string | null): string {
  if (!version) return name;
  return `${name} ${/^\d/.test(version) ? 'v' : ''}${version}`;
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
