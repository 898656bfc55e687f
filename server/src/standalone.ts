import {
  addApiKey,
  applyRetention,
  explainStorageError,
  createProject,
  findProjectByKey,
  generateApiKey,
  KeyCache,
  listProjects,
  migrate,
  openStorage,
  prewarmCaches,
  type Storage,
} from '@spanlens/clickhouse';
import { join } from 'node:path';
import { addressPort, createLogger, startCollector, type Logger, type Collector, type CollectorMode, type CollectorOptions } from '@spanlens/collector';
import { buildApi, kafkaLease, loadSecretBox, type ApiOptions } from '@spanlens/api';
import { dashboardDir } from '@spanlens/dashboard';
import { kafkaSettings, type Config } from './config.ts';

export interface Spanlens {
  storage: Storage;
  collector: Collector;
  apiPort: number;
  /** Set when this start created the default project with a generated key (shown once). */
  generatedKey?: string;
  close(): Promise<void>;
}

/** Opens storage (embedded chDB unless CLICKHOUSE_URL is set) and applies migrations and retention. */
export async function openMigratedStorage(config: Config): Promise<Storage> {
  let storage: Storage;
  try {
    storage = openStorage({ url: config.CLICKHOUSE_URL, dataDir: config.SPANLENS_DATA_DIR });
  } catch (err) {
    throw config.CLICKHOUSE_URL ? err : explainStorageError(err, config.SPANLENS_DATA_DIR);
  }
  try {
    await migrate(storage);
    await applyRetention(storage, config.SPANLENS_RETENTION_DAYS);
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw config.CLICKHOUSE_URL ? err : explainStorageError(err, config.SPANLENS_DATA_DIR);
  }
  return storage;
}

/** First start: a default project, with SPANLENS_INIT_API_KEY or a generated key. */
export async function ensureDefaultProject(storage: Storage, initKey?: string): Promise<string | undefined> {
  const projects = await listProjects(storage);
  let project = projects[0];
  let generated: string | undefined;
  if (!project) {
    // A fixed id: processes with their own embedded stores (local multi-process runs) agree on it.
    project = await createProject(storage, 'default', 'default');
    if (!initKey) {
      generated = generateApiKey();
      await addApiKey(storage, project.id, generated, 'generated at first start');
    }
  }
  if (initKey && !(await findProjectByKey(storage, initKey))) await addApiKey(storage, project.id, initKey, 'SPANLENS_INIT_API_KEY');
  return generated;
}

const loggers = new Map<string, Logger>();

/** The process's one logger at SPANLENS_LOG_LEVEL; every component gets a child of it. */
export function processLogger(config: Config): Logger {
  let log = loggers.get(config.SPANLENS_LOG_LEVEL);
  if (!log) loggers.set(config.SPANLENS_LOG_LEVEL, (log = createLogger(config.SPANLENS_LOG_LEVEL)));
  return log;
}

function collectorOptions(config: Config, storage: Storage, keys: KeyCache, mode: CollectorMode): CollectorOptions {
  return {
    mode,
    kafka: kafkaSettings(config, `spanlens-${mode}`),
    localLog: { dir: join(config.SPANLENS_DATA_DIR, 'ingest-log'), maxBytes: config.SPANLENS_LOG_MAX_BYTES },
    repeatWindowSeconds: config.SPANLENS_REPEAT_WINDOW_SECONDS,
    storage,
    keys,
    host: config.SPANLENS_HOST,
    httpPort: config.SPANLENS_OTLP_HTTP_PORT,
    grpcPort: config.SPANLENS_OTLP_GRPC_PORT,
    retentionDays: config.SPANLENS_RETENTION_DAYS,
    maxBodyBytes: config.SPANLENS_MAX_BODY_BYTES,
    maxQueueRows: config.SPANLENS_MAX_QUEUE_SPANS,
    maxBatchRows: config.SPANLENS_BATCH_MAX_SPANS,
    maxBatchBytes: config.SPANLENS_BATCH_MAX_BYTES,
    maxBatchDelayMs: config.SPANLENS_BATCH_MAX_DELAY_MS,
    rateLimitSpansPerSecond: config.SPANLENS_INGEST_RATE_LIMIT,
    // Request and span content only at debug (see logRefusal).
    log: processLogger(config).child({ component: 'collector' }),
    requestTimeoutMs: config.SPANLENS_REQUEST_TIMEOUT_MS,
    limits: {
      maxSpansPerRequest: config.SPANLENS_MAX_SPANS_PER_REQUEST,
      maxAttributes: config.SPANLENS_MAX_ATTRIBUTES,
      maxAttributeLength: config.SPANLENS_MAX_ATTRIBUTE_LENGTH,
      maxContentLength: config.SPANLENS_MAX_CONTENT_LENGTH,
      maxEvents: config.SPANLENS_MAX_EVENTS,
    },
  };
}

