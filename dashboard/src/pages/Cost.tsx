// Cost: spend by model, user and service, over time, and the month's projection.
import { useMemo } from 'react';
import { Link } from 'react-router';
import { queryString, type Summary, type Timeseries, type Top } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { StatCard } from '../components/StatCard.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { TimeChart, type ChartRow } from '../components/TimeChart.tsx';
import { seriesColors } from '../colors.ts';
import { delta, fmtCount, fmtPct, fmtUsd, fmtUsdAxis, isoToMs, monthStart, projectMonth } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useHref, useTime } from '../state.tsx';

const DAY = 86_400_000;

/** Spend by one dimension: cost, share of the range's total, calls; by model also the per-call figures. */
function TopTable({ title, by, from, to, linkParam, total }: { title: string; by: 'model' | 'user' | 'service'; from: string; to: string; linkParam: string; total: number }) {
  const href = useHref();
  const top = useApi<Top>(`/api/v1/metrics/top${queryString({ from, to, by, metric: 'costUsd', limit: 10 })}`);
  const perCall = by === 'model';
  return (
    <section className="card" data-testid={`cost-by-${by}`}>
      <div className="card-title">{title}</div>
      {top.error ? (
        <ErrorBox error={top.error} onRetry={top.reload} />
      ) : !top.data ? (
        <Loading />
      ) : top.data.rows.length === 0 ? (
        <div className="muted pad">Nothing in this range.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>
                {by[0]?.toUpperCase()}
                {by.slice(1)}
              </th>
              <th className="num" style={{ width: '84px' }}>
                Cost
              </th>
              <th style={{ width: perCall ? '16%' : '104px' }}>Share</th>
              <th className="num" style={{ width: '64px' }}>
                Calls
              </th>
              {perCall && (
                <>
                  <th className="num" style={{ width: '12%' }}>
                    Cost/call
                  </th>
                  <th className="num" style={{ width: '11%' }} title="Mean input tokens per call">
                    In/call
                  </th>
                  <th className="num" style={{ width: '11%' }} title="Mean output tokens per call">
                    Out/call
                  </th>
                </>
              )}
            </tr>
          </thead>
          <tbody>
            {top.data.rows.map((r) => {
              const share = total > 0 ? r.costUsd / total : 0;
              return (
                <tr key={r.key ?? '∅'}>
                  <td className="trunc" title={r.key ?? ''}>
                    {r.key ? <Link to={href('/traces', { [linkParam]: r.key })}>{r.key}</Link> : <span className="muted">(none)</span>}
                  </td>
                  <td className="num" data-cost={r.costUsd}>
                    {fmtUsd(r.costUsd)}
                  </td>
                  <td title={`${(share * 100).toFixed(1)}% of the cost in this range`}>
                    <div className="share-cell">
                      <div className="share">
                        <span style={{ width: `${Math.min(share, 1) * 100}%` }} />
                      </div>
                      <span className="share-pct">{fmtPct(share)}</span>
                    </div>
                  </td>
                  <td className="num">{fmtCount(r.requests)}</td>
                  {perCall && (
                    <>
                      <td className="num">{r.requests ? fmtUsd(r.costUsd / r.requests) : '—'}</td>
                      <td className="num">{r.requests ? fmtCount(Math.round(r.inputTokens / r.requests)) : '—'}</td>
                      <td className="num">{r.requests ? fmtCount(Math.round(r.outputTokens / r.requests)) : '—'}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Cost() {
  const { from, to, tick } = useTime();
  // The projection's windows do not follow the range picker: month to date, and the last 7 days.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the refresh tick moves the windows on to now
  const windows = useMemo(() => {
    const now = new Date();
    return {
      now,
      mtd: queryString({ from: monthStart(now).toISOString(), to: now.toISOString() }),
      week: queryString({ from: new Date(now.getTime() - 7 * DAY).toISOString(), to: now.toISOString() }),
    };
  }, [tick]);
  const summary = useApi<Summary>(`/api/v1/metrics/summary${queryString({ from, to })}`);
  const mtd = useApi<Summary>(`/api/v1/metrics/summary${windows.mtd}`);
  const week = useApi<Summary>(`/api/v1/metrics/summary${windows.week}`);
  const series = useApi<Timeseries>(`/api/v1/metrics/timeseries${queryString({ from, to, groupBy: 'model', groups: 8 })}`);

  const chart = useMemo(() => {
    const data = series.data;
    if (!data) return { rows: [] as ChartRow[], keys: [] as Array<{ key: string; label: string; color: string }> };
    // A null (or empty) key is spans without a model, not "the other models": the API returns only the top groups.
    const colors = seriesColors(data.series.map((s) => s.key));
    const keys = data.series.map((s, i) => ({ key: `s${i}`, label: s.key || '(no model)', color: colors[i]! }));
    const byTime = new Map<number, ChartRow>();
    data.series.forEach((s, i) => {
      for (const p of s.points) {
        const t = isoToMs(p.time);
        const row = byTime.get(t) ?? { t };
        row[`s${i}`] = p.costUsd;
        byTime.set(t, row);
      }
    });
    return { rows: [...byTime.values()].sort((a, b) => a.t - b.t), keys };
  }, [series.data]);

  const header = <PageHeader title="Cost" subtitle="What your LLM calls cost, by model, user and service" />;
  if (summary.error)
    return (
      <>
        {header}
        <ErrorBox error={summary.error} onRetry={summary.reload} />
      </>
    );
  if (!summary.data)
    return (
      <>
        {header}
        <Loading />
      </>
    );
  const { current: c, previous: p } = summary.data;
  const proj = mtd.data && week.data ? projectMonth(mtd.data.current.costUsd, week.data.current.costUsd, windows.now) : null;

  return (
    <>
      {header}
      <div className="stats stats-4" data-testid="cost-stats">
        <StatCard testId="cost-range" label="Cost in range" value={fmtUsd(c.costUsd)} change={delta(c.costUsd, p.costUsd)} good="down" />
        <StatCard testId="cost-mtd" label="Month to date" value={proj ? fmtUsd(proj.monthToDate) : '…'} hint="Since the 1st of the month (UTC)" />
        <StatCard testId="cost-daily" label="Avg daily, last 7 days" value={proj ? fmtUsd(proj.avgDaily7d) : '…'} hint={week.data ? `${fmtUsd(week.data.current.costUsd)} over 7 days` : undefined} />
        <StatCard testId="cost-projected" label="Projected month" value={proj ? fmtUsd(proj.projected) : '…'} hint={proj ? `${proj.daysRemaining.toFixed(1)} days remaining` : undefined} />
      </div>
      {mtd.error ? <ErrorBox error={mtd.error} /> : week.error ? <ErrorBox error={week.error} /> : null}
      <p className="explain" data-testid="projection-explain">
        Projected month = month-to-date cost + average daily cost over the last 7 days × days remaining in the month
        {proj && (
          <>
            {' '}
            = {fmtUsd(proj.monthToDate)} + {fmtUsd(proj.avgDaily7d)} × {proj.daysRemaining.toFixed(1)} = <strong>{fmtUsd(proj.projected)}</strong>
          </>
        )}
        . Months are calendar months in UTC; spans older than the retention window are no longer counted.
      </p>
      {c.costUsd === 0 && c.requests === 0 ? (
        <Empty title="No LLM calls in this time range">
          <GettingStarted />
        </Empty>
      ) : (
        <>
          {series.error ? (
            <ErrorBox error={series.error} onRetry={series.reload} />
          ) : (
            <TimeChart
              testId="chart-cost-by-model"
              title="Cost by model"
              rows={chart.rows}
              series={chart.keys}
              intervalSeconds={series.data?.intervalSeconds ?? 3600}
              window={series.data ? { from: isoToMs(series.data.from), to: isoToMs(series.data.to) } : undefined}
              kind="bar"
              stacked
              format={fmtUsd}
              axisFormat={fmtUsdAxis}
              height={240}
              maxTicks={14}
            />
          )}
          <TopTable title="By model" by="model" from={from} to={to} linkParam="model" total={c.costUsd} />
          <div className="grid-2">
            <TopTable title="By user" by="user" from={from} to={to} linkParam="userId" total={c.costUsd} />
            <TopTable title="By service" by="service" from={from} to={to} linkParam="service" total={c.costUsd} />
          </div>
        </>
      )}
    </>
  );
}
