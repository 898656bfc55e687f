// The shape of a planned trace and the builders of its spans: LLM and embedding calls in the
// OpenTelemetry GenAI conventions (the names collector/src/processors/conventions/ reads).
import type { Rng } from './random.ts';

export type AttrValue = string | number | boolean | string[];
export type Attrs = Record<string, AttrValue>;
/** The kind Spanlens derives from the attributes (what the API returns as `kind`). */
export type DemoKind = 'llm' | 'chain' | 'tool' | 'retriever' | 'embedding' | 'agent' | 'reranker' | 'span';

export interface PlannedEvent {
  name: string;
  timeMs: number;
  attributes: Attrs;
}

export interface PlannedSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: DemoKind;
  otelKind: 'server' | 'client' | 'internal';
  /** Epoch milliseconds (fractions allowed). */
  startMs: number;
  endMs: number;
  attributes: Attrs;
  /** Status message of a failed span; null: the span did not fail. */
  error: string | null;
  events: PlannedEvent[];
}

/** Who and where a trace runs: resource attributes and the identity every span carries. */
export interface TraceContext {
  service: string;
  environment: string;
  release: string;
  userId: string;
  sessionId: string | null;
  tags: string[];
  /** After the halfway change (new model and prompt for support-bot). */
  changed: boolean;
}

export interface ModelProfile {
  provider: 'openai' | 'anthropic';
  request: string;
  response: string;
  tokensPerSec: number;
  ttftMs: number;
  host: string;
}

// Production apps pin model snapshots, so a failed call (no response model) and a successful one
// group under the same name.
export const MODELS = {
  'gpt-4o': { provider: 'openai', request: 'gpt-4o-2024-08-06', response: 'gpt-4o-2024-08-06', tokensPerSec: 85, ttftMs: 420, host: 'api.openai.com' },
  'gpt-4o-mini': { provider: 'openai', request: 'gpt-4o-mini-2024-07-18', response: 'gpt-4o-mini-2024-07-18', tokensPerSec: 120, ttftMs: 300, host: 'api.openai.com' },
  'o3-mini': { provider: 'openai', request: 'o3-mini-2025-01-31', response: 'o3-mini-2025-01-31', tokensPerSec: 150, ttftMs: 900, host: 'api.openai.com' },
  'claude-sonnet-4': { provider: 'anthropic', request: 'claude-sonnet-4-20250514', response: 'claude-sonnet-4-20250514', tokensPerSec: 62, ttftMs: 700, host: 'api.anthropic.com' },
  'claude-3-5-haiku': { provider: 'anthropic', request: 'claude-3-5-haiku-20241022', response: 'claude-3-5-haiku-20241022', tokensPerSec: 105, ttftMs: 380, host: 'api.anthropic.com' },
  'text-embedding-3-small': { provider: 'openai', request: 'text-embedding-3-small', response: 'text-embedding-3-small', tokensPerSec: 0, ttftMs: 0, host: 'api.openai.com' },
} as const satisfies Record<string, ModelProfile>;
export type ModelName = keyof typeof MODELS;

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}
export interface Msg {
  role: 'user' | 'assistant' | 'tool';
  content?: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

export class TraceBuilder {
  readonly spans: PlannedSpan[] = [];

  constructor(
    readonly traceId: string,
    private readonly ids: Rng,
    readonly rng: Rng,
    readonly ctx: TraceContext,
  ) {}

  /** A span carrying the trace's identity (as an SDK context would put on every span). */
  span(parent: PlannedSpan | null, name: string, kind: DemoKind, otelKind: PlannedSpan['otelKind'], startMs: number, durationMs: number, attributes: Attrs = {}): PlannedSpan {
    const identity: Attrs = { 'user.id': this.ctx.userId };
    if (this.ctx.sessionId) identity['session.id'] = this.ctx.sessionId;
    if (this.ctx.tags.length) identity['spanlens.tags'] = this.ctx.tags;
    const s: PlannedSpan = {
      spanId: this.ids.hex(8),
      parentSpanId: parent?.spanId ?? null,
      name,
      kind,
      otelKind,
      startMs,
      endMs: startMs + Math.max(0.05, durationMs),
      attributes: Object.assign(identity, attributes),
      error: null,
      events: [],
    };
    this.spans.push(s);
    return s;
  }

  fail(span: PlannedSpan, type: string, message: string): PlannedSpan {
    span.error = message;
    span.attributes['error.type'] = type;
    span.events.push({ name: 'exception', timeMs: span.endMs, attributes: { 'exception.type': type, 'exception.message': message } });
    return span;
  }
}

/** gen_ai.input.messages / gen_ai.output.messages: `[{ role, parts: [...] }]`. */
function parts(m: Msg): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  if (m.role === 'tool') out.push({ type: 'tool_call_response', id: m.toolCallId ?? '', response: m.content ?? '' });
  else if (m.content) out.push({ type: 'text', content: m.content });
  for (const c of m.toolCalls ?? []) out.push({ type: 'tool_call', id: c.id, name: c.name, arguments: c.arguments });
  return out;
}

export function messagesJson(messages: Msg[], finishReason?: string): string {
  return JSON.stringify(messages.map((m) => ({ role: m.role, parts: parts(m), ...(finishReason ? { finish_reason: finishReason } : {}) })));
}

