// Overview: headline totals against the previous period, and their evolution over time.
import { Link, useSearchParams } from 'react-router';
import { queryString, type Scope, type Summary, type Timeseries, type Top } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { StatCard } from '../components/StatCard.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { TimeChart, type ChartRow } from '../components/TimeChart.tsx';
import { delta, fmtCount, fmtMs, fmtPct, fmtUsd, isoToMs } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useHref, useTime } from '../state.tsx';

const SCOPES: Array<{ key: Scope; label: string }> = [
  { key: 'llm', label: 'LLM calls' },
  { key: 'root', label: 'Traces' },
  { key: 'all', label: 'All spans' },
];

export function Overview() {
  const { from, to } = useTime();
  const href = useHref();
  const [params, setParams] = useSearchParams();
  const rawScope = params.get('scope');
  const scope: Scope = rawScope === 'root' || rawScope === 'all' ? rawScope : 'llm';
  const q = { from, to, scope };
  const summary = useApi<Summary>(`/api/v1/metrics/summary${queryString(q)}`);
  const series = useApi<Timeseries>(`/api/v1/metrics/timeseries${queryString(q)}`);
  const models = useApi<Top>(`/api/v1/metrics/top${queryString({ ...q, by: 'model', metric: 'requests', limit: 8 })}`);

  const setScope = (s: Scope) => setParams((prev) => {
    const next = new URLSearchParams(prev);
    if (s === 'llm') next.delete('scope');
    else next.set('scope', s);
    return next;
  });

  const scopePicker = (
    <div className="segmented" role="group" aria-label="Scope">
      {SCOPES.map((s) => (
        <button key={s.key} type="button" className={s.key === scope ? 'active' : ''} aria-pressed={s.key === scope} onClick={() => setScope(s.key)}>
          {s.label}
        </button>
      ))}
    </div>
  );

  const header = <PageHeader title="Overview" subtitle="Requests, errors, latency, tokens and cost, against the previous period of the same length">{scopePicker}</PageHeader>;

  if (summary.error) return <>{header}<ErrorBox error={summary.error} onRetry={summary.reload} /></>;
  if (!summary.data) return <>{header}<Loading /></>;

  const { current: c, previous: p } = summary.data;
  const rows: ChartRow[] = (series.data?.series[0]?.points ?? []).map((pt) => ({
    t: isoToMs(pt.time),
    requests: pt.requests,
    errors: pt.errors,
    p50: pt.latencyP50Ms,
    p95: pt.latencyP95Ms,
    p99: pt.latencyP99Ms,
    input: pt.inputTokens,
    output: pt.outputTokens,
    cost: pt.costUsd,
  }));
  const interval = series.data?.intervalSeconds ?? 3600;

  return (
    <>
      {header}
      <div className="stats" data-testid="overview-stats">
        <StatCard testId="stat-requests" label="Requests" value={fmtCount(c.requests)} change={delta(c.requests, p.requests)} hint={`${c.requests.toLocaleString('en-US')} requests`} />
        <StatCard testId="stat-error-rate" label="Error rate" value={fmtPct(c.errorRate)} change={delta(c.errorRate, p.errorRate, 'points')} good="down" hint={`${c.errors} errors`} />
        <StatCard testId="stat-p50" label="Latency p50" value={fmtMs(c.latencyP50Ms)} change={delta(c.latencyP50Ms, p.latencyP50Ms)} good="down" />
        <StatCard testId="stat-p95" label="Latency p95" value={fmtMs(c.latencyP95Ms)} change={delta(c.latencyP95Ms, p.latencyP95Ms)} good="down" />
        <StatCard testId="stat-p99" label="Latency p99" value={fmtMs(c.latencyP99Ms)} change={delta(c.latencyP99Ms, p.latencyP99Ms)} good="down" />
        <StatCard testId="stat-tokens" label="Tokens" value={fmtCount(c.totalTokens)} change={delta(c.totalTokens, p.totalTokens)} hint={`${fmtCount(c.inputTokens)} in · ${fmtCount(c.outputTokens)} out`} />
        <StatCard testId="stat-cost" label="Cost" value={fmtUsd(c.costUsd)} change={delta(c.costUsd, p.costUsd)} good="down" />
      </div>

      {c.requests === 0 && p.requests === 0 ? (
        <Empty title={scope === 'llm' ? 'No LLM calls in this time range' : 'No spans in this time range'}>
          <GettingStarted />
        </Empty>
      ) : (
        <>
          {series.error && <ErrorBox error={series.error} onRetry={series.reload} />}
          <div className="grid-2">
            <TimeChart testId="chart-requests" title="Requests and errors" rows={rows} intervalSeconds={interval} kind="bar" format={fmtCount}
              series={[{ key: 'requests', label: 'Requests', color: 'var(--accent)' }, { key: 'errors', label: 'Errors', color: 'var(--bad)' }]} />
            <TimeChart testId="chart-latency" title="Latency" rows={rows} intervalSeconds={interval} format={fmtMs}
              series={[{ key: 'p50', label: 'p50', color: '#12b886' }, { key: 'p95', label: 'p95', color: '#f59f00' }, { key: 'p99', label: 'p99', color: '#e64980' }]} />
            <TimeChart testId="chart-tokens" title="Tokens" rows={rows} intervalSeconds={interval} kind="area" stacked format={fmtCount}
              series={[{ key: 'input', label: 'Input', color: '#7950f2' }, { key: 'output', label: 'Output', color: '#15aabf' }]} />
            <TimeChart testId="chart-cost" title="Cost" rows={rows} intervalSeconds={interval} kind="area" format={fmtUsd}
              series={[{ key: 'cost', label: 'Cost', color: '#f59f00' }]} />
          </div>
          <section className="card">
            <div className="card-title">Top models by requests</div>
            {models.error ? <ErrorBox error={models.error} /> : !models.data ? <Loading /> : models.data.rows.length === 0 ? (
              <div className="muted pad">No model calls in this range.</div>
            ) : (
              <table className="table">
                <thead>
                  <tr><th>Model</th><th className="num">Requests</th><th className="num">Error rate</th><th className="num">p95</th><th className="num">Tokens</th><th className="num">Cost</th></tr>
                </thead>
                <tbody>
                  {models.data.rows.map((r) => (
                    <tr key={r.key ?? '∅'}>
                      <td className="trunc" title={r.key ?? ''}>
                        {r.key ? <Link to={href('/traces', { model: r.key })}>{r.key}</Link> : <span className="muted">(none)</span>}
                      </td>
                      <td className="num">{fmtCount(r.requests)}</td>
                      <td className="num">{fmtPct(r.errorRate)}</td>
                      <td className="num">{fmtMs(r.latencyP95Ms)}</td>
                      <td className="num">{fmtCount(r.totalTokens)}</td>
                      <td className="num">{fmtUsd(r.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
