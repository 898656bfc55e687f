import type { SpanKind } from '@spanlens/clickhouse';
import type { AttrValue } from '../../model.ts';
import { asText, fill, normalizeProvider, num, parseJson, str, type ChatMessage, type Convention } from './fields.ts';

/** Vercel AI SDK (`experimental_telemetry`): ai.* attributes, v4 and v5 names. */
export const vercelAi: Convention = {
  name: 'vercel-ai-sdk',
  map(span, f) {
    const a = span.attributes;
    const op = str(a, 'ai.operationId');
    if (!op && str(a, 'ai.model.id') === undefined) return;
    fill(f, 'kind', kindOf(op ?? ''));
    fill(f, 'model', str(a, 'ai.response.model', 'ai.model.id'));
    fill(f, 'requestModel', str(a, 'ai.model.id'));
    fill(f, 'provider', normalizeProvider(str(a, 'ai.model.provider')));
    // ai.usage.tokens: the single count embed / embedMany spans report.
    fill(f, 'inputTokens', num(a, 'ai.usage.inputTokens', 'ai.usage.promptTokens', 'ai.usage.tokens'));
    fill(f, 'outputTokens', num(a, 'ai.usage.outputTokens', 'ai.usage.completionTokens'));
    fill(f, 'totalTokens', num(a, 'ai.usage.totalTokens'));
    fill(f, 'cachedTokens', num(a, 'ai.usage.cachedInputTokens'));
    fill(f, 'reasoningTokens', num(a, 'ai.usage.reasoningTokens'));
    fill(f, 'ttftMs', num(a, 'ai.response.msToFirstChunk'));
    fill(f, 'finishReason', str(a, 'ai.response.finishReason'));
    fill(f, 'userId', str(a, 'ai.telemetry.metadata.userId', 'ai.telemetry.metadata.user_id'));
    fill(f, 'sessionId', str(a, 'ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.session_id'));
    fill(f, 'inputMessages', promptMessages(a['ai.prompt.messages']) ?? promptMessages(a['ai.prompt']));
    const text = str(a, 'ai.response.text');
    const calls = parseJson(str(a, 'ai.response.toolCalls') ?? '');
    if (text !== undefined || (Array.isArray(calls) && calls.some(isRecord))) {
      const msg: ChatMessage = { role: 'assistant', content: text ?? '' };
      if (Array.isArray(calls) && calls.some(isRecord)) {
        msg.toolCalls = calls.filter(isRecord).map((c) => ({
          id: typeof c.toolCallId === 'string' ? c.toolCallId : undefined,
          name: asText(c.toolName),
          arguments: asText(c.args ?? c.input),
        }));
      }
      fill(f, 'outputMessages', [msg]);
    }
    if (op === 'ai.toolCall') {
      fill(f, 'inputText', str(a, 'ai.toolCall.args', 'ai.toolCall.input'));
      fill(f, 'outputText', str(a, 'ai.toolCall.result', 'ai.toolCall.output'));
    }
    fill(f, 'outputText', str(a, 'ai.response.object'));
    // Embedding inputs: each value JSON-encoded (ai.value '"hello"', ai.values ['"hello"', '"world"']).
    const value = a['ai.value'];
    if (value !== undefined) fill(f, 'inputText', decodedValue(value));
    const values = a['ai.values'];
    if (Array.isArray(values) && values.length) fill(f, 'inputText', JSON.stringify(values.map(decodedValue)));
    else fill(f, 'inputText', str(a, 'ai.values'));
  },
};

/** A JSON-encoded value as its text: '"hello"' -> hello; anything else as it is written. */
function decodedValue(v: AttrValue): string {
  const text = asText(v);
  const parsed = parseJson(text);
  return typeof parsed === 'string' ? parsed : text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(op: string): SpanKind | undefined {
  if (op === 'ai.toolCall') return 'tool';
  // Only the provider call is the embedding: the outer ai.embed / ai.embedMany span carries
  // the same model and usage, and pricing both would count the cost twice (as ai.generateText
  // is a chain around its doGenerate call).
  if (/\.doEmbed$/.test(op)) return 'embedding';
  if (/\.(doGenerate|doStream)$/.test(op)) return 'llm';
  if (op.startsWith('ai.')) return 'chain';
  return undefined;
}

/** ai.prompt.messages: [{ role, content: string | [{ type: 'text', text } | { type: 'tool-call', ... }] }]; ai.prompt: { system, prompt, messages }. */
function promptMessages(v: AttrValue | undefined): ChatMessage[] | undefined {
  const parsed = typeof v === 'string' ? parseJson(v) : v;
  if (parsed && !Array.isArray(parsed) && typeof parsed === 'object') {
    const p = parsed as Record<string, unknown>;
    const out: ChatMessage[] = [];
    if (typeof p.system === 'string') out.push({ role: 'system', content: p.system });
    if (typeof p.prompt === 'string') out.push({ role: 'user', content: p.prompt });
    if (Array.isArray(p.messages)) out.push(...(promptMessages(p.messages as AttrValue) ?? []));
    return out.length ? out : undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  return parsed
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    .map((m) => {
      const msg: ChatMessage = { role: asText(m.role) || 'user', content: '' };
      if (typeof m.content === 'string') msg.content = m.content;
      else if (Array.isArray(m.content)) {
        const texts: string[] = [];
        for (const part of m.content as Array<Record<string, unknown>>) {
          if (part?.type === 'text') texts.push(asText(part.text));
          else if (part?.type === 'tool-call') {
            (msg.toolCalls ??= []).push({ id: asText(part.toolCallId), name: asText(part.toolName), arguments: asText(part.args ?? part.input) });
          } else if (part?.type === 'tool-result') {
            msg.toolCallId = asText(part.toolCallId);
            // v5+: output is { type: 'json' | 'text' | 'error-text' ..., value }.
            const output = part.output;
            texts.push(asText(part.result ?? (isRecord(output) && typeof output.type === 'string' && 'value' in output ? output.value : output)));
          }
        }
        msg.content = texts.join('\n');
      }
      return msg;
    });
}
