// The evaluator form's state as typed (strings, so a wrong number can be shown, not coerced), its
// checks, and the API body it makes (POST/PUT /evaluators).
import { EVALUATOR_FILTERS, type Evaluator, type EvaluatorFilterKey, type EvaluatorFilters, type EvaluatorInput, type JudgeOutput, type RuleCheck, type Template } from '../../evaluations-api.ts';
import { numberProblem, splitList, toNumber } from '../../forms.ts';

export interface Draft {
  name: string;
  type: 'llm_judge' | 'rule';
  baseUrl: string;
  model: string;
  /** Empty on an edit: the stored key stays. */
  apiKey: string;
  /** The built-in template picked ('' for a template of one's own). */
  builtIn: string;
  template: string;
  outputType: JudgeOutput['type'];
  outMin: string;
  outMax: string;
  categories: string;
  referenceAttribute: string;
  temperature: string;
  timeoutMs: string;
  maxRetries: string;
  check: RuleCheck;
  field: 'output' | 'input';
  pattern: string;
  text: string;
  caseSensitive: boolean;
  schema: string;
  ruleMin: string;
  ruleMax: string;
  scope: 'llm' | 'root';
  filters: Record<EvaluatorFilterKey, string>;
  /** Filters the form has no input for (provider, userId), kept as they are. */
  otherFilters: EvaluatorFilters;
  samplePct: string;
  concurrency: string;
  ratePerMinute: string;
  enabled: boolean;
}

const NO_FILTERS = Object.fromEntries(EVALUATOR_FILTERS.map((k) => [k, ''])) as Draft['filters'];

function outputFields(o: JudgeOutput | undefined): Pick<Draft, 'outputType' | 'outMin' | 'outMax' | 'categories'> {
  if (!o) return { outputType: 'numeric', outMin: '0', outMax: '1', categories: '' };
  return {
    outputType: o.type,
    outMin: o.type === 'numeric' ? String(o.min) : '0',
    outMax: o.type === 'numeric' ? String(o.max) : '1',
    categories: o.type === 'categorical' ? o.categories.join(', ') : '',
  };
}

/** A built-in template's text and output type, as the form holds them. */
export function fromTemplate(t: Template): Pick<Draft, 'builtIn' | 'template' | 'outputType' | 'outMin' | 'outMax' | 'categories'> {
  return { builtIn: t.name, template: t.template, ...outputFields(t.output) };
}

/** The API's defaults; a judge starts from the first built-in template. */
export function newDraft(type: Draft['type'], templates: Template[]): Draft {
  const first = templates[0];
  return {
    name: '',
    type,
    baseUrl: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    apiKey: '',
    ...(first ? fromTemplate(first) : { builtIn: '', template: '', ...outputFields(undefined) }),
    referenceAttribute: 'reference',
    temperature: '0',
    timeoutMs: '30000',
    maxRetries: '3',
    check: 'contains',
    field: 'output',
    pattern: '',
    text: '',
    caseSensitive: false,
    schema: '',
    ruleMin: '',
    ruleMax: '',
    scope: 'llm',
    filters: { ...NO_FILTERS },
    otherFilters: {},
    samplePct: '100',
    concurrency: '4',
    ratePerMinute: '600',
    enabled: true,
  };
}

