// One trace: summary, feedback, the span waterfall and the selected span's details; adding it
// (or the selected span) to an annotation queue.
import { Link, useParams, useSearchParams } from 'react-router';
import type { Span, TraceDetail } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { Messages } from '../components/Messages.tsx';
import { CopyButton, ErrorBox, Loading } from '../components/States.tsx';
import { kindColor, Waterfall } from '../components/Waterfall.tsx';
import { fmtCount, fmtDateTime, fmtMs, fmtPrompt, fmtUsd, isoToMs } from '../format.ts';
import { useApi } from '../hooks.ts';
import { useHref } from '../state.tsx';
import { AddToQueue } from './trace/AddToQueue.tsx';
import { FeedbackList } from './trace/FeedbackList.tsx';

function KeyValues({ title, values }: { title: string; values: Record<string, string> }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  return (
    <details className="kv" open={title === 'Attributes'}>
      <summary>
        {title} <span className="muted">({entries.length})</span>
      </summary>
      <table className="kv-table">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th title={k}>{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Where a span's cost came from (column cost_source). */
const COST_SOURCES: Record<string, string> = {
  client: 'sent by the app',
  custom: 'project price',
  table: 'public price table',
  none: 'no price',
};

function SpanDetail({ span: s }: { span: Span }) {
  const facts: Array<[string, string | null]> = [
    ['Kind', s.kind],
    ['Model', s.model],
    ['Provider', s.provider],
    ['Operation', s.operation],
    ['Duration', fmtMs(s.durationMs)],
    ['Time to first token', s.ttftMs === null ? null : fmtMs(s.ttftMs)],
    ['Input tokens', s.inputTokens || s.totalTokens ? `${s.inputTokens.toLocaleString('en-US')}${s.cachedTokens ? ` (${s.cachedTokens.toLocaleString('en-US')} cached)` : ''}` : null],
    ['Output tokens', s.inputTokens || s.totalTokens ? `${s.outputTokens.toLocaleString('en-US')}${s.reasoningTokens ? ` (${s.reasoningTokens.toLocaleString('en-US')} reasoning)` : ''}` : null],
    ['Total tokens', s.totalTokens ? `${s.totalTokens.toLocaleString('en-US')}${s.tokensEstimated ? ' (estimated)' : ''}` : null],
    ['Cost', s.costUsd || s.costSource !== 'none' ? `${fmtUsd(s.costUsd)}${s.costEstimated ? ' (estimated)' : ''} · ${COST_SOURCES[s.costSource] ?? s.costSource}` : null],
    ['Finish reason', s.finishReason],
    ['Service', s.service],
    ['Environment', s.environment],
    ['Release', s.release],
    ['Prompt', s.promptName ? fmtPrompt(s.promptName, s.promptVersion) : null],
    ['Tags', s.tags.length ? s.tags.join(', ') : null],
    ['Redacted at ingest', s.redactions ? `${s.redactions.toLocaleString('en-US')} value${s.redactions === 1 ? '' : 's'}` : null],
    ['Started', fmtDateTime(s.startTime)],
  ];
  return (
    <section className="card span-detail" data-testid="span-detail">
      <div className="span-title">
        <span className="kind-dot" style={{ background: kindColor(s.kind) }} />
        <span className="span-name" title={s.name}>
          {s.name}
        </span>
        <span className={`badge st-${s.status}`}>{s.status}</span>
      </div>
      <div className="muted mono small">
        span {s.spanId}
        {s.parentSpanId ? ` · parent ${s.parentSpanId}` : ''}
      </div>
      {s.statusMessage && <div className="state state-error small">{s.statusMessage}</div>}
      <dl className="facts">
        {facts
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd title={v ?? ''}>{v}</dd>
            </div>
          ))}
      </dl>
      <Messages label="Input" text={s.input} />
      <Messages label="Output" text={s.output} />
      {s.events.length > 0 && (
        <details className="kv">
          <summary>
            Events <span className="muted">({s.events.length})</span>
          </summary>
          <ul className="events">
            {s.events.map((e, i) => (
              <li key={i}>
                <span className="mono small">+{fmtMs(isoToMs(e.time) - isoToMs(s.startTime))}</span> <strong>{e.name}</strong>
                {Object.keys(e.attributes).length > 0 && <pre className="code">{JSON.stringify(e.attributes, null, 2)}</pre>}
              </li>
            ))}
          </ul>
        </details>
      )}
      <KeyValues title="Attributes" values={s.attributes} />
      <KeyValues title="Resource" values={s.resourceAttributes} />
    </section>
  );
}

export function Trace() {
  const { traceId = '' } = useParams();
  const href = useHref();
  const [params, setParams] = useSearchParams();
  const trace = useApi<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`);
  const back = (
    <Link className="back" to={href('/traces')}>
      ← Traces
    </Link>
  );

  if (trace.error && !trace.data)
    return (
      <>
        <PageHeader title={<>{back} Trace</>} />
        <ErrorBox error={trace.error} onRetry={trace.reload} />
      </>
    );
  if (!trace.data)
    return (
      <>
        <PageHeader title={<>{back} Trace</>} />
        <Loading />
      </>
    );

  const { spans, feedback } = trace.data;
  const root = spans.find((s) => !s.parentSpanId || !spans.some((p) => p.spanId === s.parentSpanId)) ?? spans[0];
  const selectedId = params.get('span') ?? root?.spanId ?? null;
  const selected = spans.find((s) => s.spanId === selectedId) ?? root;
  const startMs = Math.min(...spans.map((s) => isoToMs(s.startTime)));
  const endMs = Math.max(...spans.map((s) => isoToMs(s.startTime) + s.durationMs));
  const sum = (f: (s: Span) => number) => spans.reduce((a, s) => a + f(s), 0);
  const errors = spans.filter((s) => s.status === 'error').length;
  const userId = spans.find((s) => s.userId)?.userId;
  const sessionId = spans.find((s) => s.sessionId)?.sessionId;
  const select = (id: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        next.set('span', id);
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <PageHeader
        title={
          <>
            {back}{' '}
            <span className="trace-name" title={root?.name}>
              {root?.name ?? 'Trace'}
            </span>
          </>
        }
        subtitle={
          <span className="mono">
            {trace.data.traceId} <CopyButton text={trace.data.traceId} label="Copy id" />
          </span>
        }
      />
      <div className="trace-summary card" data-testid="trace-summary">
        <div>
          <span className="stat-label">Started</span>
          {fmtDateTime(spans[0]?.startTime ?? '')}
        </div>
        <div>
          <span className="stat-label">Duration</span>
          {fmtMs(endMs - startMs)}
        </div>
        <div>
          <span className="stat-label">Spans</span>
          <span data-testid="trace-span-count">{spans.length}</span>
        </div>
        <div>
          <span className="stat-label">Tokens</span>
          {fmtCount(sum((s) => s.totalTokens))}
        </div>
        <div>
          <span className="stat-label">Cost</span>
          {fmtUsd(sum((s) => s.costUsd))}
        </div>
        <div>
          <span className="stat-label">Status</span>
          {/* As in the trace list: error if a span failed, ok if a span said ok, else OpenTelemetry's "unset". */}
          {errors ? (
            <span className="badge st-error">{`${errors} error${errors > 1 ? 's' : ''}`}</span>
          ) : spans.some((s) => s.status === 'ok') ? (
            <span className="badge st-ok">ok</span>
          ) : (
            <span className="badge st-unset" title="No span set a status and none failed">
              unset · no error
            </span>
          )}
        </div>
        {userId && (
          <div>
            <span className="stat-label">User</span>
            <Link to={href('/traces', { userId })}>{userId}</Link>
          </div>
        )}
        {sessionId && (
          <div>
            <span className="stat-label">Session</span>
            <Link to={href(`/sessions/${encodeURIComponent(sessionId)}`)}>{sessionId}</Link>
          </div>
        )}
      </div>
      <div className="trace-layout">
        <div className="trace-main">
          <section className="card wf-card">
            <div className="card-title">
              Spans <span className="muted">({spans.length})</span>
            </div>
            <Waterfall spans={spans} selected={selected?.spanId ?? null} onSelect={select} />
          </section>
          <FeedbackList feedback={feedback} onSelect={select} />
          <AddToQueue traceId={trace.data.traceId} span={selected} />
        </div>
        <div className="trace-side">{selected && <SpanDetail span={selected} />}</div>
      </div>
    </>
  );
}
