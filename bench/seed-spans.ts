// Seeds realistic LLM traces straight into `spans` with INSERT ... SELECT FROM numbers(),
// so the engine generates the rows and the materialized views (trace_items, spans_1m, ...) are
// filled as in production. Deterministic: row values are cityHash64 of the trace number.
import type { Storage } from '@spanlens/clickhouse';

export interface SeedSpansOptions {
  projectId: string;
  /** Spans to insert (exactly; the last trace may be cut short). */
  spans: number;
  /** Traces start evenly spread over [startMs, endMs). */
  startMs: number;
  endMs: number;
  /** Spans per INSERT statement. */
  chunkSpans?: number;
  onChunk?: (inserted: number, total: number) => void;
  /** Insert threads for whole chunks (default 2). */
  threads?: number;
}

/** Children per trace (1-5), one rotation of this pattern per block of 10 traces: 46 spans. */
const CHILDREN = [1, 2, 3, 3, 4, 4, 4, 5, 5, 5];
const SPANS_PER_BLOCK = CHILDREN.reduce((a, b) => a + b + 1, 0);

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4', 'claude-3-5-haiku', 'gemini-2.5-pro', 'gemini-2.5-flash'];
const PROVIDERS = ['openai', 'openai', 'anthropic', 'anthropic', 'google', 'google'];
/** USD per million input / output tokens. */
const PRICE_IN = [2.5, 0.15, 3, 0.8, 1.25, 0.3];
const PRICE_OUT = [10, 0.6, 15, 4, 10, 2.5];
/** Model index (1-based) by share: 35% mini, 20% sonnet, 15% 4o, 12% flash, 10% haiku, 8% pro (of 20 slots ~). */
const MODEL_SLOTS = [2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 6, 6, 4, 4, 5, 2];
const SERVICES = ['support-bot', 'search-api', 'agent-worker'];
const TAGS = [[], [], [], [], ['beta'], ['vip'], ['beta', 'vip'], ['experiment-a'], ['experiment-b'], ['mobile']];
const PROMPTS = ['support-answer', 'summarize-ticket', 'classify-intent', 'rewrite-query'];
const TOOLS = ['search_orders', 'get_customer', 'create_ticket', 'refund_order', 'check_inventory'];
const QUESTIONS = [
  'Where is my package? It was supposed to arrive last Tuesday and the tracking page has not changed since then.',
  'I was charged twice for the same subscription this month, can you refund the duplicate payment please?',
  'How do I change the shipping address on an order that has not shipped yet? I moved last week.',
  'The blender I bought stopped working after two weeks. Is it still under warranty and how do I return it?',
  'Can I upgrade my plan to the annual tier and keep the discount code I used when I signed up?',
  'My account is locked after too many login attempts and the reset email never arrives in my inbox.',
  'Do you ship to Canada, and if so how long does delivery usually take and are there customs fees?',
  'Please cancel my order, I found the same item cheaper elsewhere and I would like a full refund.',
];
const ANSWERS = [
  'I checked with the carrier: your package left the regional hub this morning and should arrive within two business days.',
  'You are right, there is a duplicate charge. I have refunded it; the refund shows on your statement within 3-5 business days.',
  'The order has not shipped yet, so I updated the shipping address. You will receive a confirmation email in a few minutes.',
  'The blender is covered by a one-year warranty. I created a prepaid return label and sent it to the email on your account.',
  'Done: your plan is now annual, and the discount from your sign-up code still applies to the new yearly price.',
  'I unlocked your account and sent a new password reset link. Please check the spam folder if it does not show up soon.',
  'Yes, we ship to Canada. Delivery takes 5-8 business days and duties are included in the price shown at checkout.',
  'Your order is cancelled and a full refund is on its way to your original payment method within 5 business days.',
];
const SYSTEM = "You are ACME's customer support assistant. Answer briefly, be polite, and cite the order number when there is one.";
const ERRORS = ['429 Too Many Requests: rate limit reached for requests per minute', 'Request timed out after 30000 ms', 'upstream returned 503 Service Unavailable'];

const lit = (v: unknown): string => JSON.stringify(v).replace(/'/g, "\\'").replace(/"/g, "'");
const MS = 1_000_000;

// Per-span values as SQL over `t` (trace number) and a child index expression `c` (1..n),
// shared by the per-trace lambdas (durations) and the per-span select.
const h = (c: string, salt: number) => `cityHash64(t, toUInt32(${c}), ${salt})`;
const kindOf = (c: string) => `if(${c} = n, 'llm', ['llm', 'llm', 'llm', 'llm', 'tool', 'tool', 'tool', 'retriever', 'retriever', 'llm'][${h(c, 1)} % 10 + 1])`;
const outTokens = (c: string) => `toUInt64(20 + ${h(c, 2)} % 480)`;
const ttftMs = (c: string) => `toUInt64(120 + ${h(c, 3)} % 700)`;
const durNs = (c: string) => `toInt64(multiIf(
  ${kindOf(c)} = 'llm', ${ttftMs(c)} + ${outTokens(c)} * (6 + ${h(c, 4)} % 8),
  ${kindOf(c)} = 'tool', 5 + ${h(c, 4)} % 400,
  30 + ${h(c, 4)} % 600) * ${MS} + ${h(c, 5)} % ${MS})`;

