import { z } from 'zod';
import { ALERT_METRICS, COMPARATORS, DRIFT_FEATURES, FEEDBACK_METRICS, SEVERITIES } from '../contract/alerts.ts';
import { DRIFT_GROUPS } from '../drift/queries.ts';
import { GROUP_DIMENSIONS, type GroupDimension } from '../queries/metrics.ts';

// The names (metrics, comparators, severities, drift features) are the contract's, shared with the dashboard.
export { ALERT_METRICS, FEEDBACK_METRICS, type AlertMetric } from '../contract/alerts.ts';

const value = z.string().min(1).max(200);
const oneOrMany = z.array(value).min(1).max(50).optional();

export const ruleFilters = z.strictObject({
  model: oneOrMany,
  provider: oneOrMany,
  service: oneOrMany,
  environment: oneOrMany,
  userId: oneOrMany,
  tag: oneOrMany,
  promptName: oneOrMany,
  promptVersion: oneOrMany,
});

export const ruleInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    metric: z.enum(ALERT_METRICS),
    scope: z.enum(['llm', 'root', 'all']).default('llm').describe('Which spans count: LLM calls, traces (root spans) or all'),
    filters: ruleFilters.default({}),
    feedbackName: z.string().min(1).max(200).optional().describe('Only feedback with this name (feedback metrics, and drift of feedbackScore)'),
    driftFeature: z.enum(DRIFT_FEATURES).optional().describe('metric "drift": the feature whose PSI (numeric) or Jensen-Shannon distance (categorical) is watched'),
    driftBaselineSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .optional()
      .describe('metric "drift": the baseline just before the window; default 7 windows'),
    windowSeconds: z.number().int().min(60).max(86_400).describe('The value is computed over this trailing window'),
    comparator: z.enum(COMPARATORS),
    threshold: z.number().finite(),
    /** Hysteresis: a firing group resolves only past this value; default 10% of the threshold back. */
    resolveThreshold: z.number().finite().optional(),
    minRequests: z.number().int().min(0).max(1_000_000_000).default(1).describe('Fewer requests (or feedback) in the window: no decision'),
    evaluateEverySeconds: z.number().int().min(10).max(86_400).default(60),
    groupBy: z.enum(Object.keys(GROUP_DIMENSIONS) as [GroupDimension, ...GroupDimension[]]).optional(),
    severity: z.enum(SEVERITIES).default('warning'),
    enabled: z.boolean().default(true),
    repeatIntervalSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(4 * 3600)
      .describe('Reminder while firing'),
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(0)
      .describe('After resolving, the group stays quiet this long'),
    destinationIds: z.array(z.string().min(1).max(64)).max(20).default([]),
  })
  .superRefine((r, ctx) => {
    const above = r.comparator === '>' || r.comparator === '>=';
    if (r.resolveThreshold !== undefined && (above ? r.resolveThreshold > r.threshold : r.resolveThreshold < r.threshold)) {
      ctx.addIssue({ code: 'custom', path: ['resolveThreshold'], message: `must be on the resolved side of threshold (${above ? '<=' : '>='} ${r.threshold})` });
    }
    if ((r.metric === 'drift') !== (r.driftFeature !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['driftFeature'], message: 'required with metric "drift", and only then' });
    }
    if (r.metric === 'drift' && r.groupBy && !(r.groupBy in DRIFT_GROUPS)) {
      ctx.addIssue({ code: 'custom', path: ['groupBy'], message: `drift groups by ${Object.keys(DRIFT_GROUPS).join(', ')}` });
    }
    if (r.feedbackName && !FEEDBACK_METRICS.has(r.metric)) {
      ctx.addIssue({ code: 'custom', path: ['feedbackName'], message: 'only for feedbackScore and negativeFeedbackRate' });
    }
  });

export type RuleInput = z.infer<typeof ruleInput>;
export type Rule = RuleInput & { id: string; projectId: string; updatedAt: string };

export const destinationInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }).max(2000),
  format: z.enum(['json', 'slack']).default('json'),
  /** Omitted: one is generated and returned once. */
  secret: z.string().min(16).max(200).optional(),
});
export type DestinationInput = z.infer<typeof destinationInput>;

export interface Destination {
  id: string;
  projectId: string;
  name: string;
  url: string;
  format: 'json' | 'slack';
  secret: string;
}

/** The value at which a firing group resolves. */
export function resolveAt(rule: Pick<RuleInput, 'comparator' | 'threshold' | 'resolveThreshold'>): number {
  if (rule.resolveThreshold !== undefined) return rule.resolveThreshold;
  const margin = Math.abs(rule.threshold) * 0.1;
  return rule.comparator === '>' || rule.comparator === '>=' ? rule.threshold - margin : rule.threshold + margin;
}

export function breaches(rule: Pick<RuleInput, 'comparator' | 'threshold'>, v: number): boolean {
  switch (rule.comparator) {
    case '>':
      return v > rule.threshold;
    case '>=':
      return v >= rule.threshold;
    case '<':
      return v < rule.threshold;
    case '<=':
      return v <= rule.threshold;
  }
}

/** Back at or past the resolve value; a value hovering between the two lines changes nothing. */
export function recovered(rule: Pick<RuleInput, 'comparator' | 'threshold' | 'resolveThreshold'>, v: number): boolean {
  const at = resolveAt(rule);
  return !breaches(rule, v) && (rule.comparator === '>' || rule.comparator === '>=' ? v <= at : v >= at);
}
