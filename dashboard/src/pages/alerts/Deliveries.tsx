// The delivery log: every attempt to POST an event to a destination, newest first.
import type { AlertEvent, Delivery, Destination, Rule } from '../../alerts-api.ts';
import { ErrorBox, Loading } from '../../components/States.tsx';
import { fmtDateTime, fmtMs, fmtTime, shortId } from '../../format.ts';
import type { Loaded } from '../../hooks.ts';
import { groupLabel, KindBadge } from './shared.tsx';

interface Props {
  deliveries: Loaded<{ deliveries: Delivery[] }>;
  destinations: Destination[];
  /** Recent events of every rule, to name the rule and group of an attempt. */
  events: AlertEvent[];
  rules: Rule[];
}

export function Deliveries({ deliveries, destinations, events, rules }: Props) {
  const destName = new Map(destinations.map((d) => [d.id, d.name]));
  const eventOf = new Map(events.map((e) => [e.id, e]));
  const ruleOf = new Map(rules.map((r) => [r.id, r]));
  const list = deliveries.data?.deliveries;
  return (
    <section className={`card table-card${deliveries.loading && list ? ' is-loading' : ''}`} data-testid="deliveries">
      <div className="card-title">Delivery log</div>
      <p className="muted small pad-x">Every attempt to deliver a rule's event to a destination (the 200 latest). Test events are not logged here: their answer shows next to the destination.</p>
      {deliveries.error ? (
        <div className="pad-x">
          <ErrorBox error={deliveries.error} onRetry={deliveries.reload} />
        </div>
      ) : !list ? (
        <Loading />
      ) : list.length === 0 ? (
        <div className="muted pad">No deliveries yet. They appear when a rule with a destination fires or resolves.</div>
      ) : (
        <table className="table" data-testid="deliveries-table">
          <thead>
            <tr>
              <th style={{ width: '78px' }}>Time</th>
              <th style={{ width: '118px' }}>Event</th>
              <th>Rule · group</th>
              <th style={{ width: '11%' }}>Destination</th>
              <th className="num" style={{ width: '88px' }}>
                Attempt
              </th>
              <th style={{ width: '88px' }}>Outcome</th>
              <th className="num" style={{ width: '70px' }}>
                Status
              </th>
              <th className="num" style={{ width: '78px' }}>
                Latency
              </th>
              <th style={{ width: '13%' }}>Error</th>
              <th style={{ width: '84px' }}>Next try</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => {
              const ev = eventOf.get(a.eventId);
              const rule = ev ? ruleOf.get(ev.ruleId) : undefined;
              const ruleName = rule?.name ?? (ev?.payload as { rule?: { name?: string } } | undefined)?.rule?.name;
              return (
                <tr key={`${a.eventId}/${a.destinationId}/${a.attempt}`} data-event-id={a.eventId} data-outcome={a.outcome} data-attempt={a.attempt}>
                  <td title={fmtDateTime(a.at)}>{fmtTime(a.at)}</td>
                  <td className="trunc" title={a.eventId}>
                    <span className="mono">{shortId(a.eventId)}</span>
                  </td>
                  <td className="trunc" title={ev ? `${ev.kind} · ${ruleName ?? ev.ruleId} · ${ev.group}` : undefined}>
                    {ev ? (
                      <>
                        <KindBadge kind={ev.kind} /> {ruleName ?? shortId(ev.ruleId)} · {groupLabel(ev.group, rule?.groupBy ?? (ev.payload as { groupBy?: string | null }).groupBy)}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="trunc" title={a.destinationId}>
                    {destName.get(a.destinationId) ?? <span className="muted">deleted ({shortId(a.destinationId)})</span>}
                  </td>
                  <td className="num">{a.attempt}</td>
                  <td>
                    <KindBadge kind={a.outcome} />
                  </td>
                  <td className="num">{a.statusCode || '—'}</td>
                  <td className="num">{fmtMs(a.latencyMs)}</td>
                  <td className="trunc text-bad" title={a.error || undefined}>
                    {a.error}
                  </td>
                  <td title={a.nextAttemptAt ? fmtDateTime(a.nextAttemptAt) : undefined}>{a.nextAttemptAt ? fmtTime(a.nextAttemptAt) : <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
