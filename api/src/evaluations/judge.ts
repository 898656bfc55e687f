import OpenAI from 'openai';
import { z } from 'zod';
import { tablePrice } from '@spanlens/collector';
import { parseMessages } from '../messages.ts';
import { resolvedJudge, type Evaluator, type JudgeOutput } from './definition.ts';
import type { EvaluatedSpan } from './spans.ts';

export interface Verdict {
  value: number | boolean | string;
  reasoning: string;
  tokens: number;
  costUsd: number;
}

/**
 * Why a call gave no verdict. `span`: this span cannot be judged (a malformed answer, a
 * request the endpoint refuses as too large); it is counted and passed over. `judge`: the
 * endpoint is failing (429/5xx/timeouts after retries, a wrong key); the evaluator stops
 * where it is and tries again later, so no span is lost to an outage.
 */
export class JudgeError extends Error {
  constructor(
    readonly scope: 'span' | 'judge',
    message: string,
  ) {
    super(message);
  }
}

/** Each variable is cut to this many characters, so one huge span cannot blow the judge's context. */
const MAX_VARIABLE_CHARS = 20_000;

const cut = (s: string) => (s.length > MAX_VARIABLE_CHARS ? `${s.slice(0, MAX_VARIABLE_CHARS)}… [cut]` : s);

/** A transcript of a stored input or output: one "role: content" paragraph per message. */
function transcript(raw: string, role: string): string {
  return parseMessages(raw, role)
    .map((m) => `${m.role}: ${m.content ?? m.toolCalls?.map((c) => `${c.name}(${c.arguments ?? ''})`).join(', ') ?? ''}`)
    .join('\n\n');
}

export interface TemplateValues {
  input: string;
  output: string;
  metadata: string;
  reference: string;
  context: string;
}

export function templateValues(span: EvaluatedSpan, referenceAttribute: string, context: string): TemplateValues {
  return {
    input: cut(transcript(span.input, 'user')),
    output: cut(transcript(span.output, 'assistant')),
    metadata: cut(JSON.stringify({ name: span.name, model: span.model, ...span.attributes })),
    reference: cut(span.attributes[referenceAttribute] ?? ''),
    context: cut(context),
  };
}

// Five fixed variables do not need a template engine; an unknown {{name}} stays as written.
export function renderTemplate(template: string, v: TemplateValues): string {
  return template.replace(/\{\{\s*(input|output|metadata|reference|context)\s*\}\}/g, (_, k: keyof TemplateValues) => v[k]);
}

function scoreSchema(o: JudgeOutput): Record<string, unknown> {
  const score = o.type === 'numeric' ? { type: 'number', description: `from ${o.min} to ${o.max}` } : o.type === 'boolean' ? { type: 'boolean' } : { type: 'string', enum: o.categories };
  return { type: 'object', properties: { reasoning: { type: 'string' }, score }, required: ['reasoning', 'score'], additionalProperties: false };
}

function answerSchema(o: JudgeOutput) {
  const score = o.type === 'numeric' ? z.number().min(o.min).max(o.max) : o.type === 'boolean' ? z.boolean() : z.enum(o.categories as [string, ...string[]]);
  return z.object({ reasoning: z.string().max(10_000).default(''), score });
}

export function parseAnswer(content: string, o: JudgeOutput): { value: number | boolean | string; reasoning: string } {
  const body = content.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/, '$1');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new JudgeError('span', `the judge's answer is not JSON: ${JSON.stringify(content.slice(0, 80))}`);
  }
  const r = answerSchema(o).safeParse(json);
  if (!r.success) throw new JudgeError('span', `the judge's answer does not fit the output (${o.type}): ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  return { value: r.data.score, reasoning: r.data.reasoning };
}

/** The provider the price table knows an endpoint by: only OpenAI's own API is certain. */
const providerOf = (baseUrl: string) => (/^https:\/\/api\.openai\.com\//.test(baseUrl) ? 'openai' : '');

/**
 * The official OpenAI client for an evaluator version: its retries back off with jitter and
 * honour Retry-After. Without a stored key a placeholder is sent (local endpoints need none).
 */
export function judgeClient(ev: Evaluator, apiKey: string): OpenAI {
  const j = ev.judge!;
  return new OpenAI({ baseURL: j.baseUrl, apiKey: apiKey || 'none', timeout: j.timeoutMs, maxRetries: j.maxRetries });
}

/** One judge call. */
export async function judge(ev: Evaluator, client: OpenAI, values: TemplateValues): Promise<Verdict> {
  const j = ev.judge!;
  const { template, output } = resolvedJudge(j);
  let res: OpenAI.Chat.Completions.ChatCompletion;
  try {
    res = await client.chat.completions.create({
      model: j.model,
      temperature: j.temperature,
      messages: [{ role: 'user', content: renderTemplate(template, values) }],
      response_format: { type: 'json_schema', json_schema: { name: 'evaluation', strict: true, schema: scoreSchema(output) } },
    });
  } catch (err) {
    throw classify(err);
  }
  const content = res.choices[0]?.message?.content;
  if (typeof content !== 'string') throw new JudgeError('span', 'the judge answered without content');
  const answer = parseAnswer(content, output);
  const input = res.usage?.prompt_tokens ?? 0;
  const out = res.usage?.completion_tokens ?? 0;
  return { ...answer, tokens: input + out, costUsd: tablePrice(providerOf(j.baseUrl), res.model || j.model, new Date(), { input, output: out }) ?? 0 };
}

function classify(err: unknown): JudgeError {
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    // The endpoint refuses this request (too long, unprocessable): another span may pass.
    if (err.status === 400 || err.status === 413 || err.status === 422) return new JudgeError('span', `judge refused the request: ${err.status} ${err.message}`);
    return new JudgeError('judge', `judge answered ${err.status}: ${err.message}`);
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new JudgeError('judge', 'judge timed out');
  if (err instanceof OpenAI.APIConnectionError) return new JudgeError('judge', `judge unreachable: ${err.message}`);
  return new JudgeError('judge', err instanceof Error ? err.message : String(err));
}