function chunkSql(source: 'numbers' | 'numbers_mt'): string {
  const span = 'c';
  const hs = (salt: number) => h(span, salt);
  const llm = "kind = 'llm'";
  const failed = '(err_c > 0 AND (c = err_c OR c = 0))';
  return `
INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, name, kind, otel_kind, start_time, end_time, duration_ns,
  model, request_model, provider, operation, input_tokens, output_tokens, total_tokens, cached_tokens, reasoning_tokens,
  tokens_estimated, cost_usd, cost_estimated, cost_source, ttft_ms, finish_reason, status, status_message, input, output,
  user_id, session_id, service, environment, release, prompt_name, prompt_version, tags, attributes, resource_attributes, events)
SELECT
  {project:String},
  trace_id,
  ${`leftPad(lower(hex(cityHash64(t, toUInt32(c), 99))), 16, '0')`},
  if(c = 0, '', root_id),
  multiIf(c = 0, concat('handle-', service), ${llm}, concat('chat ', model), kind = 'tool', concat('tool ', tool), 'retrieve knowledge-base'),
  kind,
  multiIf(c = 0, 'server', ${llm}, 'client', 'internal'),
  fromUnixTimestamp64Nano(start_ns, 'UTC'),
  fromUnixTimestamp64Nano(start_ns + dur, 'UTC'),
  toUInt64(dur),
  model, model, provider,
  if(${llm}, 'chat', ''),
  in_tok, out_tok, in_tok + out_tok,
  if(${llm} AND ${hs(7)} % 3 = 0, intDiv(in_tok * (${hs(8)} % 80), 100), 0),
  0, false,
  if(${llm}, (in_tok * ${lit(PRICE_IN)}[mi] + out_tok * ${lit(PRICE_OUT)}[mi]) / 1e6, 0),
  false,
  if(${llm}, 'table', 'none'),
  if(${llm} AND ${hs(9)} % 10 < 7, toNullable(toFloat64(${ttftMs(span)})), NULL),
  if(${llm} AND NOT (${failed}), if(${hs(10)} % 5 = 0, 'tool_calls', 'stop'), ''),
  if(${failed}, 'error', if(c = 0 OR ${llm}, 'ok', 'unset')),
  if(${failed}, ${lit(ERRORS)}[${hs(11)} % ${ERRORS.length} + 1], ''),
  multiIf(
    c = 0, question,
    ${llm}, concat('[{"role":"system","content":"${SYSTEM.replace(/'/g, "\\'")}"},{"role":"user","content":"', question, '"}]'),
    kind = 'tool', concat('{"order_id":"A', toString(order_no), '","customer":"', user_id, '","fields":["status","eta","carrier","items","payment"]}'),
    concat('{"query":"', substring(question, 1, 60), '","top_k":3}')),
  if(${failed}, '', multiIf(
    c = 0, answer,
    ${llm}, concat('[{"role":"assistant","content":"', answer, ' Reference: order A', toString(order_no), '."}]'),
    kind = 'tool', concat('{"order_id":"A', toString(order_no), '","status":"shipped","eta":"', toString(toDate(fromUnixTimestamp64Nano(start_ns, 'UTC') + INTERVAL 2 DAY)), '","carrier":"UPS","items":', toString(1 + ${hs(12)} % 4), ',"payment":"captured"}'),
    concat('[{"doc":"kb-', toString(${hs(13)} % 500), '","score":0.91,"text":"Refunds are issued to the original payment method within 5 business days."},{"doc":"kb-', toString(${hs(14)} % 500), '","score":0.84,"text":"Orders can be changed until they ship."}]'))),
  user_id, session_id, service, environment, release,
  if(${llm}, ${lit(PROMPTS)}[${hs(15)} % ${PROMPTS.length} + 1], ''),
  if(${llm}, toString(1 + ${hs(16)} % 4), ''),
  tags,
  multiIf(${llm}, map('gen_ai.operation.name', 'chat', 'gen_ai.request.temperature', '0.2'), kind = 'tool', map('tool.name', tool), map('retrieval.top_k', '3')),
  map('service.name', service, 'deployment.environment', environment, 'telemetry.sdk.language', if(service = 'search-api', 'nodejs', 'python')),
  ''
FROM (
  SELECT *,
    arrayJoin(range(toUInt32(n) + 1)) AS c,
    if(c = 0, 'chain', ${kindOf(span)}) AS kind,
    ${lit(MODEL_SLOTS)}[${hs(6)} % ${MODEL_SLOTS.length} + 1] AS mi_any,
    if(kind = 'llm', mi_any, 0) AS mi,
    if(mi = 0, '', ${lit(MODELS)}[mi]) AS model,
    if(mi = 0, '', ${lit(PROVIDERS)}[mi]) AS provider,
    if(kind = 'llm', toUInt64(150 + ${hs(17)} % 3000), 0) AS in_tok,
    if(kind = 'llm', ${outTokens(span)}, 0) AS out_tok,
    if(c = 0, root_ns, root_ns + toInt64(c) * ${MS} + cs[c] - durs[c]) AS start_ns,
    if(c = 0, toInt64(n + 2) * ${MS} + arraySum(durs), durs[c]) AS dur,
    ${lit(TOOLS)}[${hs(18)} % ${TOOLS.length} + 1] AS tool
  FROM (
    SELECT
      number AS t,
      cityHash64(t, 0) AS ht,
      ${lit(CHILDREN)}[(t + cityHash64(intDiv(t, 10)) % 10) % 10 + 1] AS n,
      toInt64({startNs:Int64} + t * {stepNs:Int64} + (ht % {stepNs:Int64})) AS root_ns,
      concat(leftPad(lower(hex(cityHash64(t, 1))), 16, '0'), leftPad(lower(hex(cityHash64(t, 2))), 16, '0')) AS trace_id,
      leftPad(lower(hex(cityHash64(t, toUInt32(0), 99))), 16, '0') AS root_id,
      arrayMap(x -> ${durNs('x')}, range(1, toUInt32(n) + 1)) AS durs,
      arrayCumSum(durs) AS cs,
      if(ht % 100 < 5, toUInt32(1 + intDiv(ht, 1000) % n), 0) AS err_c,
      intDiv(ht, 100000) % 1000 AS user_u,
      intDiv(user_u * user_u, 2500) AS user_n,
      concat('user-', leftPad(toString(user_n), 4, '0')) AS user_id,
      concat('sess-', substring(lower(hex(cityHash64(user_n, intDiv(root_ns, 14400000000000)))), 1, 12)) AS session_id,
      ${lit(SERVICES)}[intDiv(ht, 7) % 3 + 1] AS service,
      if(intDiv(ht, 11) % 100 < 85, 'production', 'staging') AS environment,
      concat('v1.', toString(intDiv(root_ns, 864000000000000) % 100)) AS release,
      ${lit(TAGS)}[intDiv(ht, 13) % ${TAGS.length} + 1] AS tags,
      ${lit(QUESTIONS)}[intDiv(ht, 17) % ${QUESTIONS.length} + 1] AS question,
      ${lit(ANSWERS)}[intDiv(ht, 17) % ${ANSWERS.length} + 1] AS answer,
      100000 + intDiv(ht, 23) % 900000 AS order_no
    FROM ${source}({t0:UInt64}, {count:UInt64})
  )
)
${source === 'numbers' ? 'LIMIT {limit:UInt64}' : ''}`;
}

