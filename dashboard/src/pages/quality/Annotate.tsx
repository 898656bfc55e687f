// "Score a trace": a numeric, thumbs or categorical score with a comment, posted as an
// annotation (POST /api/v1/traces/:traceId/feedback); the API's message is shown on error.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ErrorBox } from '../../components/States.tsx';
import { qualityApi, type Annotation, type AnnotationKind } from '../../quality-api.ts';
import { useHref } from '../../state.tsx';
import { useAction } from './shared.tsx';

interface Saved {
  traceId: string;
  id: string;
  name: string;
  value: string;
}

export function Annotate({ defaultName, onSaved }: { defaultName: string; onSaved: () => void }) {
  const href = useHref();
  const [traceId, setTraceId] = useState('');
  // Follows the page's feedback name until typed in.
  const [typedName, setName] = useState<string | null>(null);
  const name = typedName ?? defaultName;
  const [kind, setKind] = useState<AnnotationKind>('numeric');
  const [numeric, setNumeric] = useState('');
  const [thumb, setThumb] = useState<boolean>(true);
  const [category, setCategory] = useState('');
  const [comment, setComment] = useState('');
  const [saved, setSaved] = useState<Saved | null>(null);
  const action = useAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const id = traceId.trim().toLowerCase();
    const body: Annotation =
      kind === 'numeric'
        ? { name: name.trim(), value: Number(numeric), dataType: 'numeric' }
        : kind === 'thumbs'
          ? { name: name.trim(), value: thumb, dataType: 'boolean' }
          : { name: name.trim(), value: category.trim(), dataType: 'categorical' };
    if (comment.trim()) body.comment = comment.trim();
    void action.run(async () => {
      const r = await qualityApi.annotate(id, body);
      setSaved({ traceId: id, id: r.id, name: body.name, value: kind === 'thumbs' ? (thumb ? '👍 up (1)' : '👎 down (0)') : String(body.value) });
      setComment('');
      onSaved();
    });
  };
  const numericOk = kind !== 'numeric' || (numeric.trim() !== '' && Number.isFinite(Number(numeric)));
  const ready = traceId.trim() !== '' && name.trim() !== '' && numericOk && (kind !== 'category' || category.trim() !== '');

  return (
    <section className="card" data-testid="annotate">
      <div className="card-title">Score a trace</div>
      <p className="muted small pad-x">
        An annotation by you (source <code>annotation</code>, author <code>dashboard</code>); thumbs are stored as 1 and 0, categories are kept apart from the averages.
      </p>
      <form className="ql-form-grid ql-annotate-grid" onSubmit={submit}>
        <label className="field ql-span-3">
          <span>Trace id</span>
          <input name="traceId" value={traceId} onChange={(e) => setTraceId(e.target.value)} placeholder="32 hex characters" spellCheck={false} autoComplete="off" className="mono" />
        </label>
        <label className="field">
          <span>Name</span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="rating" autoComplete="off" />
        </label>
        <label className="field">
          <span>Kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as AnnotationKind)}>
            <option value="numeric">numeric</option>
            <option value="thumbs">thumbs</option>
            <option value="category">category</option>
          </select>
        </label>
        <div className="field">
          <span>Value</span>
          {kind === 'numeric' && <input name="value" type="number" step="any" value={numeric} onChange={(e) => setNumeric(e.target.value)} placeholder="e.g. 4" aria-label="Value" />}
          {kind === 'thumbs' && (
            <div className="segmented ql-thumbs" role="group" aria-label="Value">
              <button type="button" className={thumb ? 'active' : ''} aria-pressed={thumb} onClick={() => setThumb(true)}>
                👍 up
              </button>
              <button type="button" className={!thumb ? 'active' : ''} aria-pressed={!thumb} onClick={() => setThumb(false)}>
                👎 down
              </button>
            </div>
          )}
          {kind === 'category' && <input name="value" value={category} onChange={(e) => setCategory(e.target.value)} placeholder="e.g. off-topic" aria-label="Value" />}
        </div>
        <label className="field ql-span-3">
          <span>Comment</span>
          <input name="comment" value={comment} onChange={(e) => setComment(e.target.value)} placeholder="optional" />
        </label>
        <div className="field">
          <span aria-hidden="true">&nbsp;</span>
          <button type="submit" className="btn btn-primary" disabled={!ready || action.busy}>
            {action.busy ? 'Saving…' : 'Save score'}
          </button>
        </div>
      </form>
      {action.error && (
        <div className="pad-x">
          <ErrorBox error={action.error} />
        </div>
      )}
      {saved && (
        <div className="ql-saved" role="status" data-testid="annotate-saved">
          Saved <strong>{saved.name}</strong> = {saved.value} on trace{' '}
          <Link to={href(`/traces/${saved.traceId}`)} className="mono">
            {saved.traceId}
          </Link>
        </div>
      )}
    </section>
  );
}
