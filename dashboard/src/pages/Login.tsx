// The admin token form, shown when the API requires SPANLENS_ADMIN_TOKEN and the browser has no session.
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';

export function Login({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login(token);
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login-page">
      <form className="card login-card" onSubmit={submit} data-testid="login">
        <div className="brand brand-dark">
          <span className="brand-mark" aria-hidden="true" /> Spanlens
        </div>
        <p className="muted">
          This Spanlens asks for its admin token (<code>SPANLENS_ADMIN_TOKEN</code>).
        </p>
        <label className="field">
          <span>Admin token</span>
          <input type="password" name="token" autoComplete="current-password" autoFocus value={token} onChange={(e) => setToken(e.target.value)} />
        </label>
        {error && (
          <div className="state state-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy || !token}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