// Seeded span ids are unique, so the insert-time replacing merge of each 1M-row block has
// nothing to collapse; skipping it takes the insert from about 24 s to 15 s per 1M spans.
const SETTINGS = { optimize_on_insert: 0 as const };

/** Inserts `spans` spans in chunks; returns the number inserted. */
export async function seedSpans(storage: Storage, o: SeedSpansOptions): Promise<number> {
  const blocks = Math.ceil(o.spans / SPANS_PER_BLOCK);
  const traces = blocks * 10;
  const startNs = BigInt(o.startMs) * 1_000_000n;
  const stepNs = (BigInt(o.endMs) * 1_000_000n - startNs) / BigInt(traces);
  const tracesPerChunk = 10 * Math.max(1, Math.round((o.chunkSpans ?? 1_000_000) / SPANS_PER_BLOCK));
  const serial = chunkSql('numbers');
  const parallel = chunkSql('numbers_mt');
  let inserted = 0;
  for (let t0 = 0; t0 < traces && inserted < o.spans; t0 += tracesPerChunk) {
    const count = Math.min(tracesPerChunk, traces - t0);
    const limit = Math.min(o.spans - inserted, (count / 10) * SPANS_PER_BLOCK);
    const whole = limit === (count / 10) * SPANS_PER_BLOCK;
    await storage.client.command({
      // Whole chunks run on every core; a cut-short last chunk runs in order so LIMIT cuts its end.
      query: whole ? parallel : serial,
      clickhouse_settings: { ...SETTINGS, ...(whole ? { max_insert_threads: String(o.threads ?? 2), max_threads: o.threads ?? 2 } : {}) },
      query_params: { project: o.projectId, startNs: startNs.toString(), stepNs: stepNs.toString(), t0, count, limit },
    });
    inserted += limit;
    o.onChunk?.(inserted, o.spans);
  }
  return inserted;
}
