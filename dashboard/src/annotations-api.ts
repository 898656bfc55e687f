// Typed client of the annotation queue routes (/api/v1/annotation-queues; api/src/annotations/):
// queues of traces or spans that people review one at a time, and their dataset export.
import { queryString, request } from './api.ts';

export type ScoreDefinition =
  | { type: 'numeric'; name: string; min: number; max: number; description?: string }
  | { type: 'boolean'; name: string; description?: string }
  | { type: 'categorical'; name: string; labels: string[]; description?: string };

export type ScoreValue = number | boolean | string;

export interface QueueInput {
  name: string;
  description: string;
  target: 'trace' | 'span';
  scores: ScoreDefinition[];
  allowCorrection: boolean;
  lockSeconds?: number;
}

export interface Progress {
  total: number;
  pending: number;
  done: number;
  skipped: number;
  /** Pending items someone holds now. */
  locked: number;
}

export interface Queue extends QueueInput {
  id: string;
  lockSeconds: number;
  progress: Progress;
}

export interface Item {
  itemId: string;
  traceId: string;
  spanId: string | null;
  status: 'pending' | 'done' | 'skipped';
  reviewer: string | null;
  correctedOutput: string | null;
  addedAt: string;
  reviewedAt: string | null;
}

export interface OpenedItem extends Item {
  lockedUntil: string;
  span: {
    spanId: string;
    name: string;
    kind: string;
    model: string | null;
    input: string | null;
    output: string | null;
    durationMs: number;
    costUsd: number;
    status: string;
  } | null;
  /** Scores this item has from this queue already. */
  scores: Record<string, ScoreValue>;
}

/** POST /items/from-filter: the trace list's filters, a sample rate (0-1) and a limit. */
export interface FromFilter {
  from?: string;
  to?: string;
  model?: string[];
  service?: string[];
  environment?: string[];
  sampleRate?: number;
  limit?: number;
}

export interface Review {
  reviewer: string;
  scores: Record<string, ScoreValue>;
  comment?: string;
  correctedOutput?: string;
}

export const EXPORTS = [
  { format: 'openai', as: 'jsonl', label: 'Fine-tuning JSONL', hint: "OpenAI chat fine-tuning lines; the reviewer's correction as the answer where given" },
  { format: 'eval', as: 'jsonl', label: 'Evaluation JSONL', hint: 'input, expected output, output, scores, reviewer' },
  { format: 'eval', as: 'csv', label: 'Evaluation CSV', hint: 'one column per score' },
] as const;
export type ExportKind = (typeof EXPORTS)[number];

const Q = '/api/v1/annotation-queues';
const id = (s: string) => encodeURIComponent(s);

export const queuePaths = {
  list: Q,
  one: (queueId: string) => `${Q}/${id(queueId)}`,
  items: (queueId: string, status?: Item['status']) => `${Q}/${id(queueId)}/items${queryString({ status })}`,
  /** Same-origin: the browser session authenticates the download. */
  export: (queueId: string, e: Pick<ExportKind, 'format' | 'as'>) => `${Q}/${id(queueId)}/export${queryString({ format: e.format, as: e.as })}`,
};

export const queuesApi = {
  create: (q: QueueInput) => request<Queue>('POST', Q, q),
  update: (queueId: string, q: QueueInput) => request<Queue>('PUT', `${Q}/${id(queueId)}`, q),
  remove: (queueId: string) => request<void>('DELETE', `${Q}/${id(queueId)}`),
  addItems: (queueId: string, items: Array<{ traceId: string; spanId?: string | null }>) => request<{ added: number }>('POST', `${Q}/${id(queueId)}/items`, { items }),
  fromFilter: (queueId: string, f: FromFilter) => request<{ added: number; matched: number }>('POST', `${Q}/${id(queueId)}/items/from-filter`, f),
  next: (queueId: string, reviewer: string, after?: string) => request<{ item: OpenedItem | null }>('POST', `${Q}/${id(queueId)}/next`, after ? { reviewer, after } : { reviewer }),
  review: (queueId: string, itemId: string, r: Review) => request<Item>('POST', `${Q}/${id(queueId)}/items/${id(itemId)}/review`, r),
  skip: (queueId: string, itemId: string, reviewer: string) => request<Item>('POST', `${Q}/${id(queueId)}/items/${id(itemId)}/skip`, { reviewer }),
};
