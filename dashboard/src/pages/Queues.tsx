// Annotation queues: traces or spans collected for people to review one at a time. The list with
// progress, the selected queue (?queue=<id>) with "add from filter" and its dataset exports.
import { useState } from 'react';
import { Link } from 'react-router';
import { queuePaths, queuesApi, type Queue } from '../annotations-api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useApi, useSelectedParam } from '../hooks.ts';
import { RowActions } from '../components/RowActions.tsx';
import { useHref } from '../state.tsx';
import { FromFilter } from './queues/FromFilter.tsx';
import { newQueueDraft, QueueForm, queueDraftOf, type QueueDraft } from './queues/QueueForm.tsx';
import { ExportLinks, QueueProgress, scoreText } from './queues/shared.tsx';
import '../evaluations.css';

function Row({ q, selected, onSelect, onEdit, onDeleted }: { q: Queue; selected: boolean; onSelect: () => void; onEdit: () => void; onDeleted: () => void }) {
  const href = useHref();
  return (
    <tr data-queue-id={q.id} data-name={q.name} className={selected ? 'ev-selected' : ''} onClick={onSelect}>
      <td className="trunc" title={q.description || q.name}>
        <div className="cell-main">
          <button type="button" className="ev-name" onClick={onSelect}>
            {q.name}
          </button>
        </div>
        <div className="cell-sub">{q.description || (q.target === 'trace' ? 'traces' : 'spans')}</div>
      </td>
      <td>{q.target === 'trace' ? 'Traces' : 'Spans'}</td>
      <td className="trunc" title={q.scores.map(scoreText).join('\n')}>
        {q.scores.map((s) => s.name).join(', ')}
      </td>
      <td data-testid="queue-progress-cell">
        <QueueProgress p={q.progress} testId="queue-progress" />
      </td>
      <td className="num" title={q.progress.locked ? `${q.progress.locked} being reviewed now` : undefined}>
        {q.progress.pending}
        {q.progress.locked ? <span className="muted small"> ({q.progress.locked} open)</span> : null}
      </td>
      <RowActions
        onEdit={onEdit}
        onDelete={async () => {
          await queuesApi.remove(q.id);
          onDeleted();
        }}
        confirmLabel="Confirm delete"
      >
        <Link className="btn btn-primary btn-small ev-btn-link" to={href(`/queues/${encodeURIComponent(q.id)}/review`)}>
          Review
        </Link>
      </RowActions>
    </tr>
  );
}

function QueueDetail({ queue: q, onChanged, onClose }: { queue: Queue; onChanged: () => void; onClose: () => void }) {
  const href = useHref();
  const p = q.progress;
  return (
    <section className="card" data-testid="queue-detail" data-queue-id={q.id}>
      <div className="ev-detail-head">
        <div className="ev-detail-title">
          <strong className="trunc" title={q.name}>
            {q.name}
          </strong>
          <span className="muted">{q.target === 'trace' ? 'traces' : 'spans'}</span>
        </div>
        <div className="ev-detail-actions">
          <Link className="btn btn-primary btn-small ev-btn-link" to={href(`/queues/${encodeURIComponent(q.id)}/review`)}>
            Start reviewing
          </Link>
          <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close queue">
            Close
          </button>
        </div>
      </div>
      <div className="ev-detail-sub muted small">
        Scores: {q.scores.map(scoreText).join(' · ')} · {q.allowCorrection ? 'corrections allowed' : 'no corrections'} · an opened item is held {Math.round(q.lockSeconds / 60)} min
        {q.description && <div className="qe-description">{q.description}</div>}
      </div>
      <div className="ev-detail-progress">
        <QueueProgress p={p} testId="detail-progress" />
        <span className="muted small">
          {p.done} reviewed · {p.skipped} skipped · {p.pending} pending{p.locked ? ` (${p.locked} open now)` : ''}
        </span>
      </div>
      <div className="ev-detail-grid">
        <FromFilter key={q.id} queue={q} onAdded={onChanged} />
        <div className="ev-pane">
          <div className="ev-pane-title">Export the reviewed items</div>
          <p className="muted small ev-pane-text">
            <strong>Fine-tuning JSONL</strong>: OpenAI's chat format, the reviewer's corrected output as the answer where given. <strong>Evaluation</strong>: input, expected output (the correction,
            else the answer), output, the scores and the reviewer, as JSONL or CSV (one column per score).
          </p>
          <ExportLinks queue={q} />
        </div>
      </div>
    </section>
  );
}

