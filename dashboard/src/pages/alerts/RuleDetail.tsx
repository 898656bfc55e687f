// One rule (?rule=<id>, the link notifications carry): its state per group, "Evaluate now",
// and its history of transitions.
import { useState } from 'react';
import { alertsApi, type AlertEvent, type GroupState, type Rule } from '../../alerts-api.ts';
import { Empty, ErrorBox, Loading } from '../../components/States.tsx';
import { fmtDateTime, fmtTime } from '../../format.ts';
import type { Loaded } from '../../hooks.ts';
import { conditionText, fmtMetric, fmtSeconds, groupLabel, KindBadge, METRIC_LABELS, RuleStateBadge, SEVERITY_CLASS, useAction } from './shared.tsx';

interface Props {
  rule: Rule;
  states: Loaded<{ states: GroupState[] }>;
  events: Loaded<{ events: AlertEvent[] }>;
  onEvaluated: (raised: number) => void;
  onEdit: () => void;
  onClose: () => void;
}

type Raised = Array<{ id: string; kind: string; group: string }>;

export function RuleDetail({ rule, states, events, onEvaluated, onEdit, onClose }: Props) {
  const evaluate = useAction();
  const [raised, setRaised] = useState<{ ruleId: string; events: Raised; at: string } | null>(null);
  const mine = raised?.ruleId === rule.id ? raised : null;
  const run = () =>
    void evaluate.run(async () => {
      const r = await alertsApi.evaluate(rule.id);
      setRaised({ ruleId: rule.id, events: r.events, at: new Date().toISOString() });
      onEvaluated(r.events.length);
    });
  const filters = Object.entries(rule.filters ?? {})
    .filter(([, v]) => v?.length)
    .map(([k, v]) => `${k} = ${v!.join(' | ')}`);

  return (
    <section className="card" data-testid="rule-detail" data-rule-id={rule.id}>
      <div className="al-detail-head">
        <div className="al-detail-title">
          <RuleStateBadge rule={rule} />
          <strong className="trunc" title={rule.name}>
            {rule.name}
          </strong>
          <span className={`badge ${SEVERITY_CLASS[rule.severity] ?? ''}`}>{rule.severity}</span>
        </div>
        <div className="al-detail-actions">
          <button type="button" className="btn btn-primary btn-small" disabled={evaluate.busy} onClick={run}>
            {evaluate.busy ? 'Evaluating…' : 'Evaluate now'}
          </button>
          <button type="button" className="btn btn-small" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close rule">
            Close
          </button>
        </div>
      </div>
      <div className="al-detail-sub muted small">
        {METRIC_LABELS[rule.metric]} {conditionText(rule)}
        {rule.groupBy ? `, per ${rule.groupBy}` : ''} · {rule.scope === 'llm' ? 'LLM calls' : rule.scope === 'root' ? 'traces' : 'all spans'}
        {filters.length > 0 && ` · ${filters.join(', ')}`} · at least {rule.minRequests} request{rule.minRequests === 1 ? '' : 's'} · every {fmtSeconds(rule.evaluateEverySeconds)} · reminder{' '}
        {fmtSeconds(rule.repeatIntervalSeconds)}
        {rule.cooldownSeconds ? ` · cooldown ${fmtSeconds(rule.cooldownSeconds)}` : ''} ·{' '}
        {rule.destinationIds.length ? `${rule.destinationIds.length} destination${rule.destinationIds.length === 1 ? '' : 's'}` : 'no destination'}
      </div>
      {evaluate.error && (
        <div className="pad-x">
          <ErrorBox error={evaluate.error} />
        </div>
      )}
      {mine && (
        <div className="al-raised" role="status" data-testid="evaluate-result">
          Evaluated at {fmtTime(mine.at)}:{' '}
          {mine.events.length === 0 ? (
            'no transition (every group kept its state).'
          ) : (
            <>
              {mine.events.length} event{mine.events.length === 1 ? '' : 's'} raised{' '}
              {mine.events.map((e) => (
                <span key={e.id} className="al-raised-ev">
                  <KindBadge kind={e.kind} /> {groupLabel(e.group, rule.groupBy)}
                </span>
              ))}
            </>
          )}
        </div>
      )}
      <div className="al-detail-grid">
        <div className="al-pane">
          <div className="al-pane-title">State per group</div>
          <StatesTable rule={rule} states={states} />
        </div>
        <div className="al-pane">
          <div className="al-pane-title">History of transitions</div>
          <History rule={rule} events={events} />
        </div>
      </div>
    </section>
  );
}

function StatesTable({ rule, states }: { rule: Rule; states: Props['states'] }) {
  if (states.error) return <ErrorBox error={states.error} onRetry={states.reload} />;
  if (!states.data) return <Loading />;
  if (states.data.states.length === 0) {
    return (
      <div className="muted small pad">Not evaluated yet, or no data in its window. It runs every {fmtSeconds(rule.evaluateEverySeconds)} where alerting is on; “Evaluate now” runs it at once.</div>
    );
  }
  return (
    <table className="table" data-testid="rule-states">
      <thead>
        <tr>
          <th>Group</th>
          <th style={{ width: '70px' }}>State</th>
          <th className="num" style={{ width: '80px' }}>
            Value
          </th>
          <th style={{ width: '88px' }}>Since</th>
          <th style={{ width: '100px' }}>Evaluated</th>
          <th className="num" style={{ width: '44px' }} title="Transitions">
            Tr.
          </th>
        </tr>
      </thead>
      <tbody>
        {states.data.states.map((s) => (
          <tr key={s.group} data-group={s.group} data-state={s.state}>
            <td className="trunc" title={s.group}>
              {groupLabel(s.group, rule.groupBy)}
            </td>
            <td>
              <KindBadge kind={s.state} />
            </td>
            <td className="num">{fmtMetric(rule.metric, s.value)}</td>
            <td title={s.since ? fmtDateTime(s.since) : 'never changed'}>{s.since ? fmtTime(s.since) : <span className="muted">—</span>}</td>
            <td title={fmtDateTime(s.evaluatedAt)}>{fmtTime(s.evaluatedAt)}</td>
            <td className="num">{s.transitions}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function History({ rule, events }: { rule: Rule; events: Props['events'] }) {
  if (events.error) return <ErrorBox error={events.error} onRetry={events.reload} />;
  if (!events.data) return <Loading />;
  if (events.data.events.length === 0) return <Empty title="No transitions yet">A group that crosses the threshold fires; it resolves once back past the resolve value.</Empty>;
  return (
    <table className="table" data-testid="rule-history">
      <thead>
        <tr>
          <th style={{ width: '88px' }}>Time</th>
          <th style={{ width: '84px' }}>Event</th>
          <th>Group</th>
          <th className="num" style={{ width: '80px' }}>
            Value
          </th>
          <th className="num" style={{ width: '74px' }}>
            Count
          </th>
        </tr>
      </thead>
      <tbody>
        {events.data.events.map((e) => {
          const p = e.payload as { value?: number | null; count?: number; threshold?: number };
          return (
            <tr key={e.id} data-kind={e.kind} data-group={e.group}>
              <td title={fmtDateTime(e.at)}>{fmtTime(e.at)}</td>
              <td>
                <KindBadge kind={e.kind} />
              </td>
              <td className="trunc" title={`${e.group} · event ${e.id}`}>
                {groupLabel(e.group, rule.groupBy)}
              </td>
              <td className="num" title={p.threshold === undefined ? undefined : `threshold ${fmtMetric(rule.metric, p.threshold)}`}>
                {fmtMetric(rule.metric, p.value)}
              </td>
              <td className="num">{p.count ?? '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
