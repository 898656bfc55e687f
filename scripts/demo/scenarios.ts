// The three demo applications, each building one trace of nested spans:
//   support-bot: agent -> retriever -> embedding, chat with tool calls -> tools -> final streamed chat
//   search-api:  chain -> embedding, retriever, reranker -> streamed answer
//   summarizer:  chain -> split -> parallel chunk summaries -> reasoning model merge (explicit cost)
import { chunkSummary, DOC_PAGES, documentTitle, finalSummary, KB_ARTICLES, searchAnswer, searchQuery, SUPPORT_SYSTEM, SUPPORT_SYSTEM_V2_EXTRA, type SupportTopic } from './content.ts';
import { embeddingSpan, llmSpan, messagesJson, tokens, type LlmCall, type ModelName, type Msg, type PlannedSpan, type ToolCall, type TraceBuilder } from './model.ts';

interface Outcome {
  span: PlannedSpan;
  ok: boolean;
}

/** A chat call that may be rate limited (retried after a backoff, at most twice) or time out. */
function callWithRetry(tb: TraceBuilder, parent: PlannedSpan, startMs: number, call: LlmCall, rateLimitP: number, timeoutP: number): Outcome {
  let t = startMs;
  for (let attempt = 0; ; attempt++) {
    const failure = tb.rng.chance(rateLimitP) ? 'rate_limit' : tb.rng.chance(timeoutP) ? 'timeout' : null;
    const span = llmSpan(tb, parent, t, { ...call, failure });
    if (failure !== 'rate_limit' || attempt === 2) return { span, ok: failure === null };
    t = span.endMs + tb.rng.lognormal(1000 * 2 ** attempt, 0.3);
  }
}

/** Ends the root at its last child and marks it failed when a step it could not survive failed. */
function finish(tb: TraceBuilder, root: PlannedSpan, last: PlannedSpan, output: string | null): void {
  root.endMs = last.endMs + tb.rng.range(1, 6);
  if (output === null && last.error) tb.fail(root, String(last.attributes['error.type']), last.error);
  if (output === null) return;
  if (root.kind === 'agent') root.attributes['gen_ai.output.messages'] = messagesJson([{ role: 'assistant', content: output }], 'stop');
  else root.attributes['output.value'] = output;
}

const TOOL_LATENCY_MS: Record<string, number> = {
  lookup_order: 140,
  get_return_policy: 25,
  create_return_label: 420,
  get_payment_history: 210,
  update_shipping_address: 330,
  validate_coupon: 60,
  check_inventory: 90,
  escalate_to_human: 260,
};

function toolResult(name: string, args: Record<string, string>): string {
  const results: Record<string, unknown> = {
    lookup_order: { order_id: args.order_id, status: 'in_transit', carrier: 'UPS', eta_days: 2 },
    get_return_policy: { window_days: 30, free_returns: true },
    create_return_label: { label_url: 'https://returns.example.com/label/7f3a', emailed: true },
    get_payment_history: {
      charges: [
        { amount: 89.9, status: 'captured' },
        { amount: 89.9, status: 'pending_release' },
      ],
    },
    update_shipping_address: { updated: true },
    validate_coupon: { valid: false, reason: 'expired' },
    check_inventory: { in_stock: true, sizes: ['S', 'M', 'L'] },
    escalate_to_human: { ticket: `T-${args.customer_id?.slice(-4) ?? '0000'}`, sla_hours: 4 },
  };
  return JSON.stringify(results[name] ?? { ok: true });
}

export interface SupportTurn {
  index: number;
  topic: SupportTopic;
  history: Msg[];
}

