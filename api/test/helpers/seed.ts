import { formatDateTime64, type SpanRow } from '@spanlens/clickhouse';

/** A deterministic PRNG (mulberry32), so expected values can be computed from the rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function spanRow(project: string, overrides: Partial<SpanRow> & Pick<SpanRow, 'trace_id' | 'span_id' | 'start_time' | 'end_time' | 'duration_ns'>): SpanRow {
  return {
    project_id: project,
    parent_span_id: '',
    name: 'span',
    kind: 'llm',
    otel_kind: 'client',
    model: '',
    request_model: '',
    provider: '',
    operation: '',
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    cached_tokens: 0,
    reasoning_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0,
    cost_estimated: false,
    cost_source: 'none',
    ttft_ms: null,
    finish_reason: '',
    status: 'ok',
    status_message: '',
    input: '',
    output: '',
    user_id: '',
    session_id: '',
    service: '',
    environment: '',
    release: '',
    prompt_name: '',
    prompt_version: '',
    tags: [],
    attributes: {},
    resource_attributes: {},
    events: '',
    redactions: 0,
    ...overrides,
  };
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const MODELS = [
  ['gpt-4o', 'openai'],
  ['gpt-4o-mini', 'openai'],
  ['claude-sonnet-4', 'anthropic'],
] as const;
const SERVICES = ['support-bot', 'search-api'];
const ENVS = ['production', 'staging'];

export interface SeedOptions {
  project: string;
  traces: number;
  /** Traces are spread evenly over [endMs - spanMs, endMs). */
  endMs: number;
  spanMs: number;
  seed?: number;
  traceOffset?: number;
}

/**
 * Traces of a root chain span with one or two LLM children (model, tokens, cost, TTFT,
 * user, session, tags, prompt), about one in seven failing.
 */
export function seedTraces(o: SeedOptions): SpanRow[] {
  const rnd = prng(o.seed ?? 1);
  const rows: SpanRow[] = [];
  const step = o.spanMs / o.traces;
  for (let i = 0; i < o.traces; i++) {
    const t = i + (o.traceOffset ?? 0);
    const traceId = hex(t + 1, 32);
    const startMs = Math.floor(o.endMs - o.spanMs + i * step);
    const start = BigInt(startMs) * 1_000_000n + BigInt(Math.floor(rnd() * 1e6));
    const user = `user-${t % 7}`;
    const session = `session-${t % 11}`;
    const service = SERVICES[t % 2]!;
    const environment = ENVS[t % 3 === 0 ? 1 : 0]!;
    const tags = t % 4 === 0 ? ['beta', 'vip'] : t % 4 === 1 ? ['beta'] : [];
    const children = 1 + (t % 2);
    let cursor = start + 1_000_000n;
    const kids: SpanRow[] = [];
    for (let c = 0; c < children; c++) {
      const [model, provider] = MODELS[(t + c) % 3]!;
      const durNs = BigInt(Math.floor(50 + rnd() * 2000)) * 1_000_000n;
      const input = Math.floor(10 + rnd() * 900);
      const output = Math.floor(5 + rnd() * 300);
      const failed = (t * 3 + c) % 7 === 0;
      kids.push(
        spanRow(o.project, {
          trace_id: traceId,
          span_id: hex(t * 10 + c + 1, 16),
          parent_span_id: hex(t * 10, 16) + '',
          name: `chat ${model}`,
          kind: 'llm',
          start_time: formatDateTime64(cursor),
          end_time: formatDateTime64(cursor + durNs),
          duration_ns: Number(durNs),
          model,
          request_model: model,
          provider,
          operation: 'chat',
          input_tokens: input,
          output_tokens: output,
          total_tokens: input + output,
          cost_usd: Math.round(input * 2.5 + output * 10) / 1e6,
          cost_source: 'table',
          ttft_ms: c === 0 ? Math.floor(20 + rnd() * 400) : null,
          status: failed ? 'error' : 'ok',
          status_message: failed ? 'rate limited' : '',
          input: JSON.stringify([{ role: 'user', content: `question ${t} about ${t % 5 === 0 ? 'refunds' : 'shipping'}` }]),
          output: failed ? '' : JSON.stringify([{ role: 'assistant', content: `answer ${t}` }]),
          user_id: user,
          session_id: session,
          service,
          environment,
          release: t < o.traces / 2 ? 'v1' : 'v2',
          prompt_name: 'support',
          prompt_version: String(1 + (t % 2)),
          tags,
        }),
      );
      cursor += durNs + 1_000_000n;
    }
    const end = cursor + 1_000_000n;
    rows.push(
      spanRow(o.project, {
        trace_id: traceId,
        span_id: hex(t * 10, 16),
        name: `handle-${service}`,
        kind: 'chain',
        otel_kind: 'server',
        start_time: formatDateTime64(start),
        end_time: formatDateTime64(end),
        duration_ns: Number(end - start),
        status: kids.some((k) => k.status === 'error') ? 'error' : 'ok',
        user_id: user,
        session_id: session,
        service,
        environment,
        release: t < o.traces / 2 ? 'v1' : 'v2',
        tags,
      }),
      ...kids,
    );
  }
  return rows;
}

/** Nanoseconds since the epoch of a span's ClickHouse start time. */
export function startNs(row: SpanRow): bigint {
  const [date, time] = row.start_time.split(' ');
  const [whole, frac = '0'] = time!.split('.');
  return BigInt(Date.parse(`${date}T${whole}Z`)) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}