interface Editing {
  queue: Queue | null;
  draft: QueueDraft;
  key: number;
}

export function Queues() {
  const [selectedId, select] = useSelectedParam('queue');
  const list = useApi<{ queues: Queue[] }>(queuePaths.list);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const queues = list.data?.queues;
  const selected = queues?.find((q) => q.id === selectedId);
  const edit = (queue: Queue | null, draft: QueueDraft) => {
    setEditing((x) => ({ queue, draft, key: (x?.key ?? 0) + 1 }));
    window.requestAnimationFrame(() => document.querySelector('[data-testid="queue-form"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
  };

  return (
    <>
      <PageHeader title="Annotation queues" subtitle="Traces or spans for people to review one at a time; each review is feedback with source “annotation”" range={false}>
        <button type="button" className="btn btn-primary" onClick={() => edit(null, newQueueDraft())}>
          New queue
        </button>
      </PageHeader>
      <section className={`card table-card${list.loading && queues ? ' is-loading' : ''}`} data-testid="queues">
        <div className="card-title">Queues</div>
        {list.error && !queues ? (
          <div className="pad-x">
            <ErrorBox error={list.error} onRetry={list.reload} />
          </div>
        ) : !queues ? (
          <Loading label="Loading queues…" />
        ) : queues.length === 0 ? (
          <div className="pad-x">
            <Empty title="No annotation queues yet">
              <p>
                A queue collects traces (or single LLM spans) for people to score with the scores you define: yes / no, a number in a range, or one of a few labels, with an optional comment and a
                corrected answer. Fill it from a filter here or from a trace's page, review one item at a time with the keyboard, then export the reviewed items as a fine-tuning or evaluation dataset.
              </p>
              <button type="button" className="btn btn-primary" onClick={() => edit(null, newQueueDraft())}>
                Create a queue
              </button>
            </Empty>
          </div>
        ) : (
          <table className="table table-click table-2line" data-testid="queues-table">
            <thead>
              <tr>
                <th>Name</th>
                <th style={{ width: '80px' }}>Target</th>
                <th style={{ width: '16%' }}>Scores</th>
                <th style={{ width: '24%' }}>Progress</th>
                <th className="num" style={{ width: '96px' }}>
                  Pending
                </th>
                <th style={{ width: '210px' }} />
              </tr>
            </thead>
            <tbody>
              {queues.map((q) => (
                <Row
                  key={q.id}
                  q={q}
                  selected={q.id === selectedId}
                  onSelect={() => select(q.id)}
                  onEdit={() => edit(q, queueDraftOf(q))}
                  onDeleted={() => {
                    setSavedId(null);
                    if (q.id === selectedId) select(null);
                    if (editing?.queue?.id === q.id) setEditing(null);
                    list.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>

      {editing && (
        <QueueForm
          key={editing.key}
          queue={editing.queue}
          initial={editing.draft}
          onCancel={() => setEditing(null)}
          onSaved={(q) => {
            setEditing(null);
            setSavedId(q.id);
            list.reload();
            select(q.id);
          }}
        />
      )}
      {selectedId && queues && !selected && selectedId !== savedId && (
        <div className="state state-empty" data-testid="queue-missing">
          No queue <code>{selectedId}</code> in this project (deleted, or in another project).{' '}
          <button type="button" className="btn btn-small" onClick={() => select(null)}>
            Close
          </button>
        </div>
      )}
      {selected && <QueueDetail queue={selected} onChanged={list.reload} onClose={() => select(null)} />}
    </>
  );
}
