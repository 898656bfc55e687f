import { z } from 'zod';
import { COLLECTOR_DEFAULTS as D, LOG_LEVELS, type KafkaSettings } from '@spanlens/collector';

const port = z.coerce.number().int().min(0).max(65535);

/** Every setting comes from the environment; the README's configuration table mirrors this schema. */
export const configSchema = z.object({
  SPANLENS_DATA_DIR: z.string().min(1).default('./.spanlens'),
  SPANLENS_HOST: z.string().min(1).default('127.0.0.1'),
  SPANLENS_OTLP_HTTP_PORT: port.default(4318),
  SPANLENS_OTLP_GRPC_PORT: port.default(4317),
  SPANLENS_API_PORT: port.default(3000),
  SPANLENS_INIT_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SPANLENS_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SPANLENS_ALERTS: z.enum(['on', 'off']).default('on'),
  SPANLENS_EVALUATIONS: z.enum(['on', 'off']).default('on'),
  SPANLENS_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  SPANLENS_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  SPANLENS_PUBLIC_URL: z.url().optional(),
  SPANLENS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(D.retentionDays),
  SPANLENS_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(D.maxBodyBytes),
  SPANLENS_MAX_SPANS_PER_REQUEST: z.coerce.number().int().min(1).default(D.limits.maxSpansPerRequest),
  SPANLENS_MAX_ATTRIBUTES: z.coerce.number().int().min(1).default(D.limits.maxAttributes),
  SPANLENS_MAX_ATTRIBUTE_LENGTH: z.coerce.number().int().min(16).default(D.limits.maxAttributeLength),
  SPANLENS_MAX_CONTENT_LENGTH: z.coerce.number().int().min(16).default(D.limits.maxContentLength),
  SPANLENS_MAX_EVENTS: z.coerce.number().int().min(0).default(D.limits.maxEvents),
  SPANLENS_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SPANLENS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(D.requestTimeoutMs),
  SPANLENS_INGEST_RATE_LIMIT: z.coerce.number().int().min(0).default(D.rateLimitSpansPerSecond),
  SPANLENS_API_RATE_LIMIT: z.coerce.number().int().min(0).default(1_200),
  SPANLENS_MAX_QUEUE_SPANS: z.coerce.number().int().min(100).default(D.maxQueueRows),
  SPANLENS_LOG_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1 << 20)
    .default(D.logMaxBytes),
  SPANLENS_REPEAT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(D.repeatWindowSeconds),
  SPANLENS_BATCH_MAX_SPANS: z.coerce.number().int().min(1).default(D.maxBatchRows),
  SPANLENS_BATCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1 << 16)
    .default(D.maxBatchBytes),
  SPANLENS_BATCH_MAX_DELAY_MS: z.coerce.number().int().min(0).default(D.maxBatchDelayMs),
  CLICKHOUSE_URL: z.url().optional(),
  KAFKA_BROKERS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be host:port[,host:port...]')
    .optional(),
  SPANLENS_KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/)
    .default('spanlens.'),
  SPANLENS_KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(3),
  SPANLENS_KAFKA_GROUP: z.string().min(1).default('spanlens-writers'),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function kafkaSettings(config: Config, clientId: string): KafkaSettings | undefined {
  if (!config.KAFKA_BROKERS) return undefined;
  return {
    brokers: config.KAFKA_BROKERS.split(','),
    clientId,
    topicPrefix: config.SPANLENS_KAFKA_TOPIC_PREFIX,
    partitions: config.SPANLENS_KAFKA_PARTITIONS,
    groupId: config.SPANLENS_KAFKA_GROUP,
  };
}
