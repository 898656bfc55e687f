// Quality: the quality signals of LLM calls (empty, refusal, truncated, invalid JSON, error),
// feedback analytics for one feedback name (?name=), the dataset export and annotations.
import { useCallback } from 'react';
import { isoToMs } from '../format.ts';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../components/Layout.tsx';
import { useApi } from '../hooks.ts';
import type { Summary, Timeseries } from '../api.ts';
import { qualityPaths, type QualityReport } from '../quality-api.ts';
import { useHref, useTime } from '../state.tsx';
import { Annotate } from './quality/Annotate.tsx';
import { ExportForm } from './quality/ExportForm.tsx';
import { FeedbackSection } from './quality/Feedback.tsx';
import { SignalRates, SignalTotals } from './quality/Signals.tsx';
import '../quality.css';

/** Rates need a few calls per bucket: coarser buckets than the count charts (1h range: 5 min, 24h: 1 hour, 7d: 6 hours, 30d: 1 day). */
function rateInterval(ms: number): string {
  const HOUR = 3_600_000;
  return ms <= HOUR ? '5m' : ms <= 24 * HOUR ? '1h' : ms <= 7 * 24 * HOUR ? '6h' : '1d';
}

export function Quality() {
  const { from, to, bump } = useTime();
  const href = useHref();
  const [params, setParams] = useSearchParams();
  const name = params.get('name');
  const summary = useApi<Summary>(qualityPaths.summary({ from, to }));
  const series = useApi<Timeseries>(qualityPaths.timeseries({ from, to, interval: rateInterval(isoToMs(to) - isoToMs(from)) }));
  const quality = useApi<QualityReport>(qualityPaths.quality({ from, to, name }));
  const setName = useCallback(
    (n: string) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        next.set('name', n);
        return next;
      });
    },
    [setParams],
  );
  const report = quality.data;

  return (
    <>
      <PageHeader
        title="Quality"
        subtitle={
          <>
            What went wrong in LLM calls, and what people thought of the answers. Shifts over time are on the <Link to={href('/drift')}>Drift</Link> page.
          </>
        }
      />

      <div className="ql-section">
        <h2>Quality signals</h2>
        <span className="muted small">Computed as each LLM call is stored; click one to see its calls.</span>
      </div>
      <SignalTotals summary={summary} />
      <SignalRates series={series} />

      <FeedbackSection quality={quality} from={from} to={to} onName={setName} />

      <div className="ql-section">
        <h2>Datasets and annotations</h2>
      </div>
      <div className="ql-grid-2">
        <ExportForm names={report?.names.map((n) => n.name) ?? []} from={from} to={to} />
        {/* The window ends when the page loaded: move it to now, so the new score is counted. */}
        <Annotate defaultName={report?.name ?? 'rating'} onSaved={bump} />
      </div>
    </>
  );
}
