// Users: who uses the app, how much and at what cost; each user links to their traces.
import { Link, useNavigate } from 'react-router';
import { queryString, type UserList, type UserSummary } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { Cell, LoadMore, SortTh } from '../components/Table.tsx';
import { fmtCount, fmtDateTime, fmtPct, fmtTime, fmtUsd } from '../format.ts';
import { usePaged } from '../hooks.ts';
import { useHref, useTime } from '../state.tsx';
import { useSort } from './Sessions.tsx';

type UserSort = 'lastSeen' | 'costUsd' | 'traceCount' | 'totalTokens' | 'errorRate';
const SORTS: readonly UserSort[] = ['lastSeen', 'costUsd', 'traceCount', 'totalTokens', 'errorRate'];

export function Users() {
  const { from, to } = useTime();
  const href = useHref();
  const navigate = useNavigate();
  const sortProps = useSort(SORTS, 'lastSeen');
  const { sort, order } = sortProps;
  const base = `/api/v1/users${queryString({ from, to, sort: sort === 'lastSeen' ? '' : sort, order: order === 'desc' ? '' : order, limit: 50 })}`;
  const list = usePaged<UserList, UserSummary>(base, (p) => p.users);

  return (
    <>
      <PageHeader title="Users" subtitle="End users of your app, from the user.id on their spans" />
      {list.error && <ErrorBox error={list.error} />}
      {!list.loaded ? (
        <Loading />
      ) : list.items.length === 0 && !list.error ? (
        <Empty title="No users in this time range">
          <p className="muted">
            Spans name their user through <code>user.id</code> (SDK: <code>withContext({'{ userId }'})</code>).
          </p>
          <GettingStarted />
        </Empty>
      ) : (
        list.items.length > 0 && (
          <section className={`card table-card${list.loading ? ' is-loading' : ''}`}>
            <table className="table table-click" data-testid="users-table">
              <thead>
                <tr>
                  <th>User</th>
                  <SortTh label="Traces" field="traceCount" numeric width="84px" {...sortProps} />
                  <th className="num" style={{ width: '96px' }}>
                    Sessions
                  </th>
                  <SortTh label="Tokens" field="totalTokens" numeric width="90px" {...sortProps} />
                  <SortTh label="Cost" field="costUsd" numeric width="96px" {...sortProps} />
                  <SortTh label="Errors" field="errorRate" numeric width="84px" {...sortProps} />
                  <th style={{ width: '120px' }}>First seen</th>
                  <SortTh label="Last seen" field="lastSeen" width="120px" {...sortProps} />
                  <th style={{ width: '90px' }} />
                </tr>
              </thead>
              <tbody>
                {list.items.map((u) => {
                  const link = href('/traces', { userId: u.userId });
                  return (
                    <tr
                      key={u.userId}
                      data-user-id={u.userId}
                      onClick={(e) => {
                        if (!(e.target as HTMLElement).closest('a')) navigate(link);
                      }}
                    >
                      <Cell title={u.userId}>
                        <Link to={link}>{u.userId}</Link>
                      </Cell>
                      <td className="num">{fmtCount(u.traceCount)}</td>
                      <td className="num">{fmtCount(u.sessionCount)}</td>
                      <td className="num">{fmtCount(u.totalTokens)}</td>
                      <td className="num" data-cost={u.costUsd}>
                        {fmtUsd(u.costUsd)}
                      </td>
                      <td className={`num${u.errorCount ? ' text-bad' : ''}`} title={`${u.errorCount} traces with errors`}>
                        {fmtPct(u.errorRate)}
                      </td>
                      <Cell title={fmtDateTime(u.firstSeen)}>{fmtTime(u.firstSeen)}</Cell>
                      <Cell title={fmtDateTime(u.lastSeen)}>{fmtTime(u.lastSeen)}</Cell>
                      <td>
                        <Link className="small" to={href('/sessions', { userId: u.userId })}>
                          sessions →
                        </Link>
                      </td>
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
