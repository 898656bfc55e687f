// Alerts: rules with their state, the selected rule's groups and history (?rule=<id>, the link
// notifications carry), webhook destinations with a test button, and the delivery log.
import { useCallback, useEffect, useRef, useState, type MouseEvent } from 'react';
import { Link } from 'react-router';
import { alertPaths, alertsApi, type AlertEvent, type Delivery, type Destination, type GroupState, type Rule } from '../alerts-api.ts';
import { Empty, ErrorBox, Loading } from '../components/States.tsx';
import { useApi, useSelectedParam } from '../hooks.ts';
import { RowActions } from '../components/RowActions.tsx';
import { PageHeader } from '../components/Layout.tsx';
import { useHref } from '../state.tsx';
import { Deliveries } from './alerts/Deliveries.tsx';
import { Destinations } from './alerts/Destinations.tsx';
import { RuleDetail } from './alerts/RuleDetail.tsx';
import { draftOf, newDraft, RuleForm, type Draft } from './alerts/RuleForm.tsx';
import { conditionText, METRIC_LABELS, RuleStateBadge, SEVERITY_CLASS } from './alerts/shared.tsx';
import '../alerts.css';

/** Title and the refresh controls; the time range does not apply here (each rule has its window). */
function AlertsHeader({ onNew }: { onNew: () => void }) {
  return (
    <PageHeader title="Alerts" subtitle="Rules on your metrics, their state per group, and signed webhooks" range={false}>
      <button type="button" className="btn btn-primary" onClick={onNew}>
        New rule
      </button>
    </PageHeader>
  );
}

function NoRules({ onExample }: { onExample: () => void }) {
  return (
    <Empty title="No alert rules yet">
      <p>
        A rule watches one metric (error rate, latency percentiles, tokens, cost, feedback, …) over a trailing window, optionally per model, user, service or any other dimension. Each group moves{' '}
        <strong>ok → firing → ok</strong>: it fires when the value crosses the threshold and resolves once it is back past the resolve value, and every transition is posted, signed, to the rule's
        webhook destinations.
      </p>
      <p className="muted small">
        Example: <code>Error rate &gt; 5% over 5m, per model, at least 20 requests</code>: one alert per failing model, checked every minute.
      </p>
      <button type="button" className="btn btn-primary" onClick={onExample}>
        Start from this example
      </button>
    </Empty>
  );
}

function RuleRow({ rule, selected, href, onSelect, onEdit, onDeleted }: { rule: Rule; selected: boolean; href: string; onSelect: () => void; onEdit: () => void; onDeleted: () => void }) {
  const stop = (e: MouseEvent) => e.stopPropagation();
  return (
    <tr data-rule-id={rule.id} className={`${selected ? 'al-selected' : ''}${rule.enabled ? '' : ' revoked'}`} onClick={onSelect}>
      <td>
        <RuleStateBadge rule={rule} />
      </td>
      <td className="trunc" title={rule.name}>
        <Link to={href} onClick={stop}>
          {rule.name}
        </Link>
      </td>
      <td className="trunc" title={rule.metric}>
        {METRIC_LABELS[rule.metric] ?? rule.metric}
      </td>
      <td className="trunc" title={rule.resolveThreshold === undefined ? undefined : `resolves at ${rule.resolveThreshold}`}>
        {conditionText(rule)}
      </td>
      <td className="trunc">{rule.groupBy ?? <span className="muted">—</span>}</td>
      <td>
        <span className={`badge ${SEVERITY_CLASS[rule.severity] ?? ''}`}>{rule.severity}</span>
      </td>
      <td>{rule.enabled ? 'on' : <span className="muted">off</span>}</td>
      <td className="num" data-testid="rule-firing">
        {rule.firing ? <strong className="text-bad">{rule.firing}</strong> : 0}
        <span className="muted"> / {rule.groups ?? 0}</span>
      </td>
      <RowActions
        onEdit={onEdit}
        onDelete={async () => {
          await alertsApi.deleteRule(rule.id);
          onDeleted();
        }}
      />
    </tr>
  );
}

interface Editing {
  rule: Rule | null;
  draft: Draft;
  /** Remounts the form for each new edit. */
  key: number;
}

