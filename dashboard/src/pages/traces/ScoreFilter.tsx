// The trace list's score filter: a score name (suggested from the range's feedback), its source,
// and bounds on the trace's average of it. Part of the filter form; kept in the URL like the rest.
import { queryString } from '../../api.ts';
import { Field } from '../../components/Fields.tsx';
import { numberProblem } from '../../forms.ts';
import { useApi } from '../../hooks.ts';
import type { QualityReport } from '../../quality-api.ts';

export const SCORE_FILTERS = ['feedbackName', 'feedbackSource', 'minScore', 'maxScore'] as const;
export type ScoreFilterKey = (typeof SCORE_FILTERS)[number];
export const FEEDBACK_SOURCES = ['user', 'annotation', 'evaluation'] as const;

/** What is wrong with the typed bounds (they must be numbers), per field. */
export function scoreFilterProblems(d: Record<ScoreFilterKey, string>): Partial<Record<ScoreFilterKey, string>> {
  const p: Partial<Record<ScoreFilterKey, string>> = {};
  for (const k of ['minScore', 'maxScore'] as const) {
    const w = numberProblem(d[k], { optional: true });
    if (w) p[k] = w;
  }
  if (!p.minScore && !p.maxScore && d.minScore.trim() && d.maxScore.trim() && Number(d.minScore) > Number(d.maxScore)) p.maxScore = 'not below the minimum';
  return p;
}

interface Props {
  draft: Record<ScoreFilterKey, string>;
  onDraft: (k: ScoreFilterKey, v: string) => void;
  /** The source applies at once, like the status. */
  source: string;
  onSource: (v: string) => void;
  problems: Partial<Record<ScoreFilterKey, string>>;
  from: string;
  to: string;
}

export function ScoreFilterFields({ draft, onDraft, source, onSource, problems, from, to }: Props) {
  const names = useApi<QualityReport>(`/api/v1/quality${queryString({ from, to })}`);
  return (
    <>
      <Field label="Score name">
        <input name="feedbackName" value={draft.feedbackName} placeholder="any" list="dl-feedback" autoComplete="off" onChange={(e) => onDraft('feedbackName', e.target.value)} />
      </Field>
      <Field label="Score source">
        <select name="feedbackSource" value={source} onChange={(e) => onSource(e.target.value)}>
          <option value="">any</option>
          {FEEDBACK_SOURCES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Min avg score" problem={problems.minScore}>
        <input
          name="minScore"
          inputMode="decimal"
          value={draft.minScore}
          placeholder="e.g. 0.5"
          aria-invalid={!!problems.minScore || undefined}
          onChange={(e) => onDraft('minScore', e.target.value)}
        />
      </Field>
      <Field label="Max avg score" problem={problems.maxScore}>
        <input
          name="maxScore"
          inputMode="decimal"
          value={draft.maxScore}
          placeholder="e.g. 0.2"
          aria-invalid={!!problems.maxScore || undefined}
          onChange={(e) => onDraft('maxScore', e.target.value)}
        />
      </Field>
      <datalist id="dl-feedback">
        {(names.data?.names ?? []).map((n) => (
          <option key={n.name} value={n.name} />
        ))}
      </datalist>
    </>
  );
}
