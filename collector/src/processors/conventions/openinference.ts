import type { SpanKind } from '@spanlens/clickhouse';
import type { AttrValue, Attributes } from '../../model.ts';
import { asText, fill, firstEventMs, indexed, normalizeProvider, num, parseJson, str, strList, type ChatMessage, type Convention } from './fields.ts';

const KINDS: Record<string, SpanKind> = {
  LLM: 'llm',
  CHAIN: 'chain',
  TOOL: 'tool',
  RETRIEVER: 'retriever',
  EMBEDDING: 'embedding',
  AGENT: 'agent',
  RERANKER: 'reranker',
  GUARDRAIL: 'guardrail',
  EVALUATOR: 'evaluator',
  // A step that renders a prompt template (LangChain's ChatPromptTemplate): part of a chain.
  PROMPT: 'chain',
};

/** OpenInference (Arize Phoenix instrumentations). */
export const openinference: Convention = {
  name: 'openinference',
  map(span, f) {
    const a = span.attributes;
    const kind = str(a, 'openinference.span.kind');
    if (kind) fill(f, 'kind', KINDS[kind.toUpperCase()]);
    fill(f, 'model', str(a, 'llm.model_name', 'embedding.model_name'));
    fill(f, 'finishReason', str(a, 'llm.finish_reason'));
    // The Python instrumentations mark a stream's first token with an event.
    fill(f, 'ttftMs', firstEventMs(span, 'First Token Stream Event'));
    fill(f, 'provider', normalizeProvider(str(a, 'llm.provider', 'llm.system')));
    fill(f, 'inputTokens', num(a, 'llm.token_count.prompt'));
    fill(f, 'outputTokens', num(a, 'llm.token_count.completion'));
    fill(f, 'totalTokens', num(a, 'llm.token_count.total'));
    fill(f, 'cachedTokens', num(a, 'llm.token_count.prompt_details.cache_read'));
    fill(f, 'reasoningTokens', num(a, 'llm.token_count.completion_details.reasoning'));
    fill(f, 'costUsd', num(a, 'llm.cost.total') ?? sum(num(a, 'llm.cost.prompt'), num(a, 'llm.cost.completion')));
    fill(f, 'inputMessages', messages(a, 'llm.input_messages'));
    fill(f, 'outputMessages', messages(a, 'llm.output_messages'));
    fill(f, 'inputText', str(a, 'input.value'));
    fill(f, 'outputText', str(a, 'output.value'));
    fill(f, 'userId', str(a, 'user.id'));
    fill(f, 'sessionId', str(a, 'session.id'));
    fill(f, 'tags', strList(a, 'tag.tags'));
    fill(f, 'promptName', str(a, 'llm.prompt_template.name', 'prompt.id'));
    fill(f, 'promptVersion', str(a, 'llm.prompt_template.version', 'prompt.version'));
    const params = parseJson(str(a, 'llm.invocation_parameters') ?? '');
    if (params && typeof params === 'object' && !Array.isArray(params)) {
      const requested = asOptionalText((params as Record<string, unknown>).model);
      fill(f, 'requestModel', requested);
      // Error spans of the Python instrumentations carry the model only here.
      fill(f, 'model', requested);
    }
  },
};

function sum(x: number | undefined, y: number | undefined): number | undefined {
  return x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
}

function asOptionalText(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** llm.input_messages.N.message.role / .content / .contents.M.message_content.text / .tool_calls.M.tool_call.function.* */
function messages(a: Attributes, prefix: string): ChatMessage[] | undefined {
  const rows = indexed(a, prefix);
  if (rows.length === 0) return undefined;
  return rows.map((r) => {
    const msg: ChatMessage = { role: asText(r['message.role']) || 'user', content: asText(r['message.content'] ?? '') };
    if (!msg.content) msg.content = contents(r);
    const calls = new Map<number, { id?: string; name: string; arguments: string }>();
    for (const key in r) {
      const m = /^message\.tool_calls\.(\d+)\.tool_call\.(id|function\.name|function\.arguments)$/.exec(key);
      if (!m) continue;
      const call = calls.get(Number(m[1])) ?? { name: '', arguments: '' };
      const v = asText(r[key] as AttrValue);
      if (m[2] === 'id') call.id = v;
      else if (m[2] === 'function.name') call.name = v;
      else call.arguments = v;
      calls.set(Number(m[1]), call);
    }
    if (calls.size) msg.toolCalls = [...calls.entries()].sort((x, y) => x[0] - y[0]).map(([, c]) => c);
    if (r['message.tool_call_id'] !== undefined) msg.toolCallId = asText(r['message.tool_call_id']);
    return msg;
  });
}

function contents(r: Record<string, AttrValue>): string {
  const parts: Array<[number, string]> = [];
  for (const key in r) {
    const m = /^message\.contents\.(\d+)\.message_content\.text$/.exec(key);
    if (m) parts.push([Number(m[1]), asText(r[key])]);
  }
  return parts
    .sort((x, y) => x[0] - y[0])
    .map(([, t]) => t)
    .join('\n');
}
