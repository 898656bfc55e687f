// Sessions: the list (sortable, paginated) and one session with its traces in order.
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { queryString, type SessionDetail, type SessionList, type SessionSummary } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { StatCard } from '../components/StatCard.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { Cell, LoadMore, SortTh, TraceStatus, type Order } from '../components/Table.tsx';
import { fmtCount, fmtDateTime, fmtMs, fmtPct, fmtTime, fmtTimeRange, fmtUsd, isoToMs, shortId } from '../format.ts';
import { useApi, usePaged } from '../hooks.ts';
import { useHref, useTime } from '../state.tsx';

type SessionSort = 'lastSeen' | 'costUsd' | 'traceCount' | 'totalTokens' | 'errorRate';
const SORTS: readonly SessionSort[] = ['lastSeen', 'costUsd', 'traceCount', 'totalTokens', 'errorRate'];

/** Reads sort/order of an aggregate list from the URL and writes them back. */
export function useSort<S extends string>(sorts: readonly S[], dflt: S): { sort: S; order: Order; onSort: (s: S, o: Order) => void } {
  const [params, setParams] = useSearchParams();
  const raw = params.get('sort') as S | null;
  const sort: S = raw && sorts.includes(raw) ? raw : dflt;
  const order: Order = params.get('order') === 'asc' ? 'asc' : 'desc';
  const onSort = (s: S, o: Order) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      if (s === dflt) next.delete('sort');
      else next.set('sort', s);
      if (o === 'desc') next.delete('order');
      else next.set('order', o);
      return next;
    });
  return { sort, order, onSort };
}

