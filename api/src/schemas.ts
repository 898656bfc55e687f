import { z } from 'zod';
import { filterShape } from './filters.ts';
import { scoreFilterShape } from './queries/scores.ts';

export const order = z.enum(['asc', 'desc']).default('desc');
export const limit = z.coerce.number().int().min(1).max(500).default(50).describe('Rows per page, at most 500');
export const cursor = z.string().max(600).optional().describe('nextCursor from the previous page (same sort and order)');

export const traceListQuery = z.strictObject({
  ...filterShape,
  minLatencyMs: z.coerce.number().min(0).optional(),
  maxLatencyMs: z.coerce.number().min(0).optional(),
  minCostUsd: z.coerce.number().min(0).optional(),
  maxCostUsd: z.coerce.number().min(0).optional(),
  ...scoreFilterShape,
  sort: z.enum(['startTime', 'durationMs', 'costUsd', 'totalTokens', 'spanCount']).default('startTime'),
  order,
  limit,
  cursor,
});

export const traceSummary = z.object({
  traceId: z.string(),
  name: z.string(),
  startTime: z.string(),
  durationMs: z.number(),
  spanCount: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number(),
  errorCount: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  models: z.array(z.string()),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
  tags: z.array(z.string()),
});

export const traceListResponse = z.object({
  traces: z.array(traceSummary),
  nextCursor: z.string().nullable(),
});

export const spanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  kind: z.string(),
  model: z.string().nullable().describe('The model that answered (the response model when the span names one)'),
  requestModel: z.string().nullable().describe('The model the call asked for, as the request named it'),
  provider: z.string().nullable(),
  operation: z.string().nullable(),
  startTime: z.string().describe('ISO 8601 with nanoseconds'),
  endTime: z.string(),
  durationMs: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  cachedTokens: z.number(),
  reasoningTokens: z.number(),
  tokensEstimated: z.boolean(),
  costUsd: z.number(),
  costEstimated: z.boolean(),
  costSource: z.string(),
  ttftMs: z.number().nullable(),
  finishReason: z.string().nullable(),
  status: z.enum(['ok', 'error', 'unset']),
  statusMessage: z.string().nullable(),
  input: z.string().nullable().describe('Text, or a JSON array of { role, content, toolCalls?, toolCallId? }'),
  output: z.string().nullable(),
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  release: z.string().nullable(),
  promptName: z.string().nullable(),
  promptVersion: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  resourceAttributes: z.record(z.string(), z.string()),
  redactions: z.number().int().describe('Values masked at ingest (redaction settings, provider keys, bearer tokens)'),
  events: z.array(z.object({ time: z.string(), name: z.string(), attributes: z.record(z.string(), z.unknown()) })),
});

export const feedbackSchema = z.object({
  id: z.string(),
  spanId: z.string().nullable(),
  name: z.string(),
  dataType: z.string(),
  value: z.number(),
  stringValue: z.string().nullable(),
  comment: z.string().nullable(),
  source: z.string(),
  author: z.string().nullable(),
  userId: z.string().nullable(),
  evaluatorId: z.string().nullable().describe('source "evaluation": the evaluator that wrote it'),
  evaluatorVersion: z.number().nullable(),
  judgeCostUsd: z.number().nullable().describe("The judge call's cost (never in the project's cost)"),
  createdAt: z.string(),
});

export const traceDetailResponse = z.object({
  traceId: z.string(),
  spans: z.array(spanSchema),
  feedback: z.array(feedbackSchema),
});

export const traceIdParams = z.strictObject({
  traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex characters'),
});

export const errorResponse = z.object({ error: z.string(), message: z.string() });
