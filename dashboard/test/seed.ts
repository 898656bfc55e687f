// Seed data for the dashboard's browser tests: ordinary traces in the current and the previous
// 24 hours, and one agent trace with a known span tree, messages, tool calls and feedback.
import { formatDateTime64, type FeedbackRow, type SpanRow } from '@spanlens/clickhouse';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');
const MS = 1_000_000n;

function span(project: string, o: Partial<SpanRow> & Pick<SpanRow, 'trace_id' | 'span_id' | 'name'> & { startMs: number; durMs: number }): SpanRow {
  const { startMs, durMs, ...rest } = o;
  const start = BigInt(Math.round(startMs)) * MS;
  const dur = BigInt(Math.round(durMs)) * MS;
  return {
    project_id: project,
    parent_span_id: '',
    kind: 'span',
    otel_kind: 'internal',
    start_time: formatDateTime64(start),
    end_time: formatDateTime64(start + dur),
    duration_ns: Number(dur),
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
    ...rest,
  };
}

const MODELS = [
  ['gpt-4o-mini', 'openai', 0.15, 0.6],
  ['claude-sonnet-4', 'anthropic', 3, 15],
  ['gpt-4o', 'openai', 2.5, 10],
] as const;

/** `count` traces spread over [endMs - spreadMs, endMs): a chain root with one or two LLM calls. */
export function ordinaryTraces(project: string, count: number, endMs: number, spreadMs: number, offset = 0): SpanRow[] {
  const rows: SpanRow[] = [];
  for (let i = 0; i < count; i++) {
    const t = i + offset;
    const traceId = hex(0x1000 + t, 32);
    const startMs = endMs - spreadMs + (i * spreadMs) / count;
    const service = t % 2 ? 'search-api' : 'support-bot';
    const common = {
      trace_id: traceId,
      user_id: `user-${t % 7}`,
      session_id: `session-${t % 9}`,
      service,
      environment: t % 3 ? 'production' : 'staging',
      release: 'v1',
      tags: t % 4 === 0 ? ['beta'] : [],
    };
    let at = startMs + 2;
    const kids: SpanRow[] = [];
    for (let c = 0; c < 1 + (t % 2); c++) {
      const [model, provider, pin, pout] = MODELS[(t + c) % 3]!;
      const input = 100 + ((t * 37 + c * 11) % 900);
      const output = 20 + ((t * 53 + c * 7) % 300);
      const dur = 150 + ((t * 97 + c * 31) % 2400);
      const failed = (t + c) % 9 === 4;
      kids.push(
        span(project, {
          ...common,
          span_id: hex(t * 16 + c + 1, 16),
          parent_span_id: hex(t * 16, 16),
          name: `chat ${model}`,
          kind: 'llm',
          otel_kind: 'client',
          startMs: at,
          durMs: dur,
          model,
          request_model: model,
          provider,
          operation: 'chat',
          input_tokens: input,
          output_tokens: output,
          total_tokens: input + output,
          cost_usd: (input * pin + output * pout) / 1e6,
          cost_source: 'table',
          ttft_ms: 40 + (t % 200),
          finish_reason: failed ? '' : 'stop',
          status: failed ? 'error' : 'ok',
          status_message: failed ? 'rate limited (429)' : '',
          input: JSON.stringify([{ role: 'user', content: `Question ${t}: where is my ${t % 5 === 0 ? 'refund' : 'parcel'}?` }]),
          output: failed ? '' : JSON.stringify([{ role: 'assistant', content: `Answer ${t}.` }]),
        }),
      );
      at += dur + 3;
    }
    rows.push(
      span(project, {
        ...common,
        span_id: hex(t * 16, 16),
        name: `handle ${service}`,
        kind: 'chain',
        otel_kind: 'server',
        startMs,
        durMs: at - startMs + 2,
        status: kids.some((k) => k.status === 'error') ? 'error' : 'ok',
      }),
      ...kids,
    );
  }
  return rows;
}

export const AGENT_TRACE = 'abcdef0123456789abcdef0123456789';
export const AGENT_SPANS = 7;

