/**
 * The collector's wiring: every pipeline, from receiver to the log and from the log to
 * ClickHouse, is assembled here.
 *
 *   traces:   otlp-http (/v1/traces) ─┐
 *             otlp-grpc (Export)     ─┴─> translate (conventions) -> time-window -> pricing -> redaction -> limits -> LOG(spans)
 *   logs:     otlp-http (/v1/logs) ─┐
 *             otlp-grpc (Export)   ─┴─> GenAI events (conventions -> redaction -> limits; others dropped) -> LOG(logs)
 *   feedback: otlp-http (/v1/feedback) ─────────────────────────────────────> redaction (comment) ──> LOG(feedback)
 *   write:    LOG -> writer (intent -> repeat check -> insert with the batch's token -> dead letters) -> clickhouse
 *
 * LOG is, by mode (MODES, below):
 *   local (default)   segment files under logDir, fsynced before the 200 (exporters/local-log.ts, log/local-log.ts)
 *   ingest            kafka/<prefix>spans, <prefix>feedback, <prefix>logs (acks=-1, idempotent producer); no writer here
 *   write             no receivers: the writer alone, reading the Kafka topics
 *   ingest+write      both, in one process
 * The writer (writer/writer.ts) is the same for both logs; only its LogSource differs. GenAI log
 * records become trace_items rows of their span, merged into it when read (api trace detail), so
 * a record may arrive before or after its span.
 */
import Fastify, { LogController } from 'fastify';
import { COLLECTOR_DEFAULTS, withDefaults } from './defaults.ts';
import { silentLogger, type Logger } from './logger.ts';
import type { FeedbackRow, KeyCache, LogItemRow, SpanRow, Storage } from '@spanlens/clickhouse';
import { CustomPriceCache } from './custom-prices.ts';
import type { Admin, Kafka } from 'kafkajs';
import type { Exporter } from './exporters/exporter.ts';
import { KafkaExporter } from './exporters/kafka.ts';
import { LocalLogExporter } from './exporters/local-log.ts';
import { createKafka, ensureTopics, topics, type KafkaSettings } from './kafka/client.ts';
import { feedbackV1, logsV1, spansV2 } from './kafka/records.ts';
import { KafkaSource } from './log/kafka-source.ts';
import { LocalLog } from './log/local-log.ts';
import { LocalLogSource } from './log/local-source.ts';
import type { LogSource } from './log/log.ts';
import { startWriter, type Writer } from './writer/writer.ts';
import { adminRoutes } from './admin.ts';
import { CollectorMetrics } from './telemetry.ts';
import { feedbackPipeline, logsPipeline, tracesPipeline } from './pipeline.ts';
import { pricingProcessor, type CustomPrices } from './processors/pricing.ts';
import { timeWindowProcessor } from './processors/time-window.ts';
import { limitsProcessor, type SpanLimits } from './processors/limits.ts';
import { redactionProcessor, type RedactionSource } from './processors/redaction.ts';
import type { Processor } from './processors/processor.ts';
import { RedactionCache } from './redaction-settings.ts';
import { IngestRateLimiter } from './rate-limit.ts';
import { startOtlpGrpcReceiver } from './receivers/otlp-grpc.ts';
import { otlpHttpReceiver } from './receivers/otlp-http.ts';
import { otlpSignals } from './receivers/signals.ts';

/** The trace processors in pipeline order, after translation (bench/ingest/stages.ts times the same list). */
export function traceProcessors(o: { retentionDays: number; prices: CustomPrices; redaction: RedactionSource; limits: SpanLimits }): Processor[] {
  return [timeWindowProcessor(o.retentionDays), pricingProcessor(o.prices), redactionProcessor(o.redaction), limitsProcessor(o.limits)];
}

export type CollectorMode = 'local' | 'ingest' | 'write' | 'ingest+write';

export interface LocalLogSettings {
  dir: string;
  /** Disk budget of the log's segments; ingest answers 503 beyond it. */
  maxBytes: number;
  segmentBytes?: number;
}

