// "Add to annotation queue" on the trace page: a trace queue takes the trace, a span queue the
// span selected in the waterfall.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { queuePaths, queuesApi, type Queue } from '../../annotations-api.ts';
import { ErrorBox } from '../../components/States.tsx';
import type { Span } from '../../api.ts';
import { useAction, useApi } from '../../hooks.ts';
import { useHref } from '../../state.tsx';

export function AddToQueue({ traceId, span }: { traceId: string; span: Span | undefined }) {
  const href = useHref();
  const queues = useApi<{ queues: Queue[] }>(queuePaths.list);
  const [chosen, setChosen] = useState('');
  const [result, setResult] = useState<{ queue: Queue; added: number; what: string } | null>(null);
  const action = useAction();
  const list = queues.data?.queues ?? [];
  const queue = list.find((q) => q.id === chosen) ?? list[0];
  const what = queue?.target === 'span' ? (span ? `the span “${span.name}”` : 'a span') : 'this trace';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!queue || (queue.target === 'span' && !span)) return;
    setResult(null);
    void action.run(async () => {
      const r = await queuesApi.addItems(queue.id, [{ traceId, ...(queue.target === 'span' && span ? { spanId: span.spanId } : {}) }]);
      setResult({ queue, added: r.added, what });
      queues.reload();
    });
  };

  return (
    <section className="card" data-testid="add-to-queue">
      <div className="card-title">Add to annotation queue</div>
      {queues.error && !queues.data ? (
        <div className="pad-x">
          <ErrorBox error={queues.error} onRetry={queues.reload} />
        </div>
      ) : !queues.data ? (
        <div className="muted pad">Loading queues…</div>
      ) : list.length === 0 ? (
        <div className="muted pad small">
          No annotation queues yet: create one on the <Link to={href('/queues')}>Annotation</Link> page, then add this trace to it here.
        </div>
      ) : (
        <form className="inline-form atq-form" onSubmit={submit}>
          <select
            name="queue"
            aria-label="Annotation queue"
            value={queue?.id ?? ''}
            onChange={(e) => {
              setChosen(e.target.value);
              setResult(null);
            }}
          >
            {list.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name} ({q.target === 'span' ? 'spans' : 'traces'})
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn-primary" disabled={action.busy || !queue}>
            Add {what}
          </button>
          {result && (
            <span role="status" data-testid="add-to-queue-result" className="small">
              {result.added ? 'Added' : 'Already queued:'} {result.what} {result.added ? 'to' : 'in'} <strong>{result.queue.name}</strong> ·{' '}
              <Link to={href(`/queues/${encodeURIComponent(result.queue.id)}/review`)}>review</Link>
            </span>
          )}
        </form>
      )}
      {action.error && (
        <div className="pad-x">
          <ErrorBox error={action.error} />
        </div>
      )}
    </section>
  );
}
