// Labelled form fields with a hint or, when the value is wrong, what is wrong with it.
import type { ReactNode } from 'react';

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  /** Shown instead of the hint, in red; the field is marked invalid. */
  problem?: string | null;
  wide?: boolean;
  className?: string;
  children: ReactNode;
}

export function Field({ label, hint, problem, wide, className = '', children }: FieldProps) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the children this label wraps
    <label className={`field${wide ? ' field-wide' : ''}${problem ? ' has-problem' : ''} ${className}`.trim()}>
      <span>{label}</span>
      {children}
      {problem ? (
        <small className="field-problem" data-problem>
          {problem}
        </small>
      ) : hint ? (
        <small className="field-hint">{hint}</small>
      ) : null}
    </label>
  );
}

interface NumberInputProps {
  name: string;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  invalid?: boolean;
  ariaLabel?: string;
}

/** A text input for numbers: typed freely, checked by the form (numberProblem), never coerced. */
export function NumberInput({ name, value, onChange, placeholder, invalid, ariaLabel }: NumberInputProps) {
  return (
    <input
      name={name}
      inputMode="decimal"
      autoComplete="off"
      value={value}
      placeholder={placeholder}
      aria-invalid={invalid || undefined}
      aria-label={ariaLabel}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
