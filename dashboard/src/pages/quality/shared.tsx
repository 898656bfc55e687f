// Pieces shared by the Quality and Drift pages: one-shot actions, severity badges, number and
// window formatting, and the header with auto-refresh only (drift windows are its own).
import type { ReactNode } from 'react';
import type { Severity } from '../../quality-api.ts';
import { PageHeader } from '../../components/Layout.tsx';

export { useAction, type Action } from '../../hooks.ts';

const SEVERITY_TITLE: Record<Severity, string> = {
  significant: 'Significant shift: PSI or JS distance above 0.2',
  moderate: 'Moderate shift: PSI or JS distance from 0.1 to 0.2',
  none: 'No meaningful shift: PSI or JS distance under 0.1',
};

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span className={`badge ql-sev ql-sev-${severity}`} data-severity={severity} title={SEVERITY_TITLE[severity]}>
      {severity}
    </span>
  );
}

/** An average score: up to 3 decimals, "—" when there is none. */
export function fmtScore(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return String(Math.round(v * 1000) / 1000);
}

/** A drift statistic (PSI, JS distance, KS d): 3 significant decimals. */
export function fmtStat(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v === 0) return '0';
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

/** A p-value: "<0.001" below a thousandth. */
export function fmtP(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v < 0.001) return '<0.001';
  return v.toFixed(3);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** A local window: "Nov 21 13:00 → Nov 22 13:00", the second date left out on the same day. */
export function fmtWindow(fromIso: string, toIso: string): string {
  const a = new Date(fromIso);
  const b = new Date(toIso);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return `${fromIso} → ${toIso}`;
  const date = (d: Date) => `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  const time = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${date(a)} ${time(a)} → ${a.toDateString() === b.toDateString() ? '' : `${date(b)} `}${time(b)}`;
}

/** A time-axis label: the time of day over a day or less, the date otherwise. */
export function fmtAxis(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs <= 86_400_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${MONTHS[d.getMonth()]} ${d.getDate()}${spanMs <= 3 * 86_400_000 ? ` ${pad(d.getHours())}:00` : ''}`;
}

/** ISO time as a datetime-local input's value (local time, minutes). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local input's value (local time) as ISO, or null when empty or invalid. */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Title and the refresh controls, without the range picker (for pages with their own windows). */
export function RefreshHeader({ title, subtitle, children }: { title: ReactNode; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <PageHeader title={title} subtitle={subtitle} range={false}>
      {children}
    </PageHeader>
  );
}