export function supportBot(tb: TraceBuilder, t0: number, turn: SupportTurn): string | null {
  const { rng, ctx } = tb;
  const q = turn.topic.question;
  const root = tb.span(null, 'invoke_agent support-bot', 'agent', 'server', t0, 0, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': 'support-bot',
    'gen_ai.input.messages': messagesJson([{ role: 'user', content: q }]),
  });
  if (ctx.sessionId) root.attributes['gen_ai.conversation.id'] = ctx.sessionId;

  // Knowledge-base lookup: embed the question, search the vector index.
  const topK = ctx.changed ? 8 : 4;
  const docs = Array.from({ length: topK }, (_, i) => ({
    id: i === 0 && turn.topic.article ? turn.topic.article : rng.pick(KB_ARTICLES),
    score: Number((i === 0 ? rng.range(0.84, 0.95) : rng.range(0.55, 0.8)).toFixed(3)),
  })).sort((x, y) => y.score - x.score);
  const retr = tb.span(root, 'retrieval kb-articles', 'retriever', 'internal', t0 + rng.range(3, 12), 0, {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.data_source.id': 'kb-articles',
    'gen_ai.request.top_k': topK,
    'input.value': q,
    'output.value': JSON.stringify(docs),
  });
  const emb = embeddingSpan(tb, retr, retr.startMs + rng.range(0.5, 2), tokens(q) + 8);
  retr.endMs = emb.endMs + rng.lognormal(30, 0.4);

  // Since the release 2.0 (the halfway change): Claude Sonnet 4 with a prompt about twice as long.
  const model: ModelName = ctx.changed ? 'claude-sonnet-4' : 'gpt-4o';
  const system = (ctx.changed ? [...SUPPORT_SYSTEM, ...SUPPORT_SYSTEM_V2_EXTRA] : SUPPORT_SYSTEM).join('\n');
  const systemTokens = ctx.changed ? 2_600 : 1_250;
  const prompt = { name: 'support-agent', version: ctx.changed ? 'v8' : 'v7' };
  const rateLimitP = ctx.changed ? 0.02 : 0.01;
  const timeoutP = ctx.changed ? 0.004 : 0.002;
  const messages: Msg[] = [...turn.history, { role: 'user', content: q }];
  const input = systemTokens + topK * rng.int(180, 260) + turn.history.length * 90 + tokens(q);
  const cached = turn.index > 0 && rng.chance(0.75) ? Math.floor(systemTokens / 128) * 128 : 0;
  const base = { model, system, prompt, temperature: 0.3, cachedTokens: cached };
  let t = retr.endMs + rng.range(2, 8);
  let answerInput = input;

  if (turn.topic.tools.length > 0) {
    const order = /#(\d+)/.exec(q)?.[1];
    const args: Record<string, string> = order ? { order_id: order } : { customer_id: ctx.userId };
    const calls: ToolCall[] = turn.topic.tools.map((name) => ({
      id: MODELS_PREFIX[model] + rng.hex(11),
      name,
      arguments: JSON.stringify(args),
    }));
    const plan = callWithRetry(
      tb,
      root,
      t,
      {
        ...base,
        messages,
        reply: { toolCalls: calls },
        inputTokens: input,
        outputTokens: 24 * calls.length + rng.int(8, 40),
      },
      rateLimitP,
      timeoutP,
    );
    if (!plan.ok) {
      finish(tb, root, plan.span, null);
      return null;
    }
    t = plan.span.endMs + rng.range(1, 4);
    messages.push({ role: 'assistant', toolCalls: calls });
    for (const call of calls) {
      const timedOut = rng.chance(0.015);
      const result = timedOut ? `error: ${call.name} did not answer within 5000 ms` : toolResult(call.name, args);
      const span = tb.span(root, `execute_tool ${call.name}`, 'tool', 'internal', t, timedOut ? 5000 + rng.range(1, 20) : rng.lognormal(TOOL_LATENCY_MS[call.name] ?? 100, 0.45), {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.name,
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.call.id': call.id,
        'input.value': call.arguments,
        'output.value': result,
      });
      if (timedOut) tb.fail(span, 'TimeoutError', `${call.name}: order-service did not answer within 5000 ms`);
      messages.push({ role: 'tool', toolCallId: call.id, content: result });
      answerInput += tokens(result) + 60;
      t = span.endMs + rng.range(1, 4);
    }
  }

  const answer = turn.topic.answer;
  const final = callWithRetry(
    tb,
    root,
    t,
    {
      ...base,
      messages,
      reply: { content: answer },
      stream: true,
      inputTokens: answerInput,
      outputTokens: Math.round(rng.lognormal(ctx.changed ? 210 : 160, 0.35)),
    },
    rateLimitP,
    timeoutP,
  );
  finish(tb, root, final.span, final.ok ? answer : null);
  return final.ok ? answer : null;
}

const MODELS_PREFIX: Record<ModelName, string> = {
  'gpt-4o': 'call_',
  'gpt-4o-mini': 'call_',
  'o3-mini': 'call_',
  'claude-sonnet-4': 'toolu_01',
  'claude-3-5-haiku': 'toolu_01',
  'text-embedding-3-small': '',
};

