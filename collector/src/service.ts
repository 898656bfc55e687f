/**
 * The collector's wiring: every pipeline, from receiver to exporter, is assembled here.
 *
 *   traces:   otlp-http (/v1/traces) ─┐
 *             otlp-grpc (Export)     ─┴─> translate (conventions) -> time-window -> pricing -> redaction -> limits -> EXPORTER(spans)
 *   feedback: otlp-http (/v1/feedback) ─────────────────────────────────────> redaction (comment) ──> EXPORTER(feedback)
 *
 * EXPORTER is, by mode:
 *   direct (default)  clickhouse/spans, clickhouse/feedback (batched; drops spans already stored; one dedup token per batch)
 *   ingest            kafka/<prefix>spans, kafka/<prefix>feedback (acks=-1, idempotent producer)
 * and the write pipeline (mode write):
 *   kafka consumer group (<prefix>spans, <prefix>feedback) -> batches -> clickhouse; refused records -> <prefix>dead-letter
 */
import Fastify, { LogController } from 'fastify';
import { pino, type Logger } from 'pino';
import type { FeedbackRow, KeyCache, SpanRow, Storage } from '@spanlens/clickhouse';
import { CustomPriceCache } from './custom-prices.ts';
import type { Admin, Kafka } from 'kafkajs';
import type { BatchingExporter } from './exporters/batching.ts';
import { ClickHouseExporter } from './exporters/clickhouse.ts';
import { KafkaExporter } from './exporters/kafka.ts';
import { createKafka, ensureTopics, topics, type KafkaSettings } from './kafka/client.ts';
import { feedbackV1, spansV2 } from './kafka/records.ts';
import { startKafkaWriter } from './receivers/kafka.ts';
import { adminRoutes } from './admin.ts';
import { CollectorMetrics } from './telemetry.ts';
import { dropStoredSpans } from './exporters/span-dedup.ts';
import { feedbackPipeline, tracesPipeline } from './pipeline.ts';
import { pricingProcessor, type CustomPrices } from './processors/pricing.ts';
import { timeWindowProcessor } from './processors/time-window.ts';
import { DEFAULT_SPAN_LIMITS, limitsProcessor, type SpanLimits } from './processors/limits.ts';
import { redactionProcessor, type RedactionSource } from './processors/redaction.ts';
import type { Processor } from './processors/processor.ts';
import { RedactionCache } from './redaction-settings.ts';
import { IngestRateLimiter } from './rate-limit.ts';
import { startOtlpGrpcReceiver } from './receivers/otlp-grpc.ts';
import { otlpHttpReceiver } from './receivers/otlp-http.ts';

/** The trace processors in pipeline order, after translation (bench/ingest/stages.ts times the same list). */
export function traceProcessors(o: { retentionDays: number; prices: CustomPrices; redaction: RedactionSource; limits: SpanLimits }): Processor[] {
  return [timeWindowProcessor(o.retentionDays), pricingProcessor(o.prices), redactionProcessor(o.redaction), limitsProcessor(o.limits)];
}

export type CollectorMode = 'direct' | 'ingest' | 'write' | 'ingest+write';

export interface CollectorOptions {
  /** direct: receivers write to ClickHouse; ingest: receivers write to Kafka; write: Kafka to ClickHouse. */
  mode?: CollectorMode;
  kafka?: KafkaSettings;
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
  /** Per-request and per-span limits; defaults in DEFAULT_INGEST_LIMITS. */
  limits?: Partial<IngestLimits>;
  /** A request must arrive whole within this time (slow-drip uploads get 408); default 30 s. */
  requestTimeoutMs?: number;
  /** Where refusals and failures are logged (see logRefusal); silent when absent. */
  log?: Logger;
  /** Spans per second per API key over all receivers; 0: no limit. */
  rateLimitSpansPerSecond?: number;
}

export interface IngestLimits extends SpanLimits {
  maxSpansPerRequest: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = { ...DEFAULT_SPAN_LIMITS, maxSpansPerRequest: 10_000 };

export interface Collector {
  /** 0 when this process runs no receivers (mode write). */
  httpPort: number;
  grpcPort: number;
  writer?: Awaited<ReturnType<typeof startKafkaWriter>>;
  metrics: CollectorMetrics;
  /** Spans accepted and not yet committed. */
  backlog(): number;
  /** Re-reads per-project prices now instead of at the next refresh. */
  reloadPrices(): Promise<void>;
  /** Re-reads per-project redaction settings now. */
  reloadRedaction(): Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(o: CollectorOptions): Promise<Collector> {
  const mode = o.mode ?? 'direct';
  const closers: Array<() => Promise<void>> = [];
  const metrics = new CollectorMetrics();
  const observe = (destination: string) => ({
    written: (rows: number, seconds: number) => {
      metrics.batchesWritten.inc({ destination });
      metrics.rowsWritten.inc({ destination }, rows);
      metrics.writeSeconds.observe({ destination }, seconds);
    },
    failed: () => metrics.writeFailures.inc({ destination }),
  });
  const checks: Array<() => Promise<void>> = [];
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  if (mode !== 'direct') {
    if (!o.kafka) throw new Error(`collector mode ${mode} needs Kafka settings (KAFKA_BROKERS)`);
    kafka = createKafka(o.kafka);
    const a = kafka.admin();
    admin = a;
    await a.connect();
    await ensureTopics(a, o.kafka);
    closers.push(() => a.disconnect());
    checks.push(async () => { await a.describeCluster(); });
  }
  if (mode !== 'ingest') checks.push(async () => { await o.storage.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json()); });
  const ready = async () => { for (const c of checks) await c(); };

