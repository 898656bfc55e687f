import type { AttrValue, Attributes, DecodedSpan } from '../../model.ts';
import type { SpanKind } from '@spanlens/clickhouse';

/** A chat message in the one shape Spanlens stores, whatever convention it came from. */
export interface ChatMessage {
  role: string;
  content: string;
  toolCalls?: Array<{ id?: string; name: string; arguments: string }>;
  toolCallId?: string;
}

/** The LLM fields a convention can fill; the first convention to set a field wins. */
export interface LlmFields {
  kind?: SpanKind;
  /** The span's name to show, when the one sent is a template (Logfire). */
  displayName?: string;
  /** The real length of a span sent with none, ending at its end (Logfire's stream records). */
  durationNs?: number;
  model?: string;
  requestModel?: string;
  provider?: string;
  operation?: string;
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cachedTokens?: number;
  reasoningTokens?: number;
  costUsd?: number;
  ttftMs?: number;
  finishReason?: string;
  inputMessages?: ChatMessage[];
  outputMessages?: ChatMessage[];
  inputText?: string;
  outputText?: string;
  userId?: string;
  sessionId?: string;
  promptName?: string;
  promptVersion?: string;
  tags?: string[];
}

/** One convention in the wild (OpenTelemetry GenAI, OpenInference, ...), mapped onto LlmFields. */
export interface Convention {
  readonly name: string;
  map(span: DecodedSpan, fields: LlmFields): void;
}

/** Sets `key` only when an earlier (higher-precedence) convention left it empty. */
export function fill<K extends keyof LlmFields>(fields: LlmFields, key: K, value: LlmFields[K] | undefined): void {
  if (value === undefined || fields[key] !== undefined) return;
  if (typeof value === 'string' && value === '') return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'number' && !Number.isFinite(value)) return;
  fields[key] = value;
}

export function str(attrs: Attributes, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  }
  return undefined;
}

export function num(attrs: Attributes, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
}

export function strList(attrs: Attributes, ...keys: string[]): string[] | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x !== '');
    if (typeof v === 'string' && v !== '') {
      const parsed = parseJson(v);
      if (Array.isArray(parsed)) return parsed.filter((x): x is string => typeof x === 'string');
      return [v];
    }
  }
  return undefined;
}

export function parseJson(text: string): unknown {
  const c = text.trimStart()[0];
  if (c !== '[' && c !== '{' && c !== '"') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Text of a value that may be a string, a structured value or JSON text. */
export function asText(v: AttrValue | unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * Gathers flattened indexed attributes (`prefix.0.role`, `prefix.0.content`, ...) into
 * an array of objects keyed by the rest of the name: `[{ role, content }]`.
 */
export function indexed(attrs: Attributes, prefix: string): Array<Record<string, AttrValue>> {
  const out: Array<Record<string, AttrValue>> = [];
  const p = prefix + '.';
  for (const key in attrs) {
    if (!key.startsWith(p)) continue;
    const rest = key.slice(p.length);
    const dot = rest.indexOf('.');
    if (dot <= 0) continue;
    const i = Number(rest.slice(0, dot));
    if (!Number.isInteger(i) || i < 0 || i > 10_000) continue;
    (out[i] ??= {})[rest.slice(dot + 1)] = attrs[key] ?? null;
  }
  return out.filter(Boolean);
}

/** Milliseconds from the span's start to its first event of that name (a stream's first token). */
export function firstEventMs(span: DecodedSpan, name: string): number | undefined {
  const first = span.events.find((e) => e.name === name);
  return first && first.timeNs >= span.startNs ? Number(first.timeNs - span.startNs) / 1e6 : undefined;
}

/** Lower-cases and maps a provider spelling onto the names the price table uses. */
export function normalizeProvider(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const v = p.toLowerCase();
  const head = v.split('.')[0] ?? v; // Vercel: 'openai.chat', 'anthropic.messages'
  const aliases: Record<string, string> = {
    az: 'azure',
    'azure.ai.openai': 'azure',
    azure_openai: 'azure',
    'aws.bedrock': 'aws',
    bedrock: 'aws',
    'gcp.gemini': 'google',
    'gcp.vertex_ai': 'google',
    'gcp.gen_ai': 'google',
    vertex_ai: 'google',
    gemini: 'google',
    'google.generative-ai': 'google',
    mistral_ai: 'mistral',
    mistralai: 'mistral',
    x_ai: 'x-ai',
    xai: 'x-ai',
  };
  return aliases[v] ?? aliases[head] ?? head;
}
