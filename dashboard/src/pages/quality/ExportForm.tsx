// Dataset export: format, feedback name and score bounds over the page's time range, as a
// same-origin download link to GET /api/v1/export (the session cookie authenticates it).
import { useState, type MouseEvent } from 'react';
import { ErrorBox } from '../../components/States.tsx';
import { useDownload } from '../../download.ts';
import { qualityPaths, type ExportQuery } from '../../quality-api.ts';
import { fmtWindow } from './shared.tsx';

const num = (v: string): number | undefined => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export function ExportForm({ names, from, to }: { names: string[]; from: string; to: string }) {
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const [name, setName] = useState('');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const { onClick, action } = useDownload();
  const q: ExportQuery = { format, from, to };
  if (name) q.feedbackName = name;
  const minScore = num(min);
  const maxScore = num(max);
  if (minScore !== undefined) q.minScore = minScore;
  if (maxScore !== undefined) q.maxScore = maxScore;
  const href = qualityPaths.export(q);
  const bad = (min.trim() !== '' && minScore === undefined) || (max.trim() !== '' && maxScore === undefined) || (minScore !== undefined && maxScore !== undefined && minScore > maxScore);

  const download = (e: MouseEvent<HTMLAnchorElement>) => {
    if (bad) e.preventDefault();
    else onClick(e, href, `spanlens.${format}`);
  };

  return (
    <section className="card" data-testid="export">
      <div className="card-title">Dataset export</div>
      <p className="muted small pad-x">
        Each selected trace's last LLM call in {fmtWindow(from, to)}. <strong>JSONL</strong>: one line per trace in OpenAI's chat fine-tuning format, <code>{'{"messages": [...]}'}</code> (the call's
        messages then its answer, with <code>tool_calls</code>); <strong>CSV</strong>: trace_id, start_time, model, input, output, score, comment.
      </p>
      <div className="ql-form-grid ql-export-grid">
        <label className="field">
          <span>Format</span>
          <select name="format" value={format} onChange={(e) => setFormat(e.target.value as 'jsonl' | 'csv')}>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <label className="field">
          <span>Feedback name</span>
          <select name="feedbackName" value={name} onChange={(e) => setName(e.target.value)}>
            <option value="">any (scored or not)</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Min score</span>
          <input name="minScore" type="number" step="any" value={min} onChange={(e) => setMin(e.target.value)} placeholder="none" />
        </label>
        <label className="field">
          <span>Max score</span>
          <input name="maxScore" type="number" step="any" value={max} onChange={(e) => setMax(e.target.value)} placeholder="none" />
        </label>
      </div>
      <div className="ql-export-action">
        <a className={`btn btn-primary ql-btn-link${bad ? ' is-disabled' : ''}`} href={href} download onClick={download} data-testid="export-link" aria-disabled={bad || action.busy}>
          {action.busy ? 'Preparing…' : `Download .${format}`}
        </a>
        <span className="ql-export-url muted" title={href}>
          <code>GET {href}</code>
        </span>
      </div>
      {bad && <div className="pad-x text-bad small">Scores must be numbers, the minimum not above the maximum.</div>}
      {!name && (min || max) && !bad && <div className="pad-x muted small">Without a feedback name, the bounds apply to the average of every score of a trace.</div>}
      {action.error && (
        <div className="pad-x">
          <ErrorBox error={action.error} />
        </div>
      )}
    </section>
  );
}
