// Overview: headline totals against the previous period, and their evolution over time.
import { Link, useSearchParams } from 'react-router';
import { queryString, type Scope, type Summary, type Timeseries, type Top } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { StatCard } from '../components/StatCard.tsx';
import { Empty, ErrorBox, GettingStarted, Loading } from '../components/States.tsx';
import { TimeChart, type ChartRow } from '../components/TimeChart.tsx';
import { seriesColors } from '../colors.ts';
import { delta, fmtCount, fmtMs, fmtMsAxis, fmtPct, fmtUsd, fmtUsdAxis, isoToMs } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useHref, useTime, type RangeKey } from '../state.tsx';

const SCOPES: Array<{ key: Scope; label: string }> = [
  { key: 'llm', label: 'LLM calls' },
  { key: 'root', label: 'Traces' },
  { key: 'all', label: 'All spans' },
];

/** The breakdown table under the charts, per scope. */
const TOP: Record<Scope, { by: string; title: string; column: string; link: string | null; spend: boolean }> = {
  llm: { by: 'model', title: 'Top models by requests', column: 'Model', link: 'model', spend: true },
  // Root spans carry no tokens or cost of their own: the services' traces by count, errors and latency.
  root: { by: 'service', title: 'Top services by traces', column: 'Service', link: 'service', spend: false },
  all: { by: 'kind', title: 'Span kinds', column: 'Kind', link: null, spend: true },
};

/**
 * Bucket of the per-model charts: coarser than the main charts (about 12 to 30 buckets), so the
 * stacks of several models stay readable and a mean per call rests on enough calls.
 */
const MODEL_INTERVAL: Record<RangeKey, string> = { '1h': '5m', '24h': '1h', '7d': '6h', '30d': '1d' };