export interface CollectorOptions {
  /** local: receivers -> local log -> writer; ingest: receivers -> Kafka; write: Kafka -> writer. */
  mode?: CollectorMode;
  kafka?: KafkaSettings;
  /** The local log (mode local). */
  localLog?: LocalLogSettings;
  // Every optional setting below defaults to COLLECTOR_DEFAULTS (defaults.ts), as its variable does.
  /** Seconds of ingest the writer's repeat check remembers. */
  repeatWindowSeconds?: number;
  /** How long close() keeps writing out the local log; the rest is written at the next start. */
  drainMs?: number;
  storage: Storage;
  keys: KeyCache;
  host: string;
  httpPort: number;
  grpcPort: number;
  retentionDays?: number;
  maxBodyBytes?: number;
  /** Kafka producer: rows accepted but not yet in Kafka before ingest answers 503. */
  maxQueueRows?: number;
  /** Rows per insert, at most (the writer), and per producer send (Kafka). */
  maxBatchRows?: number;
  /** Bytes of encoded rows per insert, at most (the writer on the local log; Kafka bounds its fetches itself). */
  maxBatchBytes?: number;
  /** How long a batch may wait to fill. */
  maxBatchDelayMs?: number;
  /** Per-request and per-span limits. */
  limits?: Partial<IngestLimits>;
  /** A request must arrive whole within this time (slow-drip uploads get 408). */
  requestTimeoutMs?: number;
  /** Where refusals and failures are logged (see logRefusal); silent when absent. */
  log?: Logger;
  /** Spans per second per API key over all receivers; 0: no limit. */
  rateLimitSpansPerSecond?: number;
}

