// Drift page parts: the window and group-by controls, the feature table with its overlay chart,
// the text (vocabulary) drift and the thresholds legend.
import { useState, type KeyboardEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtCount, fmtPct } from '../../format.ts';
import { DRIFT_GROUPS, DRIFT_PRESETS, type DriftFeature, type DriftGroup, type DriftPreset, type TextDrift } from '../../quality-api.ts';
import { fmtP, fmtStat, fromLocalInput, SeverityBadge, toLocalInput } from './shared.tsx';

export const FEATURE_LABELS: Record<string, string> = {
  inputTokens: 'Input tokens',
  outputTokens: 'Output tokens',
  latencyMs: 'Latency',
  ttftMs: 'Time to first token',
  costUsd: 'Cost per call',
  model: 'Model',
  finishReason: 'Finish reason',
  toolCall: 'Tools called',
  feedbackScore: 'Feedback score',
  qualitySignal: 'Quality signal',
  errorType: 'Error type',
};

export const PRESET_LABELS: Record<DriftPreset, string> = { '1h_vs_24h': '1h vs 24h', '24h_vs_7d': '24h vs 7d', '7d_vs_7d': '7d vs 7d' };
const PRESET_TITLES: Record<DriftPreset, string> = {
  '1h_vs_24h': 'The last hour against the 24 hours before it',
  '24h_vs_7d': 'The last 24 hours against the 7 days before them',
  '7d_vs_7d': 'The last 7 days against the 7 days before them',
};
export const GROUP_LABELS: Record<DriftGroup, string> = {
  model: 'model',
  provider: 'provider',
  service: 'service',
  environment: 'environment',
  promptName: 'prompt name',
  promptVersion: 'prompt version',
};

export interface Windows {
  currentFrom: string;
  currentTo: string;
  baselineFrom: string;
  baselineTo: string;
}

interface ControlsProps {
  preset: DriftPreset | 'custom';
  groupBy: DriftGroup | null;
  /** The custom windows in the URL, or the last report's (to start a custom choice from). */
  windows: Windows | null;
  onPreset: (p: DriftPreset) => void;
  onCustom: (w: Windows) => void;
  onGroupBy: (g: DriftGroup | null) => void;
  /** Score names in the windows; the chosen one narrows the feedback score row. */
  scoreNames: string[];
  feedbackName: string | null;
  onFeedbackName: (name: string | null) => void;
}

/** Checks a custom choice as the API would: each window in order, the baseline before the current one. */
export function windowProblem(w: Partial<Windows>): string | null {
  const { currentFrom, currentTo, baselineFrom, baselineTo } = w;
  if (!currentFrom || !currentTo || !baselineFrom || !baselineTo) return 'Give all four times.';
  if (Date.parse(currentFrom) >= Date.parse(currentTo)) return 'The current window must start before it ends.';
  if (Date.parse(baselineFrom) >= Date.parse(baselineTo)) return 'The baseline must start before it ends.';
  if (Date.parse(baselineTo) > Date.parse(currentFrom)) return 'The baseline must end before the current window starts.';
  return null;
}