export function draftOf(e: Evaluator, templates: Template[]): Draft {
  const base = newDraft(e.type, templates);
  const filters = { ...NO_FILTERS };
  const otherFilters: EvaluatorFilters = {};
  for (const [k, v] of Object.entries(e.filters ?? {})) {
    if ((EVALUATOR_FILTERS as readonly string[]).includes(k)) filters[k as EvaluatorFilterKey] = (v ?? []).join(', ');
    else otherFilters[k as keyof EvaluatorFilters] = v;
  }
  const common = {
    ...base,
    name: e.name,
    type: e.type,
    scope: e.scope,
    filters,
    otherFilters,
    samplePct: String(Math.round(e.sampleRate * 10_000) / 100),
    concurrency: String(e.concurrency),
    ratePerMinute: String(e.ratePerMinute),
    enabled: e.enabled,
  };
  if (e.judge) {
    const j = e.judge;
    const t = templates.find((x) => x.name === j.builtIn);
    return {
      ...common,
      baseUrl: j.baseUrl,
      model: j.model,
      apiKey: '',
      builtIn: j.builtIn ?? '',
      template: j.template ?? t?.template ?? '',
      ...outputFields(j.output ?? t?.output),
      referenceAttribute: j.referenceAttribute,
      temperature: String(j.temperature),
      timeoutMs: String(j.timeoutMs),
      maxRetries: String(j.maxRetries),
    };
  }
  const r = e.rule;
  if (!r) return common;
  return {
    ...common,
    check: r.check,
    field: r.field,
    pattern: r.pattern ?? '',
    text: r.text ?? '',
    caseSensitive: r.caseSensitive,
    schema: r.schema ? JSON.stringify(r.schema, null, 2) : '',
    ruleMin: r.min === undefined ? '' : String(r.min),
    ruleMax: r.max === undefined ? '' : String(r.max),
  };
}

/** Which rule fields a check reads. */
export const RULE_NEEDS: Record<RuleCheck, { field: boolean; pattern?: boolean; text?: boolean; schema?: boolean; min?: boolean; max?: 'chars' | 'ms' | 'usd' }> = {
  contains: { field: true, text: true },
  not_contains: { field: true, text: true },
  regex: { field: true, pattern: true },
  not_regex: { field: true, pattern: true },
  json_parses: { field: true },
  json_schema: { field: true, schema: true },
  length: { field: true, min: true, max: 'chars' },
  latency: { field: false, max: 'ms' },
  cost: { field: false, max: 'usd' },
};

export type Problems = Partial<Record<keyof Draft, string>>;

