import { z } from 'zod';

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes * 2} hex characters`);

/** POST /v1/feedback: one score attached to a trace or a span. Optional fields may be null. */
export const feedbackSchema = z.strictObject({
  id: z.string().min(1).max(128).nullish().describe('Idempotency key: the same id twice stores one score'),
  traceId: hex(16),
  spanId: hex(8).nullish(),
  name: z.string().min(1).max(200),
  value: z.union([z.number().finite(), z.boolean(), z.string().min(1).max(200)]),
  dataType: z.enum(['numeric', 'boolean', 'categorical']).nullish(),
  comment: z.string().max(10_000).nullish(),
  source: z.enum(['user', 'annotation', 'evaluation']).default('user'),
  author: z.string().max(200).nullish(),
  userId: z.string().max(200).nullish(),
  timestamp: z.iso.datetime({ offset: true }).nullish(),
});

export type FeedbackInput = z.infer<typeof feedbackSchema>;
