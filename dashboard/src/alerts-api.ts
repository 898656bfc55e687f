// Typed client of the alerting routes (/api/v1/alerts/...; README "Alerts"): rules, their state
// per group, evaluate-now, transition history, delivery log, webhook destinations and test-fire.
import { queryString, request } from './api.ts';

// The names rules are made of are the API's own (api/src/contract/alerts.ts), not a copy.
export {
  ALERT_METRICS,
  COMPARATORS,
  DRIFT_FEATURES,
  FEEDBACK_METRICS,
  GROUP_BYS,
  SEVERITIES,
  type AlertMetric,
  type Comparator,
  type GroupBy,
  type Severity,
} from '@spanlens/api/contract/alerts';
import type { AlertMetric, Comparator, GroupBy, Severity } from '@spanlens/api/contract/alerts';

export type AlertScope = 'llm' | 'root' | 'all';

export const FILTER_KEYS = ['model', 'provider', 'service', 'environment', 'userId', 'tag', 'promptName'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
/** The API also knows promptVersion; the form keeps whatever a rule already has. */
export type RuleFilters = Partial<Record<FilterKey | 'promptVersion', string[]>>;

/** The body of POST/PUT /alerts/rules (the API's ruleInput; omitted fields take its defaults). */
export interface RuleInput {
  name: string;
  metric: AlertMetric;
  scope: AlertScope;
  filters: RuleFilters;
  feedbackName?: string;
  driftFeature?: string;
  windowSeconds: number;
  comparator: Comparator;
  threshold: number;
  resolveThreshold?: number;
  minRequests: number;
  evaluateEverySeconds: number;
  groupBy?: GroupBy;
  severity: Severity;
  enabled: boolean;
  repeatIntervalSeconds: number;
  cooldownSeconds: number;
  destinationIds: string[];
}

export interface Rule extends RuleInput {
  id: string;
  updatedAt: string;
  /** Groups firing now, and groups with a state (GET /alerts/rules only). */
  firing?: number;
  groups?: number;
}

export interface GroupState {
  /** '' for a rule without group-by (and for a group whose value is empty). */
  group: string;
  state: 'ok' | 'firing';
  /** Since the last transition; null when the group never changed. */
  since: string | null;
  value: number | null;
  evaluatedAt: string;
  transitions: number;
}

export interface AlertEvent {
  id: string;
  ruleId: string;
  group: string;
  kind: string;
  at: string;
  payload: Record<string, unknown>;
}

export interface Delivery {
  eventId: string;
  destinationId: string;
  attempt: number;
  outcome: 'success' | 'retry' | 'failed' | string;
  statusCode: number;
  latencyMs: number;
  error: string;
  at: string;
  nextAttemptAt: string | null;
}

export interface Destination {
  id: string;
  name: string;
  url: string;
  format: 'json' | 'slack';
}

export interface DestinationInput {
  name: string;
  url: string;
  format: 'json' | 'slack';
}

export interface TestResult {
  ok: boolean;
  eventId: string;
  statusCode: number;
  latencyMs: number;
  error: string;
}

const A = '/api/v1/alerts';
const id = (s: string) => encodeURIComponent(s);

export const alertPaths = {
  rules: `${A}/rules`,
  states: (ruleId: string) => `${A}/rules/${id(ruleId)}/states`,
  events: (ruleId?: string, limit = 100) => `${A}/events${queryString({ ruleId, limit })}`,
  deliveries: (limit = 200) => `${A}/deliveries${queryString({ limit })}`,
  destinations: `${A}/destinations`,
};

export const alertsApi = {
  createRule: (r: RuleInput) => request<Rule>('POST', `${A}/rules`, r),
  updateRule: (ruleId: string, r: RuleInput) => request<Rule>('PUT', `${A}/rules/${id(ruleId)}`, r),
  deleteRule: (ruleId: string) => request<void>('DELETE', `${A}/rules/${id(ruleId)}`),
  evaluate: (ruleId: string) => request<{ events: Array<{ id: string; kind: string; group: string }> }>('POST', `${A}/rules/${id(ruleId)}/evaluate`),
  createDestination: (d: DestinationInput) => request<Destination & { secret: string }>('POST', `${A}/destinations`, d),
  deleteDestination: (destId: string) => request<void>('DELETE', `${A}/destinations/${id(destId)}`),
  testDestination: (destId: string) => request<TestResult>('POST', `${A}/destinations/${id(destId)}/test`),
};
