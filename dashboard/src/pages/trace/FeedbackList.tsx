// A trace's feedback: each score with its source (user, annotation, evaluation), who gave it,
// and for an evaluation the evaluator's version and what its judge call cost.
import { Link } from 'react-router';
import type { Feedback } from '../../api.ts';
import { fmtDateTime, fmtUsd } from '../../format.ts';
import { useHref } from '../../state.tsx';

function feedbackValue(f: Feedback): string {
  if (f.stringValue) return f.stringValue;
  if (f.dataType === 'boolean') return f.value ? '✓ yes' : '✗ no';
  return String(f.value);
}

const SOURCE_TITLE: Record<string, string> = {
  user: 'Sent by the app (an end user)',
  annotation: 'Given by a person: the Quality page or an annotation queue',
  evaluation: 'Written by an evaluator in the background',
};

function Origin({ f }: { f: Feedback }) {
  const href = useHref();
  if (f.source === 'evaluation') {
    const label = `${f.name}${f.evaluatorVersion ? ` v${f.evaluatorVersion}` : ''}`;
    return (
      <>
        {f.evaluatorId ? (
          <Link to={href('/evaluators', { evaluator: f.evaluatorId })} data-testid="fb-evaluator">
            {label}
          </Link>
        ) : (
          <span data-testid="fb-evaluator">{f.author ?? label}</span>
        )}
        {f.judgeCostUsd ? <span title="The judge call's cost: not part of this trace's cost"> · judge {fmtUsd(f.judgeCostUsd)}</span> : null}
      </>
    );
  }
  if (f.source === 'annotation') return f.author ? <>by {f.author}</> : null;
  return f.author || f.userId ? (f.author ?? f.userId) : null;
}

export function FeedbackList({ feedback, onSelect }: { feedback: Feedback[]; onSelect: (spanId: string) => void }) {
  return (
    <section className="card" data-testid="feedback">
      <div className="card-title">
        Feedback <span className="muted">({feedback.length})</span>
      </div>
      {feedback.length === 0 ? (
        <div className="muted pad">No feedback on this trace.</div>
      ) : (
        <ul className="feedback-list">
          {feedback.map((f) => (
            <li key={f.id} data-source={f.source} data-name={f.name}>
              <span className="fb-name">{f.name}</span>
              <span className={`badge fb-${f.dataType}`}>{feedbackValue(f)}</span>
              {f.comment && <span className="fb-comment">“{f.comment}”</span>}
              <span className="muted fb-meta">
                <span className={`badge fb-src fb-src-${f.source}`} title={SOURCE_TITLE[f.source]}>
                  {f.source}
                </span>{' '}
                <Origin f={f} />
                {f.spanId && (
                  <>
                    {' '}
                    ·{' '}
                    <button type="button" className="btn-inline" onClick={() => onSelect(f.spanId ?? '')}>
                      span {f.spanId}
                    </button>
                  </>
                )}
                {' · '}
                {fmtDateTime(f.createdAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
