import { Tiktoken, getEncodingNameForModel } from 'js-tiktoken/lite';
import type { ChatMessage } from './conventions/fields.ts';

type EncodingName = 'o200k_base' | 'cl100k_base';
const encoders = new Map<EncodingName, Promise<Tiktoken>>();

// Rank tables are several MB each: load one only when a span without usage needs it.
function encoder(name: EncodingName): Promise<Tiktoken> {
  let e = encoders.get(name);
  if (!e) {
    e = (name === 'o200k_base' ? import('js-tiktoken/ranks/o200k_base') : import('js-tiktoken/ranks/cl100k_base')).then((m) => new Tiktoken(m.default));
    encoders.set(name, e);
  }
  return e;
}

export function encodingFor(model: string): EncodingName {
  try {
    const name = getEncodingNameForModel(model as Parameters<typeof getEncodingNameForModel>[0]);
    if (name === 'o200k_base' || name === 'cl100k_base') return name;
  } catch {
    // Not an OpenAI model name: fall through to the families we know.
  }
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[134]|chatgpt-4o)/.test(model) ? 'o200k_base' : 'cl100k_base';
}

// OpenAI's documented chat overhead (prompt side only): ~3 tokens per message plus 3 to prime the reply.
const PER_MESSAGE = 3;
const REPLY_PRIMER = 3;

export async function countTextTokens(model: string, text: string): Promise<number> {
  if (!text) return 0;
  return (await encoder(encodingFor(model))).encode(text, 'all').length;
}

/**
 * Tokens of a conversation. For the prompt (`prompt` true) each message costs its role and
 * content plus PER_MESSAGE, and the reply primer is added once. A completion is only what
 * the model generated: its content and tool calls, with no role or message framing (the
 * assistant header is the primer already counted on the prompt side).
 */
export async function countMessageTokens(model: string, messages: ChatMessage[], prompt: boolean): Promise<number> {
  const enc = await encoder(encodingFor(model));
  let n = prompt ? REPLY_PRIMER : 0;
  for (const m of messages) {
    if (prompt) n += PER_MESSAGE + enc.encode(m.role, 'all').length;
    n += enc.encode(m.content, 'all').length;
    for (const c of m.toolCalls ?? []) n += enc.encode(c.name, 'all').length + enc.encode(c.arguments, 'all').length;
  }
  return n;
}
