// The names alert rules are made of, shared by the API (its zod schemas) and the dashboard (its
// forms). Plain constants, no imports, so the dashboard's bundle takes them as they are.

/** What a rule can watch. Span metrics come from the metrics queries; feedback ones from the feedback table. */
export const ALERT_METRICS = [
  'requests',
  'errorRate',
  'latencyP50Ms',
  'latencyP95Ms',
  'latencyP99Ms',
  'ttftP50Ms',
  'ttftP95Ms',
  'inputTokens',
  'outputTokens',
  'totalTokens',
  'costUsd',
  'feedbackScore',
  'negativeFeedbackRate',
  'emptyOutputRate',
  'refusalRate',
  'truncatedRate',
  'invalidJsonRate',
  'drift',
] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Metrics read from the feedback table (a rule may name the feedback). */
export const FEEDBACK_METRICS: ReadonlySet<AlertMetric> = new Set<AlertMetric>(['feedbackScore', 'negativeFeedbackRate']);

export const COMPARATORS = ['>', '>=', '<', '<='] as const;
export type Comparator = (typeof COMPARATORS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Drift features a `drift` rule can watch: the numeric ones, then the categorical ones (GET /drift). */
export const DRIFT_NUMERIC_FEATURES = ['inputTokens', 'outputTokens', 'latencyMs', 'ttftMs', 'costUsd'] as const;
export const DRIFT_CATEGORICAL_FEATURES = ['model', 'finishReason', 'toolCall', 'qualitySignal', 'errorType'] as const;
export const DRIFT_FEATURES = [...DRIFT_NUMERIC_FEATURES, ...DRIFT_CATEGORICAL_FEATURES] as const;
export type DriftFeature = (typeof DRIFT_FEATURES)[number];

/** Dimensions a metric can be grouped by (GET /metrics/timeseries?groupBy=, alert rules' groupBy). */
export const GROUP_BYS = ['model', 'provider', 'service', 'environment', 'release', 'kind', 'status', 'user', 'session', 'promptName', 'promptVersion', 'tag'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];
