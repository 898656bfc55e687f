// Parsing of a span's stored input/output: text, or a JSON array of { role, content, toolCalls?, toolCallId? }.

export interface ToolCall {
  id?: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: string;
  content: string;
  toolCalls?: ToolCall[];
  toolCallId?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asText = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v, null, 2));

/** The messages of a stored input/output, or null when it is plain text. */
export function parseMessages(text: string | null): ChatMessage[] | null {
  if (!text) return null;
  const t = text.trimStart();
  if (!t.startsWith('[')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((m) => isRecord(m) && typeof m.role === 'string')) return null;
  return (parsed as Array<Record<string, unknown>>).map((m) => {
    const msg: ChatMessage = { role: String(m.role), content: asText(m.content) };
    if (Array.isArray(m.toolCalls)) {
      msg.toolCalls = m.toolCalls.filter(isRecord).map((c) => ({
        id: typeof c.id === 'string' ? c.id : undefined,
        name: asText(c.name),
        arguments: asText(c.arguments),
      }));
    }
    if (typeof m.toolCallId === 'string') msg.toolCallId = m.toolCallId;
    return msg;
  });
}
