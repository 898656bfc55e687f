import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true, precision: undefined });

export const traceListQuery = z.strictObject({
  from: isoTime.optional().describe('Start of the time range (ISO 8601); default: the retention window'),
  to: isoTime.optional().describe('End of the time range (ISO 8601, exclusive); default: now + 1 day'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional().describe('nextCursor from the previous page'),
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
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
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
  model: z.string().nullable(),
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
