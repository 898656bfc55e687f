// A headline number with its change against the previous period.
import type { Trend } from '../format.ts';

interface Props {
  label: string;
  value: string;
  /** Change against the previous period, e.g. from format.delta(). */
  change?: { text: string; trend: Trend };
  /** Which direction is good news: colours the change. */
  good?: 'up' | 'down' | 'neutral';
  hint?: string;
  testId?: string;
}

export function StatCard({ label, value, change, good = 'neutral', hint, testId }: Props) {
  let tone = 'neutral';
  if (change && (change.trend === 'up' || change.trend === 'down') && good !== 'neutral') tone = change.trend === good ? 'good' : 'bad';
  return (
    <div className="card stat" data-testid={testId} title={hint}>
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={testId ? `${testId}-value` : undefined}>
        {value}
      </div>
      {change && (
        <div className={`stat-change ${tone}`} title={`${change.text} against the previous period of the same length`} data-testid={testId ? `${testId}-change` : undefined}>
          {change.trend === 'up' ? '▲ ' : change.trend === 'down' ? '▼ ' : ''}
          {change.text}
          {change.trend !== 'none' && <span className="muted vs"> vs prev.</span>}
        </div>
      )}
      {!change && hint && <div className="stat-change muted">{hint}</div>}
    </div>
  );
}
