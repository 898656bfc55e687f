import type { Attributes } from '@opentelemetry/api';
import { clean, LlmCall, patch, recordCall, serverAttributes, type CallKind, type GenAiMessage, type Method, type Part, type ResultDescriber, type StartDescriber, type Usage } from './genai.ts';
import { observeStream, type StreamKind } from './stream.ts';

// The shapes read from the `openai` package, kept structural so the SDK does not
// depend on it (any 4.x-6.x client fits).
interface ChatMessageIn {
  role: string;
  content?: string | Array<{ type: string; text?: string; [k: string]: unknown }> | null;
  tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }>;
  tool_call_id?: string;
}
interface ChatParams {
  model: string;
  messages: ChatMessageIn[];
  stream?: boolean | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  seed?: number | null;
  stop?: string | string[] | null;
}
interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}
interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{ index?: number; finish_reason?: string | null; message?: ChatMessageIn }>;
  usage?: OpenAIUsage | null;
}
interface ChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    finish_reason?: string | null;
    delta?: { content?: string | null; tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }> };
  }>;
  usage?: OpenAIUsage | null;
}
interface EmbeddingParams {
  model: string;
  input: unknown;
  dimensions?: number;
}
interface EmbeddingResponse {
  model?: string;
  data?: Array<{ embedding?: unknown }>;
  usage?: { prompt_tokens?: number };
}

interface Resource {
  [name: string]: unknown;
}

/**
 * Records every chat completion (streaming included) and embedding call of an official
 * OpenAI client. Patches the client's resource objects in place and returns the same
 * client; what each call returns is untouched (the same promise, the same stream object).
 */
export function wrapOpenAI<T extends object>(client: T): T {
  try {
    const c = client as unknown as { chat?: { completions?: Resource }; embeddings?: Resource; baseURL?: unknown };
    const server = serverAttributes(c.baseURL);
    patch(c.chat?.completions, 'create', (orig) => chatCreate(orig, server));
    patch(c.embeddings, 'create', (orig) => embeddingsCreate(orig, server));
  } catch {
    // an unexpected client shape: leave it as it is
  }
  return client;
}

const CHAT_START: StartDescriber = {
  name: (params) => `chat ${(params as ChatParams).model}`,
  start(params, server) {
    const p = params as ChatParams;
    return clean({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': p.model,
      'gen_ai.request.max_tokens': p.max_completion_tokens ?? p.max_tokens ?? undefined,
      'gen_ai.request.temperature': p.temperature ?? undefined,
      'gen_ai.request.top_p': p.top_p ?? undefined,
      'gen_ai.request.frequency_penalty': p.frequency_penalty ?? undefined,
      'gen_ai.request.presence_penalty': p.presence_penalty ?? undefined,
      'gen_ai.request.seed': p.seed ?? undefined,
      'gen_ai.request.stop_sequences': typeof p.stop === 'string' ? [p.stop] : (p.stop ?? undefined),
      ...server,
    });
  },
  input: (_params, copy) => [['gen_ai.input.messages', (copy as ChatMessageIn[]).map(toGenAi)]],
};

const CHAT_RESULT: ResultDescriber = {
  output: (value) => ((value as ChatCompletion).choices ?? []).map((c) => ({ ...toGenAi(c.message ?? { role: 'assistant' }), finish_reason: c.finish_reason ?? undefined })),
  finish(value) {
    const r = value as ChatCompletion;
    return {
      attributes: {
        'gen_ai.response.id': r.id ?? '',
        'gen_ai.response.model': r.model ?? '',
        'gen_ai.response.finish_reasons': (r.choices ?? []).map((c) => c.finish_reason ?? '').filter(Boolean),
      },
      usage: usageOf(r.usage),
    };
  },
};

const CHAT_STREAM_RESULT: ResultDescriber = {
  output: (value) => streamOutput(value as ChatChunk[]).messages,
  finish(value) {
    const out = streamOutput(value as ChatChunk[]);
    return {
      attributes: { 'gen_ai.response.id': out.id ?? '', 'gen_ai.response.model': out.model ?? '', 'gen_ai.response.finish_reasons': out.finishReasons },
      usage: usageOf(out.usage),
    };
  },
};

function chatCreate(orig: Method, server: Attributes): Method {
  const kind: CallKind = {
    // The messages array is copied: the app may push to it before the span is built.
    begin: (params) => new LlmCall(CHAT_START, params, server, (params as ChatParams).messages.slice()),
    onValue(call, value, params) {
      if ((params as ChatParams).stream) observeStream(value as AsyncIterable<ChatChunk>, call, CHAT_STREAM);
      else call.succeed(CHAT_RESULT, value);
    },
  };
  return (params: never, options?: unknown) => recordCall(orig, params, options, kind);
}

