// "Add from filter": the traces (or LLM spans, for a span queue) of a time range that match
// model, service and environment, optionally a sample of them, up to a limit.
import { useState, type FormEvent } from 'react';
import { queuesApi, type FromFilter as Body, type Queue } from '../../annotations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { FormError } from '../../components/FormError.tsx';
import { numberProblem, splitList } from '../../forms.ts';
import { useAction } from '../../hooks.ts';
import { fromLocalInput, toLocalInput } from '../quality/shared.tsx';

const LABELS = { from: 'From', to: 'To', model: 'Model', service: 'Service', environment: 'Environment', sampleRate: 'Sample', limit: 'Limit' };

export function FromFilter({ queue, onAdded }: { queue: Queue; onAdded: () => void }) {
  const [f, setF] = useState(() => ({
    model: '',
    service: '',
    environment: '',
    samplePct: '100',
    limit: '100',
    from: toLocalInput(new Date(Date.now() - 86_400_000).toISOString()),
    to: toLocalInput(new Date().toISOString()),
  }));
  const [result, setResult] = useState<{ added: number; matched: number } | null>(null);
  const action = useAction();
  const set = (k: keyof typeof f, v: string) => setF((prev) => ({ ...prev, [k]: v }));
  const sampleWrong = numberProblem(f.samplePct, { min: 0, max: 100 });
  const limitWrong = numberProblem(f.limit, { min: 1, max: 10_000, integer: true });
  const fromIso = fromLocalInput(f.from);
  const toIso = fromLocalInput(f.to);
  const rangeWrong = !fromIso || !toIso ? 'give both times' : fromIso >= toIso ? 'the start must be before the end' : null;
  const bad = sampleWrong !== null || limitWrong !== null || rangeWrong !== null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (bad || !fromIso || !toIso) return;
    setResult(null);
    const body: Body = { from: fromIso, to: toIso, sampleRate: Number(f.samplePct) / 100, limit: Number(f.limit) };
    for (const k of ['model', 'service', 'environment'] as const) {
      const values = splitList(f[k]);
      if (values.length) body[k] = values;
    }
    void action.run(async () => {
      setResult(await queuesApi.fromFilter(queue.id, body));
      onAdded();
    });
  };

  return (
    <form className="ev-pane" data-testid="from-filter" onSubmit={submit} noValidate>
      <div className="ev-pane-title">Add from a filter</div>
      <p className="muted small ev-pane-text">
        {queue.target === 'trace' ? 'Traces' : 'LLM spans'} that started in the range and match every filter (comma-separated; empty: any). Items queued already stay as they are.
      </p>
      <div className="ev-grid ev-grid-3">
        <Field label="Model">
          <input name="ff-model" value={f.model} placeholder="any" onChange={(e) => set('model', e.target.value)} />
        </Field>
        <Field label="Service">
          <input name="ff-service" value={f.service} placeholder="any" onChange={(e) => set('service', e.target.value)} />
        </Field>
        <Field label="Environment">
          <input name="ff-environment" value={f.environment} placeholder="any" onChange={(e) => set('environment', e.target.value)} />
        </Field>
      </div>
      <div className="ev-grid ev-grid-2">
        <Field label="Started from" problem={rangeWrong}>
          <input type="datetime-local" name="ff-from" value={f.from} onChange={(e) => set('from', e.target.value)} />
        </Field>
        <Field label="To">
          <input type="datetime-local" name="ff-to" value={f.to} onChange={(e) => set('to', e.target.value)} />
        </Field>
      </div>
      <div className="ev-grid ev-grid-3">
        <Field label="Sample (%)" problem={sampleWrong} hint="of the matching items">
          <NumberInput name="ff-sample" value={f.samplePct} invalid={!!sampleWrong} onChange={(v) => set('samplePct', v)} />
        </Field>
        <Field label="Limit" problem={limitWrong} hint="items added at most">
          <NumberInput name="ff-limit" value={f.limit} invalid={!!limitWrong} onChange={(v) => set('limit', v)} />
        </Field>
        <div className="field ev-button-cell">
          <button type="submit" className="btn btn-primary" disabled={action.busy || bad}>
            {action.busy ? 'Adding…' : 'Add matching items'}
          </button>
        </div>
      </div>
      {result && (
        <div className="ev-started small" role="status" data-testid="from-filter-result" data-added={result.added} data-matched={result.matched}>
          Added <strong>{result.added}</strong> of {result.matched} matching{result.matched > result.added ? ' (the rest: queued already, outside the sample or over the limit)' : ''}.
        </div>
      )}
      {action.error && (
        <div className="pad-x">
          <FormError error={action.error} what="Nothing added" labels={LABELS} />
        </div>
      )}
    </form>
  );
}
