// The scores a queue asks reviewers for: add and remove numeric (with a range), boolean and
// categorical (with labels) scores. Kept as typed; checked by scoreProblems.
import type { ScoreDefinition } from '../../annotations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { numberProblem, splitList } from '../../forms.ts';

export interface ScoreDraft {
  /** Stable React key. */
  key: number;
  type: ScoreDefinition['type'];
  name: string;
  min: string;
  max: string;
  labels: string;
}

let nextKey = 1;
export const newScore = (type: ScoreDefinition['type'] = 'boolean', name = ''): ScoreDraft => ({ key: nextKey++, type, name, min: '1', max: '5', labels: '' });

export function scoreDraftOf(s: ScoreDefinition): ScoreDraft {
  return {
    ...newScore(s.type, s.name),
    ...(s.type === 'numeric' ? { min: String(s.min), max: String(s.max) } : {}),
    ...(s.type === 'categorical' ? { labels: s.labels.join(', ') } : {}),
  };
}

export type ScoreProblems = Map<number, Partial<Record<'name' | 'min' | 'max' | 'labels', string>>>;

export function scoreProblems(scores: ScoreDraft[]): ScoreProblems {
  const out: ScoreProblems = new Map();
  const names = scores.map((s) => s.name.trim());
  for (const s of scores) {
    const p: Partial<Record<'name' | 'min' | 'max' | 'labels', string>> = {};
    const name = s.name.trim();
    if (!name) p.name = 'required';
    else if (names.filter((n) => n === name).length > 1) p.name = 'named twice';
    if (s.type === 'numeric') {
      const lo = numberProblem(s.min);
      const hi = numberProblem(s.max);
      if (lo) p.min = lo;
      if (hi) p.max = hi;
      if (!lo && !hi && Number(s.min) >= Number(s.max)) p.max = 'above the minimum';
    }
    if (s.type === 'categorical') {
      const labels = splitList(s.labels);
      if (labels.length < 2) p.labels = 'at least two, comma-separated';
      else if (labels.length > 20) p.labels = '20 at most';
      else if (new Set(labels).size !== labels.length) p.labels = 'each label once';
    }
    if (Object.keys(p).length) out.set(s.key, p);
  }
  return out;
}

export function toDefinition(s: ScoreDraft): ScoreDefinition {
  const name = s.name.trim();
  if (s.type === 'numeric') return { type: 'numeric', name, min: Number(s.min), max: Number(s.max) };
  if (s.type === 'categorical') return { type: 'categorical', name, labels: splitList(s.labels) };
  return { type: 'boolean', name };
}

interface Props {
  scores: ScoreDraft[];
  onChange: (scores: ScoreDraft[]) => void;
  problems: ScoreProblems;
  /** Show "required" problems too (the form was sent). */
  tried: boolean;
}

export function ScoreEditor({ scores, onChange, problems, tried }: Props) {
  const update = (key: number, p: Partial<ScoreDraft>) => onChange(scores.map((s) => (s.key === key ? { ...s, ...p } : s)));
  const shown = (key: number, k: 'name' | 'min' | 'max' | 'labels') => {
    const v = problems.get(key)?.[k];
    return v && (tried || v !== 'required') ? v : undefined;
  };
  return (
    <div className="qe-scores" data-testid="score-editor">
      {scores.map((s, i) => (
        <div key={s.key} className="qe-score" data-score-index={i}>
          <span className="qe-score-n muted">{i + 1}</span>
          <Field label="Score name" problem={shown(s.key, 'name')}>
            <input name={`score-${i}-name`} value={s.name} placeholder={i === 0 ? 'e.g. helpful' : 'e.g. tone'} onChange={(e) => update(s.key, { name: e.target.value })} />
          </Field>
          <Field label="Kind">
            <select name={`score-${i}-type`} value={s.type} onChange={(e) => update(s.key, { type: e.target.value as ScoreDraft['type'] })}>
              <option value="boolean">Yes / no</option>
              <option value="numeric">Number in a range</option>
              <option value="categorical">One of labels</option>
            </select>
          </Field>
          {s.type === 'numeric' && (
            <>
              <Field label="From" problem={shown(s.key, 'min')}>
                <NumberInput name={`score-${i}-min`} value={s.min} invalid={!!shown(s.key, 'min')} onChange={(v) => update(s.key, { min: v })} />
              </Field>
              <Field label="To" problem={shown(s.key, 'max')}>
                <NumberInput name={`score-${i}-max`} value={s.max} invalid={!!shown(s.key, 'max')} onChange={(v) => update(s.key, { max: v })} />
              </Field>
            </>
          )}
          {s.type === 'categorical' && (
            <Field label="Labels" wide problem={shown(s.key, 'labels')} hint="comma-separated, e.g. friendly, neutral, rude">
              <input name={`score-${i}-labels`} value={s.labels} onChange={(e) => update(s.key, { labels: e.target.value })} />
            </Field>
          )}
          {s.type === 'boolean' && <div className="field-wide muted small qe-score-note">Stored as 1 (yes) and 0 (no).</div>}
          <button
            type="button"
            className="btn btn-small qe-remove"
            disabled={scores.length === 1}
            title={scores.length === 1 ? 'A queue needs a score' : undefined}
            aria-label={`Remove score ${i + 1}`}
            onClick={() => onChange(scores.filter((x) => x.key !== s.key))}
          >
            Remove
          </button>
        </div>
      ))}
      <div className="qe-add">
        <span className="muted small">Add a score:</span>
        {(['boolean', 'numeric', 'categorical'] as const).map((t) => (
          <button key={t} type="button" className="btn btn-small" disabled={scores.length >= 10} onClick={() => onChange([...scores, newScore(t)])}>
            + {t === 'boolean' ? 'yes / no' : t === 'numeric' ? 'number' : 'labels'}
          </button>
        ))}
      </div>
    </div>
  );
}
