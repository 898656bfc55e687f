// Form helpers shared by the evaluator and annotation queue forms: number fields checked in the
// page (so a letter never reaches the API), comma-separated lists, and the API's 400 messages
// ("body judge.baseUrl: Invalid URL") put in the words of the form ("Base URL: not a valid URL").

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
  /** Empty is allowed (the field is optional). */
  optional?: boolean;
}

/** What is wrong with a number typed in a field, or null. */
export function numberProblem(raw: string, rule: NumberRule = {}): string | null {
  const s = raw.trim();
  if (s === '') return rule.optional ? null : 'required';
  if (/^[-+]?\d+,\d+$/.test(s)) return 'a number: use a dot for decimals (0.5)';
  // Number('') and Number('0x10') are numbers; a form wants plain decimals only.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return 'a number: digits only, no letters';
  const v = Number(s);
  if (!Number.isFinite(v)) return 'a number: digits only, no letters';
  if (rule.integer && !Number.isInteger(v)) return 'a whole number';
  if (rule.min !== undefined && v < rule.min) return `at least ${rule.min}`;
  if (rule.max !== undefined && v > rule.max) return `at most ${rule.max}`;
  return null;
}

/** The value of a field numberProblem accepted (undefined when empty). */
export function toNumber(raw: string): number | undefined {
  return raw.trim() === '' ? undefined : Number(raw.trim());
}

export function splitList(s: string): string[] {
  return s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** zod's wording, as a person would say it. */
const WORDING: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Too big: expected number to be <=?(\S+)$/, (m) => `must be at most ${m[1]}`],
  [/^Too small: expected number to be >=?(\S+)$/, (m) => `must be at least ${m[1]}`],
  [/^Too small: expected string to have >=1 characters?$/, () => 'is required'],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `is too long (${m[1]} characters at most)`],
  [/^Too small: expected array to have >=(\d+) items?$/, (m) => `needs at least ${m[1]}`],
  [/^Invalid URL$/, () => 'is not a valid URL (it starts with http:// or https://)'],
  [/^Invalid input: expected (\w+), received (\w+)$/, (m) => `must be a ${m[1]}, not a ${m[2]}`],
  [/^Invalid (option|enum value).*$/, () => 'is not one of the choices'],
];

/**
 * "body judge.baseUrl: Invalid URL" → "Base URL is not a valid URL…", naming the field by its
 * label (the longest matching path in `labels`); other messages are left as they are.
 */
export function plainMessage(message: string, labels: Readonly<Record<string, string>>): string {
  const m = /^(?:body )?([\w.[\]]+): (.*)$/s.exec(message);
  if (!m) return message;
  const path = m[1]!;
  const rest = m[2]!;
  const key = Object.keys(labels)
    .filter((k) => path === k || path.startsWith(`${k}.`))
    .sort((a, b) => b.length - a.length)[0];
  const label = key ? labels[key]! : path;
  for (const [re, say] of WORDING) {
    const w = re.exec(rest);
    if (w) return `${label} ${say(w)}.`;
  }
  return `${label}: ${rest}`;
}
