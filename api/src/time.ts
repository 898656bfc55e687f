import { formatDateTime64 } from '@spanlens/clickhouse';

/** ISO 8601 (any offset) to the ClickHouse DateTime64(9, 'UTC') text form, or null if invalid. */
export function isoToClickHouse(iso: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) return null;
  const [, date, time, frac = '', zone] = m;
  if (zone === 'Z') return `${date} ${time}.${frac.padEnd(9, '0')}`;
  const ms = Date.parse(`${date}T${time}${zone}`);
  if (Number.isNaN(ms)) return null;
  const utc = new Date(ms).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}.${frac.padEnd(9, '0')}`;
}

export function clickHouseNow(offsetMs = 0): string {
  return formatDateTime64(BigInt(Date.now() + offsetMs) * 1_000_000n);
}
