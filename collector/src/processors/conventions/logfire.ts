import { fill, num, str, type Convention } from './fields.ts';

/**
 * Pydantic Logfire. Span names are message templates ("Chat Completion with
 * {request_data[model]!r}") with the rendered message in logfire.msg. A streamed call arrives
 * as two spans: the request (no usage, no answer) and, when the stream ends, a zero-length
 * "streaming response" record (logfire.span_type=log) with the answer, the usage and the
 * stream's length in `duration` (seconds). The record is the LLM call, with its real duration;
 * the request is the chain around it, so the call is counted and priced once, not estimated twice.
 */
export const logfire: Convention = {
  name: 'logfire',
  map(span, f) {
    const a = span.attributes;
    const type = str(a, 'logfire.span_type');
    if (!type) return;
    const template = str(a, 'logfire.msg_template');
    if (template !== undefined && template === span.name) fill(f, 'displayName', str(a, 'logfire.msg'));
    if (!str(a, 'gen_ai.operation.name')) return;
    const duration = num(a, 'duration');
    if (type === 'log' && duration !== undefined && duration > 0 && duration < 7 * 86_400 && span.endNs === span.startNs) fill(f, 'durationNs', Math.round(duration * 1e9));
    const answered = Object.keys(a).some((k) => k.startsWith('gen_ai.usage.') || k === 'gen_ai.output.messages' || k === 'gen_ai.response.id');
    if (type === 'span' && !answered && span.statusCode !== 2) fill(f, 'kind', 'chain');
  },
};
