// Loading, error and empty states shared by every page.
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ApiError } from '../api.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert" data-testid="error">
      <strong>
        {error.status ? `Error ${error.status}` : 'Error'}
        {error.code && !error.code.startsWith('http_') ? ` (${error.code})` : ''}:
      </strong>{' '}
      <span className="error-message">{error.message}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty">
      <div className="empty-title">{title}</div>
      {children}
    </div>
  );
}

function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = () => {
    const ok = () => {
      setDone(true);
      setTimeout(() => setDone(false), 1500);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(ok, () => fallbackCopy(text) && ok());
    else if (fallbackCopy(text)) ok();
  };
  return (
    <button type="button" className="btn btn-small" onClick={copy}>
      {done ? 'Copied' : label}
    </button>
  );
}

/** Copies through a hidden textarea where the async clipboard API is unavailable (plain http). */
function fallbackCopy(text: string): boolean {
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.style.position = 'fixed';
  ta.style.opacity = '0';
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

export { CopyButton };

/** How to send the first span: the OTLP endpoint and the SDK's two lines. */
export function GettingStarted() {
  const host = typeof window === 'undefined' ? '127.0.0.1' : window.location.hostname || '127.0.0.1';
  const endpoint = `http://${host}:4318/v1/traces`;
  const sdk = `import { init, wrapOpenAI } from '@spanlens/sdk';\ninit({ apiKey: process.env.SPANLENS_API_KEY });\nconst openai = wrapOpenAI(new OpenAI());`;
  const env = `OTEL_EXPORTER_OTLP_ENDPOINT=http://${host}:4318\nOTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer <key>"`;
  return (
    <div className="getting-started">
      <p>Send your first span. Spanlens speaks OTLP: point any OpenTelemetry exporter at</p>
      <div className="code-line">
        <code>POST {endpoint}</code> <span className="muted">with</span> <code>Authorization: Bearer &lt;key&gt;</code>
      </div>
      <p className="muted small">
        4318 is the default OTLP/HTTP port (gRPC: 4317); a server started with <code>SPANLENS_OTLP_HTTP_PORT</code> listens on that port instead, as printed at its start.
      </p>
      <pre className="code">{env}</pre>
      <p>or, from a Node.js app, the SDK's two lines:</p>
      <pre className="code">{sdk}</pre>
      <div className="gs-actions">
        <CopyButton text={sdk} label="Copy SDK snippet" />
        <span className="muted">
          API keys are in <Link to="/settings">Settings</Link>.
        </span>
      </div>
    </div>
  );
}