export function Alerts() {
  const href = useHref();
  const [selectedId, select] = useSelectedParam('rule');
  const rules = useApi<{ rules: Rule[] }>(alertPaths.rules);
  const destinations = useApi<{ destinations: Destination[] }>(alertPaths.destinations);
  const deliveries = useApi<{ deliveries: Delivery[] }>(alertPaths.deliveries());
  const allEvents = useApi<{ events: AlertEvent[] }>(alertPaths.events(undefined, 300));
  // A rule just saved is shown at once, before the list reloads with it.
  const [saved, setSaved] = useState<Rule | null>(null);
  const list = rules.data?.rules;
  const found = list?.find((r) => r.id === selectedId);
  const selected = saved && saved.id === selectedId && (!found || rules.loading) ? saved : found;
  // States only of a rule that exists here (an unknown id would answer 404).
  const states = useApi<{ states: GroupState[] }>(selected ? alertPaths.states(selected.id) : null);
  const ruleEvents = useApi<{ events: AlertEvent[] }>(selectedId ? alertPaths.events(selectedId) : null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const timers = useRef<number[]>([]);
  useEffect(
    () => () => {
      for (const t of timers.current) window.clearTimeout(t);
    },
    [],
  );

  const edit = (rule: Rule | null, draft: Draft) => {
    setEditing((e) => ({ rule, draft, key: (e?.key ?? 0) + 1 }));
    window.requestAnimationFrame(() => document.querySelector('[data-testid="rule-form"]')?.scrollIntoView({ block: 'start', behavior: 'smooth' }));
  };

  const { reload: reloadRules } = rules;
  const { reload: reloadStates } = states;
  const { reload: reloadRuleEvents } = ruleEvents;
  const { reload: reloadDeliveries } = deliveries;
  const { reload: reloadAllEvents } = allEvents;
  /** After an evaluation: states and history now, deliveries as the notifier sends them (in the background). */
  const evaluated = useCallback(
    (raised: number) => {
      reloadRules();
      reloadStates();
      reloadRuleEvents();
      reloadAllEvents();
      reloadDeliveries();
      if (raised === 0) return;
      for (const t of timers.current) window.clearTimeout(t);
      timers.current = [600, 1500, 4000, 10_000].map((ms) =>
        window.setTimeout(() => {
          reloadDeliveries();
          reloadAllEvents();
        }, ms),
      );
    },
    [reloadRules, reloadStates, reloadRuleEvents, reloadDeliveries, reloadAllEvents],
  );

  const destList = destinations.data?.destinations ?? [];

  return (
    <>
      <AlertsHeader onNew={() => edit(null, newDraft())} />
      <section className={`card table-card${rules.loading && list ? ' is-loading' : ''}`} data-testid="rules">
        <div className="card-title">Rules</div>
        {rules.error ? (
          <div className="pad-x">
            <ErrorBox error={rules.error} onRetry={rules.reload} />
          </div>
        ) : !list ? (
          <Loading label="Loading rules…" />
        ) : list.length === 0 ? (
          <div className="pad-x">
            <NoRules onExample={() => edit(null, newDraft(true))} />
          </div>
        ) : (
          <table className="table table-click" data-testid="rules-table">
            <thead>
              <tr>
                <th style={{ width: '78px' }}>State</th>
                <th>Name</th>
                <th style={{ width: '14%' }}>Metric</th>
                <th style={{ width: '15%' }}>Condition</th>
                <th style={{ width: '9%' }}>Group by</th>
                <th style={{ width: '88px' }}>Severity</th>
                <th style={{ width: '90px' }}>Enabled</th>
                <th className="num" style={{ width: '72px' }} title="Groups firing / groups with a state">
                  Firing
                </th>
                <th style={{ width: '128px' }} />
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <RuleRow
                  key={r.id}
                  rule={r}
                  selected={r.id === selectedId}
                  href={href('/alerts', { rule: r.id })}
                  onSelect={() => select(r.id)}
                  onEdit={() => edit(r, draftOf(r))}
                  onDeleted={() => {
                    setSaved(null);
                    if (r.id === selectedId) select(null);
                    if (editing?.rule?.id === r.id) setEditing(null);
                    rules.reload();
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>

      {editing && (
        <RuleForm
          key={editing.key}
          rule={editing.rule}
          initial={editing.draft}
          destinations={destList}
          onCancel={() => setEditing(null)}
          onSaved={(r) => {
            setEditing(null);
            setSaved(r);
            rules.reload();
            select(r.id);
          }}
        />
      )}

      {selectedId && list && !selected && (
        <div className="state state-empty" data-testid="rule-missing">
          No rule <code>{selectedId}</code> in this project (deleted, or in another project).{' '}
          <button type="button" className="btn btn-small" onClick={() => select(null)}>
            Close
          </button>
        </div>
      )}
      {selected && <RuleDetail rule={selected} states={states} events={ruleEvents} onEvaluated={evaluated} onEdit={() => edit(selected, draftOf(selected))} onClose={() => select(null)} />}

      <Destinations destinations={destinations} onChanged={destinations.reload} />
      <Deliveries deliveries={deliveries} destinations={destList} events={allEvents.data?.events ?? []} rules={list ?? []} />
    </>
  );
}