function parseSchema(s: string): Record<string, unknown> | string {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : 'a JSON object, e.g. {"type": "object"}';
  } catch (err) {
    return `not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Everything wrong with the draft, per field ('required' is shown only once the form was sent). */
export function problems(d: Draft): Problems {
  const p: Problems = {};
  const set = (k: keyof Draft, v: string | null) => {
    if (v) p[k] = v;
  };
  if (!d.name.trim()) p.name = 'required';
  set('samplePct', numberProblem(d.samplePct, { min: 0, max: 100 }));
  set('concurrency', numberProblem(d.concurrency, { min: 1, max: 32, integer: true }));
  set('ratePerMinute', numberProblem(d.ratePerMinute, { min: 1, max: 60_000, integer: true }));
  if (d.type === 'llm_judge') {
    if (!/^https?:\/\/\S+$/.test(d.baseUrl.trim())) p.baseUrl = d.baseUrl.trim() ? 'a URL starting with http:// or https://' : 'required';
    if (!d.model.trim()) p.model = 'required';
    if (!d.template.trim()) p.template = 'required';
    set('temperature', numberProblem(d.temperature, { min: 0, max: 2 }));
    set('timeoutMs', numberProblem(d.timeoutMs, { min: 100, max: 300_000, integer: true }));
    set('maxRetries', numberProblem(d.maxRetries, { min: 0, max: 10, integer: true }));
    if (!d.referenceAttribute.trim()) p.referenceAttribute = 'required';
    if (d.outputType === 'numeric') {
      set('outMin', numberProblem(d.outMin));
      set('outMax', numberProblem(d.outMax));
      if (!p.outMin && !p.outMax && Number(d.outMin) >= Number(d.outMax)) p.outMax = 'above the minimum';
    }
    if (d.outputType === 'categorical') {
      const c = splitList(d.categories);
      if (c.length < 2) p.categories = 'at least two, comma-separated';
      else if (new Set(c).size !== c.length) p.categories = 'each category once';
    }
  } else {
    const need = RULE_NEEDS[d.check];
    if (need.text && !d.text) p.text = 'required';
    if (need.pattern && !d.pattern) p.pattern = 'required';
    if (need.schema) {
      const s = d.schema.trim() ? parseSchema(d.schema) : 'required';
      if (typeof s === 'string') p.schema = s;
    }
    if (need.min) set('ruleMin', numberProblem(d.ruleMin, { min: 0, optional: true }));
    if (need.max) set('ruleMax', numberProblem(d.ruleMax, { min: 0, optional: need.max === 'chars' }));
    if (d.check === 'length' && !p.ruleMin && !p.ruleMax) {
      if (!d.ruleMin.trim() && !d.ruleMax.trim()) p.ruleMax = 'a minimum or a maximum';
      else if (d.ruleMin.trim() && d.ruleMax.trim() && Number(d.ruleMin) > Number(d.ruleMax)) p.ruleMax = 'not below the minimum';
    }
  }
  return p;
}

function judgeOutput(d: Draft): JudgeOutput {
  if (d.outputType === 'boolean') return { type: 'boolean' };
  if (d.outputType === 'categorical') return { type: 'categorical', categories: splitList(d.categories) };
  return { type: 'numeric', min: Number(d.outMin), max: Number(d.outMax) };
}

const sameOutput = (a: JudgeOutput, b: JudgeOutput) => JSON.stringify(a) === JSON.stringify(b);

/** The API body of a draft without problems. A built-in template left as it is goes by name only. */
export function toInput(d: Draft, templates: Template[]): EvaluatorInput {
  const filters: EvaluatorFilters = { ...d.otherFilters };
  for (const k of EVALUATOR_FILTERS) {
    const values = splitList(d.filters[k]);
    if (values.length) filters[k] = values;
  }
  const input: EvaluatorInput = {
    name: d.name.trim(),
    type: d.type,
    scope: d.scope,
    filters,
    sampleRate: Number(d.samplePct) / 100,
    concurrency: Number(d.concurrency),
    ratePerMinute: Number(d.ratePerMinute),
    enabled: d.enabled,
  };
  if (d.type === 'llm_judge') {
    const t = templates.find((x) => x.name === d.builtIn);
    const output = judgeOutput(d);
    const asBuiltIn = t !== undefined && t.template === d.template && sameOutput(t.output, output);
    input.judge = {
      baseUrl: d.baseUrl.trim(),
      model: d.model.trim(),
      ...(d.apiKey ? { apiKey: d.apiKey } : {}),
      ...(t ? { builtIn: t.name } : {}),
      ...(asBuiltIn ? {} : { template: d.template, output }),
      referenceAttribute: d.referenceAttribute.trim(),
      temperature: Number(d.temperature),
      timeoutMs: Number(d.timeoutMs),
      maxRetries: Number(d.maxRetries),
    };
  } else {
    const need = RULE_NEEDS[d.check];
    const min = toNumber(d.ruleMin);
    const max = toNumber(d.ruleMax);
    input.rule = {
      check: d.check,
      field: need.field ? d.field : 'output',
      caseSensitive: d.caseSensitive,
      ...(need.text ? { text: d.text } : {}),
      ...(need.pattern ? { pattern: d.pattern } : {}),
      ...(need.schema ? { schema: parseSchema(d.schema) as Record<string, unknown> } : {}),
      ...(need.min && min !== undefined ? { min } : {}),
      ...(need.max && max !== undefined ? { max } : {}),
    };
  }
  return input;
}

/** The API's field paths, in the form's words (for its 400 messages). */
export const LABELS: Record<string, string> = {
  name: 'Name',
  judge: 'The judge',
  'judge.baseUrl': 'Base URL',
  'judge.model': 'Model',
  'judge.apiKey': 'API key',
  'judge.template': 'Template',
  'judge.output': 'Output',
  'judge.output.categories': 'Categories',
  'judge.output.max': 'Maximum score',
  'judge.referenceAttribute': 'Reference attribute',
  'judge.temperature': 'Temperature',
  'judge.timeoutMs': 'Timeout',
  'judge.maxRetries': 'Retries',
  rule: 'The rule',
  'rule.pattern': 'Pattern',
  'rule.text': 'Text',
  'rule.schema': 'JSON Schema',
  'rule.min': 'Minimum',
  'rule.max': 'Maximum',
  filters: 'Filters',
  sampleRate: 'Sample rate',
  concurrency: 'Concurrency',
  ratePerMinute: 'Rate per minute',
  scope: 'Target',
};
