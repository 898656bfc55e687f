// Typed client of the quality and drift routes (README "Quality and drift"): feedback analytics
// (GET /quality), annotations (POST /traces/:id/feedback), drift reports (GET /drift), the
// dataset export (GET /export) and the quality signals carried by every metrics total.
import { queryString, request } from './api.ts';

/** A signal as the `signal=` filter names it, and the metrics total that counts it. */
export const SIGNALS = [
  { signal: 'empty', total: 'emptyOutputs', label: 'Empty outputs', hint: 'Succeeded with no text and no tool call' },
  { signal: 'refusal', total: 'refusals', label: 'Refusals', hint: 'The answer starts with a refusal ("I\'m sorry, but I can\'t…")' },
  { signal: 'truncated', total: 'truncated', label: 'Truncated', hint: 'Cut off by the token limit (finish reason length / max_tokens)' },
  { signal: 'invalid_json', total: 'invalidJson', label: 'Invalid JSON', hint: 'JSON was requested and the answer does not parse' },
  { signal: 'error', total: 'errors', label: 'Errors', hint: 'Calls with status error' },
] as const;
export type Signal = (typeof SIGNALS)[number]['signal'];

export interface FeedbackStat {
  key: string;
  count: number;
  avgScore: number | null;
  negativeRate: number;
}

export interface QualityReport {
  names: Array<{ name: string; count: number }>;
  /** The feedback name shown: the one asked for, or the most used one; null when there is none. */
  name: string | null;
  intervalSeconds: number;
  series: Array<{ time: string; count: number; avgScore: number | null; negativeRate: number }>;
  byModel: FeedbackStat[];
  byPromptVersion: FeedbackStat[];
  worstTraces: Array<{ traceId: string; name: string; count: number; avgScore: number; comment: string | null }>;
}

export type AnnotationKind = 'numeric' | 'thumbs' | 'category';

/** The body of POST /traces/:traceId/feedback (source defaults to annotation, author to "dashboard"). */
export interface Annotation {
  name: string;
  value: number | boolean | string;
  dataType?: 'numeric' | 'boolean' | 'categorical';
  comment?: string;
}

export type Severity = 'none' | 'moderate' | 'significant';

export interface DriftFeature {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** null: the whole population. */
  group: string | null;
  statistic: 'psi' | 'js';
  value: number;
  severity: Severity;
  ks: { d: number; pValue: number } | null;
  baselineCount: number;
  currentCount: number;
  labels: string[];
  baseline: number[];
  current: number[];
}

export interface TermShift {
  term: string;
  baselineShare: number;
  currentShare: number;
  change: number;
}

export interface TextDrift {
  distance: number;
  severity: Severity;
  rose: TermShift[];
  fell: TermShift[];
}

export interface DriftReport {
  current: { from: string; to: string };
  baseline: { from: string; to: string };
  groupBy: string | null;
  features: DriftFeature[];
  text: { prompts: TextDrift; completions: TextDrift };
  /** Windows over 100,000 LLM calls are read as a sample of traces. */
  sample: { baselineCalls: number; currentCalls: number; baselineRate: number; currentRate: number; method: 'none' | 'traceRange' | 'traceHash' };
}

export const DRIFT_PRESETS = ['1h_vs_24h', '24h_vs_7d', '7d_vs_7d'] as const;
export type DriftPreset = (typeof DRIFT_PRESETS)[number];
export const DRIFT_GROUPS = ['model', 'provider', 'service', 'environment', 'promptName', 'promptVersion'] as const;
export type DriftGroup = (typeof DRIFT_GROUPS)[number];

export type DriftQuery = {
  preset?: DriftPreset;
  currentFrom?: string;
  currentTo?: string;
  baselineFrom?: string;
  baselineTo?: string;
  groupBy?: DriftGroup;
  /** The feedbackScore row over scores of this name only. */
  feedbackName?: string;
};

export type ExportQuery = {
  format: 'jsonl' | 'csv';
  from: string;
  to: string;
  feedbackName?: string;
  minScore?: number;
  maxScore?: number;
};

const V = '/api/v1';

export const qualityPaths = {
  quality: (q: { from: string; to: string; name?: string | null }) => `${V}/quality${queryString(q)}`,
  summary: (q: { from: string; to: string }) => `${V}/metrics/summary${queryString(q)}`,
  timeseries: (q: { from: string; to: string; interval?: string }) => `${V}/metrics/timeseries${queryString(q)}`,
  drift: (q: DriftQuery) => `${V}/drift${queryString(q)}`,
  /** Same-origin: the browser session authenticates the download. */
  export: (q: ExportQuery) => `${V}/export${queryString(q)}`,
};

export const qualityApi = {
  annotate: (traceId: string, a: Annotation) => request<{ id: string }>('POST', `${V}/traces/${encodeURIComponent(traceId)}/feedback`, a),
};
