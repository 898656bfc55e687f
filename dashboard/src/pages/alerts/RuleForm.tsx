// Create or edit an alert rule: every field of the API's ruleInput, its 400 message shown as is.
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../../api.ts';
import {
  DRIFT_FEATURES,
  ALERT_METRICS,
  alertsApi,
  COMPARATORS,
  FEEDBACK_METRICS,
  FILTER_KEYS,
  GROUP_BYS,
  SEVERITIES,
  type AlertMetric,
  type AlertScope,
  type Comparator,
  type Destination,
  type GroupBy,
  type Rule,
  type RuleFilters,
  type RuleInput,
  type Severity,
} from '../../alerts-api.ts';
import { ErrorBox } from '../../components/States.tsx';
import { fmtSeconds, METRIC_LABELS, thresholdHint, useAction, WINDOWS } from './shared.tsx';

interface Draft {
  name: string;
  metric: AlertMetric;
  scope: AlertScope;
  filters: Record<(typeof FILTER_KEYS)[number], string>;
  /** Filters the form has no input for (promptVersion), kept as they are. */
  otherFilters: RuleFilters;
  feedbackName: string;
  driftFeature: string;
  windowSeconds: number;
  comparator: Comparator;
  threshold: string;
  resolveThreshold: string;
  minRequests: string;
  evaluateEverySeconds: string;
  groupBy: GroupBy | '';
  severity: Severity;
  enabled: boolean;
  repeatIntervalSeconds: string;
  cooldownSeconds: string;
  destinationIds: string[];
}

const NO_FILTERS = Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as Draft['filters'];

const FILTER_LABELS: Record<(typeof FILTER_KEYS)[number], string> = {
  model: 'Model',
  provider: 'Provider',
  service: 'Service',
  environment: 'Environment',
  userId: 'User',
  tag: 'Tag',
  promptName: 'Prompt',
};

/** The API's defaults; `example` is the rule the empty state suggests. */
export function newDraft(example = false): Draft {
  return {
    name: example ? 'Error rate per model' : '',
    metric: 'errorRate',
    scope: 'llm',
    filters: { ...NO_FILTERS },
    otherFilters: {},
    feedbackName: '',
    driftFeature: 'inputTokens',
    windowSeconds: example ? 300 : 900,
    comparator: '>',
    threshold: example ? '0.05' : '',
    resolveThreshold: '',
    minRequests: example ? '20' : '1',
    evaluateEverySeconds: '60',
    groupBy: example ? 'model' : '',
    severity: 'warning',
    enabled: true,
    repeatIntervalSeconds: String(4 * 3600),
    cooldownSeconds: '0',
    destinationIds: [],
  };
}

export function draftOf(r: Rule): Draft {
  const filters = { ...NO_FILTERS };
  const otherFilters: RuleFilters = {};
  for (const [k, v] of Object.entries(r.filters ?? {})) {
    if ((FILTER_KEYS as readonly string[]).includes(k)) filters[k as keyof Draft['filters']] = (v ?? []).join(', ');
    else otherFilters[k as keyof RuleFilters] = v;
  }
  return {
    name: r.name,
    metric: r.metric,
    scope: r.scope,
    filters,
    otherFilters,
    feedbackName: r.feedbackName ?? '',
    driftFeature: r.driftFeature ?? 'inputTokens',
    windowSeconds: r.windowSeconds,
    comparator: r.comparator,
    threshold: String(r.threshold),
    resolveThreshold: r.resolveThreshold === undefined ? '' : String(r.resolveThreshold),
    minRequests: String(r.minRequests),
    evaluateEverySeconds: String(r.evaluateEverySeconds),
    groupBy: r.groupBy ?? '',
    severity: r.severity,
    enabled: r.enabled,
    repeatIntervalSeconds: String(r.repeatIntervalSeconds),
    cooldownSeconds: String(r.cooldownSeconds),
    destinationIds: [...r.destinationIds],
  };
}