/**
 * Runs a start: each step registers how to undo itself, and when a later step fails the
 * earlier ones are closed, newest first, so a failed start leaves no port, broker client or
 * open store behind (the process can exit, a test can retry).
 */
async function starting<T>(steps: (opened: (close: () => Promise<void>) => void) => Promise<T>): Promise<T> {
  const undo: Array<() => Promise<void>> = [];
  try {
    return await steps((close) => {
      undo.unshift(close);
    });
  } catch (err) {
    for (const u of undo) await u().catch(() => undefined);
    throw err;
  }
}

/** A collector alone: `spanlens collector --mode ingest|write` in the many-machine deployment. */
export async function startCollectorOnly(config: Config, mode: 'ingest' | 'write'): Promise<{ storage: Storage; collector: Collector; generatedKey?: string; close(): Promise<void> }> {
  if (!config.KAFKA_BROKERS) throw new Error(`collector mode ${mode} needs KAFKA_BROKERS`);
  return starting(async (opened) => {
    const storage = await openMigratedStorage(config);
    opened(() => storage.close());
    const generatedKey = await ensureDefaultProject(storage, config.SPANLENS_INIT_API_KEY);
    const collector = await startCollector(collectorOptions(config, storage, new KeyCache(storage), mode));
    return {
      storage,
      collector,
      generatedKey,
      async close() {
        await collector.close();
        await storage.close();
      },
    };
  });
}

/**
 * Alerting as configured: evaluated in this process unless SPANLENS_ALERTS=off. With Kafka,
 * evaluating processes share a lease so only one acts at a time.
 */
export async function alertOptions(config: Config) {
  const evaluate = config.SPANLENS_ALERTS === 'on';
  const kafka = kafkaSettings(config, 'spanlens-alerts');
  const lease = evaluate && kafka ? await kafkaLease({ brokers: kafka.brokers, clientId: kafka.clientId, topic: `${kafka.topicPrefix}alerts-lease`, groupId: `${kafka.groupId}-alerts` }) : undefined;
  return {
    evaluate,
    ...(lease ? { lease } : {}),
    allowPrivate: config.SPANLENS_WEBHOOK_ALLOW_PRIVATE === 'true',
    dashboardUrl: config.SPANLENS_PUBLIC_URL ?? `http://${config.SPANLENS_HOST}:${config.SPANLENS_API_PORT}`,
  };
}

/**
 * Background evaluation as configured: on unless SPANLENS_EVALUATIONS=off; with Kafka,
 * evaluating processes share a lease as alerting does, and every process must share
 * SPANLENS_SECRET_KEY to read the judges' keys.
 */
export async function evaluationOptions(config: Config): Promise<Pick<ApiOptions, 'secretBox' | 'evaluations'>> {
  const evaluate = config.SPANLENS_EVALUATIONS === 'on';
  const kafka = kafkaSettings(config, 'spanlens-evaluations');
  const lease =
    evaluate && kafka ? await kafkaLease({ brokers: kafka.brokers, clientId: kafka.clientId, topic: `${kafka.topicPrefix}evaluations-lease`, groupId: `${kafka.groupId}-evaluations` }) : undefined;
  return {
    secretBox: loadSecretBox(config.SPANLENS_SECRET_KEY, join(config.SPANLENS_DATA_DIR, 'secret.key')),
    evaluations: { evaluate, ...(lease ? { lease } : {}) },
  };
}

