// Create or edit an evaluator (an edit stores a new version). Numbers are checked here, so a
// letter never reaches the API; what the API still refuses is said in the form's words.
import { useState, type FormEvent } from 'react';
import { evaluatorsApi, EVALUATOR_FILTERS, type Evaluator, type EvaluatorFilterKey, type Template } from '../../evaluations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { FormError } from '../../components/FormError.tsx';
import { useAction } from '../../hooks.ts';
import { LABELS, problems, toInput, type Draft } from './draft.ts';
import { JudgeFields } from './JudgeFields.tsx';
import { RuleFields } from './RuleFields.tsx';

const FILTER_LABELS: Record<EvaluatorFilterKey, string> = {
  model: 'Model',
  service: 'Service',
  environment: 'Environment',
  promptName: 'Prompt name',
  promptVersion: 'Prompt version',
  tag: 'Tag',
  kind: 'Span kind',
};

interface Props {
  /** The evaluator being edited; null: a new one. */
  evaluator: Evaluator | null;
  initial: Draft;
  templates: Template[];
  onSaved: (e: Evaluator) => void;
  onCancel: () => void;
}

export function EvaluatorForm({ evaluator, initial, templates, onSaved, onCancel }: Props) {
  const [d, setD] = useState<Draft>(initial);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const patch = (p: Partial<Draft>) => setD((prev) => ({ ...prev, ...p }));
  const wrong = problems(d);
  // A value typed wrong shows at once; an empty required field once the form was sent.
  const shown = (k: keyof Draft) => (wrong[k] && (tried || wrong[k] !== 'required') ? wrong[k] : undefined);
  const count = Object.keys(wrong).length;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (count > 0) return;
    void action.run(async () => {
      const input = toInput(d, templates);
      onSaved(evaluator ? await evaluatorsApi.update(evaluator.id, input) : await evaluatorsApi.create(input));
    });
  };

  return (
    <form className="card ev-form" data-testid="evaluator-form" onSubmit={submit} noValidate>
      <div className="card-title">{evaluator ? `Edit evaluator “${evaluator.name}” (saves version ${evaluator.version + 1})` : 'New evaluator'}</div>
      <div className="ev-grid">
        <Field label="Name" wide problem={shown('name')} hint="also the name of the scores it writes">
          <input name="name" value={d.name} maxLength={200} placeholder="e.g. helpfulness" onChange={(e) => set('name', e.target.value)} />
        </Field>
        <Field label="Type">
          <select name="type" value={d.type} onChange={(e) => set('type', e.target.value as Draft['type'])}>
            <option value="llm_judge">LLM judge</option>
            <option value="rule">Rule</option>
          </select>
        </Field>
        <Field label="Evaluates">
          <select name="scope" value={d.scope} onChange={(e) => set('scope', e.target.value as Draft['scope'])}>
            <option value="llm">LLM calls</option>
            <option value="root">Traces (their root span)</option>
          </select>
        </Field>
        <label className="ev-check">
          <input type="checkbox" name="enabled" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
        </label>
      </div>

      {d.type === 'llm_judge' ? (
        <JudgeFields d={d} set={set} patch={patch} shown={shown} templates={templates} keyStored={evaluator?.judge?.hasApiKey ?? false} />
      ) : (
        <RuleFields d={d} set={set} shown={shown} />
      )}

      <div className="ev-subtitle">
        Which spans <span className="muted">(filters are comma-separated lists; empty: any)</span>
      </div>
      <div className="ev-grid ev-grid-7">
        {EVALUATOR_FILTERS.map((k) => (
          <Field key={k} label={FILTER_LABELS[k]}>
            <input name={`filter-${k}`} value={d.filters[k]} placeholder="any" onChange={(e) => set('filters', { ...d.filters, [k]: e.target.value })} />
          </Field>
        ))}
      </div>
      <div className="ev-grid">
        <Field label="Sample rate (%)" problem={shown('samplePct')} hint="0–100: the share of matching spans scored">
          <NumberInput name="samplePct" value={d.samplePct} placeholder="100" invalid={!!shown('samplePct')} onChange={(v) => set('samplePct', v)} />
        </Field>
        <Field label="Concurrency" problem={shown('concurrency')} hint="calls at once, 1–32">
          <NumberInput name="concurrency" value={d.concurrency} placeholder="4" invalid={!!shown('concurrency')} onChange={(v) => set('concurrency', v)} />
        </Field>
        <Field label="Rate per minute" problem={shown('ratePerMinute')} hint="calls (or checks) at most">
          <NumberInput name="ratePerMinute" value={d.ratePerMinute} placeholder="600" invalid={!!shown('ratePerMinute')} onChange={(v) => set('ratePerMinute', v)} />
        </Field>
      </div>

      {tried && count > 0 && (
        <div className="pad-x text-bad small" role="alert" data-testid="form-problems">
          Not saved: fix the {count === 1 ? 'field' : `${count} fields`} marked in red.
        </div>
      )}
      {action.error && (
        <div className="pad-x">
          <FormError error={action.error} what={evaluator ? 'Not saved' : 'Not created'} labels={LABELS} />
        </div>
      )}
      <div className="ev-form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : evaluator ? 'Save evaluator' : 'Create evaluator'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted small">New spans are scored from now on; past ones through a backfill.</span>
      </div>
    </form>
  );
}
