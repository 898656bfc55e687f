import { formatMillis, toIso8601, type Storage } from '@spanlens/clickhouse';
import { ruleInput, type Destination, type DestinationInput, type Rule, type RuleInput } from './rules.ts';
import type { GroupState } from './state-machine.ts';
import { nextVersion } from '../versions.ts';

/** Persistence of alerting: rules, destinations, group states, events (the outbox), delivery attempts. */

const ms = (ch: string): number => Date.parse(toIso8601(ch));
const ch = formatMillis;

export async function listRules(storage: Storage, projectId?: string): Promise<Rule[]> {
  const rs = await storage.client.query({
    query: `SELECT project_id, id, definition, updated_at FROM alert_rules FINAL
            WHERE NOT deleted ${projectId ? 'AND project_id = {p:String}' : ''} ORDER BY project_id, id`,
    query_params: projectId ? { p: projectId } : {},
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ project_id: string; id: string; definition: string; updated_at: string }>();
  return rows.map((r) => ({ ...ruleInput.parse(JSON.parse(r.definition)), id: r.id, projectId: r.project_id, updatedAt: toIso8601(r.updated_at) }));
}

export async function putRule(storage: Storage, projectId: string, id: string, rule: RuleInput): Promise<void> {
  await storage.insertRows('alert_rules', [{ project_id: projectId, id, definition: JSON.stringify(rule), deleted: false, version: nextVersion() }]);
}

export async function deleteRule(storage: Storage, projectId: string, id: string): Promise<void> {
  await storage.insertRows('alert_rules', [{ project_id: projectId, id, definition: '{}', deleted: true, version: nextVersion() }]);
}

export async function listDestinations(storage: Storage, projectId: string): Promise<Destination[]> {
  const rs = await storage.client.query({
    query: `SELECT id, project_id, name, url, format, secret FROM alert_destinations FINAL
            WHERE project_id = {p:String} AND NOT deleted ORDER BY name, id`,
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string; project_id: string; name: string; url: string; format: 'json' | 'slack'; secret: string }>()).map((d) => ({
    id: d.id,
    projectId: d.project_id,
    name: d.name,
    url: d.url,
    format: d.format,
    secret: d.secret,
  }));
}

export async function putDestination(storage: Storage, projectId: string, id: string, d: Required<DestinationInput>): Promise<void> {
  await storage.insertRows('alert_destinations', [{ project_id: projectId, id, name: d.name, url: d.url, format: d.format, secret: d.secret, deleted: false, version: nextVersion() }]);
}

export async function deleteDestination(storage: Storage, projectId: string, id: string): Promise<void> {
  await storage.insertRows('alert_destinations', [{ project_id: projectId, id, name: '', url: '', format: 'json', secret: '', deleted: true, version: nextVersion() }]);
}

export interface StoredState extends GroupState {
  ruleId?: string;
  group: string;
  evaluatedAt: number;
}

export async function loadStates(storage: Storage, projectId: string, ruleId?: string): Promise<StoredState[]> {
  const rs = await storage.client.query({
    query: `SELECT rule_id, group_key, state, seq, since, value, last_notified_at, reminders, evaluated_at FROM alert_states FINAL
            WHERE project_id = {p:String} ${ruleId ? 'AND rule_id = {r:String}' : ''} ORDER BY rule_id, group_key`,
    query_params: { p: projectId, r: ruleId ?? '' },
    format: 'JSONEachRow',
  });
  type Row = {
    rule_id: string;
    group_key: string;
    state: 'ok' | 'firing';
    seq: string | number;
    since: string;
    value: number | null;
    last_notified_at: string;
    reminders: number;
    evaluated_at: string;
  };
  return (await rs.json<Row>()).map((r) => ({
    ruleId: r.rule_id,
    group: r.group_key,
    state: r.state,
    seq: Number(r.seq),
    since: ms(r.since),
    value: r.value,
    lastNotifiedAt: ms(r.last_notified_at),
    reminders: Number(r.reminders),
    evaluatedAt: ms(r.evaluated_at),
  }));
}

export async function saveStates(storage: Storage, projectId: string, ruleId: string, states: StoredState[]): Promise<void> {
  if (states.length === 0) return;
  const version = nextVersion();
  await storage.insertRows(
    'alert_states',
    states.map((s) => ({
      project_id: projectId,
      rule_id: ruleId,
      group_key: s.group,
      state: s.state,
      seq: s.seq,
      since: ch(s.since),
      value: s.value === null || !Number.isFinite(s.value) ? null : s.value,
      last_notified_at: ch(s.lastNotifiedAt),
      reminders: s.reminders,
      evaluated_at: ch(s.evaluatedAt),
      version,
    })),
  );
}

export interface AlertEvent {
  id: string;
  projectId: string;
  ruleId: string;
  group: string;
  kind: string;
  at: number;
  destinationIds: string[];
  /** The JSON body receivers get (see webhook.ts). */
  payload: Record<string, unknown>;
}

/**
 * Written before the state that caused it, with its id as the insert's dedup token: a replay
 * adds nothing. Returns the events that were new, the only ones to deliver.
 */
export async function insertEvents(storage: Storage, events: AlertEvent[]): Promise<AlertEvent[]> {
  if (events.length === 0) return [];
  const rs = await storage.client.query({
    query: 'SELECT DISTINCT id FROM alert_events WHERE project_id = {p:String} AND has({ids:Array(String)}, id)',
    query_params: { p: events[0]!.projectId, ids: events.map((e) => e.id) },
    format: 'JSONEachRow',
  });
  const known = new Set((await rs.json<{ id: string }>()).map((r) => r.id));
  const fresh = events.filter((e) => !known.has(e.id));
  for (const e of fresh) {
    await storage.insertRows(
      'alert_events',
      [
        {
          project_id: e.projectId,
          id: e.id,
          rule_id: e.ruleId,
          group_key: e.group,
          kind: e.kind,
          at: ch(e.at),
          destination_ids: e.destinationIds,
          payload: JSON.stringify(e.payload),
        },
      ],
      { dedupToken: `alert-event-${e.id}` },
    );
  }
  return fresh;
}

export async function listEvents(storage: Storage, projectId: string, opts: { ruleId?: string; limit: number }): Promise<AlertEvent[]> {
  const rs = await storage.client.query({
    query: `SELECT id, project_id, rule_id, group_key, kind, at, destination_ids, payload FROM alert_events FINAL
            WHERE project_id = {p:String} ${opts.ruleId ? 'AND rule_id = {r:String}' : ''} ORDER BY at DESC, id LIMIT {n:UInt32}`,
    query_params: { p: projectId, r: opts.ruleId ?? '', n: opts.limit },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string; project_id: string; rule_id: string; group_key: string; kind: string; at: string; destination_ids: string[]; payload: string }>()).map((r) => ({
    id: r.id,
    projectId: r.project_id,
    ruleId: r.rule_id,
    group: r.group_key,
    kind: r.kind,
    at: ms(r.at),
    destinationIds: r.destination_ids,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
  }));
}

export interface DeliveryAttempt {
  projectId: string;
  eventId: string;
  destinationId: string;
  attempt: number;
  /** `success` and `failed` are final; `retry` schedules another attempt. */
  outcome: 'success' | 'retry' | 'failed';
  statusCode: number;
  latencyMs: number;
  error: string;
  at: number;
  nextAttemptAt: number | null;
}

export async function logAttempt(storage: Storage, a: DeliveryAttempt): Promise<void> {
  await storage.insertRows('alert_deliveries', [
    {
      project_id: a.projectId,
      event_id: a.eventId,
      destination_id: a.destinationId,
      attempt: a.attempt,
      outcome: a.outcome,
      status_code: a.statusCode,
      latency_ms: a.latencyMs,
      error: a.error,
      at: ch(a.at),
      next_attempt_at: a.nextAttemptAt === null ? null : ch(a.nextAttemptAt),
    },
  ]);
}

export async function listAttempts(storage: Storage, projectId: string, limit: number): Promise<DeliveryAttempt[]> {
  const rs = await storage.client.query({
    query: `SELECT project_id, event_id, destination_id, attempt, outcome, status_code, latency_ms, error, at, next_attempt_at
            FROM alert_deliveries WHERE project_id = {p:String} ORDER BY at DESC, attempt DESC LIMIT {n:UInt32}`,
    query_params: { p: projectId, n: limit },
    format: 'JSONEachRow',
  });
  type Row = {
    project_id: string;
    event_id: string;
    destination_id: string;
    attempt: number;
    outcome: DeliveryAttempt['outcome'];
    status_code: number;
    latency_ms: number;
    error: string;
    at: string;
    next_attempt_at: string | null;
  };
  return (await rs.json<Row>()).map((r) => ({
    projectId: r.project_id,
    eventId: r.event_id,
    destinationId: r.destination_id,
    attempt: Number(r.attempt),
    outcome: r.outcome,
    statusCode: Number(r.status_code),
    latencyMs: Number(r.latency_ms),
    error: r.error,
    at: ms(r.at),
    nextAttemptAt: r.next_attempt_at ? ms(r.next_attempt_at) : null,
  }));
}

/** Deliveries not yet final: each (event, destination) whose last attempt is missing or a retry. */
export async function pendingDeliveries(storage: Storage): Promise<Array<{ event: AlertEvent; destinationId: string; attempts: number; nextAttemptAt: number }>> {
  const rs = await storage.client.query({
    query: `
      SELECT e.id, e.project_id, e.rule_id, e.group_key, e.kind, e.at, e.payload, dest,
             d.attempts, d.last_outcome, d.next_at
      FROM (SELECT * FROM alert_events FINAL) AS e
      ARRAY JOIN destination_ids AS dest
      LEFT JOIN (
        SELECT project_id, event_id, destination_id, max(attempt) AS attempts,
               argMax(outcome, attempt) AS last_outcome, argMax(next_attempt_at, attempt) AS next_at
        FROM alert_deliveries GROUP BY project_id, event_id, destination_id
      ) AS d ON d.project_id = e.project_id AND d.event_id = e.id AND d.destination_id = dest
      WHERE d.last_outcome IS NULL OR d.last_outcome NOT IN ('success', 'failed')
      ORDER BY e.at`,
    format: 'JSONEachRow',
    clickhouse_settings: { join_use_nulls: 1 },
  });
  type Row = {
    id: string;
    project_id: string;
    rule_id: string;
    group_key: string;
    kind: string;
    at: string;
    payload: string;
    dest: string;
    attempts: number | null;
    last_outcome: string | null;
    next_at: string | null;
  };
  return (await rs.json<Row>()).map((r) => ({
    event: {
      id: r.id,
      projectId: r.project_id,
      ruleId: r.rule_id,
      group: r.group_key,
      kind: r.kind,
      at: ms(r.at),
      destinationIds: [r.dest],
      payload: JSON.parse(r.payload) as Record<string, unknown>,
    },
    destinationId: r.dest,
    attempts: Number(r.attempts ?? 0),
    nextAttemptAt: r.next_at ? ms(r.next_at) : 0,
  }));
}