export function Sessions() {
  const { from, to } = useTime();
  const href = useHref();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const userId = params.get('userId') ?? '';
  const sortProps = useSort(SORTS, 'lastSeen');
  const { sort, order } = sortProps;
  const base = `/api/v1/sessions${queryString({ from, to, userId, sort: sort === 'lastSeen' ? '' : sort, order: order === 'desc' ? '' : order, limit: 50 })}`;
  const list = usePaged<SessionList, SessionSummary>(base, (p) => p.sessions);

  return (
    <>
      <PageHeader
        title="Sessions"
        subtitle={
          userId ? (
            <>
              Sessions of user <strong>{userId}</strong> · <Link to={href('/sessions')}>all users</Link>
            </>
          ) : (
            'Conversations and multi-step runs grouped by session id'
          )
        }
      />
      {list.error && <ErrorBox error={list.error} />}
      {!list.loaded ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty title="No sessions in this time range">
          <p className="muted">
            Spans join a session through <code>session.id</code> (SDK: <code>withContext({'{ sessionId }'})</code>).
          </p>
          <GettingStarted />
        </Empty>
      ) : (
        list.items.length > 0 && (
          <section className={`card table-card${list.loading ? ' is-loading' : ''}`}>
            <table className="table table-click" data-testid="sessions-table">
              <thead>
                <tr>
                  <th>Session</th>
                  <th style={{ width: '16%' }}>User</th>
                  <SortTh label="Traces" field="traceCount" numeric width="80px" {...sortProps} />
                  <SortTh label="Tokens" field="totalTokens" numeric width="84px" {...sortProps} />
                  <SortTh label="Cost" field="costUsd" numeric width="90px" {...sortProps} />
                  <SortTh label="Errors" field="errorRate" numeric width="84px" {...sortProps} />
                  <th className="num" style={{ width: '90px' }}>
                    Duration
                  </th>
                  <th style={{ width: '112px' }}>First seen</th>
                  <SortTh label="Last seen" field="lastSeen" width="112px" {...sortProps} />
                </tr>
              </thead>
              <tbody>
                {list.items.map((s) => {
                  const link = href(`/sessions/${encodeURIComponent(s.sessionId)}`);
                  return (
                    <tr
                      key={s.sessionId}
                      onClick={(e) => {
                        if (!(e.target as HTMLElement).closest('a')) navigate(link);
                      }}
                    >
                      <Cell title={s.sessionId}>
                        <Link to={link}>{s.sessionId}</Link>
                      </Cell>
                      <Cell title={s.userId}>{s.userId ? <Link to={href('/traces', { userId: s.userId })}>{s.userId}</Link> : <span className="muted">—</span>}</Cell>
                      <td className="num">{fmtCount(s.traceCount)}</td>
                      <td className="num">{fmtCount(s.totalTokens)}</td>
                      <td className="num" data-cost={s.costUsd}>
                        {fmtUsd(s.costUsd)}
                      </td>
                      <td className={`num${s.errorCount ? ' text-bad' : ''}`} title={`${s.errorCount} traces with errors`}>
                        {fmtPct(s.errorRate)}
                      </td>
                      <td className="num">{fmtMs(isoToMs(s.lastSeen) - isoToMs(s.firstSeen))}</td>
                      <Cell title={fmtDateTime(s.firstSeen)}>{fmtTime(s.firstSeen)}</Cell>
                      <Cell title={fmtDateTime(s.lastSeen)}>{fmtTime(s.lastSeen)}</Cell>
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

export function Session() {
  const { sessionId = '' } = useParams();
  const href = useHref();
  const navigate = useNavigate();
  const detail = useApi<SessionDetail>(`/api/v1/sessions/${encodeURIComponent(sessionId)}`);
  const back = (
    <Link className="back" to={href('/sessions')}>
      ← Sessions
    </Link>
  );
  const header = (
    <PageHeader
      title={
        <>
          {back}{' '}
          <span className="trace-name" title={sessionId}>
            {sessionId}
          </span>
        </>
      }
      subtitle="The session's traces, oldest first"
    />
  );
  if (detail.error && !detail.data)
    return (
      <>
        {header}
        <ErrorBox error={detail.error} onRetry={detail.reload} />
      </>
    );
  if (!detail.data)
    return (
      <>
        {header}
        <Loading />
      </>
    );
  const { session: s, traces } = detail.data;
  const first = traces[0] ? isoToMs(traces[0].startTime) : 0;

  return (
    <>
      {header}
      <div className="stats stats-7">
        <StatCard label="Traces" value={fmtCount(s.traceCount)} testId="session-traces" />
        <StatCard label="Spans" value={fmtCount(s.spanCount)} />
        <StatCard label="Tokens" value={fmtCount(s.totalTokens)} hint={`${fmtCount(s.inputTokens)} in · ${fmtCount(s.outputTokens)} out`} />
        <StatCard label="Cost" value={fmtUsd(s.costUsd)} testId="session-cost" />
        <StatCard label="Error rate" value={fmtPct(s.errorRate)} hint={`${s.errorCount} of ${s.traceCount} traces`} />
        {/* The time column has the day: the hint keeps to the times so it fits. */}
        <StatCard label="Duration" value={fmtMs(isoToMs(s.lastSeen) - isoToMs(s.firstSeen))} hint={fmtTimeRange(s.firstSeen, s.lastSeen, false)} />
        <div className="card stat" title={s.userId ?? undefined}>
          <div className="stat-label">User</div>
          <div className="stat-value">{s.userId ? <Link to={href('/traces', { userId: s.userId })}>{s.userId}</Link> : '—'}</div>
          {s.userId && (
            <div className="stat-change">
              <Link to={href('/sessions', { userId: s.userId })}>their sessions →</Link>
            </div>
          )}
        </div>
      </div>
      <section className="card table-card">
        <table className="table table-click" data-testid="session-traces-table">
          <thead>
            <tr>
              <th style={{ width: '48px' }} className="num">
                #
              </th>
              <th style={{ width: '112px' }}>Time</th>
              <th style={{ width: '80px' }} className="num">
                Offset
              </th>
              <th>Name</th>
              <th style={{ width: '74px' }}>Status</th>
              <th style={{ width: '18%' }}>Models</th>
              <th className="num" style={{ width: '78px' }}>
                Tokens
              </th>
              <th className="num" style={{ width: '84px' }}>
                Cost
              </th>
              <th className="num" style={{ width: '90px' }}>
                Duration
              </th>
            </tr>
          </thead>
          <tbody>
            {traces.map((t, i) => {
              const link = href(`/traces/${t.traceId}`);
              return (
                <tr
                  key={t.traceId}
                  data-trace-id={t.traceId}
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a')) navigate(link);
                  }}
                >
                  <td className="num muted">{i + 1}</td>
                  <Cell title={fmtDateTime(t.startTime)}>{fmtTime(t.startTime)}</Cell>
                  <td className="num muted">+{fmtMs(isoToMs(t.startTime) - first)}</td>
                  <Cell title={`${t.name}\n${t.traceId}`}>
                    <Link to={link}>{t.name || '(unnamed)'}</Link> <span className="sub mono">{shortId(t.traceId)}</span>
                  </Cell>
                  <td>
                    <TraceStatus status={t.status} errors={t.errorCount} />
                  </td>
                  <Cell title={t.models.join(', ')}>{t.models.join(', ') || <span className="muted">—</span>}</Cell>
                  <td className="num">{fmtCount(t.totalTokens)}</td>
                  <td className="num">{fmtUsd(t.costUsd)}</td>
                  <td className="num">{fmtMs(t.durationMs)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
