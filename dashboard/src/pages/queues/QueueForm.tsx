// Create or edit an annotation queue: what reviewers judge (traces or spans), the scores they
// give, whether they may correct the answer, and how long an opened item is held for them.
import { useState, type FormEvent } from 'react';
import { queuesApi, type Queue } from '../../annotations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { FormError } from '../../components/FormError.tsx';
import { numberProblem } from '../../forms.ts';
import { useAction } from '../../hooks.ts';
import { newScore, ScoreEditor, scoreDraftOf, scoreProblems, toDefinition, type ScoreDraft } from './ScoreEditor.tsx';

interface Draft {
  name: string;
  description: string;
  target: 'trace' | 'span';
  scores: ScoreDraft[];
  allowCorrection: boolean;
  lockSeconds: string;
}

export const newQueueDraft = (): Draft => ({ name: '', description: '', target: 'trace', scores: [newScore('boolean', 'helpful')], allowCorrection: true, lockSeconds: '600' });

export const queueDraftOf = (q: Queue): Draft => ({
  name: q.name,
  description: q.description,
  target: q.target,
  scores: q.scores.map(scoreDraftOf),
  allowCorrection: q.allowCorrection,
  lockSeconds: String(q.lockSeconds),
});

const LABELS = { name: 'Name', description: 'Description', target: 'Reviewers judge', scores: 'Scores', lockSeconds: 'Hold an item for' };

export type QueueDraft = Draft;

export function QueueForm({ queue, initial, onSaved, onCancel }: { queue: Queue | null; initial: Draft; onSaved: (q: Queue) => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(initial);
  const [tried, setTried] = useState(false);
  const action = useAction();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((prev) => ({ ...prev, [k]: v }));
  const scoreWrong = scoreProblems(d.scores);
  const lockWrong = numberProblem(d.lockSeconds, { min: 30, max: 86_400, integer: true });
  const nameWrong = d.name.trim() ? null : 'required';
  const count = scoreWrong.size + (lockWrong ? 1 : 0) + (nameWrong ? 1 : 0);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (count > 0) return;
    void action.run(async () => {
      const body = {
        name: d.name.trim(),
        description: d.description.trim(),
        target: d.target,
        scores: d.scores.map(toDefinition),
        allowCorrection: d.allowCorrection,
        lockSeconds: Number(d.lockSeconds),
      };
      onSaved(queue ? await queuesApi.update(queue.id, body) : await queuesApi.create(body));
    });
  };

  return (
    <form className="card ev-form" data-testid="queue-form" onSubmit={submit} noValidate>
      <div className="card-title">{queue ? `Edit queue “${queue.name}”` : 'New annotation queue'}</div>
      <div className="ev-grid">
        <Field label="Name" wide problem={tried ? nameWrong : null}>
          <input name="name" value={d.name} maxLength={200} placeholder="e.g. Support answers, week 12" onChange={(e) => set('name', e.target.value)} />
        </Field>
        <Field label="Reviewers judge" hint={d.target === 'trace' ? "each trace's last LLM call" : 'single LLM spans'}>
          <select name="target" value={d.target} disabled={queue !== null} title={queue ? 'Fixed once the queue exists' : undefined} onChange={(e) => set('target', e.target.value as Draft['target'])}>
            <option value="trace">Traces</option>
            <option value="span">Spans</option>
          </select>
        </Field>
        <Field label="Hold an item for (s)" problem={lockWrong} hint="an opened item is kept for its reviewer">
          <NumberInput name="lockSeconds" value={d.lockSeconds} invalid={!!lockWrong} onChange={(v) => set('lockSeconds', v)} />
        </Field>
        <label className="ev-check field-wide">
          <input type="checkbox" name="allowCorrection" checked={d.allowCorrection} onChange={(e) => set('allowCorrection', e.target.checked)} /> Reviewers may correct the output
        </label>
      </div>
      <div className="ev-grid ev-grid-1">
        <Field label="Description" hint="what reviewers should look for (shown on the review page)">
          <textarea name="description" rows={2} value={d.description} maxLength={2000} onChange={(e) => set('description', e.target.value)} />
        </Field>
      </div>
      <div className="ev-subtitle">
        Scores <span className="muted">(each review writes one score per name, source “annotation”, the reviewer as author)</span>
      </div>
      <ScoreEditor scores={d.scores} onChange={(s) => set('scores', s)} problems={scoreWrong} tried={tried} />
      {tried && count > 0 && (
        <div className="pad-x text-bad small" role="alert" data-testid="form-problems">
          Not saved: fix the {count === 1 ? 'field' : 'fields'} marked in red.
        </div>
      )}
      {action.error && (
        <div className="pad-x">
          <FormError error={action.error} what={queue ? 'Not saved' : 'Not created'} labels={LABELS} />
        </div>
      )}
      <div className="ev-form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : queue ? 'Save queue' : 'Create queue'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
