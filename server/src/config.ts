import { z } from 'zod';
import { DEFAULT_MAX_BATCH_BYTES, type KafkaSettings } from '@spanlens/collector';

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
  SPANLENS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  SPANLENS_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  SPANLENS_MAX_SPANS_PER_REQUEST: z.coerce.number().int().min(1).default(10_000),
  SPANLENS_MAX_ATTRIBUTES: z.coerce.number().int().min(1).default(256),
  SPANLENS_MAX_ATTRIBUTE_LENGTH: z.coerce.number().int().min(16).default(16_384),
  SPANLENS_MAX_CONTENT_LENGTH: z.coerce.number().int().min(16).default(262_144),
  SPANLENS_MAX_EVENTS: z.coerce.number().int().min(0).default(128),
  SPANLENS_LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  SPANLENS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  SPANLENS_INGEST_RATE_LIMIT: z.coerce.number().int().min(0).default(50_000),
  SPANLENS_API_RATE_LIMIT: z.coerce.number().int().min(0).default(1_200),
  SPANLENS_MAX_QUEUE_SPANS: z.coerce.number().int().min(100).default(20_000),
  SPANLENS_LOG_MAX_BYTES: z.coerce.number().int().min(1 << 20).default(1 << 30),
  SPANLENS_REPEAT_WINDOW_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(3600),
  SPANLENS_BATCH_MAX_SPANS: z.coerce.number().int().min(1).default(20_000),
  SPANLENS_BATCH_MAX_BYTES: z.coerce.number().int().min(1 << 16).default(DEFAULT_MAX_BATCH_BYTES),
  SPANLENS_BATCH_MAX_DELAY_MS: z.coerce.number().int().min(0).default(50),
  CLICKHOUSE_URL: z.url().optional(),
  KAFKA_BROKERS: z.string().regex(/^[^,\s]+(,[^,\s]+)*$/, 'must be host:port[,host:port...]').optional(),
  SPANLENS_KAFKA_TOPIC_PREFIX: z.string().regex(/^[\w.-]*$/).default('spanlens.'),
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
