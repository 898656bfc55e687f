/** What `init()` accepts; every field falls back to the environment, then to a default. */
export interface InitOptions {
  /** Collector base URL (OTLP/HTTP port). Env: SPANLENS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT. Default http://127.0.0.1:4318. */
  endpoint?: string;
  /** Project API key, sent as `Authorization: Bearer`. Env: SPANLENS_API_KEY. */
  apiKey?: string;
  /** Env: OTEL_SERVICE_NAME. Default 'unknown_service'. */
  serviceName?: string;
  /** deployment.environment.name. Env: SPANLENS_ENVIRONMENT. */
  environment?: string;
  /** service.version. Env: SPANLENS_RELEASE. */
  release?: string;
  /** Fraction of traces kept, 0..1 (decided at the root, children follow). Env: SPANLENS_SAMPLE_RATE. Default 1. */
  sampleRate?: number;
  /** Record prompts, completions and observed inputs/outputs. Env: SPANLENS_CAPTURE_CONTENT ('false' to turn off). Default true. */
  captureContent?: boolean;
  /** Spans held for export at most; beyond it new spans are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Longest text recorded per attribute, in characters. Default 100000. */
  maxContentLength?: number;
  /** How long finished LLM calls wait before their spans are built, in a batch, off the call path. Default 50 ms. */
  spanBuildDelayMs?: number;
}

export interface ResolvedConfig {
  endpoint: string;
  apiKey: string | undefined;
  serviceName: string;
  environment: string | undefined;
  release: string | undefined;
  sampleRate: number;
  captureContent: boolean;
  maxQueueSize: number;
  maxContentLength: number;
  spanBuildDelayMs: number;
}

type Env = Record<string, string | undefined>;

export function resolveConfig(options: InitOptions = {}, env: Env = process.env): ResolvedConfig {
  const endpoint = options.endpoint ?? env.SPANLENS_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318';
  const rate = options.sampleRate ?? numberOr(env.SPANLENS_SAMPLE_RATE, 1);
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    apiKey: options.apiKey ?? env.SPANLENS_API_KEY,
    serviceName: options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'unknown_service',
    environment: options.environment ?? env.SPANLENS_ENVIRONMENT,
    release: options.release ?? env.SPANLENS_RELEASE,
    sampleRate: Math.min(1, Math.max(0, Number.isFinite(rate) ? rate : 1)),
    captureContent: options.captureContent ?? env.SPANLENS_CAPTURE_CONTENT?.toLowerCase() !== 'false',
    maxQueueSize: options.maxQueueSize ?? 2048,
    maxContentLength: options.maxContentLength ?? 100_000,
    spanBuildDelayMs: options.spanBuildDelayMs ?? 50,
  };
}

function numberOr(v: string | undefined, fallback: number): number {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
}
