import type { SpanRow } from '@spanlens/clickhouse';
import type { DecodedSpan } from '../model.ts';
import type { LlmFields } from './conventions/fields.ts';

/** A span moving through the pipeline: what arrived, what conventions read from it, and the row it becomes. */
export interface SpanRecord {
  span: DecodedSpan;
  fields: LlmFields;
  row: SpanRow;
}

/** One export request's spans after decoding, for one project. */
export interface SpanBatch {
  projectId: string;
  records: SpanRecord[];
  rejected: number;
  errors: string[];
}

/** One stage between receivers and exporters; may drop a span by counting it as rejected. */
export interface Processor {
  readonly name: string;
  process(batch: SpanBatch): void | Promise<void>;
}

export function rejectRecord(batch: SpanBatch, reason: string): void {
  batch.rejected++;
  if (batch.errors.length < 5 && !batch.errors.includes(reason)) batch.errors.push(reason);
}