export function DriftControls({ preset, groupBy, windows, onPreset, onCustom, onGroupBy, scoreNames, feedbackName, onFeedbackName }: ControlsProps) {
  const [draft, setDraft] = useState<Record<keyof Windows, string> | null>(null);
  const custom = preset === 'custom' || draft !== null;
  const shown = draft ?? {
    currentFrom: toLocalInput(windows?.currentFrom),
    currentTo: toLocalInput(windows?.currentTo),
    baselineFrom: toLocalInput(windows?.baselineFrom),
    baselineTo: toLocalInput(windows?.baselineTo),
  };
  const iso = {
    currentFrom: fromLocalInput(shown.currentFrom) ?? undefined,
    currentTo: fromLocalInput(shown.currentTo) ?? undefined,
    baselineFrom: fromLocalInput(shown.baselineFrom) ?? undefined,
    baselineTo: fromLocalInput(shown.baselineTo) ?? undefined,
  };
  const problem = windowProblem(iso);
  const set = (k: keyof Windows, v: string) => setDraft({ ...shown, [k]: v });
  const field = (k: keyof Windows, label: string) => (
    <label className="field">
      <span>{label}</span>
      <input type="datetime-local" name={k} value={shown[k]} onChange={(e) => set(k, e.target.value)} />
    </label>
  );
  return (
    <section className="card ql-drift-controls" data-testid="drift-controls">
      <div className="ql-drift-bar">
        <span className="ql-bar-label">Windows</span>
        <div className="segmented" role="group" aria-label="Windows">
          {DRIFT_PRESETS.map((p) => (
            <button
              key={p}
              type="button"
              className={p === preset && draft === null ? 'active' : ''}
              aria-pressed={p === preset && draft === null}
              title={PRESET_TITLES[p]}
              data-preset={p}
              onClick={() => {
                setDraft(null);
                onPreset(p);
              }}
            >
              {PRESET_LABELS[p]}
            </button>
          ))}
          <button type="button" className={custom ? 'active' : ''} aria-pressed={custom} data-preset="custom" onClick={() => setDraft(shown)}>
            Custom
          </button>
        </div>
        <label className="ql-inline-field">
          <span>Group by</span>
          <select aria-label="Group by" name="groupBy" value={groupBy ?? ''} onChange={(e) => onGroupBy((e.target.value || null) as DriftGroup | null)}>
            <option value="">none</option>
            {DRIFT_GROUPS.map((g) => (
              <option key={g} value={g}>
                {GROUP_LABELS[g]}
              </option>
            ))}
          </select>
        </label>
        <label className="ql-inline-field">
          <span>Scores</span>
          <select aria-label="Scores" name="feedbackName" value={feedbackName ?? ''} onChange={(e) => onFeedbackName(e.target.value || null)}>
            <option value="">every score</option>
            {[...new Set([...scoreNames, ...(feedbackName ? [feedbackName] : [])])].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {custom && (
        <form
          className="ql-form-grid ql-custom-grid"
          onSubmit={(e) => {
            e.preventDefault();
            if (!problem) {
              onCustom(iso as Windows);
              setDraft(null);
            }
          }}
        >
          {field('currentFrom', 'Current from')}
          {field('currentTo', 'Current to')}
          {field('baselineFrom', 'Baseline from')}
          {field('baselineTo', 'Baseline to')}
          <div className="field">
            <span aria-hidden="true">&nbsp;</span>
            <button type="submit" className="btn btn-primary" disabled={problem !== null || draft === null}>
              Apply
            </button>
          </div>
          <div className="ql-span-5 small muted">
            {draft !== null && problem ? <span className="text-bad">{problem}</span> : 'Local times. The baseline must end before the current window starts.'}
          </div>
        </form>
      )}
    </section>
  );
}

const BASELINE = '#8c9bb5';
const CURRENT = '#ff7f0e';

/** The two windows' shares per bin or category, side by side. */
function Overlay({ f }: { f: DriftFeature }) {
  const data = f.labels.map((label, i) => ({ label, baseline: f.baseline[i] ?? 0, current: f.current[i] ?? 0 }));
  const top = Math.max(0.05, ...data.map((d) => Math.max(d.baseline, d.current)));
  const ceil = Math.min(1, Math.ceil(top * 10) / 10);
  return (
    <div className="ql-overlay" data-testid="drift-overlay">
      <div className="ql-overlay-chart">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} barCategoryGap="18%" barGap={1}>
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="label"
              interval={0}
              tick={{ fontSize: 10.5, fill: 'var(--muted)' }}
              tickLine={false}
              axisLine={{ stroke: 'var(--border)' }}
              tickFormatter={(v: string) => (v.length > 16 ? `${v.slice(0, 15)}…` : v)}
            />
            <YAxis domain={[0, ceil]} tickFormatter={(v: number) => fmtPct(v)} tick={{ fontSize: 11, fill: 'var(--muted)' }} tickLine={false} axisLine={false} width={44} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? fmtPct(v) : '—')} contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--border)' }} isAnimationActive={false} />
            <Legend iconType="square" iconSize={9} wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="baseline" name={`Baseline (${fmtCount(f.baselineCount)} calls)`} fill={BASELINE} isAnimationActive={false} maxBarSize={28} />
            <Bar dataKey="current" name={`Current (${fmtCount(f.currentCount)} calls)`} fill={CURRENT} isAnimationActive={false} maxBarSize={28} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <div className="ql-overlay-note small">
        <div>
          <strong>{FEATURE_LABELS[f.feature] ?? f.feature}</strong> ·{' '}
          {f.group === null ? (
            'all calls'
          ) : (
            <>
              group <code>{f.group}</code>
            </>
          )}
        </div>
        <div>
          {f.statistic === 'psi' ? 'PSI' : 'JS distance'} <strong>{fmtStat(f.value)}</strong> <SeverityBadge severity={f.severity} />
        </div>
        {f.ks && (
          <div>
            Kolmogorov-Smirnov d {fmtStat(f.ks.d)}, p {fmtP(f.ks.pValue)}
          </div>
        )}
        <p className="muted">
          {f.kind === 'numeric'
            ? "Bins are the baseline's deciles (repeated edges merged): each holds about a tenth of the baseline's calls, so a shift piles the current window into a few bins."
            : `Share of calls per category (the ${f.labels.length} most frequent).`}
          {(f.baselineCount === 0 || f.currentCount === 0) && ' Seen in one window only: a complete shift.'}
        </p>
      </div>
    </div>
  );
}

