// The rule part of the evaluator form: the check and the fields it reads. A rule's score is
// boolean: true when the span passes.
import { RULE_CHECKS, type RuleCheck } from '../../evaluations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { RULE_NEEDS, type Draft } from './draft.ts';

export const CHECK_LABELS: Record<RuleCheck, string> = {
  contains: 'Contains text',
  not_contains: 'Does not contain text',
  regex: 'Matches a regex',
  not_regex: 'Does not match a regex',
  json_parses: 'Is valid JSON',
  json_schema: 'Fits a JSON Schema',
  length: 'Length (characters)',
  latency: 'Latency at most',
  cost: 'Cost at most',
};

const MAX_LABEL = { chars: 'Maximum characters', ms: 'Maximum latency (ms)', usd: 'Maximum cost (USD)' } as const;

interface Props {
  d: Draft;
  set: <K extends keyof Draft>(k: K, v: Draft[K]) => void;
  shown: (k: keyof Draft) => string | undefined;
}

export function RuleFields({ d, set, shown }: Props) {
  const need = RULE_NEEDS[d.check];
  return (
    <>
      <div className="ev-subtitle">
        Rule <span className="muted">(scores true when the span passes, false when it does not)</span>
      </div>
      <div className="ev-grid">
        <Field label="Check" wide>
          <select name="check" value={d.check} onChange={(e) => set('check', e.target.value as RuleCheck)}>
            {RULE_CHECKS.map((c) => (
              <option key={c} value={c}>
                {CHECK_LABELS[c]}
              </option>
            ))}
          </select>
        </Field>
        {need.field && (
          <Field label="Of the span's">
            <select name="field" value={d.field} onChange={(e) => set('field', e.target.value as Draft['field'])}>
              <option value="output">output</option>
              <option value="input">input</option>
            </select>
          </Field>
        )}
        {need.text && (
          <Field label="Text" wide problem={shown('text')}>
            <input name="text" value={d.text} onChange={(e) => set('text', e.target.value)} />
          </Field>
        )}
        {need.pattern && (
          <Field label="Pattern" wide problem={shown('pattern')} hint="RE2 syntax, e.g. ^\d{4}-\d\d$">
            <input name="pattern" value={d.pattern} spellCheck={false} className="mono" onChange={(e) => set('pattern', e.target.value)} />
          </Field>
        )}
        {(need.text || need.pattern) && (
          <label className="ev-check">
            <input type="checkbox" name="caseSensitive" checked={d.caseSensitive} onChange={(e) => set('caseSensitive', e.target.checked)} /> Case-sensitive
          </label>
        )}
        {need.min && (
          <Field label="Minimum characters" problem={shown('ruleMin')} hint="optional">
            <NumberInput name="ruleMin" value={d.ruleMin} placeholder="none" invalid={!!shown('ruleMin')} onChange={(v) => set('ruleMin', v)} />
          </Field>
        )}
        {need.max && (
          <Field label={MAX_LABEL[need.max]} problem={shown('ruleMax')} hint={need.max === 'chars' ? 'optional' : undefined}>
            <NumberInput
              name="ruleMax"
              value={d.ruleMax}
              placeholder={need.max === 'usd' ? '0.01' : need.max === 'ms' ? '2000' : 'none'}
              invalid={!!shown('ruleMax')}
              onChange={(v) => set('ruleMax', v)}
            />
          </Field>
        )}
      </div>
      {need.schema && (
        <div className="ev-grid ev-grid-1">
          <Field label="JSON Schema" problem={shown('schema')} hint="draft 2020-12 or 07; the output must parse and fit it">
            <textarea name="schema" rows={6} value={d.schema} spellCheck={false} placeholder={'{"type": "object", "required": ["answer"]}'} onChange={(e) => set('schema', e.target.value)} />
          </Field>
        </div>
      )}
    </>
  );
}
