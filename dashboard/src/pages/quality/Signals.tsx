// Quality signals of LLM calls: totals for the range (each linking to the calls that carry it)
// and each signal's rate over time, from the metrics routes.
import { useMemo } from 'react';
import { Link } from 'react-router';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { TimeChart, type ChartRow } from '../../components/TimeChart.tsx';
import { fmtCount, fmtPct, isoToMs } from '../../format.ts';
import type { Loaded } from '../../hooks.ts';
import type { Summary, Timeseries } from '../../api.ts';
import { SIGNALS } from '../../quality-api.ts';
import { useHref } from '../../state.tsx';

const COLORS: Record<string, string> = { empty: '#9467bd', refusal: '#ff7f0e', truncated: '#1f77b4', invalid_json: '#17becf', error: '#e03131' };

export function SignalTotals({ summary }: { summary: Loaded<Summary> }) {
  const href = useHref();
  if (summary.error) return <ErrorBox error={summary.error} onRetry={summary.reload} />;
  if (!summary.data) return <Loading label="Loading quality signals…" />;
  const c = summary.data.current;
  const p = summary.data.previous;
  return (
    <div className={`ql-signals${summary.loading ? ' ql-loading' : ''}`} data-testid="signal-totals">
      {SIGNALS.map((s) => {
        const n = c[s.total];
        const rate = c.requests > 0 ? n / c.requests : 0;
        const prevRate = p.requests > 0 ? p[s.total] / p.requests : null;
        return (
          <Link
            key={s.signal}
            to={href('/traces', { signal: s.signal })}
            className={`card ql-signal${n > 0 ? ' has-some' : ''}`}
            data-testid={`signal-${s.signal}`}
            data-count={n}
            title={`${s.hint}. Show these calls in Traces.`}
          >
            <span className="ql-signal-dot" style={{ background: COLORS[s.signal] }} aria-hidden="true" />
            <span className="stat-label">{s.label}</span>
            <span className="ql-signal-value">
              <strong data-testid={`signal-${s.signal}-count`}>{fmtCount(n)}</strong> <span className="muted">of {fmtCount(c.requests)}</span>
            </span>
            <span className="ql-signal-rate">
              {fmtPct(rate)}
              {prevRate !== null && <span className="muted"> · prev. {fmtPct(prevRate)}</span>}
            </span>
          </Link>
        );
      })}
    </div>
  );
}

export function SignalRates({ series }: { series: Loaded<Timeseries> }) {
  const rows = useMemo<ChartRow[]>(() => {
    const points = series.data?.series[0]?.points ?? [];
    return points.map((pt) => {
      const row: ChartRow = { t: isoToMs(pt.time) };
      for (const s of SIGNALS) row[s.signal] = pt.requests > 0 ? pt[s.total] / pt.requests : null;
      return row;
    });
  }, [series.data]);
  if (series.error) return <ErrorBox error={series.error} onRetry={series.reload} />;
  if (!series.data)
    return (
      <section className="card">
        <Loading label="Loading signal rates…" />
      </section>
    );
  if (!series.data.series[0]?.points.some((p) => p.requests > 0)) {
    return (
      <section className="card" data-testid="signal-rates">
        <div className="card-title">Signal rates</div>
        <div className="muted pad">No LLM calls in this range.</div>
      </section>
    );
  }
  return (
    <TimeChart
      testId="signal-rates"
      title="Signal rates (share of LLM calls)"
      rows={rows}
      intervalSeconds={series.data.intervalSeconds}
      series={SIGNALS.map((s) => ({ key: s.signal, label: s.label, color: COLORS[s.signal] ?? '#868e96' }))}
      format={fmtPct}
      height={200}
    />
  );
}
