// One score's control on the review page: yes / no and label buttons, or a number in its range,
// with the keys that set it. The highlighted one is what the number keys set.
import type { ScoreDefinition } from '../../annotations-api.ts';
import { NumberInput } from '../../components/Fields.tsx';
import { digitHints } from './keys.ts';

/** What a reviewer has given a score so far: a number as typed, a label, yes / no. */
export type Given = string | boolean | undefined;

interface Props {
  def: ScoreDefinition;
  value: Given;
  onChange: (v: Given) => void;
  active: boolean;
  onActivate: () => void;
  problem?: string;
}

function Choice({ label, hint, on, onClick, value }: { label: string; hint: string; on: boolean; onClick: () => void; value: string }) {
  return (
    <button type="button" className={`rv-choice${on ? ' active' : ''}`} aria-pressed={on} data-value={value} onClick={onClick}>
      <kbd>{hint}</kbd> {label}
    </button>
  );
}

export function ScoreControl({ def, value, onChange, active, onActivate, problem }: Props) {
  const hints = digitHints(def);
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions lint/a11y/useKeyWithClickEvents: highlights the score; its buttons and the page shortcuts take the keyboard
    <div className={`rv-score${active ? ' is-active' : ''}`} data-score={def.name} data-active={active || undefined} onClick={onActivate} onFocus={onActivate}>
      <div className="rv-score-head">
        <span className="rv-score-name">{def.name}</span>
        <span className="muted small">{def.type === 'numeric' ? `${def.min} to ${def.max}` : def.type === 'boolean' ? 'yes / no' : 'one label'}</span>
        {active && <span className="rv-keys-here small">number keys set this</span>}
      </div>
      {def.description && <div className="muted small">{def.description}</div>}
      {def.type === 'boolean' && (
        <div className="rv-choices" role="group" aria-label={def.name}>
          <Choice label="Yes" hint="1" value="true" on={value === true} onClick={() => onChange(value === true ? undefined : true)} />
          <Choice label="No" hint="2" value="false" on={value === false} onClick={() => onChange(value === false ? undefined : false)} />
        </div>
      )}
      {def.type === 'categorical' && (
        <div className="rv-choices" role="group" aria-label={def.name}>
          {def.labels.map((l, i) => (
            <Choice key={l} label={l} hint={i < 9 ? String(i + 1) : '·'} value={l} on={value === l} onClick={() => onChange(value === l ? undefined : l)} />
          ))}
        </div>
      )}
      {def.type === 'numeric' && (
        <div className="rv-number">
          <NumberInput
            name={`score-${def.name}`}
            ariaLabel={def.name}
            value={typeof value === 'string' ? value : ''}
            placeholder={`${def.min}–${def.max}`}
            invalid={!!problem}
            onChange={(v) => onChange(v === '' ? undefined : v)}
          />
          <span className="muted small">keys: {hints.map(([k, v]) => `${k} → ${v}`).join(' · ')}</span>
        </div>
      )}
      {problem && (
        <div className="field-problem small" data-problem>
          {problem}
        </div>
      )}
    </div>
  );
}
