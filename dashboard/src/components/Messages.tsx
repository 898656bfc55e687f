// A span's input or output: plain text, or a conversation (JSON array of
// { role, content, toolCalls?, toolCallId? }) rendered message by message.

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

/** Pretty-prints JSON text; leaves anything else as it is. */
function pretty(s: string): string {
  const t = s.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return s;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return s;
  }
}

function Message({ m }: { m: ChatMessage }) {
  const role = m.role.toLowerCase();
  return (
    <div className={`msg role-${['system', 'user', 'assistant', 'tool'].includes(role) ? role : 'other'}`} data-role={role}>
      <div className="msg-role">
        {m.role}
        {m.toolCallId && <span className="muted mono"> · result of {m.toolCallId}</span>}
      </div>
      {m.content && <div className="msg-content">{role === 'tool' ? pretty(m.content) : m.content}</div>}
      {m.toolCalls?.map((c, i) => (
        <div key={c.id ?? i} className="tool-call">
          <div className="tool-call-head">
            <span className="tool-icon" aria-hidden="true">ƒ</span> {c.name}
            {c.id && <span className="muted mono"> {c.id}</span>}
          </div>
          <pre className="code">{pretty(c.arguments)}</pre>
        </div>
      ))}
    </div>
  );
}

export function Messages({ label, text }: { label: string; text: string | null }) {
  if (!text) return null;
  const msgs = parseMessages(text);
  return (
    <section className="io" data-testid={`io-${label.toLowerCase()}`}>
      <div className="io-label">{label}</div>
      {msgs ? msgs.map((m, i) => <Message key={i} m={m} />) : <pre className="io-text">{pretty(text)}</pre>}
    </section>
  );
}
