import { FEEDBACK_COLUMNS, LOG_ITEM_COLUMNS, SPAN_COLUMNS, SPAN_COLUMNS_V1, type FeedbackRow, type LogItemRow, type SpanRow } from '@spanlens/clickhouse';

/**
 * Kafka record formats. A record's value is the row as a JSON array in a fixed column
 * order (JSONCompactEachRow), so a writer turns a batch of records into one insert body
 * by joining values with newlines. The format and its version travel in a header; a
 * new version gets a new name and writers keep reading the old one.
 */
export const SPANS_V1 = 'spans.v1';
export const SPANS_V2 = 'spans.v2';
export const FEEDBACK_V1 = 'feedback.v1';
export const LOGS_V1 = 'logs.v1';
export const FORMAT_HEADER = 'spanlens-format';
/** A span record's identity hash (span-key.ts), 8 bytes little-endian. */
export const KEY_HEADER = 'spanlens-key';

export interface RecordFormat<T> {
  name: string;
  table: string;
  columns: readonly string[];
  key(row: T): string;
  encode(row: T): string;
}

/** A format whose record is its row as a JSON array in `columns` order, keyed by trace (one trace, one partition). */
function compactFormat<T extends { trace_id: string }>(name: string, table: string, columns: readonly (keyof T & string)[]): RecordFormat<T> {
  return { name, table, columns, key: (row) => row.trace_id, encode: (row) => JSON.stringify(columns.map((c) => row[c])) };
}

/** Still read, so records written before an upgrade are stored (redactions default to 0). */
export const spansV1 = compactFormat<SpanRow>(SPANS_V1, 'spans', SPAN_COLUMNS_V1);
export const spansV2 = compactFormat<SpanRow>(SPANS_V2, 'spans', SPAN_COLUMNS);
export const feedbackV1 = compactFormat<FeedbackRow>(FEEDBACK_V1, 'feedback', FEEDBACK_COLUMNS);
/** GenAI log records, as trace_items rows of their span. */
export const logsV1 = compactFormat<LogItemRow>(LOGS_V1, 'trace_items', LOG_ITEM_COLUMNS);

/** An insert body for rows in a format: one JSON array per line (JSONCompactEachRow, in format.columns order). */
export function encodeBody<T>(format: RecordFormat<T>, rows: readonly T[]): Buffer {
  let body = '';
  for (const row of rows) body += format.encode(row) + '\n';
  return Buffer.from(body);
}

export const FORMATS: Record<string, RecordFormat<SpanRow> | RecordFormat<FeedbackRow> | RecordFormat<LogItemRow>> = {
  [SPANS_V1]: spansV1,
  [SPANS_V2]: spansV2,
  [FEEDBACK_V1]: feedbackV1,
  [LOGS_V1]: logsV1,
};

/** Index of the identity columns of a spans.v1 or v2 record, for the writer's repeat check. */
export const SPAN_KEY_INDEX = {
  project: SPAN_COLUMNS.indexOf('project_id'),
  trace: SPAN_COLUMNS.indexOf('trace_id'),
  span: SPAN_COLUMNS.indexOf('span_id'),
  start: SPAN_COLUMNS.indexOf('start_time'),
};
