/** What `init()` accepts; every field falls back to the environment, then to a default. */
export interface InitOptions {
  /** Collector base URL (OTLP/HTTP port). Env: SPANLENS_ENDPOINT, OTEL_EXPORTER_OTLP_ENDPOINT. Default http://127.0.0.1:4318. */
  endpoint?: string;
  /** Project API key, sent as `Authorization: Bearer`. Env: SPANLENS_API_KEY. */
  apiKey?: string;
  /** Env: OTEL_SERVICE_NAME, then `service.name` in OTEL_RESOURCE_ATTRIBUTES. Default: OpenTelemetry's own (`unknown_service:node`). */
  serviceName?: string;
  /** deployment.environment.name. Env: SPANLENS_ENVIRONMENT. */
  environment?: string;
  /** service.version. Env: SPANLENS_RELEASE. */
  release?: string;
  /** Fraction of traces kept, 0..1 (decided at the root, children follow). Env: SPANLENS_SAMPLE_RATE. Default 1. */
  sampleRate?: number;
  /** Record prompts, completions and observed inputs/outputs. Env: SPANLENS_CAPTURE_CONTENT (`false`, `0`, `no` or `off` turn it off). Default true. */
  captureContent?: boolean;
  /** Spans held for export at most (an integer, at least 1); beyond it new spans are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Longest text recorded per attribute, in characters (an integer, at least 1). Default 100000. */
  maxContentLength?: number;
  /** How long finished LLM calls wait before their spans are built, in a batch, off the call path (0 or more). Default 50 ms. */
  spanBuildDelayMs?: number;
}

export interface ResolvedConfig {
  endpoint: string;
  apiKey: string | undefined;
  /** Undefined when neither given nor in OTEL_SERVICE_NAME: OpenTelemetry's resource detection decides. */
  serviceName: string | undefined;
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
  const endpoint = options.endpoint || text(env.SPANLENS_ENDPOINT) || text(env.OTEL_EXPORTER_OTLP_ENDPOINT) || 'http://127.0.0.1:4318';
  const rate = options.sampleRate ?? numberOr(env.SPANLENS_SAMPLE_RATE, 1);
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    apiKey: options.apiKey || text(env.SPANLENS_API_KEY),
    serviceName: options.serviceName || text(env.OTEL_SERVICE_NAME),
    environment: options.environment || text(env.SPANLENS_ENVIRONMENT),
    release: options.release || text(env.SPANLENS_RELEASE),
    sampleRate: Math.min(1, Math.max(0, Number.isFinite(rate) ? rate : 1)),
    captureContent: options.captureContent ?? !FALSE.has(text(env.SPANLENS_CAPTURE_CONTENT)?.toLowerCase() ?? ''),
    maxQueueSize: atLeast(1, options.maxQueueSize, DEFAULTS.maxQueueSize),
    maxContentLength: atLeast(1, options.maxContentLength, DEFAULTS.maxContentLength),
    spanBuildDelayMs: Math.max(0, Number.isFinite(options.spanBuildDelayMs) ? options.spanBuildDelayMs! : DEFAULTS.spanBuildDelayMs),
  };
}

// The same words and defaults as the Python SDK (sdk/python/src/spanlens/_config.py).
const FALSE = new Set(['false', '0', 'no', 'off']);
const DEFAULTS = { maxQueueSize: 2048, maxContentLength: 100_000, spanBuildDelayMs: 50 };

/** An environment value, trimmed; undefined when unset or blank. */
function text(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** An integer option of at least `min` (fractions truncated); the default when unset or not a number. */
function atLeast(min: number, v: number | undefined, fallback: number): number {
  return v === undefined || !Number.isFinite(v) ? fallback : Math.max(min, Math.trunc(v));
}

function numberOr(v: string | undefined, fallback: number): number {
  const n = v === undefined || v.trim() === '' ? NaN : Number(v);
  return Number.isFinite(n) ? n : fallback;
}
