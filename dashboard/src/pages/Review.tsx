// Review a queue (/queues/:queueId/review): asks once who is reviewing (kept in this browser),
// then one item at a time, held for this reviewer, until the queue is empty.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api.ts';
import { queuePaths, queuesApi, type OpenedItem, type Queue, type Review as ReviewBody } from '../annotations-api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useAction, useApi } from '../hooks.ts';
import { useHref } from '../state.tsx';
import { ReviewItem } from './queues/ReviewItem.tsx';
import { ExportLinks, QueueProgress } from './queues/shared.tsx';
import '../evaluations.css';

const REVIEWER_KEY = 'spanlens.reviewer';

function useReviewer(): [string, (name: string) => void] {
  const [name, setName] = useState(() => localStorage.getItem(REVIEWER_KEY) ?? '');
  const set = useCallback((n: string) => {
    if (n) localStorage.setItem(REVIEWER_KEY, n);
    else localStorage.removeItem(REVIEWER_KEY);
    setName(n);
  }, []);
  return [name, set];
}

function WhoReviews({ initial, onDone }: { initial: string; onDone: (name: string) => void }) {
  const [name, setName] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) onDone(name.trim());
  };
  return (
    <form className="card rv-who" onSubmit={submit} data-testid="reviewer-form">
      <div className="card-title">Who is reviewing?</div>
      <p className="muted small pad-x">Your name goes with every score you give (as its author). It is kept in this browser for next time.</p>
      <div className="inline-form">
        <input name="reviewer" aria-label="Your name" value={name} maxLength={200} autoFocus placeholder="e.g. alice" onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn btn-primary" disabled={!name.trim()}>
          Start reviewing
        </button>
      </div>
    </form>
  );
}

type Notice = { kind: 'ok' | 'warn'; text: string } | null;

export function Review() {
  const { queueId = '' } = useParams();
  const href = useHref();
  const queue = useApi<Queue>(queuePaths.one(queueId));
  const [reviewer, setReviewer] = useReviewer();
  const [changing, setChanging] = useState(false);
  // undefined: not opened yet; null: nothing left for this reviewer.
  const [item, setItem] = useState<OpenedItem | null | undefined>(undefined);
  const [notice, setNotice] = useState<Notice>(null);
  const action = useAction();
  const { reload } = queue;

  const next = useCallback(
    async (after?: string) => {
      const r = await queuesApi.next(queueId, reviewer, after);
      setItem(r.item);
      reload();
    },
    [queueId, reviewer, reload],
  );

  const { run } = action;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new queue opens its first item; run is stable
  useEffect(() => {
    if (!reviewer || changing) return;
    setItem(undefined);
    void run(() => next());
  }, [reviewer, changing, queueId, run, next]);

  /** A review or skip, then the next item; someone else's lock (409) moves on as well. */
  const act = (f: () => Promise<unknown>, done: string, itemId: string, after?: string) =>
    void action.run(async () => {
      try {
        await f();
        setNotice({ kind: 'ok', text: done });
        await next(after);
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 409) throw err;
        setNotice({ kind: 'warn', text: 'Someone else is reviewing this item: moved on to the next one.' });
        await next(itemId);
      }
    });
  const submit = (r: Omit<ReviewBody, 'reviewer'>) => {
    if (item) act(() => queuesApi.review(queueId, item.itemId, { ...r, reviewer }), 'Review saved.', item.itemId);
  };
  const skip = () => {
    if (item) act(() => queuesApi.skip(queueId, item.itemId, reviewer), 'Skipped.', item.itemId, item.itemId);
  };

  const q = queue.data;
  const p = q?.progress;
  const back = (
    <Link className="back" to={href('/queues')}>
      ← Queues
    </Link>
  );
  const progress = p && (
    <span className="rv-progress" data-testid="review-progress" data-done={p.done} data-skipped={p.skipped} data-total={p.total}>
      <strong>
        {p.done} of {p.total} reviewed
      </strong>
      {p.skipped ? ` · ${p.skipped} skipped` : ''} · {p.pending} pending
    </span>
  );

  if (queue.error && !q)
    return (
      <>
        <PageHeader title={<>{back} Review</>} range={false} />
        <ErrorBox error={queue.error} onRetry={queue.reload} />
      </>
    );
  if (!q || !p)
    return (
      <>
        <PageHeader title={<>{back} Review</>} range={false} />
        <Loading />
      </>
    );

  return (
    <>
      <PageHeader
        title={
          <>
            {back}{' '}
            <span className="trace-name" title={q.name}>
              Review: {q.name}
            </span>
          </>
        }
        subtitle={
          <>
            {progress}
            {reviewer && !changing && (
              <>
                {' '}
                · reviewing as <strong data-testid="reviewer-name">{reviewer}</strong>{' '}
                <button type="button" className="btn-inline" onClick={() => setChanging(true)}>
                  change
                </button>
              </>
            )}
          </>
        }
        range={false}
      >
        <div className="rv-head-progress">
          <QueueProgress p={p} />
        </div>
      </PageHeader>
      {q.description && <p className="explain rv-description">{q.description}</p>}
      {!reviewer || changing ? (
        <WhoReviews
          initial={reviewer}
          onDone={(n) => {
            setChanging(false);
            setReviewer(n);
          }}
        />
      ) : (
        <>
          {notice && (
            <div className={`rv-notice rv-notice-${notice.kind}`} role="status" data-testid="review-notice">
              {notice.text}
            </div>
          )}
          {item === undefined ? (
            action.error ? (
              <ErrorBox error={action.error} onRetry={() => void action.run(() => next())} />
            ) : (
              <Loading label="Opening the next item…" />
            )
          ) : item === null ? (
            <div data-testid="review-empty">
              <Empty title="Nothing left to review in this queue">
                <p>
                  {p.done} reviewed, {p.skipped} skipped of {p.total}.
                  {p.locked > 0 && ` ${p.locked} item${p.locked === 1 ? ' is' : 's are'} open with other reviewers; unfinished ones come back when their hold ends.`} Add more from the{' '}
                  <Link to={href('/queues', { queue: q.id })}>queue's page</Link>, or export what was reviewed:
                </p>
                <ExportLinks queue={q} />
                <div className="rv-empty-actions">
                  <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void action.run(() => next())}>
                    Check again
                  </button>
                </div>
              </Empty>
            </div>
          ) : (
            <ReviewItem key={item.itemId} queue={q} item={item} busy={action.busy} error={action.error?.status === 409 ? undefined : action.error} onSubmit={submit} onSkip={skip} />
          )}
        </>
      )}
    </>
  );
}
