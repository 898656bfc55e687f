import { createHash } from 'node:crypto';
import { breaches, recovered, type Rule } from './rules.ts';

export interface GroupState {
  state: 'ok' | 'firing';
  /** Transitions so far. */
  seq: number;
  /** When the current state began (epoch ms); for `ok` after a firing, the resolve time. */
  since: number;
  value: number | null;
  lastNotifiedAt: number;
  reminders: number;
}

export type EventKind = 'firing' | 'resolved' | 'reminder';

export interface Observation {
  value: number | null;
  /** Requests (or feedback entries) behind the value. */
  count: number;
}

export interface Transition {
  kind: EventKind;
  /** Stable for a given transition, so one replayed after a crash is the same event. */
  eventId: string;
}

export const initialState = (): GroupState => ({ state: 'ok', seq: 0, since: 0, value: null, lastNotifiedAt: 0, reminders: 0 });

export function eventId(projectId: string, ruleId: string, group: string, seq: number, kind: string, reminder: number): string {
  return createHash('sha256').update(`${projectId}\u0000${ruleId}\u0000${group}\u0000${seq}\u0000${kind}\u0000${reminder}`).digest('hex').slice(0, 32);
}

/**
 * One evaluation of one group: ok -> firing when the value breaches the threshold, firing -> ok
 * (resolved) only once it is back past the resolve value (hysteresis), reminders while firing
 * every repeat interval. Too little data decides nothing.
 */
export function step(rule: Rule, group: string, prev: GroupState, obs: Observation, now: number): { next: GroupState; transition?: Transition } {
  const next: GroupState = { ...prev, value: obs.value };
  if (obs.value === null || obs.count < Math.max(1, rule.minRequests)) return { next };
  const id = (kind: EventKind, seq: number, reminder: number) => eventId(rule.projectId, rule.id, group, seq, kind, reminder);

  if (prev.state === 'ok') {
    if (!breaches(rule, obs.value)) return { next };
    if (prev.seq > 0 && now - prev.since < rule.cooldownSeconds * 1000) return { next };
    const seq = prev.seq + 1;
    return { next: { ...next, state: 'firing', seq, since: now, lastNotifiedAt: now, reminders: 0 }, transition: { kind: 'firing', eventId: id('firing', seq, 0) } };
  }
  if (recovered(rule, obs.value)) {
    const seq = prev.seq + 1;
    return { next: { ...next, state: 'ok', seq, since: now, lastNotifiedAt: now, reminders: 0 }, transition: { kind: 'resolved', eventId: id('resolved', seq, 0) } };
  }
  if (now - prev.lastNotifiedAt >= rule.repeatIntervalSeconds * 1000) {
    const reminders = prev.reminders + 1;
    return { next: { ...next, lastNotifiedAt: now, reminders }, transition: { kind: 'reminder', eventId: id('reminder', prev.seq, reminders) } };
  }
  return { next };
}
