import type { Attributes } from '@opentelemetry/api';
import {
  clean,
  LlmCall,
  patch,
  recordCall,
  serverAttributes,
  suppressed,
  type CallKind,
  type ContentKey,
  type GenAiMessage,
  type Method,
  type Part,
  type ResultDescriber,
  type StartDescriber,
  type Usage,
} from './genai.ts';
import { observeStream, type StreamKind } from './stream.ts';

// Structural shapes of the `@anthropic-ai/sdk` messages API.
type Block = { type: string; text?: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown };
interface MessageIn {
  role: string;
  content: string | Block[];
}
interface MessageParams {
  model: string;
  messages: MessageIn[];
  system?: string | Block[];
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
}
interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}
interface Message {
  id?: string;
  model?: string;
  content?: Block[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}
interface StreamEvent {
  type: string;
  message?: Message;
  index?: number;
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
}

/**
 * Records every `messages.create` call (and `messages.stream`, which goes through it) of
 * an official Anthropic client. Returns the same client; results are untouched.
 */
export function wrapAnthropic<T extends object>(client: T): T {
  try {
    const c = client as unknown as { messages?: Record<string, unknown>; baseURL?: unknown };
    const server = serverAttributes(c.baseURL);
    patch(c.messages, 'create', (orig) => messagesCreate(orig, server));
    // stream() starts the client's own span before it calls create(); ours, inside, is the one kept.
    patch(c.messages, 'stream', (orig) => (params: never, options?: unknown) => suppressed(() => orig(params, options)));
  } catch {
    // an unexpected client shape: leave it as it is
  }
  return client;
}

const MESSAGES_START: StartDescriber = {
  name: (params) => `chat ${(params as MessageParams).model}`,
  start(params, server) {
    const p = params as MessageParams;
    return clean({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': p.model,
      'gen_ai.request.max_tokens': p.max_tokens,
      'gen_ai.request.temperature': p.temperature,
      'gen_ai.request.top_p': p.top_p,
      'gen_ai.request.top_k': p.top_k,
      'gen_ai.request.stop_sequences': p.stop_sequences,
      ...server,
    });
  },
  input(params, copy) {
    const system = (params as MessageParams).system;
    const out: Array<[ContentKey, unknown]> = [];
    if (system) out.push(['gen_ai.system_instructions', typeof system === 'string' ? [{ type: 'text', content: system }] : system.map(toPart)]);
    out.push([
      'gen_ai.input.messages',
      (copy as MessageIn[]).map(
        (m): GenAiMessage => ({
          role: m.role,
          parts: typeof m.content === 'string' ? [{ type: 'text', content: m.content }] : m.content.map(toPart),
        }),
      ),
    ]);
    return out;
  },
};

const MESSAGE_RESULT: ResultDescriber = {
  output(value) {
    const m = value as Message;
    return [{ role: 'assistant', parts: (m.content ?? []).map(toPart), finish_reason: m.stop_reason ?? undefined }];
  },
  finish(value) {
    const m = value as Message;
    return {
      attributes: { 'gen_ai.response.id': m.id ?? '', 'gen_ai.response.model': m.model ?? '', 'gen_ai.response.finish_reasons': m.stop_reason ? [m.stop_reason] : [] },
      usage: usageOf(m.usage),
    };
  },
};

const STREAM_RESULT: ResultDescriber = {
  output: (value) => streamOutput(value as StreamEvent[]).messages,
  finish(value) {
    const out = streamOutput(value as StreamEvent[]);
    return {
      attributes: { 'gen_ai.response.id': out.start?.id ?? '', 'gen_ai.response.model': out.start?.model ?? '', 'gen_ai.response.finish_reasons': out.stopReason ? [out.stopReason] : [] },
      usage: usageOf(out.usage),
    };
  },
};

function messagesCreate(orig: Method, server: Attributes): Method {
  const kind: CallKind = {
    // The messages array is copied: the app may push to it before the span is built.
    begin: (params) => new LlmCall(MESSAGES_START, params, server, (params as MessageParams).messages.slice()),
    onValue(call, value, params) {
      if ((params as MessageParams).stream) observeStream(value as AsyncIterable<StreamEvent>, call, MESSAGE_STREAM);
      else call.succeed(MESSAGE_RESULT, value);
    },
    suppress: true,
  };
  return (params: never, options?: unknown) => recordCall(orig, params, options, kind);
}

// While the app iterates, events are only kept; they are read when the span is built.
const MESSAGE_STREAM: StreamKind<StreamEvent> = {
  firstToken: (e) => e.type === 'content_block_delta',
  result: STREAM_RESULT,
};

interface StreamOutput {
  start?: Message;
  stopReason?: string;
  usage: AnthropicUsage;
  messages: GenAiMessage[];
}
const streamOutputs = new WeakMap<StreamEvent[], StreamOutput>();

function streamOutput(events: StreamEvent[]): StreamOutput {
  const cached = streamOutputs.get(events);
  if (cached) return cached;
  let start: Message | undefined;
  let stopReason: string | undefined;
  const usage: AnthropicUsage = {};
  const blocks = new Map<number, { block: Block; text: string[]; json: string[] }>();
  for (const e of events) {
    switch (e.type) {
      case 'message_start':
        start = e.message;
        Object.assign(usage, e.message?.usage);
        break;
      case 'content_block_start':
        if (e.content_block) blocks.set(e.index ?? 0, { block: e.content_block, text: [], json: [] });
        break;
      case 'content_block_delta': {
        const b = blocks.get(e.index ?? 0);
        if (b && e.delta?.text) b.text.push(e.delta.text);
        if (b && e.delta?.partial_json) b.json.push(e.delta.partial_json);
        break;
      }
      case 'message_delta':
        if (e.delta?.stop_reason) stopReason = e.delta.stop_reason;
        for (const [k, v] of Object.entries(e.usage ?? {})) if (v !== null && v !== undefined) (usage as Record<string, number>)[k] = v as number;
        break;
    }
  }
  const parts = [...blocks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, b]) => {
      if (b.block.type === 'tool_use') return toPart({ ...b.block, input: parseOr(b.json.join(''), b.block.input) });
      return toPart({ ...b.block, text: (b.block.text ?? '') + b.text.join('') });
    });
  const out = { start, stopReason, usage, messages: [{ role: 'assistant', parts, finish_reason: stopReason }] };
  streamOutputs.set(events, out);
  return out;
}

// OpenTelemetry counts cached prompt tokens inside input tokens; Anthropic reports them apart.
function usageOf(u: AnthropicUsage | undefined): Usage {
  if (!u) return {};
  const read = u.cache_read_input_tokens ?? 0;
  const creation = u.cache_creation_input_tokens ?? 0;
  return {
    input: u.input_tokens === null || u.input_tokens === undefined ? undefined : u.input_tokens + read + creation,
    output: u.output_tokens ?? undefined,
    cacheRead: read,
    cacheCreation: creation,
  };
}

function toPart(b: Block): Part {
  switch (b.type) {
    case 'text':
      return { type: 'text', content: b.text ?? '' };
    case 'tool_use':
      return { type: 'tool_call', id: b.id, name: b.name ?? '', arguments: b.input ?? {} };
    case 'tool_result':
      return { type: 'tool_call_response', id: b.tool_use_id, response: typeof b.content === 'string' ? b.content : (b.content ?? '') };
    default:
      return { type: b.type };
  }
}

function parseOr(json: string, fallback: unknown): unknown {
  if (!json) return fallback;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
