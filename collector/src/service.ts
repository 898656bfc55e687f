/**
 * The collector's wiring: every pipeline, from receiver to exporter, is assembled here.
 *
 *   traces:   otlp-http (/v1/traces) ─┐
 *             otlp-grpc (Export)     ─┴─> translate (conventions) -> time-window -> pricing -> clickhouse/spans
 *                                          (batched; drops spans already stored; retries with one dedup token)
 *   feedback: otlp-http (/v1/feedback) ──────────────────────────────────────────────────────> clickhouse/feedback
 */
import Fastify from 'fastify';
import type { FeedbackRow, KeyCache, SpanRow, Storage } from '@spanlens/clickhouse';
import { CustomPriceCache } from './custom-prices.ts';
import { ClickHouseExporter } from './exporters/clickhouse.ts';
import { dropStoredSpans } from './exporters/span-dedup.ts';
import { feedbackPipeline, tracesPipeline } from './pipeline.ts';
import { pricingProcessor } from './processors/pricing.ts';
import { timeWindowProcessor } from './processors/time-window.ts';
import { startOtlpGrpcReceiver } from './receivers/otlp-grpc.ts';
import { otlpHttpReceiver } from './receivers/otlp-http.ts';

export interface CollectorOptions {
  storage: Storage;
  keys: KeyCache;
  host: string;
  httpPort: number;
  grpcPort: number;
  retentionDays: number;
  maxBodyBytes: number;
  /** Rows accepted but not yet stored before ingest answers 503. */
  maxQueueRows: number;
  maxBatchRows: number;
  maxBatchDelayMs: number;
}

export interface Collector {
  httpPort: number;
  grpcPort: number;
  /** Spans accepted and not yet committed. */
  backlog(): number;
  /** Re-reads per-project prices now instead of at the next refresh. */
  reloadPrices(): Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(o: CollectorOptions): Promise<Collector> {
  const prices = new CustomPriceCache(o.storage);
  await prices.start();

  const spanExporter = new ClickHouseExporter<SpanRow>(o.storage, {
    table: 'spans', maxQueueRows: o.maxQueueRows, maxBatchRows: o.maxBatchRows, maxDelayMs: o.maxBatchDelayMs,
    prepare: (rows) => dropStoredSpans(o.storage, rows),
  });
  const feedbackExporter = new ClickHouseExporter<FeedbackRow>(o.storage, { table: 'feedback', maxDelayMs: o.maxBatchDelayMs });

  const traces = tracesPipeline([timeWindowProcessor(o.retentionDays), pricingProcessor(prices)], spanExporter);
  const feedback = feedbackPipeline(feedbackExporter);

  const http = Fastify({ logger: false, bodyLimit: o.maxBodyBytes, trustProxy: false });
  await http.register(otlpHttpReceiver, { traces, feedback, keys: o.keys, maxBodyBytes: o.maxBodyBytes });
  await http.listen({ host: o.host, port: o.httpPort });
  const httpPort = addressPort(http.server.address());

  const grpc = await startOtlpGrpcReceiver(o.host, o.grpcPort, { traces, keys: o.keys, maxBodyBytes: o.maxBodyBytes });

  return {
    httpPort,
    grpcPort: grpc.port,
    backlog: () => spanExporter.backlog,
    reloadPrices: () => prices.reload(),
    async close() {
      // Stop taking requests, then write out everything already accepted.
      await Promise.all([http.close(), grpc.close()]);
      await Promise.all([spanExporter.shutdown(), feedbackExporter.shutdown()]);
      prices.stop();
    },
  };
}

export function addressPort(addr: unknown): number {
  if (addr && typeof addr === 'object' && 'port' in addr) return Number((addr as { port: number }).port);
  throw new Error('server is not listening on a TCP port');
}
