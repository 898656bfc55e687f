// One opened item on the review page: the call's input and output as chat, the queue's score
// controls, a comment and (if the queue allows it) a corrected output. Keyboard: see keys.ts.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { ApiError } from '../../api.ts';
import type { OpenedItem, Queue, Review, ScoreValue } from '../../annotations-api.ts';
import { FormError } from '../../components/FormError.tsx';
import { Messages } from '../../components/Messages.tsx';
import { fmtMs, fmtUsd } from '../../format.ts';
import { numberProblem } from '../../forms.ts';
import { parseMessages } from '../../messages.ts';
import { useHref } from '../../state.tsx';
import { digitValue, keyAction } from './keys.ts';
import { ScoreControl, type Given } from './ScoreControls.tsx';

interface Props {
  queue: Queue;
  item: OpenedItem;
  busy: boolean;
  error: ApiError | undefined;
  onSubmit: (r: Omit<Review, 'reviewer'>) => void;
  onSkip: () => void;
}

/** The answer as text, to start a correction from. */
function outputText(output: string | null): string {
  const msgs = parseMessages(output);
  return msgs
    ? msgs
        .filter((m) => m.role === 'assistant')
        .map((m) => m.content)
        .join('\n\n')
    : (output ?? '');
}

function given(queue: Queue, scores: Record<string, ScoreValue>): Record<string, Given> {
  const out: Record<string, Given> = {};
  for (const s of queue.scores) {
    const v = scores[s.name];
    if (v !== undefined) out[s.name] = typeof v === 'number' ? String(v) : v;
  }
  return out;
}

export function ReviewItem({ queue, item, busy, error, onSubmit, onSkip }: Props) {
  const href = useHref();
  const [values, setValues] = useState<Record<string, Given>>(() => given(queue, item.scores));
  const [active, setActive] = useState(0);
  const [comment, setComment] = useState('');
  const [corrected, setCorrected] = useState(item.correctedOutput ?? '');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [missing, setMissing] = useState(false);
  const span = item.span;

  const submit = () => {
    const scores: Record<string, ScoreValue> = {};
    const wrong: Record<string, string> = {};
    for (const def of queue.scores) {
      const v = values[def.name];
      if (v === undefined) continue;
      if (def.type === 'numeric') {
        const p = numberProblem(String(v), { min: def.min, max: def.max });
        if (p) wrong[def.name] = p;
        else scores[def.name] = Number(v);
      } else scores[def.name] = v;
    }
    setProblems(wrong);
    setMissing(Object.keys(scores).length === 0 && Object.keys(wrong).length === 0);
    if (Object.keys(wrong).length || Object.keys(scores).length === 0) return;
    onSubmit({
      scores,
      ...(comment.trim() ? { comment: comment.trim() } : {}),
      ...(queue.allowCorrection && corrected.trim() ? { correctedOutput: corrected } : {}),
    });
  };

  // One listener for the page's life; it reads this render's state through the ref.
  const onKey = useRef<(e: KeyboardEvent) => void>(() => undefined);
  onKey.current = (e: KeyboardEvent) => {
    const target = e.target instanceof HTMLElement ? e.target.tagName : 'BODY';
    const a = keyAction({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, target });
    if (!a || busy) return;
    e.preventDefault();
    if (a.kind === 'submit') submit();
    else if (a.kind === 'skip') onSkip();
    else if (a.kind === 'move') setActive((i) => Math.max(0, Math.min(queue.scores.length - 1, i + a.by)));
    else {
      const def = queue.scores[active];
      const v = def ? digitValue(def, a.digit) : undefined;
      if (!def || v === undefined) return;
      setValues((prev) => ({ ...prev, [def.name]: typeof v === 'number' ? String(v) : v }));
      setMissing(false);
      // On to the next score, so a review is a few key presses.
      setActive((i) => Math.min(queue.scores.length - 1, i + 1));
    }
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const formSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  return (
    <div className="rv-layout" data-testid="review-item" data-item-id={item.itemId} data-trace-id={item.traceId}>
      <section className="card rv-content">
        <div className="rv-content-head">
          <span className="rv-span-name" title={span?.name}>
            {span?.name ?? 'Span not found'}
          </span>
          {span && (
            <span className="muted small">
              {span.kind}
              {span.model ? ` · ${span.model}` : ''} · {fmtMs(span.durationMs)} · {fmtUsd(span.costUsd)}
            </span>
          )}
          {span && span.status === 'error' && <span className="badge st-error">error</span>}
          <Link className="rv-open" to={href(`/traces/${item.traceId}`, span ? { span: span.spanId } : {})} target="_blank" rel="noreferrer">
            Open trace ↗
          </Link>
        </div>
        {!span ? (
          <div className="muted pad">The span of this item is no longer stored (past the retention period). Skip it.</div>
        ) : (
          <div className="rv-io">
            {span.input || span.output ? null : <div className="muted">This span has no input or output.</div>}
            <Messages label="Input" text={span.input} />
            <Messages label="Output" text={span.output} />
          </div>
        )}
      </section>

      <form className="card rv-panel" onSubmit={formSubmit} data-testid="review-form">
        {queue.scores.map((def, i) => (
          <ScoreControl
            key={def.name}
            def={def}
            value={values[def.name]}
            active={i === active}
            onActivate={() => setActive(i)}
            problem={problems[def.name]}
            onChange={(v) => {
              setValues((prev) => ({ ...prev, [def.name]: v }));
              setMissing(false);
            }}
          />
        ))}
        <label className="field">
          <span>
            Comment <span className="muted">(optional)</span>
          </span>
          <textarea name="comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} placeholder="why, in a few words" />
        </label>
        {queue.allowCorrection && (
          // Not a <label> around it all: a label would click the button inside it.
          <div className="field">
            <div className="rv-label-row">
              <label htmlFor="rv-corrected">
                Corrected output <span className="muted">(optional)</span>
              </label>
              {span?.output && (
                <button type="button" className="btn-inline" onClick={() => setCorrected(outputText(span.output))}>
                  start from the output
                </button>
              )}
            </div>
            <textarea
              id="rv-corrected"
              name="correctedOutput"
              rows={4}
              value={corrected}
              placeholder="what the answer should have been (the fine-tuning export uses it)"
              onChange={(e) => setCorrected(e.target.value)}
            />
          </div>
        )}
        {missing && (
          <div className="text-bad small" role="alert" data-testid="review-missing">
            Give at least one score first (number keys, or click).
          </div>
        )}
        {error && <FormError error={error} what="Not saved" labels={{ scores: 'Scores', comment: 'Comment', correctedOutput: 'Corrected output' }} />}
        <div className="rv-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Submit'} <kbd>Enter</kbd>
          </button>
          <button type="button" className="btn" disabled={busy} onClick={onSkip}>
            Skip <kbd>s</kbd>
          </button>
        </div>
        <div className="rv-help muted small" data-testid="review-keys">
          <strong>Keys</strong> (outside text fields): <kbd>1</kbd>–<kbd>9</kbd> set the highlighted score, then move to the next one (yes / no: <kbd>1</kbd> yes, <kbd>2</kbd> no; labels: <kbd>1</kbd>{' '}
          is the first; a number: see its keys) · <kbd>↑</kbd> <kbd>↓</kbd> highlight another score · <kbd>Enter</kbd> submits (<kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>Enter</kbd> from a text field) ·{' '}
          <kbd>s</kbd> skips.
        </div>
      </form>
    </div>
  );
}
