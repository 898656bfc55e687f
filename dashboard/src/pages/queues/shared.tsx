// Pieces shared by the queue list, the queue detail and the review page: progress, scores in
// words, the export links.
import { EXPORTS, queuePaths, type Progress, type Queue, type ScoreDefinition } from '../../annotations-api.ts';
import { ProgressBar } from '../../components/Progress.tsx';
import { ErrorBox } from '../../components/States.tsx';
import { useDownload } from '../../download.ts';

/** done + skipped of total, as a bar and "n / N handled". */
export function QueueProgress({ p, testId }: { p: Progress; testId?: string }) {
  const handled = p.done + p.skipped;
  return (
    <ProgressBar
      parts={[
        { value: p.done, className: 'pg-done', label: 'reviewed' },
        { value: p.skipped, className: 'pg-skipped', label: 'skipped' },
      ]}
      total={p.total}
      testId={testId}
      text={`${handled} / ${p.total}${p.skipped ? ` · ${p.skipped} skipped` : ''}`}
    />
  );
}

export function scoreText(s: ScoreDefinition): string {
  if (s.type === 'numeric') return `${s.name} (${s.min}–${s.max})`;
  if (s.type === 'categorical') return `${s.name} (${s.labels.join(' / ')})`;
  return `${s.name} (yes / no)`;
}

/** Links to the three datasets of the reviewed items. */
export function ExportLinks({ queue }: { queue: Queue }) {
  const { onClick, action } = useDownload();
  const slug = queue.name.replace(/[^\w.-]+/g, '-');
  return (
    <div className="qe-exports" data-testid="export-links">
      {EXPORTS.map((e) => {
        const href = queuePaths.export(queue.id, e);
        return (
          <a
            key={`${e.format}-${e.as}`}
            className="btn btn-small ev-btn-link"
            href={href}
            download
            title={e.hint}
            data-export={`${e.format}-${e.as}`}
            onClick={(ev) => onClick(ev, href, `${slug}-${e.format}.${e.as}`)}
          >
            {e.label}
          </a>
        );
      })}
      {action.busy && <span className="muted small">Preparing…</span>}
      {action.error && <ErrorBox error={action.error} />}
    </div>
  );
}
