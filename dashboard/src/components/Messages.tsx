// A span's input or output: plain text, or a conversation (JSON array of
// { role, content, toolCalls?, toolCallId? }) rendered message by message.
import { parseMessages, type ChatMessage } from '../messages.ts';

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
            <span className="tool-icon" aria-hidden="true">
              ƒ
            </span>{' '}
            {c.name}
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
