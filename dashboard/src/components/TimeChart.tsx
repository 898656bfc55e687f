// A time series chart card (recharts): lines, areas or stacked bars over the buckets of a window.
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtBucket, fmtInterval, fmtTick, niceTicks, timeTicks } from '../format.ts';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/** One bucket: `t` is its start (ms since the epoch), the other keys the series' values. */
export type ChartRow = { t: number } & Record<string, number | null>;

interface Props {
  title: string;
  rows: ChartRow[];
  series: ChartSeries[];
  intervalSeconds: number;
  /** The window shown (ms), e.g. the timeseries answer's from/to; default: the rows' extent. */
  window?: { from: number; to: number };
  /** Tooltip values. */
  format: (v: number) => string;
  /** Y axis ticks (default: format). */
  axisFormat?: (v: number) => string;
  kind?: 'line' | 'area' | 'bar';
  stacked?: boolean;
  height?: number;
  /** At most this many time ticks (wider charts take more). */
  maxTicks?: number;
  /** Shown after the title; default "per <bucket size>". */
  unit?: string;
  /** Whole numbers only on the value axis (counts). */
  integer?: boolean;
  testId?: string;
}

export { PALETTE } from '../colors.ts';

export function TimeChart({
  title,
  rows,
  series,
  intervalSeconds,
  window: win,
  format,
  axisFormat = format,
  kind = 'line',
  stacked = false,
  height = 200,
  maxTicks = 9,
  unit,
  integer = false,
  testId,
}: Props) {
  const half = (intervalSeconds * 1000) / 2;
  // Each value sits at the middle of its bucket, so a bar covers its bucket between the ticks.
  const data = rows.map((r) => ({ ...r, t: r.t + half }));
  const from = win?.from ?? (rows.length ? rows[0]!.t : 0);
  const to = win?.to ?? (rows.length ? rows[rows.length - 1]!.t + 2 * half : 1);
  const all = timeTicks(from, to, maxTicks);
  // A tick at the very edge would have its label cut off (right) or crowd the y axis (left).
  const ticks = all.ticks.filter((t) => t >= from + (to - from) * 0.02 && t <= to - (to - from) * 0.04);
  const { stepMs } = all;
  const note = unit ?? `per ${fmtInterval(intervalSeconds)}`;
  // Value axis: round steps up to the highest bar (stacks summed) or point.
  let top = 0;
  for (const r of rows) {
    let stack = 0;
    for (const s of series) {
      const v = r[s.key];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      stack += v;
      top = Math.max(top, stacked ? stack : v);
    }
  }
  const yTicks = niceTicks(top, 5, integer);
  // A series with a single value is a lone point: draw it, or a line chart shows nothing.
  const lone = new Set(series.filter((s) => rows.filter((r) => typeof r[s.key] === 'number').length === 1).map((s) => s.key));
  const order = new Map(series.map((s, i) => [s.key, i]));
  // Stacked: the tooltip lists the top of the stack first, as drawn.
  const rank = (key: unknown) => (order.get(String(key)) ?? 0) * (stacked ? -1 : 1);
  return (
    <section className="card chart-card" data-testid={testId}>
      <div className="card-title chart-title">
        <span>{title}</span>
        <span className="chart-unit" title={`Each point is one bucket of ${fmtInterval(intervalSeconds)}`}>
          {note}
        </span>
      </div>
      <div style={{ width: '100%', height }}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={data} margin={{ top: 6, right: 14, bottom: 0, left: 0 }} barCategoryGap="12%">
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[from, to]}
              allowDataOverflow
              ticks={ticks}
              interval={0}
              tickFormatter={(v: number) => fmtTick(v, stepMs)}
              tick={{ fontSize: 11, fill: 'var(--muted)' }}
              tickLine={false}
              axisLine={{ stroke: 'var(--border)' }}
            />
            <YAxis
              domain={[0, yTicks[yTicks.length - 1]!]}
              ticks={yTicks}
              interval={0}
              tickFormatter={(v: number) => axisFormat(v)}
              tick={{ fontSize: 11, fill: 'var(--muted)' }}
              tickLine={false}
              axisLine={false}
              width={58}
            />
            <Tooltip
              labelFormatter={(v) => (typeof v === 'number' ? fmtBucket(v - half, intervalSeconds) : String(v))}
              formatter={(v) => (typeof v === 'number' ? format(v) : '—')}
              itemSorter={(item) => rank(item.dataKey)}
              contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--border)' }}
              isAnimationActive={false}
            />
            {series.length > 1 && (
              <Legend
                iconType={kind === 'line' ? 'plainline' : 'square'}
                iconSize={kind === 'line' ? 14 : 9}
                itemSorter={(item) => order.get(String(item.dataKey)) ?? 0}
                wrapperStyle={{ fontSize: 12 }}
                formatter={(value) => <span className="legend-text">{value}</span>}
              />
            )}
            {series.map((s) => {
              const common = { dataKey: s.key, name: s.label, isAnimationActive: false } as const;
              if (kind === 'bar') return <Bar key={s.key} {...common} fill={s.color} stackId={stacked ? 'a' : undefined} maxBarSize={24} />;
              if (kind === 'area') {
                return <Area key={s.key} {...common} type="monotone" stroke={s.color} fill={s.color} fillOpacity={0.18} strokeWidth={1.5} stackId={stacked ? 'a' : undefined} dot={false} />;
              }
              return <Line key={s.key} {...common} type="monotone" stroke={s.color} strokeWidth={1.5} dot={lone.has(s.key) ? { r: 2.5, fill: s.color, strokeWidth: 0 } : false} connectNulls />;
            })}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