export function Overview() {
  const { from, to, range } = useTime();
  const href = useHref();
  const [params, setParams] = useSearchParams();
  const rawScope = params.get('scope');
  const scope: Scope = rawScope === 'root' || rawScope === 'all' ? rawScope : 'llm';
  const q = { from, to, scope };
  const summary = useApi<Summary>(`/api/v1/metrics/summary${queryString(q)}`);
  const series = useApi<Timeseries>(`/api/v1/metrics/timeseries${queryString(q)}`);
  const top = TOP[scope];
  const models = useApi<Top>(`/api/v1/metrics/top${queryString({ ...q, by: top.by, metric: 'requests', limit: 8 })}`);
  // A trace's root span seldom carries tokens or cost itself: in the traces scope those two come
  // from every span of the range (what the traces consumed), not from the roots alone.
  const spendQ = { from, to, scope: 'all' };
  const spendSummary = useApi<Summary>(scope === 'root' ? `/api/v1/metrics/summary${queryString(spendQ)}` : null);
  const spendSeries = useApi<Timeseries>(scope === 'root' ? `/api/v1/metrics/timeseries${queryString(spendQ)}` : null);
  // Per-model series: which model served the calls over time, and how long their prompts were.
  const byModel = useApi<Timeseries>(scope === 'llm' ? `/api/v1/metrics/timeseries${queryString({ ...q, groupBy: 'model', groups: 8, interval: MODEL_INTERVAL[range] })}` : null);

  const setScope = (s: Scope) =>
    setParams((prev) => {
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

  const header = (
    <PageHeader title="Overview" subtitle="Requests, errors, latency, tokens and cost, against the previous period of the same length">
      {scopePicker}
    </PageHeader>
  );

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
  // Tokens and cost: of the scope itself, or (traces scope) of all spans.
  const spend = scope === 'root' ? spendSummary.data : summary.data;
  const sc = spend?.current;
  const sp = spend?.previous;
  const spendPoints = new Map((scope === 'root' ? (spendSeries.data?.series[0]?.points ?? []) : []).map((pt) => [pt.time, pt]));
  const rows: ChartRow[] = (series.data?.series[0]?.points ?? []).map((pt) => ({
    t: isoToMs(pt.time),
    // Stacked: the calls without error, and the errors on top (together: all requests).
    ok: pt.requests - pt.errors,
    errors: pt.errors,
    p50: pt.latencyP50Ms,
    p95: pt.latencyP95Ms,
    p99: pt.latencyP99Ms,
    ...(scope === 'root'
      ? { input: spendPoints.get(pt.time)?.inputTokens ?? null, output: spendPoints.get(pt.time)?.outputTokens ?? null, cost: spendPoints.get(pt.time)?.costUsd ?? null }
      : { input: pt.inputTokens, output: pt.outputTokens, cost: pt.costUsd }),
  }));
  const interval = series.data?.intervalSeconds ?? 3600;
  const win = series.data ? { from: isoToMs(series.data.from), to: isoToMs(series.data.to) } : undefined;
  const perModel = modelRows(byModel.data);
  // Against an empty previous period a rate or a percentile has nothing to compare with.
  const hadPrevious = p.requests > 0;
  return (
    <>
      {header}
      <div className="stats" data-testid="overview-stats">
        <StatCard testId="stat-requests" label="Requests" value={fmtCount(c.requests)} change={delta(c.requests, p.requests)} hint={`${c.requests.toLocaleString('en-US')} requests`} />
        <StatCard
          testId="stat-error-rate"
          label="Error rate"
          value={fmtPct(c.errorRate)}
          change={delta(c.errorRate, hadPrevious ? p.errorRate : null, 'points')}
          good="down"
          hint={`${c.errors.toLocaleString('en-US')} errors`}
        />
        <StatCard testId="stat-p50" label="Latency p50" value={fmtMs(c.latencyP50Ms)} change={delta(c.latencyP50Ms, p.latencyP50Ms)} good="down" />
        <StatCard testId="stat-p95" label="Latency p95" value={fmtMs(c.latencyP95Ms)} change={delta(c.latencyP95Ms, p.latencyP95Ms)} good="down" />
        <StatCard testId="stat-p99" label="Latency p99" value={fmtMs(c.latencyP99Ms)} change={delta(c.latencyP99Ms, p.latencyP99Ms)} good="down" />
        <StatCard
          testId="stat-ttft"
          label="TTFT p50"
          value={fmtMs(c.ttftP50Ms)}
          change={c.ttftP50Ms === null ? undefined : delta(c.ttftP50Ms, p.ttftP50Ms)}
          good="down"
          hint={c.ttftP50Ms === null ? 'No streamed calls in this range' : `Time to first token of streamed calls; p95 ${fmtMs(c.ttftP95Ms)}`}
        />
        <StatCard
          testId="stat-tokens"
          label="Tokens"
          value={sc ? fmtCount(sc.totalTokens) : '…'}
          change={sc && sp ? delta(sc.totalTokens, sp.totalTokens) : undefined}
          hint={sc ? `${fmtCount(sc.inputTokens)} in · ${fmtCount(sc.outputTokens)} out${scope === 'root' ? ' (all spans)' : ''}` : undefined}
        />
        <StatCard
          testId="stat-cost"
          label="Cost"
          value={sc ? fmtUsd(sc.costUsd) : '…'}
          change={sc && sp ? delta(sc.costUsd, sp.costUsd) : undefined}
          good="down"
          hint={scope === 'root' ? 'Cost of all spans in the range' : undefined}
        />
      </div>

      {scope === 'root' && (
        <p className="explain" data-testid="scope-explain">
          Traces: requests, errors and latency of the root spans, one per trace. Errors here are roots that failed; a trace whose root succeeded after a failed step counts as an error only in the{' '}
          <Link to={href('/traces', { status: 'error' })}>trace list</Link>. Tokens and cost are those of all spans in the range, as a trace's root rarely carries its own.
        </p>
      )}
      {(spendSummary.error ?? spendSeries.error) && (
        <ErrorBox
          error={(spendSummary.error ?? spendSeries.error)!}
          onRetry={() => {
            spendSummary.reload();
            spendSeries.reload();
          }}
        />
      )}
      {c.requests === 0 && p.requests === 0 ? (
        <Empty title={scope === 'llm' ? 'No LLM calls in this time range' : 'No spans in this time range'}>
          <GettingStarted />
        </Empty>
      ) : (
        <>
          {series.error && <ErrorBox error={series.error} onRetry={series.reload} />}
          <div className="grid-2">
            <TimeChart
              testId="chart-requests"
              title="Requests and errors"
              rows={rows}
              intervalSeconds={interval}
              window={win}
              kind="bar"
              stacked
              integer
              format={fmtCount}
              series={[
                { key: 'ok', label: 'Without error', color: 'var(--accent)' },
                { key: 'errors', label: 'Errors', color: 'var(--bad)' },
              ]}
            />
            <TimeChart
              testId="chart-latency"
              title="Latency"
              rows={rows}
              intervalSeconds={interval}
              window={win}
              format={fmtMs}
              axisFormat={fmtMsAxis}
              unit={`percentiles per ${fmtIntervalShort(interval)}`}
              series={[
                { key: 'p50', label: 'p50', color: '#12b886' },
                { key: 'p95', label: 'p95', color: '#f59f00' },
                { key: 'p99', label: 'p99', color: '#e64980' },
              ]}
            />
            <TimeChart
              testId="chart-tokens"
              title="Tokens"
              rows={rows}
              intervalSeconds={interval}
              window={win}
              kind="bar"
              stacked
              integer
              format={fmtCount}
              series={[
                { key: 'input', label: 'Input', color: '#7950f2' },
                { key: 'output', label: 'Output', color: '#15aabf' },
              ]}
            />
            <TimeChart
              testId="chart-cost"
              title="Cost"
              rows={rows}
              intervalSeconds={interval}
              window={win}
              kind="bar"
              format={fmtUsd}
              axisFormat={fmtUsdAxis}
              series={[{ key: 'cost', label: 'Cost', color: '#f59f00' }]}
            />
            {scope === 'llm' &&
              (byModel.error ? (
                <ErrorBox error={byModel.error} onRetry={byModel.reload} />
              ) : (
                <>
                  <TimeChart
                    testId="chart-model-requests"
                    title="Calls by model"
                    rows={perModel.calls}
                    intervalSeconds={perModel.interval}
                    window={perModel.window}
                    kind="bar"
                    stacked
                    integer
                    format={fmtCount}
                    series={perModel.keys}
                  />
                  <TimeChart
                    testId="chart-model-prompt"
                    title="Input tokens per call, by model"
                    rows={perModel.inputPerCall}
                    intervalSeconds={perModel.interval}
                    window={perModel.window}
                    format={(v) => `${fmtCount(Math.round(v))} tokens`}
                    axisFormat={fmtCount}
                    unit={`mean per ${fmtIntervalShort(perModel.interval)}`}
                    series={perModel.keys}
                  />
                </>
              ))}
          </div>
          <section className="card">
            <div className="card-title">{top.title}</div>
            {models.error ? (
              <ErrorBox error={models.error} />
            ) : !models.data ? (
              <Loading />
            ) : models.data.rows.length === 0 ? (
              <div className="muted pad">Nothing in this range.</div>
            ) : (
              <table className="table" data-testid="top-models">
                <thead>
                  <tr>
                    <th>{top.column}</th>
                    <th className="num" style={{ width: '9%' }}>
                      Requests
                    </th>
                    <th className="num" style={{ width: '8%' }} title="Error rate">
                      Errors
                    </th>
                    <th className="num" style={{ width: '7%' }} title="Latency p95">
                      p95
                    </th>
                    {top.spend && (
                      <>
                        <th className="num" style={{ width: '10%' }} title="Mean input tokens per call">
                          In/call
                        </th>
                        <th className="num" style={{ width: '10%' }} title="Mean output tokens per call">
                          Out/call
                        </th>
                        <th className="num" style={{ width: '8%' }}>
                          Tokens
                        </th>
                        <th className="num" style={{ width: '10%' }}>
                          Cost
                        </th>
                        <th className="num" style={{ width: '11%' }}>
                          Cost/call
                        </th>
                      </>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {models.data.rows.map((r) => (
                    <tr key={r.key ?? '∅'}>
                      <td className="trunc" title={r.key ?? ''}>
                        {r.key ? top.link ? <Link to={href('/traces', { [top.link]: r.key })}>{r.key}</Link> : r.key : <span className="muted">(none)</span>}
                      </td>
                      <td className="num">{fmtCount(r.requests)}</td>
                      <td className="num">{fmtPct(r.errorRate)}</td>
                      <td className="num">{fmtMs(r.latencyP95Ms)}</td>
                      {top.spend && (
                        <>
                          <td className="num">{r.requests ? fmtCount(Math.round(r.inputTokens / r.requests)) : '—'}</td>
                          <td className="num">{r.requests ? fmtCount(Math.round(r.outputTokens / r.requests)) : '—'}</td>
                          <td className="num">{fmtCount(r.totalTokens)}</td>
                          <td className="num">{fmtUsd(r.costUsd)}</td>
                          <td className="num">{r.requests ? fmtUsd(r.costUsd / r.requests) : '—'}</td>
                        </>
                      )}
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

/** Short bucket size for chart notes: "15 min", "1 h", "6 h", "1 day". */
function fmtIntervalShort(seconds: number): string {
  if (seconds >= 86_400) return seconds === 86_400 ? 'day' : `${seconds / 86_400} days`;
  if (seconds >= 3600) return seconds === 3600 ? 'hour' : `${seconds / 3600} h`;
  return `${Math.round(seconds / 60)} min`;
}

/** Rows of the per-model charts: calls, and mean input tokens per call (null in an empty bucket). */
function modelRows(data: Timeseries | undefined): {
  calls: ChartRow[];
  inputPerCall: ChartRow[];
  keys: Array<{ key: string; label: string; color: string }>;
  interval: number;
  window?: { from: number; to: number };
} {
  if (!data) return { calls: [], inputPerCall: [], keys: [], interval: 3600 };
  const colors = seriesColors(data.series.map((s) => s.key));
  const keys = data.series.map((s, i) => ({ key: `m${i}`, label: s.key || '(no model)', color: colors[i]! }));
  const calls = new Map<number, ChartRow>();
  const perCall = new Map<number, ChartRow>();
  data.series.forEach((s, i) => {
    for (const p of s.points) {
      const t = isoToMs(p.time);
      const a = calls.get(t) ?? { t };
      a[`m${i}`] = p.requests;
      calls.set(t, a);
      const b = perCall.get(t) ?? { t };
      b[`m${i}`] = p.requests ? p.inputTokens / p.requests : null;
      perCall.set(t, b);
    }
  });
  const sorted = (m: Map<number, ChartRow>) => [...m.values()].sort((x, y) => x.t - y.t);
  return { calls: sorted(calls), inputPerCall: sorted(perCall), keys, interval: data.intervalSeconds, window: { from: isoToMs(data.from), to: isoToMs(data.to) } };
}
