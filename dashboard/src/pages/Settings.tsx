// Settings: the project's API keys (list, create, revoke), its own model prices, and what ingest masks.
import { useState, type FormEvent } from 'react';
import { api, ApiError, type ApiKey, type CreatedKey, type Price, type RedactionDetector, type RedactionSettings } from '../api.ts';
import { PageHeader } from '../components/Layout.tsx';
import { CopyButton, ErrorBox, Loading } from '../components/States.tsx';
import { fmtDateTime, fmtPerMTok } from '../format.ts';
import { useApi } from '../hooks.ts';

function useAction(): { busy: boolean; error: ApiError | undefined; run: (f: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await f();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'client', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function KeyRow({ k, onRevoked }: { k: ApiKey; onRevoked: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const action = useAction();
  return (
    <tr data-key-id={k.id} className={k.revoked ? 'revoked' : ''}>
      <td className="trunc" title={k.name}>
        {k.name}
      </td>
      <td className="mono">{k.prefix}…</td>
      <td>{fmtDateTime(k.createdAt)}</td>
      <td>{k.revoked ? <span className="badge st-unset">revoked</span> : <span className="badge st-ok">active</span>}</td>
      <td className="actions">
        {!k.revoked &&
          (confirm ? (
            <>
              <button
                type="button"
                className="btn btn-danger btn-small"
                disabled={action.busy}
                onClick={() =>
                  action.run(async () => {
                    await api.revokeKey(k.id);
                    onRevoked();
                  })
                }
              >
                Confirm revoke
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-small" onClick={() => setConfirm(true)}>
              Revoke
            </button>
          ))}
        {action.error && <span className="text-bad small"> {action.error.message}</span>}
      </td>
    </tr>
  );
}

function Keys() {
  const keys = useApi<{ keys: ApiKey[] }>('/api/v1/keys');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const action = useAction();
  const create = (e: FormEvent) => {
    e.preventDefault();
    const n = name.trim();
    if (!n) return;
    void action.run(async () => {
      setCreated(await api.createKey(n));
      setName('');
      keys.reload();
    });
  };
  return (
    <section className="card" data-testid="keys">
      <div className="card-title">API keys</div>
      <p className="muted small pad-x">
        Apps send spans and query the API with <code>Authorization: Bearer &lt;key&gt;</code>. A revoked key stops working at once.
      </p>
      {created && (
        <div className="new-key" data-testid="new-key" role="status">
          <div>
            <strong>New key “{created.name}”.</strong> Copy it now: it is shown only once.
          </div>
          <div className="new-key-row">
            <code className="mono" data-testid="new-key-value">
              {created.key}
            </code>
            <CopyButton text={created.key} />
            <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      <form className="inline-form" onSubmit={create}>
        <input aria-label="Key name" placeholder="Key name, e.g. production" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        <button type="submit" className="btn btn-primary" disabled={action.busy || !name.trim()}>
          Create key
        </button>
        {action.error && <ErrorBox error={action.error} />}
      </form>
      {keys.error ? (
        <ErrorBox error={keys.error} onRetry={keys.reload} />
      ) : !keys.data ? (
        <Loading />
      ) : keys.data.keys.length === 0 ? (
        <div className="muted pad">No keys yet.</div>
      ) : (
        <table className="table" data-testid="keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th style={{ width: '18%' }}>Key</th>
              <th style={{ width: '22%' }}>Created</th>
              <th style={{ width: '12%' }}>Status</th>
              <th style={{ width: '26%' }} />
            </tr>
          </thead>
          <tbody>
            {keys.data.keys.map((k) => (
              <KeyRow key={k.id} k={k} onRevoked={keys.reload} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const EMPTY_PRICE = { provider: '', model: '', inputPerMTok: '', outputPerMTok: '', cachedInputPerMTok: '' };

function Prices() {
  const prices = useApi<{ prices: Price[] }>('/api/v1/prices');
  const [form, setForm] = useState(EMPTY_PRICE);
  const action = useAction();
  const num = (s: string): number | null => (s.trim() === '' ? null : Number(s));
  const save = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      const input = num(form.inputPerMTok);
      const output = num(form.outputPerMTok);
      const cached = num(form.cachedInputPerMTok);
      if (input === null || output === null || Number.isNaN(input) || Number.isNaN(output) || (cached !== null && Number.isNaN(cached))) {
        throw new ApiError(0, 'client', 'Prices must be numbers (USD per million tokens)');
      }
      await api.setPrice({ provider: form.provider.trim(), model: form.model.trim(), inputPerMTok: input, outputPerMTok: output, cachedInputPerMTok: cached });
      setForm(EMPTY_PRICE);
      prices.reload();
    });
  };
  const edit = (p: Price) =>
    setForm({
      provider: p.provider,
      model: p.model,
      inputPerMTok: String(p.inputPerMTok),
      outputPerMTok: String(p.outputPerMTok),
      cachedInputPerMTok: p.cachedInputPerMTok === null ? '' : String(p.cachedInputPerMTok),
    });
  const remove = (p: Price) =>
    action.run(async () => {
      await api.deletePrice(p.provider, p.model);
      prices.reload();
    });
  const field = (key: keyof typeof EMPTY_PRICE, label: string, placeholder: string, required = false) => (
    <label className="field">
      <span>{label}</span>
      <input name={key} value={form[key]} placeholder={placeholder} required={required} onChange={(e) => setForm({ ...form, [key]: e.target.value })} />
    </label>
  );
  return (
    <section className="card" data-testid="prices">
      <div className="card-title">Model prices</div>
      <p className="muted small pad-x">Your own prices (USD per million tokens) override the public price table for spans ingested from now on. An empty provider matches any provider.</p>
      <form className="price-form" onSubmit={save}>
        {field('provider', 'Provider', 'any, e.g. openai')}
        {field('model', 'Model', 'e.g. gpt-4o-mini', true)}
        {field('inputPerMTok', 'Input $/MTok', '0.15', true)}
        {field('outputPerMTok', 'Output $/MTok', '0.60', true)}
        {field('cachedInputPerMTok', 'Cached input $/MTok', 'input price')}
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy}>
            Save price
          </button>
        </div>
      </form>
      {action.error && <ErrorBox error={action.error} />}
      {prices.error ? (
        <ErrorBox error={prices.error} onRetry={prices.reload} />
      ) : !prices.data ? (
        <Loading />
      ) : prices.data.prices.length === 0 ? (
        <div className="muted pad">No custom prices: every model is priced from the public table.</div>
      ) : (
        <table className="table" data-testid="prices-table">
          <thead>
            <tr>
              <th style={{ width: '16%' }}>Provider</th>
              <th>Model</th>
              <th className="num">Input</th>
              <th className="num">Output</th>
              <th className="num">Cached input</th>
              <th style={{ width: '150px' }} />
            </tr>
          </thead>
          <tbody>
            {prices.data.prices.map((p) => (
              <tr key={`${p.provider}/${p.model}`} data-model={p.model}>
                <td className="trunc">{p.provider || <span className="muted">any</span>}</td>
                <td className="trunc" title={p.model}>
                  {p.model}
                </td>
                <td className="num">{fmtPerMTok(p.inputPerMTok)}</td>
                <td className="num">{fmtPerMTok(p.outputPerMTok)}</td>
                <td className="num">{fmtPerMTok(p.cachedInputPerMTok)}</td>
                <td className="actions">
                  <button type="button" className="btn btn-small" onClick={() => edit(p)}>
                    Edit
                  </button>
                  <button type="button" className="btn btn-small" onClick={() => void remove(p)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const DETECTORS: Array<[RedactionDetector, string]> = [
  ['email', 'Email addresses'],
  ['phone', 'Phone numbers'],
  ['credit_card', 'Card numbers (Luhn-checked)'],
  ['ip_address', 'IP addresses (v4, v6)'],
];

function Redaction() {
  const saved = useApi<RedactionSettings>('/api/v1/redaction');
  const [draft, setDraft] = useState<RedactionSettings | null>(null);
  const [done, setDone] = useState(false);
  const action = useAction();
  const current = draft ?? saved.data;
  const change = (next: RedactionSettings) => {
    setDraft(next);
    setDone(false);
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!current) return;
    void action.run(async () => {
      await api.setRedaction({ ...current, custom: current.custom.filter((c) => c.name.trim() || c.pattern.trim()) });
      setDraft(null);
      setDone(true);
      saved.reload();
    });
  };
  return (
    <section className="card" data-testid="redaction">
      <div className="card-title">Redaction at ingest</div>
      <p className="muted small pad-x">
        Masked as [REDACTED:&lt;detector&gt;] in inputs, outputs, attributes and events before anything is stored, for spans ingested from now on. Provider API keys and bearer tokens are always
        masked.
      </p>
      {saved.error ? (
        <ErrorBox error={saved.error} onRetry={saved.reload} />
      ) : !current ? (
        <Loading />
      ) : (
        <form className="pad-x" onSubmit={save}>
          <div className="detectors">
            {DETECTORS.map(([d, label]) => (
              <label key={d} className="check">
                <input type="checkbox" name={d} checked={current.detectors[d]} onChange={(e) => change({ ...current, detectors: { ...current.detectors, [d]: e.target.checked } })} />
                {label}
              </label>
            ))}
          </div>
          <div className="muted small">Custom patterns (JavaScript regular expressions)</div>
          {current.custom.map((c, i) => (
            <div key={i} className="pattern-row" data-testid="custom-pattern">
              <label className="field">
                <span>Name</span>
                <input
                  name={`custom-name-${i}`}
                  value={c.name}
                  placeholder="employee_id"
                  onChange={(e) => change({ ...current, custom: current.custom.map((x, k) => (k === i ? { ...x, name: e.target.value } : x)) })}
                />
              </label>
              <label className="field">
                <span>Pattern</span>
                <input
                  name={`custom-pattern-${i}`}
                  className="mono"
                  value={c.pattern}
                  placeholder="EMP-\d{6}"
                  onChange={(e) => change({ ...current, custom: current.custom.map((x, k) => (k === i ? { ...x, pattern: e.target.value } : x)) })}
                />
              </label>
              <div className="filter-actions">
                <button type="button" className="btn btn-small" onClick={() => change({ ...current, custom: current.custom.filter((_, k) => k !== i) })}>
                  Remove
                </button>
              </div>
            </div>
          ))}
          <div className="filter-actions">
            <button type="button" className="btn" onClick={() => change({ ...current, custom: [...current.custom, { name: '', pattern: '' }] })}>
              Add pattern
            </button>
            <button type="submit" className="btn btn-primary" disabled={action.busy}>
              Save redaction
            </button>
            {done && (
              <span className="muted small" data-testid="redaction-saved">
                Saved
              </span>
            )}
          </div>
        </form>
      )}
      {action.error && <ErrorBox error={action.error} />}
    </section>
  );
}

export function Settings() {
  return (
    <>
      <PageHeader title="Settings" subtitle="API keys, model prices and redaction of this project" />
      <Keys />
      <Prices />
      <Redaction />
    </>
  );
}
