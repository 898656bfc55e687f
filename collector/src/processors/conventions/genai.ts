import type { AttrValue, Attributes, DecodedSpan } from '../../model.ts';
import type { SpanKind } from '@spanlens/clickhouse';
import { asText, fill, indexed, normalizeProvider, num, parseJson, str, strList, type ChatMessage, type Convention } from './fields.ts';

const OPERATION_KIND: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  completion: 'llm',
  embeddings: 'embedding',
  embedding: 'embedding',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  retrieval: 'retriever',
};

/** Attributes by which a later convention states a span's kind explicitly. */
const EXPLICIT_KIND_KEYS = ['openinference.span.kind', 'traceloop.span.kind', 'llm.request.type', 'ai.operationId'];

/** OpenTelemetry GenAI semantic conventions: current names first, then the deprecated ones. */
export const genai: Convention = {
  name: 'opentelemetry-genai',
  map(span, f) {
    const a = span.attributes;
    const operation = str(a, 'gen_ai.operation.name');
    const provider = str(a, 'gen_ai.provider.name', 'gen_ai.system');
    const requestModel = str(a, 'gen_ai.request.model');
    const responseModel = str(a, 'gen_ai.response.model');
    if (operation) fill(f, 'kind', OPERATION_KIND[operation]);
    // Without an operation a model only suggests an LLM call; a convention that names the
    // kind outright (OpenLLMetry's llm.request.type=embedding, traceloop.span.kind, ...) decides.
    if (!operation && (provider || requestModel || responseModel) && !EXPLICIT_KIND_KEYS.some((k) => str(a, k) !== undefined)) {
      fill(f, 'kind', 'llm');
    }
    fill(f, 'operation', operation);
    fill(f, 'provider', normalizeProvider(provider));
    fill(f, 'model', responseModel ?? requestModel);
    fill(f, 'requestModel', requestModel);
    fill(f, 'inputTokens', num(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'));
    fill(f, 'outputTokens', num(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'));
    fill(f, 'totalTokens', num(a, 'gen_ai.usage.total_tokens'));
    fill(f, 'cachedTokens', num(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'gen_ai.usage.cached_tokens'));
    fill(f, 'reasoningTokens', num(a, 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens'));
    fill(f, 'costUsd', num(a, 'gen_ai.usage.cost', 'gen_ai.usage.cost_usd'));
    fill(f, 'ttftMs', secondsToMs(num(a, 'gen_ai.response.time_to_first_chunk', 'gen_ai.server.time_to_first_token')));
    fill(f, 'finishReason', strList(a, 'gen_ai.response.finish_reasons')?.[0]);
    fill(f, 'sessionId', str(a, 'gen_ai.conversation.id'));
    // OpenAI's `user` request field, the end user's id (OpenLIT sends it as gen_ai.request.user).
    fill(f, 'userId', str(a, 'gen_ai.request.user'));
    fill(f, 'promptName', str(a, 'gen_ai.prompt.name'));

    fill(f, 'inputMessages', currentInputMessages(a) ?? indexedMessages(a, 'gen_ai.prompt') ?? eventMessages(span, 'input'));
    fill(f, 'outputMessages', partsMessages(a['gen_ai.output.messages']) ?? indexedMessages(a, 'gen_ai.completion') ?? eventMessages(span, 'output'));
    // Older single-attribute forms (span events gen_ai.content.prompt/completion).
    for (const e of span.events) {
      if (e.name === 'gen_ai.content.prompt') fill(f, 'inputText', str(e.attributes, 'gen_ai.prompt'));
      if (e.name === 'gen_ai.content.completion') fill(f, 'outputText', str(e.attributes, 'gen_ai.completion'));
    }
    const outParts = parseMaybe(a['gen_ai.output.messages']);
    if (Array.isArray(outParts)) {
      const first = outParts.find((m) => isRecord(m) && typeof m.finish_reason === 'string');
      if (isRecord(first)) fill(f, 'finishReason', first.finish_reason as string);
    }
    fill(f, 'finishReason', str(a, 'gen_ai.completion.0.finish_reason', 'anthropic.message.stop_reason'));
    const choice = span.events.find((e) => e.name === 'gen_ai.choice');
    if (choice) fill(f, 'finishReason', str(choice.attributes, 'finish_reason'));
  },
};

function secondsToMs(s: number | undefined): number | undefined {
  return s === undefined ? undefined : s * 1000;
}

function currentInputMessages(a: Attributes): ChatMessage[] | undefined {
  const raw = a['gen_ai.system_instructions'];
  const system = parseMaybe(raw);
  const msgs = partsMessages(a['gen_ai.input.messages']);
  let content: string | undefined;
  if (Array.isArray(system) && system.length > 0) {
    content = system
      .map((p) => (isRecord(p) ? asText(p.content) : asText(p)))
      .filter(Boolean)
      .join('\n');
  } else if (typeof raw === 'string' && raw !== '' && system === undefined) {
    content = raw; // plain text rather than the JSON parts array
  }
  if (!content) return msgs;
  // Some instrumentations send the system prompt both ways; store it once.
  if (msgs?.some((m) => m.role === 'system' && m.content.trim() === content!.trim())) return msgs;
  return [{ role: 'system', content }, ...(msgs ?? [])];
}

/** gen_ai.input.messages / gen_ai.output.messages: [{ role, parts: [{ type, content | name/arguments }] }]. */
export function partsMessages(v: AttrValue | undefined): ChatMessage[] | undefined {
  const list = parseMaybe(v);
  if (!Array.isArray(list)) return undefined;
  const out: ChatMessage[] = [];
  for (const m of list) {
    if (!isRecord(m)) continue;
    const msg: ChatMessage = { role: typeof m.role === 'string' ? m.role : 'user', content: '' };
    const texts: string[] = [];
    for (const p of Array.isArray(m.parts) ? m.parts : []) {
      if (!isRecord(p)) continue;
      if (p.type === 'tool_call') {
        (msg.toolCalls ??= []).push({ id: optStr(p.id), name: asText(p.name), arguments: asText(p.arguments) });
      } else if (p.type === 'tool_call_response') {
        msg.toolCallId = optStr(p.id);
        texts.push(asText(p.response ?? p.result));
      } else if (p.content !== undefined && p.content !== null) {
        texts.push(asText(p.content)); // text, reasoning; uri/blob/file parts carry no text
      }
    }
    if (typeof m.content === 'string') texts.push(m.content);
    msg.content = texts.filter((t) => t !== '').join('\n');
    out.push(msg);
  }
  return out.length ? out : undefined;
}

/** gen_ai.prompt.N.role / .content and gen_ai.completion.N.*, also used by OpenLLMetry. */
export function indexedMessages(a: Attributes, prefix: string): ChatMessage[] | undefined {
  const rows = indexed(a, prefix);
  if (rows.length === 0) return undefined;
  return rows.map((r) => {
    const msg: ChatMessage = { role: asText(r.role) || (prefix.endsWith('completion') ? 'assistant' : 'user'), content: asText(r.content) };
    const calls = new Map<number, { id?: string; name: string; arguments: string }>();
    for (const key in r) {
      const m = /^tool_calls\.(\d+)\.(id|name|arguments)$/.exec(key);
      if (!m) continue;
      const call = calls.get(Number(m[1])) ?? { name: '', arguments: '' };
      if (m[2] === 'id') call.id = asText(r[key]);
      else call[m[2] as 'name' | 'arguments'] = asText(r[key]);
      calls.set(Number(m[1]), call);
    }
    if (calls.size) msg.toolCalls = [...calls.entries()].sort((x, y) => x[0] - y[0]).map(([, c]) => c);
    if (r.tool_call_id !== undefined) msg.toolCallId = asText(r.tool_call_id);
    return msg;
  });
}

const EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** The 2024 span-event form: gen_ai.user.message ... and gen_ai.choice. */
function eventMessages(span: DecodedSpan, side: 'input' | 'output'): ChatMessage[] | undefined {
  const out: ChatMessage[] = [];
  for (const e of span.events) {
    if (side === 'input' && EVENT_ROLES[e.name]) {
      const role = EVENT_ROLES[e.name]!;
      const msg: ChatMessage = { role, content: asText(e.attributes.content ?? e.attributes['gen_ai.event.content'] ?? '') };
      const calls = toolCalls(e.attributes.tool_calls);
      if (calls) msg.toolCalls = calls;
      const callId = optStr(e.attributes.id ?? e.attributes.tool_call_id);
      if (role === 'tool' && callId) msg.toolCallId = callId;
      out.push(msg);
    } else if (side === 'output' && e.name === 'gen_ai.choice') {
      const message = parseMaybe(e.attributes.message);
      const msg: ChatMessage = { role: 'assistant', content: isRecord(message) ? asText(message.content) : asText(e.attributes.content ?? '') };
      const calls = isRecord(message) ? toolCalls(message.tool_calls) : undefined;
      if (calls) msg.toolCalls = calls;
      out.push(msg);
    }
  }
  return out.length ? out : undefined;
}

/** OpenAI-shaped tool calls: [{ id, type, function: { name, arguments } }] (arguments absent without content capture). */
function toolCalls(v: unknown): ChatMessage['toolCalls'] {
  const list = parseMaybe(v as AttrValue);
  if (!Array.isArray(list)) return undefined;
  const calls = list.filter(isRecord).map((c) => {
    const fn = isRecord(c.function) ? c.function : c;
    return { id: optStr(c.id), name: asText(fn.name), arguments: asText(fn.arguments) };
  });
  return calls.length ? calls : undefined;
}

function parseMaybe(v: AttrValue | undefined): unknown {
  if (typeof v === 'string') return parseJson(v);
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
