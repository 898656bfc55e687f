// Feedback analytics for one feedback name: the score over time (average and negative rate), by
// model and by prompt version, and the worst-rated traces.
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { fmtCount, fmtDateTime, fmtPct, isoToMs, shortId } from '../../format.ts';
import type { Loaded } from '../../hooks.ts';
import type { FeedbackStat, QualityReport } from '../../quality-api.ts';
import { useHref } from '../../state.tsx';
import { fmtAxis, fmtScore } from './shared.tsx';

const SCORE = '#1f77b4';
const NEGATIVE = '#e03131';

function ScoreChart({ report, from, to }: { report: QualityReport; from: string; to: string }) {
  const fromMs = isoToMs(from);
  const toMs = isoToMs(to);
  const half = report.intervalSeconds * 500;
  // Each value at the middle of its bucket.
  const data = useMemo(() => report.series.map((p) => ({ t: isoToMs(p.time) + half, avg: p.avgScore, neg: p.negativeRate, n: p.count })), [report, half]);
  // Whole numbers around the averages, from 0 (or below, for negative scales): 0–5 for a 1–5 rating, 0–1 for thumbs.
  const avgs = data.map((d) => d.avg).filter((v): v is number => v !== null);
  const lo = Math.min(0, Math.floor(Math.min(...avgs, 0)));
  const hi = Math.max(1, Math.ceil(Math.max(...avgs, 0)));
  const step = hi - lo <= 1 ? 0.25 : Math.ceil((hi - lo) / 6);
  const domain: [number, number] = [lo, lo + Math.ceil((hi - lo) / step) * step];
  const ticks: number[] = [];
  for (let v = domain[0]; v <= domain[1] + 1e-9; v += step) ticks.push(Number(v.toFixed(2)));
  return (
    <section className="card chart-card" data-testid="score-chart">
      <div className="card-title ql-card-title">
        <span>Score over time</span>
        <span className="muted small">average (left) and negative share, value ≤ 0 (right)</span>
      </div>
      {data.length === 0 ? (
        <div className="muted pad">No scores in this range.</div>
      ) : (
        <div style={{ width: '100%', height: 210 }}>
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 6, right: 4, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="var(--grid)" vertical={false} />
              <XAxis
                dataKey="t"
                type="number"
                scale="time"
                domain={[fromMs, toMs]}
                tickFormatter={(v: number) => fmtAxis(v, toMs - fromMs)}
                tick={{ fontSize: 11, fill: 'var(--muted)' }}
                tickLine={false}
                axisLine={{ stroke: 'var(--border)' }}
                minTickGap={36}
              />
              <YAxis
                yAxisId="score"
                domain={domain}
                tick={{ fontSize: 11, fill: 'var(--muted)' }}
                tickLine={false}
                axisLine={false}
                width={40}
                tickFormatter={(v: number) => fmtScore(v)}
                ticks={ticks}
                interval={0}
              />
              <YAxis
                yAxisId="neg"
                orientation="right"
                domain={[0, 1]}
                ticks={[0, 0.25, 0.5, 0.75, 1]}
                tick={{ fontSize: 11, fill: 'var(--muted)' }}
                tickLine={false}
                axisLine={false}
                width={40}
                tickFormatter={(v: number) => fmtPct(v)}
              />
              <Tooltip
                labelFormatter={(v) => (typeof v === 'number' ? fmtDateTime(new Date(v - half).toISOString()) : String(v))}
                formatter={(v, name) => (typeof v === 'number' ? (name === 'Negative' ? fmtPct(v) : fmtScore(v)) : '—')}
                contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--border)' }}
                isAnimationActive={false}
              />
              <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
              <Bar yAxisId="neg" dataKey="neg" name="Negative" fill={NEGATIVE} fillOpacity={0.35} maxBarSize={18} isAnimationActive={false} />
              <Line
                yAxisId="score"
                dataKey="avg"
                name="Average"
                type="monotone"
                stroke={SCORE}
                strokeWidth={1.8}
                dot={{ r: 2.5, fill: SCORE, strokeWidth: 0 }}
                connectNulls
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}

function StatTable({ title, rows, label, testId, link }: { title: string; rows: FeedbackStat[]; label: string; testId: string; link: (key: string) => string | null }) {
  return (
    <section className="card table-card" data-testid={testId}>
      <div className="card-title">{title}</div>
      {rows.length === 0 ? (
        <div className="muted pad">No scores here.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{label}</th>
              <th className="num" style={{ width: '78px' }}>
                Scores
              </th>
              <th className="num" style={{ width: '96px' }}>
                Avg score
              </th>
              <th className="num" style={{ width: '94px' }}>
                Negative
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const to = r.key ? link(r.key) : null;
              return (
                <tr key={r.key} data-key={r.key}>
                  <td className="trunc" title={r.key}>
                    {r.key === '' ? <span className="muted">(none)</span> : to ? <Link to={to}>{r.key}</Link> : r.key}
                  </td>
                  <td className="num" data-count={r.count}>
                    {fmtCount(r.count)}
                  </td>
                  <td className="num" data-avg={r.avgScore ?? ''}>
                    {fmtScore(r.avgScore)}
                  </td>
                  <td className={`num${r.negativeRate > 0.25 ? ' text-bad' : ''}`} data-negative={r.negativeRate}>
                    {fmtPct(r.negativeRate)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

const WORST_SHOWN = 8;

function WorstTraces({ report }: { report: QualityReport }) {
  const href = useHref();
  const [all, setAll] = useState(false);
  const list = all ? report.worstTraces : report.worstTraces.slice(0, WORST_SHOWN);
  return (
    <section className="card table-card" data-testid="worst-traces">
      <div className="card-title">Worst-rated traces</div>
      {report.worstTraces.length === 0 ? (
        <div className="muted pad">No scored traces.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th style={{ width: '136px' }}>Trace</th>
              <th style={{ width: '24%' }}>Root span</th>
              <th className="num" style={{ width: '84px' }}>
                Score
              </th>
              <th className="num" style={{ width: '78px' }} title="Scores of this name on the trace">
                Scores
              </th>
              <th>Comment</th>
            </tr>
          </thead>
          <tbody>
            {list.map((w) => (
              <tr key={w.traceId} data-trace-id={w.traceId}>
                <td className="trunc mono" title={w.traceId}>
                  <Link to={href(`/traces/${w.traceId}`)}>{shortId(w.traceId)}</Link>
                </td>
                <td className="trunc" title={w.name}>
                  {w.name || <span className="muted">—</span>}
                </td>
                <td className={`num${w.avgScore <= 0 ? ' text-bad' : ''}`} data-avg={w.avgScore}>
                  {fmtScore(w.avgScore)}
                </td>
                <td className="num">{fmtCount(w.count)}</td>
                <td className="trunc ql-comment" title={w.comment ?? ''}>
                  {w.comment ?? <span className="muted">—</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {report.worstTraces.length > WORST_SHOWN && (
        <div className="load-more">
          <span className="muted">
            {list.length} of the {report.worstTraces.length} lowest average scores
          </span>
          <button type="button" className="btn btn-small" onClick={() => setAll(!all)}>
            {all ? `Show ${WORST_SHOWN}` : `Show all ${report.worstTraces.length}`}
          </button>
        </div>
      )}
    </section>
  );
}

export function FeedbackSection({ quality, from, to, onName }: { quality: Loaded<QualityReport>; from: string; to: string; onName: (name: string) => void }) {
  const href = useHref();
  const report = quality.data;
  const total = report?.series.reduce((a, p) => a + p.count, 0) ?? 0;
  return (
    <>
      <div className="ql-section">
        <h2>Feedback</h2>
        {report && report.names.length > 0 && (
          <label className="ql-inline-field">
            <span>Feedback name</span>
            <select aria-label="Feedback name" value={report.name ?? ''} onChange={(e) => onName(e.target.value)} data-testid="feedback-name">
              {report.names.map((n) => (
                <option key={n.name} value={n.name}>
                  {n.name} ({fmtCount(n.count)})
                </option>
              ))}
              {report.name && !report.names.some((n) => n.name === report.name) && <option value={report.name}>{report.name} (none in range)</option>}
            </select>
          </label>
        )}
        {report?.name && (
          <span className="muted small" data-testid="feedback-total">
            {fmtCount(total)} score{total === 1 ? '' : 's'} in range; negative means a value of 0 or below (thumbs down)
          </span>
        )}
      </div>
      {quality.error ? (
        <ErrorBox error={quality.error} onRetry={quality.reload} />
      ) : !report ? (
        <Loading label="Loading feedback…" />
      ) : !report.name ? (
        <Empty title="No feedback in this time range">
          <p className="small">
            Scores arrive from your users through the SDKs (<code>{'feedback({ traceId, name, value })'}</code>) or <code>POST /v1/feedback</code> on the collector, from evaluations, or from
            annotations: score a trace below.
          </p>
        </Empty>
      ) : (
        <div className={quality.loading ? 'ql-loading' : ''}>
          <div className="ql-grid-fb">
            <ScoreChart report={report} from={from} to={to} />
            <div className="ql-stack">
              <StatTable title="By model" label="Model" rows={report.byModel} testId="fb-by-model" link={(k) => href('/traces', { model: k })} />
              <StatTable title="By prompt version" label="Prompt@version" rows={report.byPromptVersion} testId="fb-by-prompt" link={() => null} />
            </div>
          </div>
          <WorstTraces report={report} />
        </div>
      )}
    </>
  );
}