export interface LlmCall {
  model: ModelName;
  system?: string;
  messages: Msg[];
  reply: { content?: string; toolCalls?: ToolCall[] };
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  stream?: boolean;
  prompt?: { name: string; version: string };
  /** A cost the client computed itself (gen_ai.usage.cost); otherwise the collector prices the call. */
  costUsd?: number;
  /** Name the provider with the deprecated gen_ai.system, as older instrumentations do. */
  legacyProviderAttr?: boolean;
  failure?: 'rate_limit' | 'timeout' | null;
  temperature?: number;
}

/** One chat call: latency from the model's speed, usage, messages, streaming TTFT, or a failure. */
export function llmSpan(tb: TraceBuilder, parent: PlannedSpan, startMs: number, call: LlmCall): PlannedSpan {
  const { rng, ctx } = tb;
  const p: ModelProfile = MODELS[call.model];
  const a: Attrs = {
    'gen_ai.operation.name': 'chat',
    [call.legacyProviderAttr ? 'gen_ai.system' : 'gen_ai.provider.name']: p.provider,
    'gen_ai.request.model': p.request,
    'server.address': p.host,
    'gen_ai.input.messages': messagesJson(call.messages),
  };
  if (call.temperature !== undefined) a['gen_ai.request.temperature'] = call.temperature;
  if (call.system) a['gen_ai.system_instructions'] = JSON.stringify([{ type: 'text', content: call.system }]);
  if (call.prompt) {
    a['gen_ai.prompt.name'] = call.prompt.name;
    a['spanlens.prompt.version'] = call.prompt.version;
  }
  if (ctx.sessionId) a['gen_ai.conversation.id'] = ctx.sessionId;
  const name = `chat ${p.request}`;

  if (call.failure === 'rate_limit') {
    // Refused before any work: no tokens billed.
    Object.assign(a, { 'gen_ai.usage.input_tokens': 0, 'gen_ai.usage.output_tokens': 0 });
    const s = tb.span(parent, name, 'llm', 'client', startMs, rng.lognormal(180, 0.4), a);
    const message =
      p.provider === 'openai'
        ? `429 Rate limit reached for ${p.request} in organization org-demo on tokens per min (TPM): Limit 800000, Used ${rng.int(790000, 799900)}, Requested ${call.inputTokens}. Please try again in ${rng.int(200, 2000)}ms.`
        : '429 {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization of 400,000 input tokens per minute."}}';
    return tb.fail(s, 'RateLimitError', message);
  }
  if (call.failure === 'timeout') {
    // No usage came back: the collector counts the prompt's tokens itself (tokensEstimated).
    const s = tb.span(parent, name, 'llm', 'client', startMs, 30_000 + rng.range(5, 120), a);
    return tb.fail(s, 'APITimeoutError', 'Request timed out after 30000 ms.');
  }

  const reasoning = call.reasoningTokens ?? 0;
  const tps = rng.lognormal(p.tokensPerSec, 0.2);
  const ttft = rng.lognormal(p.ttftMs + call.inputTokens * 0.05, 0.3) + (reasoning / tps) * 1000;
  const duration = ttft + ((call.outputTokens - reasoning) / tps) * 1000;
  const toolUse = (call.reply.toolCalls?.length ?? 0) > 0;
  const finish = p.provider === 'openai' ? (toolUse ? 'tool_calls' : 'stop') : toolUse ? 'tool_use' : 'end_turn';
  Object.assign(a, {
    'gen_ai.response.model': p.response,
    'gen_ai.response.id': p.provider === 'openai' ? `chatcmpl-${tb.traceId.slice(0, 8)}${rng.hex(6)}` : `msg_01${rng.hex(11)}`,
    'gen_ai.usage.input_tokens': call.inputTokens,
    'gen_ai.usage.output_tokens': call.outputTokens,
    'gen_ai.response.finish_reasons': [finish],
    'gen_ai.output.messages': messagesJson([{ role: 'assistant', ...call.reply }], finish),
  });
  if (call.cachedTokens) a['gen_ai.usage.cache_read.input_tokens'] = call.cachedTokens;
  if (reasoning) a['gen_ai.usage.reasoning.output_tokens'] = reasoning;
  if (call.costUsd !== undefined) a['gen_ai.usage.cost'] = call.costUsd;
  if (call.stream) a['gen_ai.response.time_to_first_chunk'] = Math.round(ttft) / 1000;
  return tb.span(parent, name, 'llm', 'client', startMs, duration, a);
}

/** An embeddings call (text-embedding-3-small): priced by the collector from its input tokens. */
export function embeddingSpan(tb: TraceBuilder, parent: PlannedSpan, startMs: number, inputTokens: number): PlannedSpan {
  const p = MODELS['text-embedding-3-small'];
  return tb.span(parent, `embeddings ${p.request}`, 'embedding', 'client', startMs, tb.rng.lognormal(70, 0.4), {
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': p.provider,
    'gen_ai.request.model': p.request,
    'gen_ai.response.model': p.response,
    'gen_ai.usage.input_tokens': inputTokens,
    'gen_ai.embeddings.dimension.count': 1536,
    'server.address': p.host,
  });
}

/** Rough token count of a text (about four characters a token). */
export function tokens(text: string): number {
  return Math.max(1, Math.round(text.length / 4));
}