const COLS = 10;
const PAGE = 40;

export function FeatureTable({ features, groupBy }: { features: DriftFeature[]; groupBy: string | null }) {
  const [open, setOpen] = useState<string | null>(null);
  const [all, setAll] = useState(false);
  const shown = all ? features : features.slice(0, PAGE);
  const keyOf = (f: DriftFeature) => `${f.feature}\u0000${f.group ?? ''}\u0000${f.group === null ? 'all' : 'g'}`;
  const toggle = (k: string) => setOpen((o) => (o === k ? null : k));
  const onKey = (e: KeyboardEvent, k: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle(k);
    }
  };
  const counts = { significant: 0, moderate: 0, none: 0 };
  for (const f of features) counts[f.severity] += 1;
  return (
    <section className="card table-card" data-testid="drift-features">
      <div className="card-title ql-card-title">
        <span>Features{groupBy ? <span className="muted"> · overall and per {groupBy}</span> : null}</span>
        <span className="small">
          <span className={counts.significant ? 'text-bad' : 'ql-zero'}>{counts.significant} significant</span> ·{' '}
          <span className={counts.moderate ? 'ql-warn' : 'ql-zero'}>{counts.moderate} moderate</span> · <span className="muted">{counts.none} none</span>
          <span className="muted"> · click a row for both distributions</span>
        </span>
      </div>
      <table className="table table-click ql-drift-table" data-testid="drift-table">
        <thead>
          <tr>
            <th>Feature</th>
            <th style={{ width: '100px' }}>Kind</th>
            <th style={{ width: '16%' }}>Group</th>
            <th style={{ width: '90px' }}>Statistic</th>
            <th className="num" style={{ width: '70px' }}>
              Value
            </th>
            <th style={{ width: '104px' }}>Severity</th>
            <th className="num" style={{ width: '62px' }} title="Kolmogorov-Smirnov statistic (numeric features)">
              KS d
            </th>
            <th className="num" style={{ width: '82px' }} title="Kolmogorov-Smirnov p-value">
              p-value
            </th>
            <th className="num" style={{ width: '94px' }} title="LLM calls in the baseline window">
              Baseline
            </th>
            <th className="num" style={{ width: '88px' }} title="LLM calls in the current window">
              Current
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((f) => {
            const k = keyOf(f);
            const isOpen = open === k;
            return [
              <tr
                key={k}
                className={`ql-sev-row-${f.severity}${isOpen ? ' ql-open' : ''}`}
                data-feature={f.feature}
                data-group={f.group ?? ''}
                data-severity={f.severity}
                tabIndex={0}
                aria-expanded={isOpen}
                onClick={() => toggle(k)}
                onKeyDown={(e) => onKey(e, k)}
              >
                <td className="trunc" title={f.feature}>
                  <span className="ql-caret" aria-hidden="true">
                    {isOpen ? '▾' : '▸'}
                  </span>
                  {FEATURE_LABELS[f.feature] ?? f.feature}
                </td>
                <td className="muted">{f.kind}</td>
                <td className="trunc" title={f.group ?? 'all calls'}>
                  {f.group === null ? <span className="muted">all</span> : f.group === '' ? <span className="muted">(none)</span> : f.group}
                </td>
                <td>{f.statistic === 'psi' ? 'PSI' : 'JS'}</td>
                <td className="num" data-value={f.value}>
                  {fmtStat(f.value)}
                </td>
                <td>
                  <SeverityBadge severity={f.severity} />
                </td>
                <td className="num">{f.ks ? fmtStat(f.ks.d) : <span className="muted">—</span>}</td>
                <td className="num">{f.ks ? fmtP(f.ks.pValue) : <span className="muted">—</span>}</td>
                <td className="num">{fmtCount(f.baselineCount)}</td>
                <td className="num">{fmtCount(f.currentCount)}</td>
              </tr>,
              isOpen ? (
                <tr key={`${k}-detail`} className="ql-detail-row">
                  <td colSpan={COLS}>
                    <Overlay f={f} />
                  </td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
      {features.length > PAGE && (
        <div className="load-more">
          <span className="muted">
            {shown.length} of {features.length} shown, worst first
          </span>
          <button type="button" className="btn" onClick={() => setAll(!all)}>
            {all ? `Show the first ${PAGE}` : `Show all ${features.length}`}
          </button>
        </div>
      )}
    </section>
  );
}

function Terms({ title, terms, dir }: { title: string; terms: TextDrift['rose']; dir: 'rose' | 'fell' }) {
  return (
    <div className="ql-terms" data-testid={`terms-${dir}`}>
      <div className="ql-terms-title">{title}</div>
      {terms.length === 0 ? (
        <div className="muted small">—</div>
      ) : (
        <ol>
          {terms.map((t) => (
            <li key={t.term} data-term={t.term}>
              <span className="ql-term trunc" title={t.term}>
                {t.term}
              </span>
              <span className="ql-term-shares">
                {fmtPct(t.baselineShare)} → <strong className={dir === 'rose' ? 'ql-up' : 'ql-down'}>{fmtPct(t.currentShare)}</strong>
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function TextPane({ label, t, testId }: { label: string; t: TextDrift; testId: string }) {
  return (
    <div className="ql-text-pane" data-testid={testId}>
      <div className="ql-text-head">
        <strong>{label}</strong>
        <span>
          JS distance <strong>{fmtStat(t.distance)}</strong>
        </span>
        <SeverityBadge severity={t.severity} />
      </div>
      <div className="ql-terms-grid">
        <Terms title="Rose" terms={t.rose} dir="rose" />
        <Terms title="Fell" terms={t.fell} dir="fell" />
      </div>
    </div>
  );
}

export function TextDriftCard({ prompts, completions }: { prompts: TextDrift; completions: TextDrift }) {
  return (
    <section className="card" data-testid="text-drift">
      <div className="card-title ql-card-title">
        <span>Vocabulary</span>
        <span className="muted small">share of calls using a term (once per call, stop words out), baseline → current</span>
      </div>
      <div className="ql-text-grid">
        <TextPane label="Prompts" t={prompts} testId="text-prompts" />
        <TextPane label="Completions" t={completions} testId="text-completions" />
      </div>
    </section>
  );
}

export function DriftLegend() {
  return (
    <p className="explain ql-legend" data-testid="drift-legend">
      <strong>PSI</strong> (numeric features, over the baseline's deciles) and <strong>JS distance</strong> (Jensen-Shannon, base 2: categories and vocabularies):{' '}
      <span className="badge ql-sev ql-sev-none">none</span> &lt; 0.1 · <span className="badge ql-sev ql-sev-moderate">moderate</span> 0.1–0.2 ·{' '}
      <span className="badge ql-sev ql-sev-significant">significant</span> &gt; 0.2; a group seen in one window only is significant. <strong>KS</strong>: two-sample Kolmogorov-Smirnov d and p-value,
      for numeric features; with fewer than 100 values in a window it sets the severity (p &lt; 0.001 significant, &lt; 0.05 moderate).
    </p>
  );
}
