import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { contextAttributes, currentContext } from './context.ts';
import { recorder } from './genai.ts';
import { openStreams } from './stream.ts';

export interface ProcessorStats {
  /** Spans handed to the exporter and acknowledged. */
  exported: number;
  /** Spans dropped because the queue was full. */
  dropped: number;
  /** Spans the exporter gave up on after its retries. */
  failed: number;
}

/** Builds the spans of LLM calls that are over (streams included) and still waiting for their batch. */
export async function buildPendingSpans(): Promise<void> {
  await openStreams.settle();
  recorder.drain();
}

export interface SpanlensProcessorOptions {
  maxQueueSize?: number;
  scheduledDelayMillis?: number;
  maxExportBatchSize?: number;
  exportTimeoutMillis?: number;
}

/**
 * Stamps the Spanlens context (user, session, tags, metadata) on every span at start and
 * exports in batches with a bounded queue: when it is full the span is dropped and
 * counted, never buffered without limit. Add it to an existing TracerProvider to send
 * an app's spans to Spanlens alongside its own setup.
 */
export class SpanlensSpanProcessor implements SpanProcessor {
  private readonly batch: BatchSpanProcessor;
  private readonly maxQueueSize: number;
  private pending = 0;
  readonly stats: ProcessorStats = { exported: 0, dropped: 0, failed: 0 };

  constructor(exporter: SpanExporter, options: SpanlensProcessorOptions = {}) {
    this.maxQueueSize = options.maxQueueSize ?? 2048;
    const counting: SpanExporter = {
      export: (spans: ReadableSpan[], done: (r: ExportResult) => void) => {
        exporter.export(spans, (result) => {
          this.pending -= spans.length;
          if (result.code === ExportResultCode.SUCCESS) this.stats.exported += spans.length;
          else this.stats.failed += spans.length;
          done(result);
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
    this.batch = new BatchSpanProcessor(counting, {
      maxQueueSize: this.maxQueueSize,
      maxExportBatchSize: Math.min(options.maxExportBatchSize ?? 512, this.maxQueueSize),
      scheduledDelayMillis: options.scheduledDelayMillis ?? 1000,
      exportTimeoutMillis: options.exportTimeoutMillis ?? 30_000,
    });
  }

  onStart(span: Span, parentContext: Context): void {
    const c = currentContext();
    if (c) span.setAttributes(contextAttributes(c));
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (!span.spanContext().traceFlags) return; // not sampled
    if (this.pending >= this.maxQueueSize) {
      this.stats.dropped++;
      return;
    }
    this.pending++;
    this.batch.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await buildPendingSpans();
    return this.batch.forceFlush();
  }

  async shutdown(): Promise<void> {
    await buildPendingSpans();
    return this.batch.shutdown();
  }
}
