// The span tree of a trace as a waterfall: one row per span, indented by depth, with a bar
// whose offset and width are proportional to the span's start and duration within the trace.
import type { Span } from '../api.ts';
import { fmtCount, fmtMs, fmtUsd } from '../format.ts';
import { buildTree } from '../tree.ts';

const KIND_COLORS: Record<string, string> = {
  llm: '#3b5bdb',
  embedding: '#7950f2',
  tool: '#f59f00',
  retriever: '#12b886',
  chain: '#868e96',
  agent: '#e64980',
  reranker: '#15aabf',
  guardrail: '#fd7e14',
  evaluator: '#82c91e',
  span: '#adb5bd',
};

export const kindColor = (kind: string): string => KIND_COLORS[kind] ?? '#adb5bd';

interface Props {
  spans: Span[];
  selected: string | null;
  onSelect: (spanId: string) => void;
}

export function Waterfall({ spans, selected, onSelect }: Props) {
  const { rows, totalMs } = buildTree(spans);
  const scale = totalMs > 0 ? totalMs : 1;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-head">
        <div className="wf-label">Span</div>
        <div className="wf-meta">Tokens · Cost</div>
        <div className="wf-track wf-axis">
          {ticks.map((t) => (
            <span key={t} style={{ left: `${t * 100}%` }} className={t === 1 ? 'last' : ''}>
              {fmtMs(t * totalMs)}
            </span>
          ))}
        </div>
      </div>
      {rows.map(({ span: s, depth, offsetMs }) => {
        const left = (offsetMs / scale) * 100;
        const width = Math.max((s.durationMs / scale) * 100, 0.3);
        return (
          <button
            type="button"
            key={s.spanId}
            className={`wf-row${selected === s.spanId ? ' selected' : ''}${s.status === 'error' ? ' is-error' : ''}`}
            data-span-id={s.spanId}
            data-depth={depth}
            onClick={() => onSelect(s.spanId)}
          >
            <div className="wf-label" style={{ paddingLeft: `${6 + depth * 14}px` }} title={s.name}>
              <span className="kind-dot" style={{ background: kindColor(s.kind) }} />
              <span className="wf-kind">{s.kind}</span>
              <span className="wf-name">{s.name}</span>
              {s.model && !s.name.includes(s.model) && <span className="wf-model">{s.model}</span>}
            </div>
            <div className="wf-meta">
              {s.totalTokens > 0 ? fmtCount(s.totalTokens) : ''}
              {s.costUsd > 0 ? ` · ${fmtUsd(s.costUsd)}` : ''}
            </div>
            <div className="wf-track">
              {ticks.slice(1, -1).map((t) => (
                <span key={t} className="wf-grid" style={{ left: `${t * 100}%` }} />
              ))}
              <span
                className="wf-bar"
                style={{ left: `${Math.min(left, 99.7)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.7))}%`, background: s.status === 'error' ? 'var(--bad)' : kindColor(s.kind) }}
              />
              <span
                className={`wf-dur${width > 18 ? ' inside' : ''}`}
                style={width > 18 ? { left: `${left + 0.8}%` } : left + width > 80 ? { right: `${100 - left + 0.5}%` } : { left: `${left + width + 0.5}%` }}
              >
                {fmtMs(s.durationMs)}
              </span>
            </div>
          </button>
        );
      })}
    </div>
  );
}
