// The metrics routes' answers (GET /metrics/summary | timeseries | top), one definition for the
// routes' response schemas and the dashboard's types. This module imports zod only: the
// dashboard imports its types (`import type`), so neither zod nor the API reaches its bundle.
import { z } from 'zod';

export const totals = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  latencyP50Ms: z.number().nullable(),
  latencyP95Ms: z.number().nullable(),
  latencyP99Ms: z.number().nullable(),
  ttftP50Ms: z.number().nullable(),
  ttftP95Ms: z.number().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number(),
  emptyOutputs: z.number().describe('LLM calls that succeeded with no text and no tool call'),
  refusals: z.number().describe('LLM calls whose answer starts with a refusal'),
  truncated: z.number().describe('LLM calls cut off by the token limit'),
  invalidJson: z.number().describe('LLM calls asked for JSON whose answer does not parse'),
});

const source = z.enum(['rollup', 'spans']);

export const summaryResponse = z.object({ from: z.string(), to: z.string(), previousFrom: z.string(), previousTo: z.string(), source, current: totals, previous: totals });

export const timeseriesResponse = z.object({
  interval: z.string(),
  intervalSeconds: z.number(),
  source,
  from: z.string(),
  to: z.string(),
  series: z.array(z.object({ key: z.string().nullable(), points: z.array(totals.extend({ time: z.string() })) })),
});

export const topResponse = z.object({ by: z.string(), metric: z.string(), source, rows: z.array(totals.extend({ key: z.string() })) });

export type Totals = z.infer<typeof totals>;
export type Summary = z.infer<typeof summaryResponse>;
export type Timeseries = z.infer<typeof timeseriesResponse>;
export type TimePoint = Timeseries['series'][number]['points'][number];
export type Top = z.infer<typeof topResponse>;
export type TopRow = Top['rows'][number];
