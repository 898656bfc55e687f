// A time series chart card (recharts): lines, areas or stacked bars over bucket start times.
import { Area, Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtAxisTime, fmtDateTime } from '../format.ts';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

export type ChartRow = { t: number } & Record<string, number | null>;

interface Props {
  title: string;
  rows: ChartRow[];
  series: ChartSeries[];
  intervalSeconds: number;
  format: (v: number) => string;
  kind?: 'line' | 'area' | 'bar';
  stacked?: boolean;
  height?: number;
  testId?: string;
}

export const PALETTE = ['#3b5bdb', '#12b886', '#f59f00', '#e64980', '#7950f2', '#15aabf', '#fa5252', '#82c91e', '#868e96', '#fd7e14'];

export function TimeChart({ title, rows, series, intervalSeconds, format, kind = 'line', stacked = false, height = 200, testId }: Props) {
  return (
    <section className="card chart-card" data-testid={testId}>
      <div className="card-title">{title}</div>
      <div style={{ width: '100%', height }}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={rows} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="var(--grid)" vertical={false} />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(v: number) => fmtAxisTime(v, intervalSeconds)}
              tick={{ fontSize: 11, fill: 'var(--muted)' }}
              tickLine={false}
              axisLine={{ stroke: 'var(--border)' }}
              minTickGap={40}
            />
            <YAxis
              tickFormatter={(v: number) => format(v)}
              tick={{ fontSize: 11, fill: 'var(--muted)' }}
              tickLine={false}
              axisLine={false}
              width={58}
              allowDecimals
            />
            <Tooltip
              labelFormatter={(v) => (typeof v === 'number' ? fmtDateTime(new Date(v).toISOString()) : String(v))}
              formatter={(v) => (typeof v === 'number' ? format(v) : '—')}
              contentStyle={{ fontSize: 12, borderRadius: 6, border: '1px solid var(--border)' }}
              isAnimationActive={false}
            />
            {series.length > 1 && <Legend iconType="plainline" iconSize={14} wrapperStyle={{ fontSize: 12 }} />}
            {series.map((s) => {
              const common = { key: s.key, dataKey: s.key, name: s.label, isAnimationActive: false } as const;
              if (kind === 'bar') return <Bar {...common} fill={s.color} stackId={stacked ? 'a' : undefined} maxBarSize={24} />;
              if (kind === 'area') {
                return <Area {...common} type="monotone" stroke={s.color} fill={s.color} fillOpacity={0.18} strokeWidth={1.5} stackId={stacked ? 'a' : undefined} dot={false} />;
              }
              return <Line {...common} type="monotone" stroke={s.color} strokeWidth={1.5} dot={false} connectNulls />;
            })}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
