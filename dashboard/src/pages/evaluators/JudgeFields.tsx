// The LLM-as-a-judge part of the evaluator form: endpoint, model, key, the template (a built-in
// one fills the editable text and its output type) and the score it answers with.
import type { JudgeOutput, Template } from '../../evaluations-api.ts';
import { Field, NumberInput } from '../../components/Fields.tsx';
import { fromTemplate, type Draft, type Problems } from './draft.ts';

interface Props {
  d: Draft;
  set: <K extends keyof Draft>(k: K, v: Draft[K]) => void;
  patch: (p: Partial<Draft>) => void;
  shown: (k: keyof Draft) => string | undefined;
  templates: Template[];
  /** Editing an evaluator that has a key stored. */
  keyStored: boolean;
}

export function JudgeFields({ d, set, patch, shown, templates, keyStored }: Props) {
  const num = (k: keyof Problems & ('outMin' | 'outMax' | 'temperature' | 'timeoutMs' | 'maxRetries'), placeholder: string) => (
    <NumberInput name={k} value={d[k]} placeholder={placeholder} invalid={!!shown(k)} onChange={(v) => set(k, v)} />
  );
  const picked = templates.find((t) => t.name === d.builtIn);
  const edited = picked !== undefined && picked.template !== d.template;
  const pick = (name: string) => {
    const t = templates.find((x) => x.name === name);
    patch(t ? fromTemplate(t) : { builtIn: '' });
  };
  return (
    <>
      <div className="ev-subtitle">
        Judge <span className="muted">(any OpenAI-compatible chat completions API)</span>
      </div>
      <div className="ev-grid">
        <Field label="Base URL" wide problem={shown('baseUrl')} hint="e.g. https://api.openai.com/v1">
          <input name="baseUrl" value={d.baseUrl} spellCheck={false} autoComplete="off" onChange={(e) => set('baseUrl', e.target.value)} />
        </Field>
        <Field label="Model" problem={shown('model')}>
          <input name="model" value={d.model} spellCheck={false} autoComplete="off" onChange={(e) => set('model', e.target.value)} />
        </Field>
        <Field label="API key" wide hint={keyStored ? 'a key is stored: leave empty to keep the stored key' : 'stored encrypted, never shown again'}>
          <input
            name="apiKey"
            type="password"
            autoComplete="new-password"
            value={d.apiKey}
            placeholder={keyStored ? 'leave empty to keep the stored key' : 'sk-…'}
            onChange={(e) => set('apiKey', e.target.value)}
          />
        </Field>
        <Field label="Reference attribute" problem={shown('referenceAttribute')} hint="span attribute {{reference}} reads">
          <input name="referenceAttribute" value={d.referenceAttribute} onChange={(e) => set('referenceAttribute', e.target.value)} />
        </Field>
      </div>
      <div className="ev-grid">
        <Field label="Template" hint={picked ? `${picked.description}${edited ? ' (edited)' : ''}` : 'your own template'} wide>
          <select name="builtIn" value={d.builtIn} onChange={(e) => pick(e.target.value)}>
            {templates.map((t) => (
              <option key={t.name} value={t.name}>
                Built-in: {t.name}
              </option>
            ))}
            <option value="">Custom template</option>
          </select>
        </Field>
        <Field label="Score type">
          <select name="outputType" value={d.outputType} onChange={(e) => set('outputType', e.target.value as JudgeOutput['type'])}>
            <option value="numeric">Numeric</option>
            <option value="boolean">Boolean</option>
            <option value="categorical">Categorical</option>
          </select>
        </Field>
        {d.outputType === 'numeric' && (
          <>
            <Field label="Minimum score" problem={shown('outMin')}>
              {num('outMin', '0')}
            </Field>
            <Field label="Maximum score" problem={shown('outMax')}>
              {num('outMax', '1')}
            </Field>
          </>
        )}
        {d.outputType === 'categorical' && (
          <Field label="Categories" wide problem={shown('categories')} hint="comma-separated, e.g. grounded, hallucinated">
            <input name="categories" value={d.categories} onChange={(e) => set('categories', e.target.value)} />
          </Field>
        )}
        {d.outputType === 'boolean' && <div className="field ev-note muted small">The judge answers true or false (stored as 1 and 0).</div>}
      </div>
      <div className="ev-grid ev-grid-1">
        <Field
          label="Prompt"
          problem={shown('template')}
          hint={
            <>
              Variables: <code>{'{{input}}'}</code> <code>{'{{output}}'}</code> <code>{'{{metadata}}'}</code> <code>{'{{reference}}'}</code> <code>{'{{context}}'}</code>. The judge answers JSON{' '}
              {'{"reasoning", "score"}'}.
            </>
          }
        >
          <textarea name="template" rows={9} value={d.template} spellCheck={false} onChange={(e) => set('template', e.target.value)} />
        </Field>
      </div>
      <div className="ev-grid">
        <Field label="Temperature" problem={shown('temperature')}>
          {num('temperature', '0')}
        </Field>
        <Field label="Timeout (ms)" problem={shown('timeoutMs')}>
          {num('timeoutMs', '30000')}
        </Field>
        <Field label="Retries" problem={shown('maxRetries')} hint="on 429, 5xx and timeouts">
          {num('maxRetries', '3')}
        </Field>
      </div>
    </>
  );
}