// While the app iterates, chunks are only kept; they are read when the span is built.
const CHAT_STREAM: StreamKind<ChatChunk> = {
  firstToken(chunk) {
    const d = chunk.choices?.[0]?.delta;
    return Boolean(d?.content || d?.tool_calls?.length);
  },
  result: CHAT_STREAM_RESULT,
};

interface StreamOutput {
  id?: string;
  model?: string;
  usage?: OpenAIUsage | null;
  finishReasons: string[];
  messages: GenAiMessage[];
}
const streamOutputs = new WeakMap<ChatChunk[], StreamOutput>();

/** Reassembles the reply from its chunks: text per choice, tool calls by index, usage from the last chunk. */
function streamOutput(chunks: ChatChunk[]): StreamOutput {
  const cached = streamOutputs.get(chunks);
  if (cached) return cached;
  const texts = new Map<number, string[]>();
  const tools = new Map<number, Map<number, { id?: string; name: string; args: string[] }>>();
  const finish = new Map<number, string>();
  let id: string | undefined;
  let model: string | undefined;
  let usage: OpenAIUsage | null | undefined;
  for (const chunk of chunks) {
    id ??= chunk.id;
    model ??= chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const ch of chunk.choices ?? []) {
      const i = ch.index ?? 0;
      const d = ch.delta;
      if (d?.content) {
        let t = texts.get(i);
        if (!t) texts.set(i, (t = []));
        t.push(d.content);
      }
      for (const tc of d?.tool_calls ?? []) {
        let calls = tools.get(i);
        if (!calls) tools.set(i, (calls = new Map()));
        const k = tc.index ?? 0;
        let entry = calls.get(k);
        if (!entry) calls.set(k, (entry = { name: '', args: [] }));
        if (tc.id) entry.id = tc.id;
        if (tc.function?.name) entry.name += tc.function.name;
        if (tc.function?.arguments) entry.args.push(tc.function.arguments);
      }
      if (ch.finish_reason) finish.set(i, ch.finish_reason);
    }
  }
  const indexes = [...new Set([...texts.keys(), ...tools.keys(), ...finish.keys()])].sort((a, b) => a - b);
  const messages = indexes.map((i): GenAiMessage => {
    const parts: Part[] = [];
    const text = texts.get(i)?.join('');
    if (text) parts.push({ type: 'text', content: text });
    for (const [, t] of [...(tools.get(i) ?? new Map<number, { id?: string; name: string; args: string[] }>())].sort((a, b) => a[0] - b[0])) {
      parts.push({ type: 'tool_call', id: t.id, name: t.name, arguments: t.args.join('') });
    }
    return { role: 'assistant', parts, finish_reason: finish.get(i) };
  });
  const out = { id, model, usage, finishReasons: indexes.map((i) => finish.get(i) ?? '').filter(Boolean), messages };
  streamOutputs.set(chunks, out);
  return out;
}

const EMBEDDINGS_START: StartDescriber = {
  name: (params) => `embeddings ${(params as EmbeddingParams).model}`,
  start(params, server) {
    const p = params as EmbeddingParams;
    return clean({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': p.model,
      'gen_ai.embeddings.dimension.count': p.dimensions,
      ...server,
    });
  },
  input: (_params, copy) => [['input.value', copy]],
};

const EMBEDDINGS_RESULT: ResultDescriber = {
  output: () => undefined,
  finish(value) {
    const r = value as EmbeddingResponse;
    return { attributes: { 'gen_ai.response.model': r.model ?? '' }, usage: { input: r.usage?.prompt_tokens } };
  },
};

function embeddingsCreate(orig: Method, server: Attributes): Method {
  const kind: CallKind = {
    begin(params) {
      const input = (params as EmbeddingParams).input;
      return new LlmCall(EMBEDDINGS_START, params, server, Array.isArray(input) ? input.slice() : input);
    },
    onValue: (call, value) => call.succeed(EMBEDDINGS_RESULT, value),
  };
  return (params: never, options?: unknown) => recordCall(orig, params, options, kind);
}

function usageOf(u: OpenAIUsage | null | undefined): Usage {
  if (!u) return {};
  return {
    input: u.prompt_tokens,
    output: u.completion_tokens,
    cacheRead: u.prompt_tokens_details?.cached_tokens,
    reasoning: u.completion_tokens_details?.reasoning_tokens,
  };
}

function toGenAi(m: ChatMessageIn): GenAiMessage {
  const parts: Part[] = [];
  if (m.role === 'tool') {
    parts.push({ type: 'tool_call_response', id: m.tool_call_id, response: textOf(m.content) });
    return { role: 'tool', parts };
  }
  const text = textOf(m.content);
  if (text) parts.push({ type: 'text', content: text });
  for (const tc of m.tool_calls ?? []) parts.push({ type: 'tool_call', id: tc.id, name: tc.function?.name ?? '', arguments: tc.function?.arguments ?? '' });
  return { role: m.role, parts };
}

function textOf(content: ChatMessageIn['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text)
    .join('\n');
}
