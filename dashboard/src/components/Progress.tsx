// A progress bar of stacked parts (done, skipped, …) over a total, with its count in words.
export interface Part {
  value: number;
  /** Colour class: pg-done, pg-skipped, pg-running. */
  className: string;
  label: string;
}

export function ProgressBar({ parts, total, text, testId }: { parts: Part[]; total: number; text: string; testId?: string }) {
  const sum = parts.reduce((a, p) => a + p.value, 0);
  const pct = (v: number) => (total > 0 ? Math.min(100, (v / total) * 100) : 0);
  return (
    <div className="pg" data-testid={testId} data-done={sum} data-total={total}>
      <div className="pg-track" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={sum} aria-label={text}>
        {parts.map((p) => p.value > 0 && <span key={p.label} className={`pg-part ${p.className}`} style={{ width: `${pct(p.value)}%` }} title={`${p.value} ${p.label}`} />)}
      </div>
      <span className="pg-text">{text}</span>
    </div>
  );
}
