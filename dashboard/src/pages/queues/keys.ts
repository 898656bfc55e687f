// The review page's keyboard scheme (pure, unit-tested). Number keys set the highlighted score:
//   yes / no  1 = yes (true), 2 = no (false)
//   labels    1–9 = the first to ninth label
//   number    a whole-number scale inside 0–9 (1–5, 0–4, 0–9…): the key is the value itself;
//             any other range: 1 = the minimum, 9 = the maximum, evenly in between (whole
//             numbers on a whole-number scale, e.g. 0–10: 1 → 0, 5 → 5, 9 → 10)
// Enter submits (Ctrl/⌘+Enter from a text area), s skips.
import type { ScoreDefinition, ScoreValue } from '../../annotations-api.ts';

const isWholeScale = (s: { min: number; max: number }) => Number.isInteger(s.min) && Number.isInteger(s.max);
/** A scale whose every value is one key. */
const isDigitScale = (s: { min: number; max: number }) => isWholeScale(s) && s.min >= 0 && s.max <= 9;

/** The value a number key (0-9) gives a score, or undefined when that key means nothing for it. */
export function digitValue(def: ScoreDefinition, digit: number): ScoreValue | undefined {
  if (def.type === 'boolean') return digit === 1 ? true : digit === 2 ? false : undefined;
  if (def.type === 'categorical') return digit >= 1 && digit <= def.labels.length ? def.labels[digit - 1] : undefined;
  if (isDigitScale(def)) return digit >= def.min && digit <= def.max ? digit : undefined;
  if (digit < 1) return undefined;
  const v = def.min + ((digit - 1) * (def.max - def.min)) / 8;
  return isWholeScale(def) ? Math.round(v) : Math.round(v * 1000) / 1000;
}

/** The keys of a score as shown next to it: [key, what it sets]. */
export function digitHints(def: ScoreDefinition): Array<[string, string]> {
  if (def.type === 'boolean')
    return [
      ['1', 'yes'],
      ['2', 'no'],
    ];
  if (def.type === 'categorical') return def.labels.slice(0, 9).map((l, i) => [String(i + 1), l]);
  if (isDigitScale(def)) return [[`${def.min}–${def.max}`, 'that value']];
  return [1, 5, 9].map((k) => [String(k), String(digitValue(def, k))]);
}

export type KeyAction = { kind: 'digit'; digit: number } | { kind: 'submit' } | { kind: 'skip' } | { kind: 'move'; by: 1 | -1 } | null;

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag: TEXTAREA, INPUT, SELECT, BUTTON, BODY… */
  target: string;
}

/** What a key press means on the review page; null: let the browser have it. */
export function keyAction(e: KeyInput): KeyAction {
  const typing = e.target === 'INPUT' || e.target === 'TEXTAREA' || e.target === 'SELECT';
  if (e.key === 'Enter') {
    if (e.target === 'TEXTAREA') return e.ctrlKey || e.metaKey ? { kind: 'submit' } : null;
    // An input's Enter submits its form already; a select's opens it.
    return e.target === 'INPUT' || e.target === 'SELECT' ? null : { kind: 'submit' };
  }
  if (typing || e.ctrlKey || e.metaKey || e.altKey) return null;
  if (/^[0-9]$/.test(e.key)) return { kind: 'digit', digit: Number(e.key) };
  if (e.key === 's') return { kind: 'skip' };
  if (e.key === 'ArrowDown') return { kind: 'move', by: 1 };
  if (e.key === 'ArrowUp') return { kind: 'move', by: -1 };
  return null;
}
