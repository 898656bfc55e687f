// Table pieces: sortable column headers and truncating cells.
import type { ReactNode } from 'react';
import type { Status } from '../api.ts';

export type Order = 'asc' | 'desc';

interface SortThProps<S extends string> {
  label: string;
  field: S;
  sort: S;
  order: Order;
  onSort: (field: S, order: Order) => void;
  numeric?: boolean;
  width?: string;
}

/** A header that sorts by its field on click; a second click flips the order. */
export function SortTh<S extends string>({ label, field, sort, order, onSort, numeric, width }: SortThProps<S>) {
  const active = sort === field;
  const next: Order = active ? (order === 'desc' ? 'asc' : 'desc') : 'desc';
  return (
    <th className={`sortable${numeric ? ' num' : ''}${active ? ' sorted' : ''}`} style={width ? { width } : undefined} aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" onClick={() => onSort(field, next)} data-sort={field}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

/** A cell that truncates with an ellipsis and shows the full text on hover. */
export function Cell({ children, title, className = '' }: { children: ReactNode; title?: string | null; className?: string }) {
  return (
    <td className={`trunc ${className}`} title={title ?? undefined}>
      {children}
    </td>
  );
}

export function LoadMore({ hasMore, loading, onMore, count }: { hasMore: boolean; loading: boolean; onMore: () => void; count: number }) {
  return (
    <div className="load-more">
      <span className="muted">{count} shown</span>
      {hasMore && (
        <button type="button" className="btn" onClick={onMore} disabled={loading}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

/**
 * A trace's status: red "error" (with the count of failed spans), green "ok", and for "unset"
 * (OpenTelemetry's default: no span set a status, none failed) a quiet dash rather than a badge
 * on every row.
 */
export function TraceStatus({ status, errors }: { status: Status; errors: number }) {
  if (status === 'error' || errors > 0) {
    return (
      <span className="badge st-error" title={`${errors} span${errors === 1 ? '' : 's'} with status error`}>
        {errors > 1 ? `${errors} errors` : 'error'}
      </span>
    );
  }
  if (status === 'ok') return <span className="badge st-ok">ok</span>;
  return (
    <span className="muted" title="Status unset: no span set a status and none failed">
      –
    </span>
  );
}
