import { silentLogger, type Logger } from '@spanlens/collector';
import type { Storage } from '@spanlens/clickhouse';
import { soleLease, type Lease } from './lease.ts';
import type { Notifier } from './notifier.ts';
import { ALL, observe } from './observe.ts';
import { resolveAt, type Rule } from './rules.ts';
import { initialState, step, type Observation } from './state-machine.ts';
import { insertEvents, listRules, loadStates, saveStates, type AlertEvent, type StoredState } from './store.ts';

export interface EvaluatorOptions {
  storage: Storage;
  notifier: Notifier;
  /** Injectable clock: tests drive evaluation deterministically. */
  now?: () => number;
  /** Base URL of the dashboard, for links in notifications. */
  dashboardUrl?: string;
  /** Who may act; default: this process alone. */
  lease?: Lease;
  log?: Logger;
}

/**
 * Evaluates every enabled rule when it is due. Per rule and group: observe, step the state
 * machine, write the transition's event (the outbox) before the new state, then hand the
 * event to the notifier. A crash between the two writes replays the same event id.
 */
export class AlertEvaluator {
  private readonly lastRun = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => number;
  private readonly lease: Lease;
  private leading = false;

  constructor(private readonly opts: EvaluatorOptions) {
    this.now = opts.now ?? Date.now;
    this.lease = opts.lease ?? soleLease;
    // A notifier whose process lost the lease drops its queue; the new holder resumes it.
    opts.notifier.gate = () => this.lease.held();
  }

  /** Evaluates the rules that are due; returns the events it raised. Nothing without the lease. */
  async tick(): Promise<AlertEvent[]> {
    if (!this.lease.held()) {
      this.leading = false;
      return [];
    }
    if (!this.leading) {
      this.leading = true;
      this.lastRun.clear();
      await this.opts.notifier.resume();
    }
    const now = this.now();
    const events: AlertEvent[] = [];
    for (const rule of await listRules(this.opts.storage)) {
      if (!rule.enabled) continue;
      const last = this.lastRun.get(rule.id);
      if (last !== undefined && now - last < rule.evaluateEverySeconds * 1000) continue;
      this.lastRun.set(rule.id, now);
      events.push(...(await this.evaluate(rule, now)));
    }
    return events;
  }

  async evaluate(rule: Rule, now: number = this.now()): Promise<AlertEvent[]> {
    const [observed, stored] = await Promise.all([observe(this.opts.storage, rule, now), loadStates(this.opts.storage, rule.projectId, rule.id)]);
    const byGroup = new Map(stored.map((s) => [s.group, s]));
    const groups = new Set([...observed.keys(), ...byGroup.keys()]);
    const states: StoredState[] = [];
    const events: AlertEvent[] = [];
    for (const group of groups) {
      const prev = byGroup.get(group) ?? { ...initialState(), group, evaluatedAt: 0 };
      const obs: Observation = observed.get(group) ?? { value: null, count: 0 };
      const { next, transition } = step(rule, group, prev, obs, now);
      // Groups never seen firing and without data now are not worth a row.
      if (!byGroup.has(group) && !observed.has(group)) continue;
      states.push({ ...next, group, evaluatedAt: now });
      if (transition) events.push(this.event(rule, group, transition.kind, transition.eventId, next.value, obs.count, next.since, now));
    }
    const fresh = await insertEvents(this.opts.storage, events);
    await saveStates(this.opts.storage, rule.projectId, rule.id, states);
    for (const e of fresh) this.opts.notifier.enqueue(e);
    return fresh;
  }

  event(rule: Rule, group: string, kind: string, id: string, value: number | null, count: number, since: number, now: number): AlertEvent {
    const link = this.opts.dashboardUrl ? `${this.opts.dashboardUrl.replace(/\/$/, '')}/alerts?rule=${encodeURIComponent(rule.id)}` : null;
    return {
      id,
      projectId: rule.projectId,
      ruleId: rule.id,
      group,
      kind,
      at: now,
      destinationIds: rule.destinationIds,
      payload: {
        id,
        kind,
        state: kind === 'resolved' ? 'ok' : 'firing',
        rule: { id: rule.id, name: rule.name, metric: rule.metric, comparator: rule.comparator, severity: rule.severity, scope: rule.scope, filters: rule.filters },
        projectId: rule.projectId,
        groupBy: rule.groupBy ?? null,
        group: group === ALL && !rule.groupBy ? null : group,
        value,
        count,
        threshold: rule.threshold,
        resolveThreshold: resolveAt(rule),
        windowSeconds: rule.windowSeconds,
        since: new Date(since).toISOString(),
        time: new Date(now).toISOString(),
        link,
      },
    };
  }

  /** Evaluates on a timer; on taking the lease, first resumes deliveries left pending. */
  async start(everyMs = 5_000): Promise<void> {
    const run = () => {
      if (this.running) return;
      this.running = this.tick()
        .then(
          () => undefined,
          (err: Error) => {
            // The message only: rule and metric names, never span content.
            (this.opts.log ?? silentLogger()).error(`alert evaluation failed: ${err.message}`);
          },
        )
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, everyMs);
    this.timer.unref();
    run();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.opts.notifier.close();
    await this.lease.close();
  }
}