function num(label: string, s: string): number {
  const v = Number(s.trim());
  if (s.trim() === '' || !Number.isFinite(v)) throw new ApiError(0, 'client', `${label}: a number is required`);
  return v;
}

function toInput(d: Draft): RuleInput {
  const filters: RuleFilters = { ...d.otherFilters };
  for (const k of FILTER_KEYS) {
    const values = d.filters[k]
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    if (values.length) filters[k] = values;
  }
  return {
    name: d.name,
    metric: d.metric,
    scope: d.scope,
    filters,
    ...(d.feedbackName.trim() ? { feedbackName: d.feedbackName.trim() } : {}),
    ...(d.metric === 'drift' ? { driftFeature: d.driftFeature } : {}),
    windowSeconds: d.windowSeconds,
    comparator: d.comparator,
    threshold: num('threshold', d.threshold),
    ...(d.resolveThreshold.trim() ? { resolveThreshold: num('resolveThreshold', d.resolveThreshold) } : {}),
    minRequests: num('minRequests', d.minRequests),
    evaluateEverySeconds: num('evaluateEverySeconds', d.evaluateEverySeconds),
    ...(d.groupBy ? { groupBy: d.groupBy } : {}),
    severity: d.severity,
    enabled: d.enabled,
    repeatIntervalSeconds: num('repeatIntervalSeconds', d.repeatIntervalSeconds),
    cooldownSeconds: num('cooldownSeconds', d.cooldownSeconds),
    destinationIds: d.destinationIds,
  };
}

function Field({ label, hint, wide, children }: { label: ReactNode; hint?: ReactNode; wide?: boolean; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children this label wraps
    <label className={`field${wide ? ' field-wide' : ''}`}>
      <span>{label}</span>
      {children}
      {hint && <small className="al-hint">{hint}</small>}
    </label>
  );
}

/** Seconds typed in a number input, with the duration it means next to the label. */
const secondsHint = (s: string) => (Number(s) > 0 ? fmtSeconds(Number(s)) : undefined);

interface RuleFormProps {
  /** The rule being edited; null: a new rule. */
  rule: Rule | null;
  initial: Draft;
  destinations: Destination[];
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}