/** The start line about who may open the dashboard. */
export function dashboardAccessLine(config: Config): string {
  return config.SPANLENS_ADMIN_TOKEN
    ? 'spanlens: dashboard sign-in needs SPANLENS_ADMIN_TOKEN'
    : 'spanlens: no SPANLENS_ADMIN_TOKEN set: the dashboard answers only loopback clients (127.0.0.1, ::1); set it to open the dashboard to other machines';
}

/** Collector, API and dashboard in one process on one storage; through Kafka when KAFKA_BROKERS is set. */
/**
 * Loads the span table's marks in the background for a process that serves trace detail
 * (first visits on 10 M spans: median 57-70 -> 48-51 ms). Its close must await the returned
 * promise before closing storage: closing chDB under a running statement crashes it.
 */
function warmCaches(storage: Storage): Promise<void> {
  return prewarmCaches(storage).catch(() => undefined);
}

export async function startSpanlens(config: Config): Promise<Spanlens> {
  return starting(async (opened) => {
    const storage = await openMigratedStorage(config);
    const warming = warmCaches(storage);
    opened(async () => {
      await warming;
      await storage.close();
    });
    const generatedKey = await ensureDefaultProject(storage, config.SPANLENS_INIT_API_KEY);
    const keys = new KeyCache(storage);
    const collector = await startCollector(collectorOptions(config, storage, keys, config.KAFKA_BROKERS ? 'ingest+write' : 'local'));
    opened(() => collector.close());
    const alerts = await alertOptions(config);
    if (alerts.lease) opened(() => alerts.lease!.close());
    const evaluations = await evaluationOptions(config);
    if (evaluations.evaluations?.lease) opened(() => evaluations.evaluations!.lease!.close());
    const api = await buildApi({
      ...evaluations,
      storage,
      keys,
      retentionDays: config.SPANLENS_RETENTION_DAYS,
      dashboardDir,
      adminToken: config.SPANLENS_ADMIN_TOKEN,
      rateLimitPerMinute: config.SPANLENS_API_RATE_LIMIT,
      alerts,
      log: processLogger(config),
      onPricesChanged: () => collector.reloadPrices(),
      onRedactionChanged: () => collector.reloadRedaction(),
      otlpHttpEndpoint: `http://${config.SPANLENS_HOST === '0.0.0.0' ? '127.0.0.1' : config.SPANLENS_HOST}:${collector.httpPort}/v1/traces`,
    });
    opened(() => api.close());
    await api.listen({ host: config.SPANLENS_HOST, port: config.SPANLENS_API_PORT });
    return {
      storage,
      collector,
      apiPort: addressPort(api.server.address()),
      generatedKey,
      async close() {
        await api.close();
        await collector.close();
        await warming;
        await storage.close();
      },
    };
  });
}

/** The API and dashboard alone: `spanlens api` in the many-machine deployment. */
export async function startApiOnly(config: Config): Promise<{ storage: Storage; apiPort: number; close(): Promise<void> }> {
  return starting(async (opened) => {
    const storage = await openMigratedStorage(config);
    const warming = warmCaches(storage);
    opened(async () => {
      await warming;
      await storage.close();
    });
    await ensureDefaultProject(storage, config.SPANLENS_INIT_API_KEY);
    const alerts = await alertOptions(config);
    if (alerts.lease) opened(() => alerts.lease!.close());
    const evaluations = await evaluationOptions(config);
    if (evaluations.evaluations?.lease) opened(() => evaluations.evaluations!.lease!.close());
    const api = await buildApi({
      ...evaluations,
      storage,
      keys: new KeyCache(storage),
      retentionDays: config.SPANLENS_RETENTION_DAYS,
      dashboardDir,
      adminToken: config.SPANLENS_ADMIN_TOKEN,
      rateLimitPerMinute: config.SPANLENS_API_RATE_LIMIT,
      alerts,
      log: processLogger(config),
    });
    opened(() => api.close());
    await api.listen({ host: config.SPANLENS_HOST, port: config.SPANLENS_API_PORT });
    return {
      storage,
      apiPort: addressPort(api.server.address()),
      async close() {
        await api.close();
        await warming;
        await storage.close();
      },
    };
  });
}
