import type { SpanKind } from '@spanlens/clickhouse';
import { fill, firstEventMs, num, str, strList, type Convention } from './fields.ts';

const KINDS: Record<string, SpanKind> = { workflow: 'chain', task: 'chain', agent: 'agent', tool: 'tool' };
const REQUEST_KINDS: Record<string, SpanKind> = { chat: 'llm', completion: 'llm', embedding: 'embedding', rerank: 'reranker' };

/** OpenLLMetry / Traceloop. Its LLM spans also carry gen_ai.prompt.N.* (read by the GenAI mapper). */
export const openllmetry: Convention = {
  name: 'openllmetry',
  map(span, f) {
    const a = span.attributes;
    const kind = str(a, 'traceloop.span.kind');
    if (kind) fill(f, 'kind', KINDS[kind]);
    const requestType = str(a, 'llm.request.type');
    if (requestType) fill(f, 'kind', REQUEST_KINDS[requestType]);
    fill(f, 'totalTokens', num(a, 'llm.usage.total_tokens'));
    // Python OpenLLMetry marks every streamed chunk with an event; the first is the first token.
    fill(f, 'ttftMs', firstEventMs(span, 'gen_ai.content.completion.chunk'));
    fill(f, 'inputText', str(a, 'traceloop.entity.input'));
    fill(f, 'outputText', str(a, 'traceloop.entity.output'));
    fill(f, 'userId', str(a, 'traceloop.association.properties.user_id', 'traceloop.association.properties.userId'));
    fill(f, 'sessionId', str(a, 'traceloop.association.properties.session_id', 'traceloop.association.properties.sessionId'));
    fill(f, 'promptName', str(a, 'traceloop.prompt.key'));
    fill(f, 'promptVersion', str(a, 'traceloop.prompt.version'));
    fill(f, 'tags', strList(a, 'traceloop.association.properties.tags'));
  },
};
