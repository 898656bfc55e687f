import { config } from './sdk.ts';

/** JSON (or the text itself) of a value for a content attribute, capped at maxContentLength. */
export function contentText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
    } catch {
      text = String(value); // cycles and the like: still record something
    }
  }
  const max = config().maxContentLength;
  return text.length > max ? `${text.slice(0, max)}…[truncated ${text.length - max} chars]` : text;
}

export function captureContent(): boolean {
  return config().captureContent;
}