export interface IngestLimits extends SpanLimits {
  maxSpansPerRequest: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = COLLECTOR_DEFAULTS.limits;

export interface Collector {
  /** 0 when this process runs no receivers (mode write). */
  httpPort: number;
  grpcPort: number;
  writer?: Writer;
  metrics: CollectorMetrics;
  /** Records acknowledged and not yet stored (local log) or spans not yet in Kafka (ingest). */
  backlog(): number;
  /** Resolves once the writer has stored everything acknowledged before the call (local log only). */
  flush(): Promise<void>;
  /** Re-reads per-project prices now instead of at the next refresh. */
  reloadPrices(): Promise<void>;
  /** Re-reads per-project redaction settings now. */
  reloadRedaction(): Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(o: CollectorOptions): Promise<Collector> {
  // Every part registers its close as it opens, newest first: close() stops them in the reverse
  // of the order they started (receivers, exporters, caches, writer, log, Kafka clients), and a
  // start that fails part way closes the same way what it had opened.
  const closers: Array<() => Promise<void>> = [];
  const opened = (close: () => Promise<void>) => {
    closers.unshift(close);
  };
  try {
    const collector = await wire(o, opened);
    return { ...collector, close: () => closeAll(closers) };
  } catch (err) {
    await closeAll(closers);
    throw err;
  }
}

/** What each mode runs: which log it uses, and whether it receives OTLP and runs the writer. */
const MODES: Record<CollectorMode, { log: 'local' | 'kafka'; receivers: boolean; writer: boolean }> = {
  local: { log: 'local', receivers: true, writer: true },
  ingest: { log: 'kafka', receivers: true, writer: false },
  write: { log: 'kafka', receivers: false, writer: true },
  'ingest+write': { log: 'kafka', receivers: true, writer: true },
};

type Opened = (close: () => Promise<void>) => void;
type Resolved = CollectorOptions & Omit<typeof COLLECTOR_DEFAULTS, 'limits'>;

/** The whole pipeline of one collector process, by mode (close() is its opened parts, in reverse). */
async function wire(given: CollectorOptions, opened: Opened): Promise<Omit<Collector, 'close'>> {
  const { limits: _limits, ...plain } = COLLECTOR_DEFAULTS;
  const o: Resolved = withDefaults({ ...given, ...plain }, given);
  const mode = MODES[o.mode ?? 'local'];
  const metrics = new CollectorMetrics();
  const log = o.log ?? silentLogger();
  const report = (message: string) => log.warn(message);
  const checks: Array<() => Promise<void>> = [];

  // The log: local segment files, or Kafka.
  let kafka: { client: Kafka; admin: Admin; settings: KafkaSettings } | undefined;
  let localLog: LocalLog | undefined;
  if (mode.log === 'kafka') {
    if (!o.kafka) throw new Error(`collector mode ${o.mode} needs Kafka settings (KAFKA_BROKERS)`);
    const client = createKafka(o.kafka);
    const admin = client.admin();
    await admin.connect();
    opened(() => admin.disconnect());
    await ensureTopics(admin, o.kafka);
    checks.push(async () => {
      await admin.describeCluster();
    });
    kafka = { client, admin, settings: o.kafka };
  } else {
    if (!o.localLog) throw new Error('collector mode local needs a log directory (localLog)');
    const l = await LocalLog.open(o.localLog.dir, { maxBytes: o.localLog.maxBytes, segmentBytes: o.localLog.segmentBytes, report });
    opened(() => l.close());
    metrics.gauge('spanlens_log_bytes', 'Bytes the local log takes on disk', () => l.usedBytes);
    localLog = l;
  }
  if (mode.writer)
    checks.push(async () => {
      await o.storage.client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
    });
  const ready = async () => {
    for (const c of checks) await c();
  };

  // log -> writer -> ClickHouse.
  const source: LogSource | undefined = !mode.writer
    ? undefined
    : localLog
      ? new LocalLogSource(localLog, { maxBatchRows: o.maxBatchRows, maxBatchBytes: o.maxBatchBytes, maxDelayMs: o.maxBatchDelayMs, drainMs: o.drainMs, report })
      : await KafkaSource.connect({ kafka: kafka!.client, admin: kafka!.admin, settings: kafka!.settings, report });
  const writer = source ? await writerStage(o, source, metrics, report, opened) : undefined;

  // receivers -> processors -> log; a process without receivers serves only /metrics, /healthz and /readyz.
  if (!mode.receivers) {
    const adminHttp = Fastify({ logger: false });
    await adminHttp.register(adminRoutes, { metrics, ready });
    opened(() => adminHttp.close());
    await adminHttp.listen({ host: o.host, port: o.httpPort });
    const nothing = async () => undefined;
    return { httpPort: addressPort(adminHttp.server.address()), grpcPort: 0, writer, metrics, backlog: () => 0, flush: nothing, reloadPrices: nothing, reloadRedaction: nothing };
  }
  const ingest = await ingestStage(o, { localLog, kafka }, metrics, log, ready, opened);
  return { ...ingest, writer, metrics };
}

/** The writer on this process's log, with its gauges. */
async function writerStage(o: Resolved, source: LogSource, metrics: CollectorMetrics, report: (m: string) => void, opened: Opened): Promise<Writer> {
  const w = await startWriter({
    storage: o.storage,
    source,
    repeatWindowSeconds: o.repeatWindowSeconds,
    report,
    observer: { written: (table, rows, s) => observed(metrics, `clickhouse/${table}`).written(rows, s), failed: (table) => observed(metrics, `clickhouse/${table}`).failed() },
  });
  opened(() => w.close());
  metrics.gauge('spanlens_writer_rows_inserted', 'Rows the writer inserted since start', () => w.stats.rowsInserted);
  metrics.gauge('spanlens_writer_repeats_dropped', 'Repeated rows dropped as already stored', () => w.stats.repeatsDropped);
  metrics.gauge('spanlens_writer_dead_lettered', 'Rows sent to the dead-letter log', () => w.stats.deadLettered);
  metrics.gauge('spanlens_writer_insert_retries', 'Insert attempts retried while ClickHouse was unavailable', () => w.stats.insertRetries);
  metrics.gauge('spanlens_writer_repeat_lookups', 'Rows the repeat filter could not rule out, looked up in ClickHouse', () => w.repeat.stats.lookedUp);
  metrics.labeledGauge('spanlens_consumer_lag', 'Records not yet written, per topic and partition', ['topic', 'partition'], () => w.lagByPartition());
  return w;
}

/** Write metrics of one destination (a table, a topic). */
function observed(metrics: CollectorMetrics, destination: string) {
  return {
    written: (rows: number, seconds: number) => {
      metrics.batchesWritten.inc({ destination });
      metrics.rowsWritten.inc({ destination }, rows);
      metrics.writeSeconds.observe({ destination }, seconds);
    },
    failed: () => metrics.writeFailures.inc({ destination }),
  };
}

/** The exporters into this process's log, the three pipelines, and the OTLP receivers in front of them. */
async function ingestStage(
  o: Resolved,
  logs: { localLog?: LocalLog; kafka?: { client: Kafka; settings: KafkaSettings } },
  metrics: CollectorMetrics,
  log: Logger,
  ready: () => Promise<void>,
  opened: Opened,
): Promise<Pick<Collector, 'httpPort' | 'grpcPort' | 'backlog' | 'flush' | 'reloadPrices' | 'reloadRedaction'>> {
  const prices = new CustomPriceCache(o.storage);
  const redaction = new RedactionCache(o.storage);
  opened(async () => prices.stop());
  opened(async () => redaction.stop());
  await prices.start();
  await redaction.start();

  let exporters: { spans: Exporter<SpanRow>; feedback: Exporter<FeedbackRow>; logs: Exporter<LogItemRow> };
  let backlog: () => number;
  const { localLog, kafka } = logs;
  if (localLog) {
    exporters = { spans: new LocalLogExporter(localLog, spansV2), feedback: new LocalLogExporter(localLog, feedbackV1), logs: new LocalLogExporter(localLog, logsV1) };
    backlog = () => localLog.lag;
  } else {
    const producer = kafka!.client.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    await producer.connect();
    opened(() => producer.disconnect());
    const t = topics(kafka!.settings);
    const batching = { maxQueueRows: o.maxQueueRows, maxBatchRows: o.maxBatchRows, maxDelayMs: o.maxBatchDelayMs, log };
    const spans = new KafkaExporter(producer, t.spans, spansV2, { ...batching, observer: observed(metrics, 'kafka/spans') });
    exporters = {
      spans,
      feedback: new KafkaExporter(producer, t.feedback, feedbackV1, { ...batching, observer: observed(metrics, 'kafka/feedback') }),
      logs: new KafkaExporter(producer, t.logs, logsV1, { ...batching, observer: observed(metrics, 'kafka/logs') }),
    };
    backlog = () => spans.backlog;
  }
  // Hands everything already accepted to the log (or Kafka) once the receivers have stopped.
  opened(async () => {
    await Promise.all([exporters.spans.shutdown(), exporters.feedback.shutdown(), exporters.logs.shutdown()]);
  });
  metrics.gauge('spanlens_export_queue_spans', 'Records acknowledged and not yet stored (local log) or spans not yet in Kafka', backlog);

  const limits = { ...DEFAULT_INGEST_LIMITS, ...o.limits };
  const traces = tracesPipeline(traceProcessors({ retentionDays: o.retentionDays, prices, redaction, limits }), exporters.spans, limits.maxSpansPerRequest, metrics);
  const logRecords = logsPipeline(redaction, limits, exporters.logs, limits.maxSpansPerRequest, metrics);
  const feedback = feedbackPipeline(redaction, exporters.feedback);
  const signals = otlpSignals(traces, logRecords);

  const requestTimeout = o.requestTimeoutMs;
  const http = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.maxBodyBytes,
    trustProxy: false,
    requestTimeout,
    // Node 20 applies requestTimeout only when given to createServer (Fastify sets it after, where it has
    // no effect), and looks for timed-out requests every connectionsCheckingInterval (30 s by default).
    http: { requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) },
  });
  await http.register(adminRoutes, { metrics, ready });
  const rateLimit = new IngestRateLimiter(o.rateLimitSpansPerSecond);
  await http.register(otlpHttpReceiver, { signals, feedback, keys: o.keys, maxBodyBytes: o.maxBodyBytes, rateLimit, metrics });
  opened(() => http.close());
  await http.listen({ host: o.host, port: o.httpPort });

  const grpc = await startOtlpGrpcReceiver(o.host, o.grpcPort, { signals, keys: o.keys, maxBodyBytes: o.maxBodyBytes, rateLimit, log, metrics });
  opened(() => grpc.close());

  return {
    httpPort: addressPort(http.server.address()),
    grpcPort: grpc.port,
    backlog,
    async flush() {
      await localLog?.committedThrough(localLog.end);
    },
    reloadPrices: () => prices.reload(),
    reloadRedaction: () => redaction.reload(),
  };
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const c of closers) await c().catch(() => undefined);
}

export function addressPort(addr: unknown): number {
  if (addr && typeof addr === 'object' && 'port' in addr) return Number((addr as { port: number }).port);
  throw new Error('server is not listening on a TCP port');
}
