// Traces: a filterable, sortable, paginated list. Every filter (scores too) lives in the URL query string.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { queryString, type Top, type TraceList, type TraceSummary } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { Cell, LoadMore, SortTh, TraceStatus, type Order } from '../components/Table.tsx';
import { fmtCount, fmtMs, fmtTime, fmtUsd, fmtDateTime } from '../format.ts';
import { useApi, usePaged } from '../hooks.ts';
import { useHref, useTime } from '../state.tsx';
import { SCORE_FILTERS, ScoreFilterFields, scoreFilterProblems } from './traces/ScoreFilter.tsx';

export const TRACE_FILTERS = ['model', 'provider', 'service', 'environment', 'userId', 'sessionId', 'tag', 'status', 'q', 'minLatencyMs', 'minCostUsd', ...SCORE_FILTERS] as const;
type FilterKey = (typeof TRACE_FILTERS)[number];
type TraceSort = 'startTime' | 'durationMs' | 'costUsd' | 'totalTokens' | 'spanCount';
const SORTS: readonly TraceSort[] = ['startTime', 'durationMs', 'costUsd', 'totalTokens', 'spanCount'];

const TEXT_FILTERS: Array<{ key: FilterKey; label: string; placeholder: string; list?: string }> = [
  { key: 'q', label: 'Search', placeholder: 'text in inputs/outputs' },
  { key: 'model', label: 'Model', placeholder: 'any', list: 'dl-model' },
  { key: 'provider', label: 'Provider', placeholder: 'any', list: 'dl-provider' },
  { key: 'service', label: 'Service', placeholder: 'any', list: 'dl-service' },
  { key: 'environment', label: 'Environment', placeholder: 'any', list: 'dl-environment' },
  { key: 'userId', label: 'User', placeholder: 'user id' },
  { key: 'sessionId', label: 'Session', placeholder: 'session id' },
  { key: 'tag', label: 'Tag', placeholder: 'tag' },
  { key: 'minLatencyMs', label: 'Min latency (ms)', placeholder: 'e.g. 2000' },
  { key: 'minCostUsd', label: 'Min cost ($)', placeholder: 'e.g. 0.01' },
];

type Draft = Record<FilterKey, string>;

function readFilters(params: URLSearchParams): Draft {
  return Object.fromEntries(TRACE_FILTERS.map((k) => [k, params.get(k) ?? ''])) as Draft;
}

/** Suggestions for a dimension: its most frequent values in the time range. */
function Suggestions({ by, from, to }: { by: string; from: string; to: string }) {
  const top = useApi<Top>(`/api/v1/metrics/top${queryString({ from, to, by, scope: 'all', metric: 'requests', limit: 50 })}`);
  return (
    <datalist id={`dl-${by}`}>
      {(top.data?.rows ?? [])
        .filter((r) => r.key)
        .map((r) => (
          <option key={r.key} value={r.key ?? ''} />
        ))}
    </datalist>
  );
}