  let writer: Collector['writer'];
  if (mode === 'write' || mode === 'ingest+write') {
    const w = await startKafkaWriter({ kafka: kafka!, admin: admin!, settings: o.kafka!, storage: o.storage, groupId: o.kafka!.groupId });
    writer = w;
    closers.unshift(() => w.close());
    metrics.gauge('spanlens_writer_rows_inserted', 'Rows the writer inserted since start', () => w.stats.rowsInserted);
    metrics.gauge('spanlens_writer_repeats_dropped', 'Redelivered rows dropped as already stored', () => w.stats.repeatsDropped);
    metrics.gauge('spanlens_writer_dead_lettered', 'Records sent to the dead-letter topic', () => w.stats.deadLettered);
    metrics.gauge('spanlens_writer_insert_retries', 'Insert attempts retried while ClickHouse was unavailable', () => w.stats.insertRetries);
    metrics.labeledGauge('spanlens_consumer_lag', 'Records not yet written, per topic and partition', ['topic', 'partition'], () => w.lagByPartition());
  }
  if (mode === 'write') {
    // A writer takes no OTLP; its HTTP port serves only /metrics, /healthz and /readyz.
    const adminHttp = Fastify({ logger: false });
    await adminHttp.register(adminRoutes, { metrics, ready });
    await adminHttp.listen({ host: o.host, port: o.httpPort });
    closers.unshift(() => adminHttp.close());
    return { httpPort: addressPort(adminHttp.server.address()), grpcPort: 0, writer, metrics, backlog: () => 0, reloadPrices: async () => undefined, reloadRedaction: async () => undefined, close: () => closeAll(closers) };
  }

  const prices = new CustomPriceCache(o.storage);
  await prices.start();
  const redaction = new RedactionCache(o.storage);
  await redaction.start();
  let spanExporter: BatchingExporter<SpanRow>;
  let feedbackExporter: BatchingExporter<FeedbackRow>;
  if (mode === 'direct') {
    spanExporter = new ClickHouseExporter<SpanRow>(o.storage, {
      format: spansV2, maxQueueRows: o.maxQueueRows, maxBatchRows: o.maxBatchRows, maxDelayMs: o.maxBatchDelayMs,
      prepare: (rows) => dropStoredSpans(o.storage, rows),
      observer: observe('clickhouse/spans'),
    });
    feedbackExporter = new ClickHouseExporter<FeedbackRow>(o.storage, { format: feedbackV1, maxDelayMs: o.maxBatchDelayMs, observer: observe('clickhouse/feedback') });
  } else {
    const producer = kafka!.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    await producer.connect();
    closers.unshift(() => producer.disconnect());
    const t = topics(o.kafka!);
    spanExporter = new KafkaExporter(producer, t.spans, spansV2, { maxQueueRows: o.maxQueueRows, maxBatchRows: o.maxBatchRows, maxDelayMs: o.maxBatchDelayMs, observer: observe('kafka/spans') });
    feedbackExporter = new KafkaExporter(producer, t.feedback, feedbackV1, { maxDelayMs: o.maxBatchDelayMs, observer: observe('kafka/feedback') });
  }

  metrics.gauge('spanlens_export_queue_spans', 'Spans accepted and not yet written', () => spanExporter.backlog);
  const limits = { ...DEFAULT_INGEST_LIMITS, ...o.limits };
  const traces = tracesPipeline(traceProcessors({ retentionDays: o.retentionDays, prices, redaction, limits }), spanExporter, limits.maxSpansPerRequest, metrics);
  const feedback = feedbackPipeline(redaction, feedbackExporter);

  const requestTimeout = o.requestTimeoutMs ?? 30_000;
  const log = o.log ?? pino({ level: 'silent' });
  const http = Fastify({
    loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), bodyLimit: o.maxBodyBytes, trustProxy: false, requestTimeout,
    // Node 20 applies requestTimeout only when given to createServer (Fastify sets it after, where it has
    // no effect), and looks for timed-out requests every connectionsCheckingInterval (30 s by default).
    http: { requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
  });
  await http.register(adminRoutes, { metrics, ready });
  const rateLimit = new IngestRateLimiter(o.rateLimitSpansPerSecond ?? 0);
  await http.register(otlpHttpReceiver, { traces, feedback, keys: o.keys, maxBodyBytes: o.maxBodyBytes, rateLimit, metrics });
  await http.listen({ host: o.host, port: o.httpPort });
  const httpPort = addressPort(http.server.address());

  const grpc = await startOtlpGrpcReceiver(o.host, o.grpcPort, { traces, keys: o.keys, maxBodyBytes: o.maxBodyBytes, rateLimit, log, metrics });

  return {
    httpPort,
    grpcPort: grpc.port,
    writer,
    metrics,
    backlog: () => spanExporter.backlog,
    reloadPrices: () => prices.reload(),
    reloadRedaction: () => redaction.reload(),
    async close() {
      // Stop taking requests, write out everything already accepted, then the rest.
      await Promise.all([http.close(), grpc.close()]);
      await Promise.all([spanExporter.shutdown(), feedbackExporter.shutdown()]);
      prices.stop();
      redaction.stop();
      await closeAll(closers);
    },
  };
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const c of closers) await c().catch(() => undefined);
}

export function addressPort(addr: unknown): number {
  if (addr && typeof addr === 'object' && 'port' in addr) return Number((addr as { port: number }).port);
  throw new Error('server is not listening on a TCP port');
}
