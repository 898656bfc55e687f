import type { FeedbackRow, RedactionSettings, OptionalDetector } from '@spanlens/clickhouse';
import type { ChatMessage, LlmFields } from './conventions/fields.ts';
import { eventsText, messagesText } from './normalize.ts';
import type { AttrValue, Attributes } from '../model.ts';
import type { Processor, SpanBatch, SpanRecord } from './processor.ts';

// The detectors are regular expressions, as in every PII library we looked at; the
// maintained ones either call a cloud DLP service (redact-pii) or are secret scanners
// for files (secretlint), neither usable per span on the ingest path. The always-on
// patterns start with literals, which the engine can scan for quickly (their left
// boundary is checked in the replacer); the opt-in ones start with a lookbehind so a
// long run of characters is tried once, not once per position.
const PROVIDER_KEYS = [
  String.raw`sk-(?:ant-|proj-|svcacct-|admin-|or-)?[A-Za-z0-9_-]{20,}`, // OpenAI, Anthropic, OpenRouter
  String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`, // AWS access key id
  String.raw`AIza[0-9A-Za-z_-]{35}`, // Google
  String.raw`gh[pousr]_[A-Za-z0-9]{36,}`,
  String.raw`github_pat_[A-Za-z0-9_]{22,}`,
  String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
  String.raw`[rs]k_(?:live|test)_[A-Za-z0-9]{16,}`, // Stripe
  String.raw`hf_[A-Za-z0-9]{30,}`,
  String.raw`gsk_[A-Za-z0-9]{40,}`,
  String.raw`pplx-[A-Za-z0-9]{40,}`,
  String.raw`r8_[A-Za-z0-9]{30,}`,
  String.raw`sl_[A-Za-z0-9_-]{43}`, // Spanlens
  String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JWT
].join('|');

const DETECTORS: Record<OptionalDetector | 'api_key' | 'bearer_token', string> = {
  bearer_token: String.raw`[Bb]earer\s{1,8}[A-Za-z0-9._~+/-]{8,}=*`,
  api_key: PROVIDER_KEYS,
  email: String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}`,
  credit_card: String.raw`(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])`,
  phone: String.raw`(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![\w])`,
  ip_address: String.raw`(?<![\w.:])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,5})?)(?![\w.:])`,
};

const KEY_CHAR = /[A-Za-z0-9_-]/;
const WORD_CHAR = /\w/;

const OPTIONAL_ORDER: OptionalDetector[] = ['credit_card', 'email', 'ip_address', 'phone'];

/** Luhn checksum: a 16-digit order number is not a card number. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Masks what one project's settings select. Built-ins share one pass; each custom pattern is its own. */
export class Redactor {
  private readonly builtin: RegExp;
  private readonly names: string[];
  private readonly custom: Array<{ re: RegExp; mask: string }>;
  /** Values masked since the last take(). */
  private count = 0;

  constructor(settings: RedactionSettings) {
    // Order matters where patterns overlap: a card number would also read as a phone number.
    this.names = ['bearer_token', 'api_key', ...OPTIONAL_ORDER.filter((d) => settings.detectors[d])];
    this.builtin = new RegExp(this.names.map((n) => `(?<${n}>${DETECTORS[n as keyof typeof DETECTORS]})`).join('|'), 'g');
    this.custom = settings.custom.map((c) => ({ re: new RegExp(c.pattern, 'g'), mask: `[REDACTED:${c.name}]` }));
  }

  redact(text: string): string {
    if (text === '') return text;
    let out = text.replace(this.builtin, (match: string, ...rest: unknown[]) => {
      const groups = rest[rest.length - 1] as Record<string, string | undefined>;
      const name = this.names.find((n) => groups[n] !== undefined)!;
      const before = rest[rest.length - 3] as number;
      if (name === 'api_key' && before > 0 && KEY_CHAR.test(text[before - 1]!)) return match; // inside a longer token
      if (name === 'bearer_token') {
        if (before > 0 && WORD_CHAR.test(text[before - 1]!)) return match;
        this.count++;
        return `${match.slice(0, 6)} [REDACTED:bearer_token]`;
      }
      if (name === 'credit_card' && !luhn(match.replace(/[ -]/g, ''))) return match;
      this.count++;
      return `[REDACTED:${name}]`;
    });
    for (const c of this.custom) {
      out = out.replace(c.re, (match: string) => {
        if (match === '') return match;
        this.count++;
        return c.mask;
      });
    }
    return out;
  }

  get pending(): number {
    return this.count;
  }

  take(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }
}

export interface RedactionSource {
  /** The redactor for a project; the default one (keys and bearer tokens only) when it has no settings. */
  redactor(projectId: string): Redactor;
}

/** Masks before the exporter, so neither Kafka nor ClickHouse ever receives the values. */
export function redactionProcessor(source: RedactionSource): Processor {
  return {
    name: 'redaction',
    process(batch: SpanBatch) {
      const r = source.redactor(batch.projectId);
      for (const rec of batch.records) {
        redactRecord(rec, r);
        rec.row.redactions = r.take();
      }
    },
  };
}

/** Masks scores' comments (end users' free text) as span text is masked, before the exporter. */
export function redactFeedback(source: RedactionSource, rows: FeedbackRow[]): void {
  for (const row of rows) {
    const r = source.redactor(row.project_id);
    row.comment = r.redact(row.comment);
    r.take(); // a score has no count of its own
  }
}

function redactRecord(rec: SpanRecord, r: Redactor): void {
  const row = rec.row;
  const f = rec.fields;
  row.input = redactSide(row.input, f, 'inputMessages', r);
  row.output = redactSide(row.output, f, 'outputMessages', r);
  row.status_message = r.redact(row.status_message);
  for (const k in row.attributes) row.attributes[k] = r.redact(row.attributes[k]!);
  for (const k in row.resource_attributes) row.resource_attributes[k] = r.redact(row.resource_attributes[k]!);
  if (rec.span.events.length) {
    // From the decoded events, not the stored JSON: nothing is parsed, and the text is
    // written again only when something was masked.
    const n = r.pending;
    const events = rec.span.events.map((e) => ({ ...e, name: r.redact(e.name), attributes: redactValue(e.attributes, r) as Attributes }));
    if (r.pending !== n) row.events = eventsText(events);
  }
}

/** Masked messages replace the originals, so the limits processor after this one cuts masked text. */
function redactSide(text: string, f: LlmFields, key: 'inputMessages' | 'outputMessages', r: Redactor): string {
  const messages = f[key];
  if (!messages) return r.redact(text);
  const n = r.pending;
  f[key] = redactMessages(messages, r);
  return r.pending === n ? text : messagesText(f[key]);
}

// A mask inside JSON text could land after a backslash and break the escape, so
// conversations are masked message by message and serialized again.
export function redactMessages(messages: ChatMessage[], r: Redactor): ChatMessage[] {
  return messages.map((m) => ({
    ...m,
    content: r.redact(m.content),
    ...(m.toolCalls ? { toolCalls: m.toolCalls.map((c) => ({ ...c, arguments: r.redact(c.arguments) })) } : {}),
  }));
}

function redactValue(v: AttrValue | Attributes, r: Redactor): AttrValue | Attributes {
  if (typeof v === 'string') return r.redact(v);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, r) as AttrValue);
  if (v && typeof v === 'object') {
    const out: Attributes = {};
    for (const k in v) out[k] = redactValue(v[k]!, r) as AttrValue;
    return out;
  }
  return v;
}
