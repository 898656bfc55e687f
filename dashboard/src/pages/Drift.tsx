// Drift: a current window against a baseline (?preset= or ?preset=custom with the four times),
// overall and per ?groupBy=: every feature's PSI / JS distance worst first, both distributions of
// a clicked row, and how the prompts' and completions' vocabulary moved.
import { useCallback } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useApi } from '../hooks.ts';
import { DRIFT_GROUPS, DRIFT_PRESETS, qualityPaths, type DriftGroup, type DriftPreset, type DriftQuery, type DriftReport, type QualityReport } from '../quality-api.ts';
import { useHref } from '../state.tsx';
import { DriftControls, DriftLegend, FeatureTable, PRESET_LABELS, TextDriftCard, windowProblem, type Windows } from './quality/DriftParts.tsx';
import { fmtWindow, RefreshHeader } from './quality/shared.tsx';
import { fmtCount, fmtPct } from '../format.ts';
import '../quality.css';

const DEFAULT_PRESET: DriftPreset = '24h_vs_7d';
const WINDOW_KEYS = ['currentFrom', 'currentTo', 'baselineFrom', 'baselineTo'] as const;

const isPreset = (v: string | null): v is DriftPreset => v !== null && (DRIFT_PRESETS as readonly string[]).includes(v);
const isGroup = (v: string | null): v is DriftGroup => v !== null && (DRIFT_GROUPS as readonly string[]).includes(v);

export function Drift() {
  const href = useHref();
  const [params, setParams] = useSearchParams();
  const rawPreset = params.get('preset');
  const preset: DriftPreset | 'custom' = rawPreset === 'custom' ? 'custom' : isPreset(rawPreset) ? rawPreset : DEFAULT_PRESET;
  const rawGroup = params.get('groupBy');
  const groupBy = isGroup(rawGroup) ? rawGroup : null;
  const custom: Partial<Windows> = {};
  for (const k of WINDOW_KEYS) {
    const v = params.get(k);
    if (v) custom[k] = v;
  }
  const customProblem = preset === 'custom' ? windowProblem(custom) : null;

  const feedbackName = params.get('feedbackName');
  const query: DriftQuery = preset === 'custom' ? { ...custom } : { preset };
  if (groupBy) query.groupBy = groupBy;
  if (feedbackName) query.feedbackName = feedbackName;
  const report = useApi<DriftReport>(customProblem ? null : qualityPaths.drift(query));
  // The score names of both windows, once a report says what they are.
  const span = report.data ? { from: report.data.baseline.from, to: report.data.current.to } : null;
  const names = useApi<QualityReport>(span ? qualityPaths.quality(span) : null);

  const update = useCallback(
    (changes: Record<string, string | null>) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
        return next;
      });
    },
    [setParams],
  );
  const clearWindows = Object.fromEntries(WINDOW_KEYS.map((k) => [k, null]));

  const data = report.data;
  const windows: Windows | null =
    preset === 'custom' && !customProblem
      ? (custom as Windows)
      : data
        ? { currentFrom: data.current.from, currentTo: data.current.to, baselineFrom: data.baseline.from, baselineTo: data.baseline.to }
        : null;
  const subtitle = data ? (
    <>
      Current <strong data-testid="drift-current">{fmtWindow(data.current.from, data.current.to)}</strong> against baseline{' '}
      <strong data-testid="drift-baseline">{fmtWindow(data.baseline.from, data.baseline.to)}</strong>
      {preset !== 'custom' ? ` (${PRESET_LABELS[preset]})` : ''}
    </>
  ) : (
    'How LLM calls shifted: a current window against a baseline, overall and per group'
  );

  return (
    <>
      <RefreshHeader title="Drift" subtitle={subtitle} />
      <DriftControls
        preset={preset}
        groupBy={groupBy}
        windows={windows}
        onPreset={(p) => update({ ...clearWindows, preset: p === DEFAULT_PRESET ? null : p })}
        onCustom={(w) => update({ preset: 'custom', ...w })}
        onGroupBy={(g) => update({ groupBy: g })}
        scoreNames={names.data?.names.map((n) => n.name) ?? []}
        feedbackName={feedbackName}
        onFeedbackName={(n) => update({ feedbackName: n })}
      />
      <DriftLegend />
      {customProblem ? (
        <div className="state state-empty" data-testid="drift-pick">
          Choose the current and baseline windows above and apply. <span className="muted">({customProblem})</span>
        </div>
      ) : report.error ? (
        <ErrorBox error={report.error} onRetry={report.reload} />
      ) : !data ? (
        <Loading label="Comparing the windows…" />
      ) : data.features.length === 0 ? (
        <Empty title="No LLM calls in these windows">
          <p className="small">
            Drift compares LLM calls (spans with a model) of the current window with the baseline's. Pick wider windows, or see the <Link to={href('/traces')}>traces</Link> that arrived.
          </p>
        </Empty>
      ) : (
        <div className={report.loading ? 'ql-loading' : ''}>
          {data.sample.method !== 'none' && (
            <p className="small muted" data-testid="drift-sample">
              Read a sample of traces: {fmtPct(data.sample.baselineRate)} of the baseline's {fmtCount(data.sample.baselineCalls)} LLM calls and {fmtPct(data.sample.currentRate)} of the current
              window's {fmtCount(data.sample.currentCalls)}.
            </p>
          )}
          <FeatureTable key={`${preset} ${groupBy ?? ''} ${feedbackName ?? ''} ${WINDOW_KEYS.map((k) => custom[k] ?? '').join(' ')}`} features={data.features} groupBy={data.groupBy} />
          <TextDriftCard prompts={data.text.prompts} completions={data.text.completions} />
        </div>
      )}
    </>
  );
}
