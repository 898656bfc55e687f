/** A span's input or output as stored: plain text, or a JSON array of chat messages. */
export interface Message {
  role: string;
  content?: string | null;
  toolCalls?: Array<{ id?: string; name: string; arguments?: string }>;
  toolCallId?: string;
}

export function parseMessages(text: string, role: string): Message[] {
  if (text.startsWith('[{')) {
    try {
      return JSON.parse(text) as Message[];
    } catch {
      /* plain text after all */
    }
  }
  return text === '' ? [] : [{ role, content: text }];
}

/** The text of a stored input or output: its messages' contents, one per line. */
export const messageText = (raw: string): string =>
  parseMessages(raw, 'user')
    .map((m) => m.content ?? '')
    .join('\n');
