// An evaluator's backfills: score the past spans of a time range (the current version), and
// each backfill's progress, polled while one runs.
import { useEffect, useState, type FormEvent } from 'react';
import { evaluatorPaths, evaluatorsApi, type Backfill, type ListedEvaluator } from '../../evaluations-api.ts';
import { Field } from '../../components/Fields.tsx';
import { FormError } from '../../components/FormError.tsx';
import { ProgressBar } from '../../components/Progress.tsx';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { fmtCount, fmtDateTime, fmtTime } from '../../format.ts';
import { useAction, useApi } from '../../hooks.ts';
import { fmtWindow, fromLocalInput, toLocalInput } from '../quality/shared.tsx';

/** How often a running backfill's progress is read again. */
const POLL_MS = 1000;
const STATUS_CLASS: Record<Backfill['status'], string> = { running: 'ev-running', done: 'st-ok', failed: 'st-error', cancelled: 'st-unset' };

export function Backfills({ evaluator }: { evaluator: ListedEvaluator }) {
  const list = useApi<{ backfills: Backfill[] }>(evaluatorPaths.backfills(evaluator.id));
  const [from, setFrom] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000).toISOString()));
  const [to, setTo] = useState(() => toLocalInput(new Date().toISOString()));
  const [started, setStarted] = useState<Backfill | null>(null);
  const action = useAction();
  const backfills = list.data?.backfills ?? [];
  const running = backfills.some((b) => b.status === 'running');
  const { reload } = list;
  useEffect(() => {
    if (!running) return undefined;
    const t = window.setInterval(reload, POLL_MS);
    return () => window.clearInterval(t);
  }, [running, reload]);

  const fromIso = fromLocalInput(from);
  const toIso = fromLocalInput(to);
  const problem = !fromIso || !toIso ? 'Give both times.' : fromIso >= toIso ? 'The start must be before the end.' : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem || !fromIso || !toIso) return;
    void action.run(async () => {
      setStarted(await evaluatorsApi.backfill(evaluator.id, { from: fromIso, to: toIso }));
      reload();
    });
  };

  return (
    <div className="ev-pane" data-testid="backfills">
      <div className="ev-pane-title">Backfill</div>
      <p className="muted small ev-pane-text">Scores the spans that started in a past time range with version {evaluator.version}, in the background. Spans it scored already are left as they are.</p>
      <form className="ev-backfill-form" onSubmit={submit}>
        <Field label="From">
          <input type="datetime-local" name="backfillFrom" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="To">
          <input type="datetime-local" name="backfillTo" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <button type="submit" className="btn btn-primary" disabled={action.busy || problem !== null}>
          {action.busy ? 'Starting…' : 'Start backfill'}
        </button>
      </form>
      {problem && <div className="pad-x text-bad small">{problem}</div>}
      {action.error && (
        <div className="pad-x">
          <FormError error={action.error} what="Not started" labels={{ from: 'From', to: 'To' }} />
        </div>
      )}
      {started && (
        <div className="ev-started small" role="status" data-testid="backfill-started">
          Started: {fmtCount(started.total)} span{started.total === 1 ? '' : 's'} to score in {fmtWindow(started.from, started.to)}.
        </div>
      )}
      {list.error && !list.data ? (
        <ErrorBox error={list.error} onRetry={reload} />
      ) : !list.data ? (
        <Loading />
      ) : backfills.length === 0 ? (
        <div className="muted small ev-pane-text">No backfills yet.</div>
      ) : (
        <table className="table" data-testid="backfills-table">
          <thead>
            <tr>
              <th style={{ width: '84px' }}>Started</th>
              <th>Range</th>
              <th style={{ width: '44px' }}>Ver.</th>
              <th style={{ width: '84px' }}>Status</th>
              <th style={{ width: '34%' }}>Progress</th>
            </tr>
          </thead>
          <tbody>
            {backfills.map((b) => (
              <tr key={b.id} data-backfill-id={b.id} data-status={b.status}>
                <td title={fmtDateTime(b.createdAt)}>{fmtTime(b.createdAt)}</td>
                <td className="trunc" title={`${fmtDateTime(b.from)} → ${fmtDateTime(b.to)}`}>
                  {fmtWindow(b.from, b.to)}
                </td>
                <td>v{b.version}</td>
                <td>
                  <span className={`badge ${STATUS_CLASS[b.status]}`}>{b.status}</span>
                </td>
                <td>
                  <ProgressBar
                    parts={[{ value: b.done, className: b.status === 'running' ? 'pg-running' : 'pg-done', label: 'scored or passed over' }]}
                    total={b.total}
                    text={`${fmtCount(b.done)} / ${fmtCount(b.total)}`}
                    testId="backfill-progress"
                  />
                  {b.error && (
                    <div className="text-bad small trunc" title={b.error}>
                      {b.error}
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