export function Traces() {
  const { from, to } = useTime();
  const href = useHref();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const applied = readFilters(params);
  const [draft, setDraft] = useState<Draft>(applied);
  const appliedKey = TRACE_FILTERS.map((k) => applied[k]).join('\u0000');
  // Back/forward, links and the selects change the URL: the form follows the filters that
  // changed, and keeps what is typed in the others (not applied yet).
  const prevApplied = useRef(applied);
  // biome-ignore lint/correctness/useExhaustiveDependencies: appliedKey stands for applied (a new object each render); the form follows only real changes
  useEffect(() => {
    const before = prevApplied.current;
    prevApplied.current = applied;
    setDraft((d) => Object.fromEntries(TRACE_FILTERS.map((k) => [k, applied[k] !== before[k] ? applied[k] : d[k]])) as Draft);
  }, [appliedKey]);

  const rawSort = params.get('sort') as TraceSort | null;
  const sort: TraceSort = rawSort && SORTS.includes(rawSort) ? rawSort : 'startTime';
  const order: Order = params.get('order') === 'asc' ? 'asc' : 'desc';

  const apiQuery = { from, to, ...applied, sort: sort === 'startTime' ? '' : sort, order: order === 'desc' ? '' : order, limit: 50 };
  const list = usePaged<TraceList, TraceSummary>(`/api/v1/traces${queryString(apiQuery)}`, (p) => p.traces);

  const update = (changes: Partial<Record<FilterKey | 'sort' | 'order', string>>) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      for (const [k, v] of Object.entries(changes)) {
        if (v === undefined || v === '') next.delete(k);
        else next.set(k, v);
      }
      return next;
    });

  const scoreProblems = scoreFilterProblems(draft);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // Bounds that are not numbers stay in the form, marked, instead of reaching the API.
    if (Object.keys(scoreProblems).length) return;
    update(Object.fromEntries(TRACE_FILTERS.map((k) => [k, draft[k].trim()])));
  };
  const clear = () => {
    const none = Object.fromEntries(TRACE_FILTERS.map((k) => [k, ''])) as Draft;
    setDraft(none);
    update(none);
  };
  const onSort = (field: TraceSort, o: Order) => update({ sort: field === 'startTime' ? '' : field, order: o === 'desc' ? '' : o });
  const activeFilters = TRACE_FILTERS.filter((k) => applied[k] !== '');
  const sortProps = { sort, order, onSort };

  return (
    <>
      <PageHeader title="Traces" subtitle="Every request through your app; filters and sort are kept in the URL" />
      <form className="card filters" onSubmit={submit} data-testid="trace-filters">
        {TEXT_FILTERS.map((f) => (
          <label key={f.key} className={`field${f.key === 'q' ? ' field-wide' : ''}`}>
            <span>{f.label}</span>
            <input
              name={f.key}
              value={draft[f.key]}
              placeholder={f.placeholder}
              list={f.list}
              inputMode={f.key.startsWith('min') ? 'decimal' : undefined}
              onChange={(e) => setDraft({ ...draft, [f.key]: e.target.value })}
            />
          </label>
        ))}
        <label className="field">
          <span>Status</span>
          <select name="status" value={applied.status} onChange={(e) => update({ status: e.target.value })}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="unset">unset</option>
          </select>
        </label>
        <ScoreFilterFields
          draft={draft}
          onDraft={(k, v) => setDraft({ ...draft, [k]: v })}
          source={applied.feedbackSource}
          onSource={(v) => update({ feedbackSource: v })}
          problems={scoreProblems}
          from={from}
          to={to}
        />
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          {activeFilters.length > 0 && (
            <button type="button" className="btn" onClick={clear}>
              Clear {activeFilters.length}
            </button>
          )}
        </div>
        {(['model', 'provider', 'service', 'environment'] as const).map((by) => (
          <Suggestions key={by} by={by} from={from} to={to} />
        ))}
      </form>

      {list.error && <ErrorBox error={list.error} />}
      {!list.loaded ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        activeFilters.length ? (
          <Empty title="No traces match these filters">
            <button type="button" className="btn" onClick={clear}>
              Clear filters
            </button>
          </Empty>
        ) : (
          <Empty title="No traces in this time range">
            <GettingStarted />
          </Empty>
        )
      ) : (
        list.items.length > 0 && (
          <section className={`card table-card${list.loading ? ' is-loading' : ''}`}>
            <table className="table table-click table-2line" data-testid="traces-table">
              <thead>
                <tr>
                  <SortTh label="Time" field="startTime" width="112px" {...sortProps} />
                  <th>
                    Name <span className="th-sub">· service · environment</span>
                  </th>
                  <th style={{ width: '72px' }}>Status</th>
                  <th style={{ width: '20%' }}>Models</th>
                  <th style={{ width: '10%' }}>User</th>
                  <SortTh label="Spans" field="spanCount" numeric width="70px" {...sortProps} />
                  <SortTh label="Tokens" field="totalTokens" numeric width="80px" {...sortProps} />
                  <SortTh label="Cost" field="costUsd" numeric width="84px" {...sortProps} />
                  <SortTh label="Duration" field="durationMs" numeric width="94px" {...sortProps} />
                </tr>
              </thead>
              <tbody>
                {list.items.map((t) => {
                  const to = href(`/traces/${t.traceId}`);
                  return (
                    <tr
                      key={t.traceId}
                      data-trace-id={t.traceId}
                      onClick={(e) => {
                        if (!(e.target as HTMLElement).closest('a')) navigate(to);
                      }}
                    >
                      <Cell title={fmtDateTime(t.startTime)}>{fmtTime(t.startTime)}</Cell>
                      <Cell title={`${t.name}\n${t.traceId}${t.service ? `\nservice ${t.service}` : ''}${t.environment ? `\nenvironment ${t.environment}` : ''}`}>
                        <div className="cell-main">
                          <Link to={to}>{t.name || <span className="muted">(unnamed)</span>}</Link>
                        </div>
                        <div className="cell-sub" data-testid="trace-origin">
                          {[t.service, t.environment].filter(Boolean).join(' · ') || '—'}
                        </div>
                      </Cell>
                      <td>
                        <TraceStatus status={t.status} errors={t.errorCount} />
                      </td>
                      <Cell title={t.models.join(', ')}>{t.models.length ? t.models.join(', ') : <span className="muted">—</span>}</Cell>
                      <Cell title={t.userId}>{t.userId ?? <span className="muted">—</span>}</Cell>
                      <td className="num">{t.spanCount}</td>
                      <td className="num" title={`${t.inputTokens} in / ${t.outputTokens} out`}>
                        {fmtCount(t.totalTokens)}
                      </td>
                      <td className="num" data-cost={t.costUsd}>
                        {fmtUsd(t.costUsd)}
                      </td>
                      <td className="num">{fmtMs(t.durationMs)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <LoadMore hasMore={list.hasMore} loading={list.loading} onMore={list.loadMore} count={list.items.length} />
          </section>
        )
      )}
    </>
  );
}
