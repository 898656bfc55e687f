// Typed client of the evaluator routes (/api/v1/evaluators; api/src/evaluations/definition.ts):
// LLM-as-a-judge and rule evaluators, their health and results, built-in templates, backfills.
import { request } from './api.ts';

export type JudgeOutput = { type: 'numeric'; min: number; max: number } | { type: 'boolean' } | { type: 'categorical'; categories: string[] };

export interface Template {
  name: string;
  description: string;
  template: string;
  output: JudgeOutput;
}

export interface JudgeSettings {
  baseUrl: string;
  model: string;
  template?: string;
  builtIn?: string;
  output?: JudgeOutput;
  referenceAttribute: string;
  temperature: number;
  timeoutMs: number;
  maxRetries: number;
}

export const RULE_CHECKS = ['contains', 'not_contains', 'regex', 'not_regex', 'json_parses', 'json_schema', 'length', 'latency', 'cost'] as const;
export type RuleCheck = (typeof RULE_CHECKS)[number];

export interface RuleSettings {
  check: RuleCheck;
  field: 'output' | 'input';
  pattern?: string;
  text?: string;
  caseSensitive: boolean;
  schema?: Record<string, unknown>;
  min?: number;
  max?: number;
}

export const EVALUATOR_FILTERS = ['model', 'service', 'environment', 'promptName', 'promptVersion', 'tag', 'kind'] as const;
export type EvaluatorFilterKey = (typeof EVALUATOR_FILTERS)[number];
/** The API also knows provider and userId; the form keeps whatever an evaluator already has. */
export type EvaluatorFilters = Partial<Record<EvaluatorFilterKey | 'provider' | 'userId', string[]>>;

/** The body of POST/PUT /evaluators; judge.apiKey is written only, never read back. */
export interface EvaluatorInput {
  name: string;
  type: 'llm_judge' | 'rule';
  judge?: Omit<JudgeSettings, 'referenceAttribute' | 'temperature' | 'timeoutMs' | 'maxRetries'> & Partial<JudgeSettings> & { apiKey?: string };
  rule?: RuleSettings;
  scope: 'llm' | 'root';
  filters: EvaluatorFilters;
  sampleRate: number;
  concurrency: number;
  ratePerMinute: number;
  enabled: boolean;
}

export interface Evaluator extends Omit<EvaluatorInput, 'judge'> {
  id: string;
  version: number;
  createdAt: string;
  judge?: JudgeSettings & { hasApiKey: boolean };
}

export interface EvaluatorHealth {
  healthy: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  /** Spans passed over: malformed judge answers, requests the judge refused. */
  failedSpans: number;
  scannedUpTo: string | null;
}

export interface EvaluatorStats {
  results: number;
  avgScore: number | null;
  judgeTokens: number;
  /** The judge's own calls: never part of the project's cost. */
  judgeCostUsd: number;
  lastResultAt: string | null;
}

export type ListedEvaluator = Evaluator & { health: EvaluatorHealth; stats: EvaluatorStats };

export interface Backfill {
  id: string;
  evaluatorId: string;
  version: number;
  from: string;
  to: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  error: string | null;
  createdAt: string;
}

const E = '/api/v1/evaluators';
const id = (s: string) => encodeURIComponent(s);

export const evaluatorPaths = {
  list: E,
  templates: `${E}/templates`,
  backfills: (evaluatorId: string) => `${E}/${id(evaluatorId)}/backfills`,
};

export const evaluatorsApi = {
  create: (e: EvaluatorInput) => request<Evaluator>('POST', E, e),
  update: (evaluatorId: string, e: EvaluatorInput) => request<Evaluator>('PUT', `${E}/${id(evaluatorId)}`, e),
  remove: (evaluatorId: string) => request<void>('DELETE', `${E}/${id(evaluatorId)}`),
  backfill: (evaluatorId: string, range: { from: string; to: string }) => request<Backfill>('POST', `${E}/${id(evaluatorId)}/backfills`, range),
};
