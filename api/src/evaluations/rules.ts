import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { RE2JS } from 're2js';
import { messageText } from '../messages.ts';
import type { RuleSettings } from './definition.ts';
import type { EvaluatedSpan } from './spans.ts';

export interface RuleResult {
  passed: boolean;
  comment: string;
}

/** A rule ready to run: its pattern compiled and its schema built once, not per span. */
export type CompiledRule = (span: EvaluatedSpan) => RuleResult;

const ajv = new Ajv2020({ allErrors: false, strict: false });

/**
 * Compiles a rule, or throws with what is wrong with it (shown on create). Patterns run on
 * RE2 (re2js): matching is linear in the text, so no pattern can stall the evaluator.
 */
export function compileRule(r: RuleSettings): CompiledRule {
  const field = (s: EvaluatedSpan) => messageText(r.field === 'input' ? s.input : s.output);
  switch (r.check) {
    case 'regex':
    case 'not_regex': {
      const re = RE2JS.compile(r.pattern!, r.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
      const want = r.check === 'regex';
      return (s) => {
        const found = re.matcher(field(s)).find();
        return { passed: found === want, comment: `${r.field} ${found ? 'matches' : 'does not match'} /${r.pattern}/` };
      };
    }
    case 'contains':
    case 'not_contains': {
      const needle = r.caseSensitive ? r.text! : r.text!.toLowerCase();
      const want = r.check === 'contains';
      return (s) => {
        const hay = r.caseSensitive ? field(s) : field(s).toLowerCase();
        const found = hay.includes(needle);
        return { passed: found === want, comment: `${r.field} ${found ? 'contains' : 'does not contain'} "${r.text}"` };
      };
    }
    case 'json_parses':
      return (s) => {
        const parsed = parseJson(field(s));
        return { passed: parsed.ok, comment: parsed.ok ? `${r.field} is JSON` : `${r.field} is not JSON: ${parsed.error}` };
      };
    case 'json_schema': {
      let validate: ValidateFunction;
      try {
        validate = ajv.compile(r.schema!);
      } catch (err) {
        throw new Error(`schema: ${(err as Error).message}`);
      }
      return (s) => {
        const parsed = parseJson(field(s));
        if (!parsed.ok) return { passed: false, comment: `${r.field} is not JSON: ${parsed.error}` };
        if (validate(parsed.value)) return { passed: true, comment: `${r.field} matches the schema` };
        return { passed: false, comment: `${r.field} does not match the schema: ${ajv.errorsText(validate.errors, { dataVar: r.field })}` };
      };
    }
    case 'length':
      return (s) => {
        const n = [...field(s)].length;
        const passed = (r.min === undefined || n >= r.min) && (r.max === undefined || n <= r.max);
        return { passed, comment: `${r.field} is ${n} characters (${r.min ?? 0} to ${r.max ?? '∞'})` };
      };
    case 'latency':
      return (s) => ({ passed: s.durationMs <= r.max!, comment: `took ${round(s.durationMs)} ms (at most ${r.max})` });
    case 'cost':
      return (s) => ({ passed: s.costUsd <= r.max!, comment: `cost $${s.costUsd.toPrecision(3)} (at most $${r.max})` });
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  // Models often fence JSON in markdown; the fence is not the answer.
  const body = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/, '$1');
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
