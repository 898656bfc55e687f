// Webhook destinations: list, add (the signing secret is shown once), delete, send a test event.
import { useState, type FormEvent } from 'react';
import { alertsApi, type Destination, type TestResult } from '../../alerts-api.ts';
import { CopyButton, ErrorBox, Loading } from '../../components/States.tsx';
import { fmtMs } from '../../format.ts';
import type { Loaded } from '../../hooks.ts';
import { useAction } from './shared.tsx';

function TestOutcome({ r }: { r: TestResult }) {
  return (
    <span className={`al-test ${r.ok ? 'is-ok' : 'is-bad'}`} data-testid="test-result" data-ok={String(r.ok)} title={r.error || `event ${r.eventId}`}>
      {r.ok ? '✓ delivered' : '✗ failed'} · {r.statusCode || 'no answer'} · {fmtMs(r.latencyMs)}
      {r.error ? ` · ${r.error}` : ''}
    </span>
  );
}

function DestinationRow({ d, onDeleted }: { d: Destination; onDeleted: () => void }) {
  const [confirm, setConfirm] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const action = useAction();
  const test = () =>
    void action.run(async () => {
      setResult(null);
      setResult(await alertsApi.testDestination(d.id));
    });
  return (
    <tr data-destination-id={d.id} data-name={d.name}>
      <td className="trunc" title={d.name}>
        {d.name}
      </td>
      <td className="trunc mono" title={d.url}>
        {d.url}
      </td>
      <td>
        <span className="badge">{d.format}</span>
      </td>
      <td className="trunc">
        {action.busy && !confirm ? <span className="muted">sending…</span> : result ? <TestOutcome r={result} /> : null}
        {action.error && (
          <span className="text-bad small" title={action.error.message}>
            {action.error.message}
          </span>
        )}
      </td>
      <td className="actions">
        {confirm ? (
          <>
            <button
              type="button"
              className="btn btn-danger btn-small"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  await alertsApi.deleteDestination(d.id);
                  onDeleted();
                })
              }
            >
              Confirm delete
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirm(false)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            <button type="button" className="btn btn-small" disabled={action.busy} onClick={test}>
              Send test
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirm(true)}>
              Delete
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export function Destinations({ destinations, onChanged }: { destinations: Loaded<{ destinations: Destination[] }>; onChanged: () => void }) {
  const [form, setForm] = useState({ name: '', url: '', format: 'json' as 'json' | 'slack' });
  const [created, setCreated] = useState<(Destination & { secret: string }) | null>(null);
  const action = useAction();
  const add = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      setCreated(await alertsApi.createDestination({ name: form.name.trim(), url: form.url.trim(), format: form.format }));
      setForm({ name: '', url: '', format: 'json' });
      onChanged();
    });
  };
  const list = destinations.data?.destinations;
  return (
    <section className="card" data-testid="destinations">
      <div className="card-title">Webhook destinations</div>
      <p className="muted small pad-x">
        Rules POST their transitions (firing, resolved, reminder) here as JSON or as a Slack message, signed with the destination's secret. Network errors, timeouts, 429 and 5xx are retried for about
        ten minutes.
      </p>
      {created && (
        <div className="new-key" data-testid="new-secret" role="status">
          <div>
            <strong>Destination “{created.name}” added.</strong> Copy its signing secret now: it is shown only once.
          </div>
          <div className="new-key-row">
            <code className="mono" data-testid="new-secret-value">
              {created.secret}
            </code>
            <CopyButton text={created.secret} />
            <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          <div className="muted small al-sig-note">
            Every request carries <code>X-Spanlens-Signature: v1=&lt;hex&gt;</code>, the HMAC-SHA256 of <code>&lt;X-Spanlens-Timestamp&gt;.&lt;body&gt;</code> with this secret, and{' '}
            <code>X-Spanlens-Event-Id</code> (the same on every retry: deduplicate on it).
          </div>
        </div>
      )}
      <form className="al-dest-form" onSubmit={add}>
        <input aria-label="Destination name" name="dest-name" placeholder="Name, e.g. ops" value={form.name} maxLength={200} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <input aria-label="Webhook URL" name="dest-url" placeholder="https://hooks.example.com/spanlens" value={form.url} onChange={(e) => setForm({ ...form, url: e.target.value })} />
        <select aria-label="Format" name="dest-format" value={form.format} onChange={(e) => setForm({ ...form, format: e.target.value as 'json' | 'slack' })}>
          <option value="json">JSON</option>
          <option value="slack">Slack</option>
        </select>
        <button type="submit" className="btn btn-primary" disabled={action.busy || !form.name.trim() || !form.url.trim()}>
          Add destination
        </button>
      </form>
      {action.error && (
        <div className="pad-x">
          <ErrorBox error={action.error} />
        </div>
      )}
      {destinations.error ? (
        <div className="pad-x">
          <ErrorBox error={destinations.error} onRetry={destinations.reload} />
        </div>
      ) : !list ? (
        <Loading />
      ) : list.length === 0 ? (
        <div className="muted pad">No destinations yet. Rules without one still record their states and history here.</div>
      ) : (
        <table className="table" data-testid="destinations-table">
          <thead>
            <tr>
              <th style={{ width: '16%' }}>Name</th>
              <th>URL</th>
              <th style={{ width: '86px' }}>Format</th>
              <th style={{ width: '30%' }}>Test</th>
              <th style={{ width: '170px' }} />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <DestinationRow key={d.id} d={d} onDeleted={onChanged} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
