import type { FeedbackRow, LogItemRow, SpanRow } from '@spanlens/clickhouse';
import type { Exporter } from './exporters/exporter.ts';
import type { DecodedLogsRequest, DecodedRequest } from './model.ts';
import { toLogItems } from './processors/log-events.ts';
import type { SpanLimits } from './processors/limits.ts';
import { toRecord } from './processors/normalize.ts';
import type { Processor, SpanBatch } from './processors/processor.ts';
import { redactFeedback, type RedactionSource } from './processors/redaction.ts';
import type { PartialSuccess } from './otlp/proto.ts';
import type { CollectorMetrics } from './telemetry.ts';
import { IngestError } from './errors.ts';
import { QueueFullError } from './exporters/exporter.ts';

/** What receivers hand one OTLP signal's decoded request to (traces, logs). */
export interface ExportConsumer<T> {
  /**
   * Throws QueueFullError (503 or UNAVAILABLE, with Retry-After) while the exporter's queue is
   * full. Receivers call it before decompressing and decoding a request, so under overload a
   * refused request costs no decoding and holds no decoded items.
   */
  admit(): void;
  consume(projectId: string, request: T): Promise<PartialSuccess>;
}

export type TracesConsumer = ExportConsumer<DecodedRequest>;
export type LogsConsumer = ExportConsumer<DecodedLogsRequest>;

/** The admission and size checks every signal's pipeline makes first. */
function intake(exporter: Exporter<unknown>, maxPerRequest: number, noun: string) {
  return {
    admit() {
      if (exporter.full) throw new QueueFullError(1, exporter.fullMessage);
    },
    checkSize(n: number) {
      if (n > maxPerRequest) {
        throw new IngestError('payload_too_large', `request has ${n} ${noun}; the limit is ${maxPerRequest} per request (SPANLENS_MAX_SPANS_PER_REQUEST): send smaller batches`);
      }
    },
  };
}

export interface FeedbackConsumer {
  consumeFeedback(rows: FeedbackRow[]): Promise<void>;
}

/** Runs one processor, counting under its own name the spans it took, passed on and rejected. */
async function counted(p: Processor, batch: SpanBatch, metrics?: CollectorMetrics): Promise<void> {
  const spansIn = batch.records.length;
  const rejectedBefore = batch.rejected;
  await p.process(batch);
  if (!metrics) return;
  const rejected = batch.rejected - rejectedBefore;
  metrics.processorSpans.inc({ processor: p.name, outcome: 'in' }, spansIn);
  metrics.processorSpans.inc({ processor: p.name, outcome: 'out' }, batch.records.length);
  if (rejected > 0) {
    metrics.processorSpans.inc({ processor: p.name, outcome: 'rejected' }, rejected);
    metrics.spansRejected.inc({ reason: p.name }, rejected);
  }
}

/** receivers -> translate (conventions) -> processors -> exporter. */
export function tracesPipeline(processors: readonly Processor[], exporter: Exporter<SpanRow>, maxSpansPerRequest: number, metrics?: CollectorMetrics): TracesConsumer {
  const { admit, checkSize } = intake(exporter, maxSpansPerRequest, 'spans');
  return {
    admit,
    async consume(projectId, request) {
      const spans = request.spans.length + request.rejected;
      checkSize(spans);
      metrics?.spansReceived.inc(spans);
      const batch: SpanBatch = {
        projectId,
        records: request.spans.map((span) => toRecord(projectId, span)),
        rejected: request.rejected,
        errors: [...request.errors],
      };
      for (const p of processors) await counted(p, batch, metrics);
      await exporter.export(batch.records.map((r) => r.row));
      if (metrics) {
        metrics.spansAccepted.inc(batch.records.length);
        for (const [reason, n] of Object.entries(request.rejectedBy ?? {})) metrics.spansRejected.inc({ reason }, n);
      }
      return { rejected: batch.rejected, errorMessage: batch.errors.join('; ') };
    },
  };
}

/** receivers -> GenAI events (translate, redact, limit; the rest dropped and counted) -> exporter. */
export function logsPipeline(redaction: RedactionSource, limits: SpanLimits, exporter: Exporter<LogItemRow>, maxRecordsPerRequest: number, metrics?: CollectorMetrics): LogsConsumer {
  const { admit, checkSize } = intake(exporter, maxRecordsPerRequest, 'log records');
  return {
    admit,
    async consume(projectId, request) {
      const n = request.records.length + request.rejected;
      checkSize(n);
      metrics?.logRecordsReceived.inc(n);
      const items = toLogItems(projectId, request.records, redaction.redactor(projectId), limits);
      await exporter.export(items.rows);
      if (metrics) {
        metrics.logRecordsStored.inc(items.rows.length);
        for (const [reason, k] of Object.entries(items.dropped)) metrics.logRecordsDropped.inc({ reason }, k);
        for (const [reason, k] of Object.entries(request.rejectedBy ?? {})) metrics.logRecordsRejected.inc({ reason }, k);
      }
      return { rejected: request.rejected, errorMessage: request.errors.join('; ') };
    },
  };
}

/** receivers -> redaction (the comment) -> exporter. */
export function feedbackPipeline(redaction: RedactionSource, exporter: Exporter<FeedbackRow>): FeedbackConsumer {
  return {
    consumeFeedback(rows) {
      redactFeedback(redaction, rows);
      return exporter.export(rows);
    },
  };
}
