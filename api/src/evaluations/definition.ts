import { z } from 'zod';
import { ruleFilters } from '../alerts/rules.ts';
import { BUILT_IN_TEMPLATES } from './templates.ts';

const text = z.string().min(1).max(200);

/** What a judge's answer may be: the score's data type and the values it may take. */
export const judgeOutput = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('numeric'), min: z.number().finite().default(0), max: z.number().finite().default(1) }),
    z.strictObject({ type: z.literal('boolean') }),
    z.strictObject({ type: z.literal('categorical'), categories: z.array(text).min(2).max(20) }),
  ])
  .superRefine((o, ctx) => {
    if (o.type === 'numeric' && o.min >= o.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'must be above min' });
  });
export type JudgeOutput = z.infer<typeof judgeOutput>;

export const judgeSettings = z.strictObject({
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .describe('An OpenAI-compatible API, e.g. https://api.openai.com/v1'),
  model: text,
  /** Only ever written: stored encrypted, never returned. Omitted on an edit: the previous key stays. */
  apiKey: z.string().min(1).max(500).optional(),
  template: z.string().min(1).max(20_000).optional().describe('Variables: {{input}} {{output}} {{metadata}} {{reference}} {{context}}; default: the built-in template'),
  builtIn: z
    .enum(Object.keys(BUILT_IN_TEMPLATES) as [keyof typeof BUILT_IN_TEMPLATES, ...Array<keyof typeof BUILT_IN_TEMPLATES>])
    .optional()
    .describe('A built-in template (and its output type) used where template or output is not given'),
  output: judgeOutput.optional(),
  referenceAttribute: z.string().min(1).max(200).default('reference').describe('The span attribute {{reference}} reads'),
  temperature: z.number().min(0).max(2).default(0),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  maxRetries: z.number().int().min(0).max(10).default(3).describe('Retries of one call on 429, 5xx and timeouts, with backoff (Retry-After honoured)'),
});

export const RULE_CHECKS = ['regex', 'not_regex', 'contains', 'not_contains', 'json_parses', 'json_schema', 'length', 'latency', 'cost'] as const;

const ruleShape = z.strictObject({
  check: z.enum(RULE_CHECKS),
  field: z.enum(['output', 'input']).default('output'),
  pattern: z.string().min(1).max(1000).optional().describe('regex, not_regex: RE2 syntax (linear time)'),
  text: z.string().min(1).max(1000).optional().describe('contains, not_contains'),
  caseSensitive: z.boolean().default(false),
  schema: z.record(z.string(), z.unknown()).optional().describe('json_schema: a JSON Schema (draft 2020-12 or 07)'),
  min: z.number().min(0).optional().describe('length: characters at least'),
  max: z.number().min(0).optional().describe('length: characters at most; latency: ms at most; cost: USD at most'),
});

export const ruleSettings = ruleShape.superRefine((r, ctx) => {
  const need = (key: 'pattern' | 'text' | 'schema' | 'max', when: boolean) => {
    if (when && r[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required for check ${r.check}` });
  };
  need('pattern', r.check === 'regex' || r.check === 'not_regex');
  need('text', r.check === 'contains' || r.check === 'not_contains');
  need('schema', r.check === 'json_schema');
  need('max', r.check === 'latency' || r.check === 'cost');
  if (r.check === 'length' && r.min === undefined && r.max === undefined) ctx.addIssue({ code: 'custom', path: ['max'], message: 'length needs min or max' });
});
export type RuleSettings = z.infer<typeof ruleSettings>;

const evaluatorShape = z.strictObject({
  name: z.string().trim().min(1).max(200).describe('Also the name of the scores it writes'),
  type: z.enum(['llm_judge', 'rule']),
  judge: judgeSettings.optional(),
  rule: ruleSettings.optional(),
  scope: z.enum(['llm', 'root']).default('llm').describe('LLM calls, or traces (judged on their root span)'),
  filters: ruleFilters.extend({ kind: ruleFilters.shape.model }).default({}),
  sampleRate: z.number().min(0).max(1).default(1).describe('Share of matching spans judged, chosen by a hash of the span id'),
  ratePerMinute: z.number().int().min(1).max(60_000).default(600).describe('Judge calls per minute at most (rules are not limited: they call nothing)'),
  concurrency: z.number().int().min(1).max(32).default(4).describe('Judge calls in flight at most'),
  enabled: z.boolean().default(true),
});

export const evaluatorInput = evaluatorShape.superRefine((e, ctx) => {
  if ((e.type === 'llm_judge') !== (e.judge !== undefined)) ctx.addIssue({ code: 'custom', path: ['judge'], message: 'required for type llm_judge, and only then' });
  if ((e.type === 'rule') !== (e.rule !== undefined)) ctx.addIssue({ code: 'custom', path: ['rule'], message: 'required for type rule, and only then' });
  if (e.judge && !e.judge.builtIn && (!e.judge.template || !e.judge.output)) {
    ctx.addIssue({ code: 'custom', path: ['judge', 'template'], message: 'template and output are required without builtIn' });
  }
});
export type EvaluatorInput = z.infer<typeof evaluatorInput>;

/** An evaluator as the API returns it: the key never, only whether one is stored. */
export const evaluatorResponse = evaluatorShape.extend({
  rule: ruleShape.optional(),
  judge: judgeSettings.omit({ apiKey: true }).extend({ hasApiKey: z.boolean() }).optional(),
  id: z.string(),
  projectId: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
});

/** A stored version: the input without the key, with whether a key is stored. */
export type Evaluator = Omit<EvaluatorInput, 'judge'> & {
  id: string;
  projectId: string;
  version: number;
  judge?: Omit<NonNullable<EvaluatorInput['judge']>, 'apiKey'> & { hasApiKey: boolean };
  createdAt: string;
};

/** The template and output a judge runs with, the built-in one filling what is not given. */
export function resolvedJudge(judge: NonNullable<Evaluator['judge']>): { template: string; output: JudgeOutput } {
  const builtIn = judge.builtIn ? BUILT_IN_TEMPLATES[judge.builtIn] : undefined;
  const template = judge.template ?? builtIn?.template;
  const output = judge.output ?? builtIn?.output;
  if (!template || !output) throw new Error('judge without template or output');
  return { template, output };
}

/** The score's data type an evaluator writes. */
export function scoreType(e: Pick<Evaluator, 'type' | 'judge'>): JudgeOutput['type'] {
  return e.type === 'rule' || !e.judge ? 'boolean' : resolvedJudge(e.judge).output.type;
}