export function searchApi(tb: TraceBuilder, t0: number): void {
  const { rng, ctx } = tb;
  const { query: q, page } = searchQuery(rng);
  // A running experiment: one answer in eight comes from Claude 3.5 Haiku.
  const model: ModelName = rng.chance(0.125) ? 'claude-3-5-haiku' : 'gpt-4o-mini';
  if (model === 'claude-3-5-haiku') ctx.tags.push('experiment:haiku-answers');
  const root = tb.span(null, 'POST /v1/answer', 'chain', 'server', t0, 0, {
    'spanlens.span.kind': 'chain',
    'http.request.method': 'POST',
    'http.route': '/v1/answer',
    'input.value': q,
  });
  const emb = embeddingSpan(tb, root, t0 + rng.range(1, 4), tokens(q) + 4);
  const hits = Array.from({ length: 20 }, (_, i) => ({
    page: i === 0 ? page : rng.pick(DOC_PAGES),
    score: Number((i === 0 ? rng.range(0.8, 0.93) : rng.range(0.35, 0.82)).toFixed(3)),
  })).sort((x, y) => y.score - x.score);
  const retr = tb.span(root, 'retrieval docs-index', 'retriever', 'internal', emb.endMs + 1, rng.lognormal(45, 0.4), {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.data_source.id': 'docs-index',
    'gen_ai.request.top_k': 20,
    'input.value': q,
    'output.value': JSON.stringify(hits.slice(0, 5)),
  });
  const top = [hits.find((h) => h.page === page)!, ...hits.filter((h) => h.page !== page).slice(0, 2)];
  const rerank = tb.span(root, 'rerank', 'reranker', 'internal', retr.endMs + 1, rng.lognormal(60, 0.3), {
    'spanlens.span.kind': 'reranker',
    'reranker.model_name': 'rerank-english-v3.0',
    'input.value': q,
    'output.value': JSON.stringify(top),
  });
  const answer = searchAnswer(
    q,
    top.map((h) => h.page),
  );
  const res = callWithRetry(
    tb,
    root,
    rerank.endMs + 1,
    {
      model,
      system: 'Answer from the documentation excerpts only. Cite them as [n]. If they do not answer the question, say so.',
      messages: [{ role: 'user', content: `Excerpts:\n${top.map((h, i) => `[${i + 1}] ${h.page}`).join('\n')}\n\nQuestion: ${q}` }],
      reply: { content: answer },
      stream: true,
      prompt: { name: 'search-answer', version: 'v3' },
      temperature: 0,
      inputTokens: 600 + rng.int(900, 1300) + tokens(q),
      outputTokens: Math.round(rng.lognormal(170, 0.35)),
    },
    0.01,
    0.003,
  );
  root.attributes['http.response.status_code'] = res.ok ? 200 : 503;
  finish(tb, root, res.span, res.ok ? answer : null);
}

export function summarizer(tb: TraceBuilder, t0: number): void {
  const { rng } = tb;
  const title = documentTitle(rng);
  const chunks = rng.int(2, 6);
  const root = tb.span(null, 'summarize-document', 'chain', 'server', t0, 0, {
    'spanlens.span.kind': 'chain',
    'input.value': title,
    'document.chunks': chunks,
  });
  const split = tb.span(root, 'split-document', 'span', 'internal', t0 + rng.range(1, 5), rng.lognormal(15, 0.3));
  // Chunk summaries, three at a time, from an older instrumentation (gen_ai.system names the provider).
  const lanes = [split.endMs, split.endMs, split.endMs];
  let inputForMerge = 400;
  for (let i = 0; i < chunks; i++) {
    const lane = lanes.indexOf(Math.min(...lanes));
    const res = callWithRetry(
      tb,
      root,
      lanes[lane]! + rng.range(0.5, 3),
      {
        model: 'claude-3-5-haiku',
        legacyProviderAttr: true,
        prompt: { name: 'chunk-summary', version: 'v2' },
        temperature: 0.2,
        system: 'Summarise this section in at most five bullet points.',
        messages: [{ role: 'user', content: `Section ${i + 1} of "${title}"` }],
        reply: { content: chunkSummary(title, i) },
        inputTokens: Math.round(rng.lognormal(2800, 0.3)),
        outputTokens: Math.round(rng.lognormal(220, 0.3)),
      },
      0.02,
      0.002,
    );
    if (!res.ok) {
      finish(tb, root, res.span, null);
      return;
    }
    lanes[lane] = res.span.endMs;
    inputForMerge += Number(res.span.attributes['gen_ai.usage.output_tokens']);
  }
  // The merge runs through a gateway that reports the cost itself (gen_ai.usage.cost).
  const reasoning = Math.round(rng.lognormal(700, 0.5));
  const output = reasoning + Math.round(rng.lognormal(380, 0.3));
  const merge = callWithRetry(
    tb,
    root,
    Math.max(...lanes) + rng.range(1, 5),
    {
      model: 'o3-mini',
      prompt: { name: 'merge-summaries', version: 'v4' },
      messages: [{ role: 'user', content: `Merge these ${chunks} section summaries of "${title}" into one executive summary.` }],
      reply: { content: finalSummary(title, chunks) },
      inputTokens: inputForMerge,
      outputTokens: output,
      reasoningTokens: reasoning,
      costUsd: Number(((inputForMerge * 1.1 + output * 4.4) / 1e6).toFixed(8)),
    },
    0.005,
    0.01,
  );
  finish(tb, root, merge.span, merge.ok ? finalSummary(title, chunks) : null);
}
