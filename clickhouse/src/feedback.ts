import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { formatMillis, type FeedbackRow } from './rows.ts';

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `must be ${bytes * 2} hex characters`);

/** A score as clients send it (the collector's POST /v1/feedback, the dashboard's annotations): one score attached to a trace or a span. Optional fields may be null. */
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

/** The stored row; without an id the score gets a random one (and is then not idempotent). */
export function toFeedbackRow(projectId: string, f: FeedbackInput): FeedbackRow {
  const dataType = f.dataType ?? (typeof f.value === 'boolean' ? 'boolean' : typeof f.value === 'string' ? 'categorical' : 'numeric');
  const created = f.timestamp ? new Date(f.timestamp) : new Date();
  return {
    project_id: projectId,
    id: f.id ?? randomUUID(),
    trace_id: f.traceId.toLowerCase(),
    span_id: f.spanId?.toLowerCase() ?? '',
    name: f.name,
    data_type: dataType,
    value: typeof f.value === 'number' ? f.value : typeof f.value === 'boolean' ? Number(f.value) : 0,
    string_value: typeof f.value === 'string' ? f.value : '',
    comment: f.comment ?? '',
    source: f.source,
    author: f.author ?? '',
    user_id: f.userId ?? '',
    created_at: formatMillis(created.getTime()),
  };
}