export function RuleForm({ rule, initial, destinations, onSaved, onCancel }: RuleFormProps) {
  const [d, setD] = useState<Draft>(initial);
  const action = useAction();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const text = (k: 'threshold' | 'resolveThreshold' | 'minRequests' | 'evaluateEverySeconds' | 'repeatIntervalSeconds' | 'cooldownSeconds', placeholder = '') => (
    <input name={k} inputMode="decimal" value={d[k]} placeholder={placeholder} onChange={(e) => set(k, e.target.value)} />
  );
  const feedback = FEEDBACK_METRICS.has(d.metric);
  const windows = WINDOWS.includes(d.windowSeconds) ? WINDOWS : [...WINDOWS, d.windowSeconds].sort((a, b) => a - b);
  const knownDest = new Set(destinations.map((x) => x.id));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const input = toInput(d);
      onSaved(rule ? await alertsApi.updateRule(rule.id, input) : await alertsApi.createRule(input));
    });
  };

  return (
    <form className="card al-form" data-testid="rule-form" onSubmit={submit}>
      <div className="card-title">{rule ? `Edit rule “${rule.name}”` : 'New alert rule'}</div>
      <div className="al-grid">
        <Field label="Name" wide>
          <input name="name" value={d.name} maxLength={200} placeholder="e.g. Error rate per model" onChange={(e) => set('name', e.target.value)} />
        </Field>
        <Field label="Metric">
          <select name="metric" value={d.metric} onChange={(e) => set('metric', e.target.value as AlertMetric)}>
            {ALERT_METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Scope">
          <select name="scope" value={d.scope} onChange={(e) => set('scope', e.target.value as AlertScope)}>
            <option value="llm">LLM calls</option>
            <option value="root">Traces (root spans)</option>
            <option value="all">All spans</option>
          </select>
        </Field>
        <Field label="Group by" hint="one state per value">
          <select name="groupBy" value={d.groupBy} onChange={(e) => set('groupBy', e.target.value as GroupBy | '')}>
            <option value="">— (one group)</option>
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Severity">
          <select name="severity" value={d.severity} onChange={(e) => set('severity', e.target.value as Severity)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>

        <Field label="Comparator">
          <select name="comparator" value={d.comparator} onChange={(e) => set('comparator', e.target.value as Comparator)}>
            {COMPARATORS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Threshold" hint={thresholdHint(d.metric)}>
          {text('threshold', '0.05')}
        </Field>
        <Field label="Resolve at" hint="optional; default 10% back">
          {text('resolveThreshold', 'default')}
        </Field>
        <Field label="Window">
          <select name="windowSeconds" value={d.windowSeconds} onChange={(e) => set('windowSeconds', Number(e.target.value))}>
            {windows.map((w) => (
              <option key={w} value={w}>
                {fmtSeconds(w)}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Min requests" hint="fewer: no decision">
          {text('minRequests', '1')}
        </Field>
        <Field label="Evaluate every (s)" hint={secondsHint(d.evaluateEverySeconds)}>
          {text('evaluateEverySeconds', '60')}
        </Field>

        <Field label="Reminder every (s)" hint={secondsHint(d.repeatIntervalSeconds)}>
          {text('repeatIntervalSeconds', '14400')}
        </Field>
        <Field label="Cooldown (s)" hint={secondsHint(d.cooldownSeconds) ?? 'after resolving'}>
          {text('cooldownSeconds', '0')}
        </Field>
        <Field label="Feedback name" hint={feedback ? 'only feedback with this name' : 'feedback metrics only'} wide>
          <input name="feedbackName" value={d.feedbackName} disabled={!feedback && !d.feedbackName} placeholder={feedback ? 'any' : ''} onChange={(e) => set('feedbackName', e.target.value)} />
        </Field>
        {d.metric === 'drift' && (
          <Field label="Drift feature" hint="the window against the 7 windows before it">
            <select name="driftFeature" value={d.driftFeature} onChange={(e) => set('driftFeature', e.target.value)}>
              {DRIFT_FEATURES.map((f) => (
                <option key={f} value={f}>
                  {f}
                </option>
              ))}
            </select>
          </Field>
        )}
        <label className="al-check">
          <input type="checkbox" name="enabled" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
        </label>
      </div>

      <div className="al-subtitle">
        Filters <span className="muted">(comma-separated; empty: any)</span>
      </div>
      <div className="al-grid al-grid-7">
        {FILTER_KEYS.map((k) => (
          <Field key={k} label={FILTER_LABELS[k]}>
            <input name={`filter-${k}`} value={d.filters[k]} onChange={(e) => set('filters', { ...d.filters, [k]: e.target.value })} />
          </Field>
        ))}
      </div>

      <div className="al-subtitle">Notify</div>
      <div className="al-dests" data-testid="rule-destinations">
        {destinations.length === 0 && <span className="muted small">No webhook destinations yet: add one below; the rule still records its states and history.</span>}
        {destinations.map((x) => (
          <label key={x.id} className="al-check">
            <input
              type="checkbox"
              value={x.id}
              checked={d.destinationIds.includes(x.id)}
              onChange={(e) => set('destinationIds', e.target.checked ? [...d.destinationIds, x.id] : d.destinationIds.filter((i) => i !== x.id))}
            />
            {x.name} <span className="muted small">({x.format})</span>
          </label>
        ))}
        {d.destinationIds
          .filter((i) => !knownDest.has(i))
          .map((i) => (
            <span key={i} className="muted small">
              unknown destination {i}
            </span>
          ))}
      </div>

      {action.error && (
        <div className="pad-x">
          <ErrorBox error={action.error} />
        </div>
      )}
      <div className="al-form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {rule ? 'Save rule' : 'Create rule'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export type { Draft };