/** One agent run: agent → (llm plan with a tool call, tool → retriever, llm answer, guardrail), plus an embedding. */
export function agentTrace(project: string, startMs: number): { spans: SpanRow[]; feedback: FeedbackRow[] } {
  const common = { trace_id: AGENT_TRACE, user_id: 'alice@example.com', session_id: 'conv-42', service: 'support-bot', environment: 'production', release: 'v2', tags: ['vip'] };
  const id = (n: number) => hex(0xa0 + n, 16);
  const llm = { kind: 'llm' as const, otel_kind: 'client', provider: 'openai', operation: 'chat', cost_source: 'table' as const };
  const spans: SpanRow[] = [
    span(project, { ...common, span_id: id(0), name: 'support-agent', kind: 'agent', startMs, durMs: 4200, attributes: { 'agent.name': 'support', 'app.request_id': 'req-7781' } }),
    span(project, {
      ...common,
      ...llm,
      span_id: id(1),
      parent_span_id: id(0),
      name: 'plan',
      startMs: startMs + 20,
      durMs: 1300,
      model: 'gpt-4o',
      request_model: 'gpt-4o',
      input_tokens: 820,
      output_tokens: 64,
      total_tokens: 884,
      cost_usd: 0.00269,
      ttft_ms: 310,
      finish_reason: 'tool_calls',
      input: JSON.stringify([
        { role: 'system', content: 'You are the support agent of Acme. Be brief.' },
        { role: 'user', content: 'Where is my order #1234?' },
      ]),
      output: JSON.stringify([{ role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"orderId":"1234"}' }] }]),
      attributes: { 'gen_ai.request.temperature': '0.2' },
    }),
    span(project, {
      ...common,
      span_id: id(2),
      parent_span_id: id(0),
      name: 'lookup_order',
      kind: 'tool',
      startMs: startMs + 1340,
      durMs: 900,
      input: '{"orderId":"1234"}',
      output: '{"status":"shipped","carrier":"UPS"}',
    }),
    span(project, { ...common, span_id: id(3), parent_span_id: id(2), name: 'search-orders', kind: 'retriever', startMs: startMs + 1400, durMs: 600, input: 'order 1234', output: '1 document' }),
    span(project, {
      ...common,
      ...llm,
      span_id: id(4),
      parent_span_id: id(0),
      name: 'answer',
      startMs: startMs + 2260,
      durMs: 1700,
      model: 'gpt-4o',
      request_model: 'gpt-4o',
      input_tokens: 960,
      output_tokens: 120,
      total_tokens: 1080,
      cost_usd: 0.0036,
      ttft_ms: 280,
      finish_reason: 'stop',
      redactions: 2,
      input: JSON.stringify([
        { role: 'system', content: 'You are the support agent of Acme. Be brief.' },
        { role: 'user', content: 'Where is my order #1234?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'lookup_order', arguments: '{"orderId":"1234"}' }] },
        { role: 'tool', content: '{"status":"shipped","carrier":"UPS"}', toolCallId: 'call_1' },
      ]),
      output: JSON.stringify([{ role: 'assistant', content: 'Your order #1234 has shipped with UPS.' }]),
    }),
    span(project, { ...common, span_id: id(5), parent_span_id: id(4), name: 'pii-check', kind: 'guardrail', startMs: startMs + 3970, durMs: 150 }),
    span(project, {
      ...common,
      span_id: id(6),
      parent_span_id: id(0),
      name: 'embed query',
      kind: 'embedding',
      otel_kind: 'client',
      startMs: startMs + 4000,
      durMs: 120,
      model: 'text-embedding-3-small',
      request_model: 'text-embedding-3-small',
      provider: 'openai',
      operation: 'embeddings',
      input_tokens: 12,
      total_tokens: 12,
      cost_usd: 0.00000024,
      cost_source: 'table',
    }),
  ];
  const at = formatDateTime64(BigInt(Math.round(startMs + 60_000)) * MS);
  const fb = (n: number, o: Partial<FeedbackRow>): FeedbackRow => ({
    project_id: project,
    id: `fb-${n}`,
    trace_id: AGENT_TRACE,
    span_id: '',
    name: 'helpful',
    data_type: 'boolean',
    value: 1,
    string_value: '',
    comment: '',
    source: 'user',
    author: '',
    user_id: 'alice@example.com',
    created_at: at,
    ...o,
  });
  return {
    spans,
    feedback: [fb(1, { comment: 'spot on' }), fb(2, { name: 'accuracy', data_type: 'numeric', value: 0.9, source: 'evaluation', author: 'judge-gpt', span_id: id(4) })],
  };
}
