// npm run demo: fills a running Spanlens with a week of realistic LLM traffic.
//   npm run demo -- [--traces 3000] [--days 7] [--seed 42] [--endpoint http://127.0.0.1:4318] [--api http://127.0.0.1:3000]
// Env: SPANLENS_ENDPOINT, SPANLENS_API_URL, SPANLENS_API_KEY (else a key named "demo" is created through
// the API), SPANLENS_ADMIN_TOKEN (to sign in before creating that key).
import { parseArgs } from 'node:util';
import { DEMO_DEFAULTS, planDemo, type DemoPlan } from './generate.ts';
import { fireSampleAlert } from './alert.ts';
import { SendError, sendPlan } from './send.ts';

const HELP = `Usage: npm run demo -- [options]

Sends about a week of realistic LLM traffic (three services, multi-turn sessions, tool calls,
streaming, errors, feedback, and a model switch halfway) to a running Spanlens over OTLP/HTTP.

  --traces N       traces to send (default ${DEMO_DEFAULTS.traces})
  --days N         spread them over the past N days (default ${DEMO_DEFAULTS.days}, at most 29)
  --seed S         PRNG seed: the same seed plans the same traffic (default ${DEMO_DEFAULTS.seed})
  --endpoint URL   OTLP/HTTP collector (default $SPANLENS_ENDPOINT or http://127.0.0.1:4318)
  --api URL        API and dashboard (default $SPANLENS_API_URL or http://127.0.0.1:3000)
  --alert-webhook URL
                   also send the sample alert there (a signed test event, then the rule's
                   notifications); a loopback or private URL needs the server started with
                   SPANLENS_WEBHOOK_ALLOW_PRIVATE=true

Afterwards it creates the rule "Demo: LLM error rate by model (24 h)" and evaluates it, so
the Alerts page has a firing rule.

The API key is $SPANLENS_API_KEY; without it the demo creates one named "demo" through the API
(signing in first with $SPANLENS_ADMIN_TOKEN when that is set).`;

class DemoError extends Error {}

function parse() {
  const { values } = parseArgs({
    options: {
      traces: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      endpoint: { type: 'string' },
      api: { type: 'string' },
      'alert-webhook': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const number = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new DemoError(`--${name}: expected a positive number, got "${v}"`);
    return n;
  };
  const traces = number('traces', values.traces, DEMO_DEFAULTS.traces);
  if (!Number.isInteger(traces)) throw new DemoError(`--traces: expected a whole number, got "${values.traces}"`);
  const days = number('days', values.days, DEMO_DEFAULTS.days);
  if (days > 29) throw new DemoError('--days: at most 29 (spans older than the retention window, 30 days by default, are rejected)');
  const trim = (u: string) => u.replace(/\/+$/, '');
  return {
    help: values.help ?? false,
    traces,
    days,
    seed: values.seed ?? DEMO_DEFAULTS.seed,
    endpoint: trim(values.endpoint ?? process.env.SPANLENS_ENDPOINT ?? 'http://127.0.0.1:4318'),
    api: trim(values.api ?? process.env.SPANLENS_API_URL ?? 'http://127.0.0.1:3000'),
    alertWebhook: values['alert-webhook'],
  };
}

/** Any HTTP answer means the server is up; only a failed connection does not. */
async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

async function createKey(api: string): Promise<string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = process.env.SPANLENS_ADMIN_TOKEN;
  if (token) {
    const res = await fetch(`${api}/api/v1/session`, { method: 'POST', headers, body: JSON.stringify({ token }) });
    if (!res.ok) throw new DemoError(`signing in with SPANLENS_ADMIN_TOKEN failed: POST /api/v1/session answered ${res.status} ${await res.text()}`);
    const cookies = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    if (cookies) headers.cookie = cookies;
  }
  const res = await fetch(`${api}/api/v1/keys`, { method: 'POST', headers, body: JSON.stringify({ name: 'demo' }) });
  const text = await res.text();
  if (res.status === 201) {
    const key = (JSON.parse(text) as { key?: unknown }).key;
    if (typeof key === 'string' && key) return key;
  }
  if (res.status === 404) {
    throw new DemoError('this Spanlens cannot create API keys (no POST /api/v1/keys). Set SPANLENS_API_KEY to the key `npm start` printed at first start and run the demo again.');
  }
  if (res.status === 401 || res.status === 403) {
    throw new DemoError(`creating an API key was refused (${res.status} ${text}). Set SPANLENS_ADMIN_TOKEN to the server's admin token, or SPANLENS_API_KEY to a project key.`);
  }
  throw new DemoError(`creating an API key failed: POST /api/v1/keys answered ${res.status} ${text}`);
}

async function checkKey(api: string, key: string): Promise<void> {
  const res = await fetch(`${api}/api/v1/traces?limit=1`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  if (res.status === 401) throw new DemoError('the API key was refused (401). Check SPANLENS_API_KEY: it is the key `npm start` printed at first start.');
}

const fmt = (n: number) => n.toLocaleString('en-US');

function describe(plan: DemoPlan): string {
  const by = new Map<string, number>();
  for (const t of plan.traces) by.set(t.service, (by.get(t.service) ?? 0) + 1);
  return [...by]
    .sort((a, b) => b[1] - a[1])
    .map(([s, n]) => `${s} ${fmt(n)}`)
    .join(', ');
}

function progressPrinter() {
  const tty = process.stdout.isTTY;
  let lastStep = -1;
  let lastPhase = '';
  return (p: { phase: string; done: number; total: number }) => {
    const line = `  ${p.phase === 'spans' ? 'spans   ' : 'feedback'} ${fmt(p.done)} / ${fmt(p.total)}`;
    if (tty) {
      process.stdout.write(`\r${line}${p.done === p.total ? '\n' : ''}`);
      return;
    }
    const step = Math.floor((p.done / p.total) * 4);
    if (p.phase !== lastPhase) lastStep = -1;
    lastPhase = p.phase;
    if (step > lastStep) {
      lastStep = step;
      console.log(line);
    }
  };
}

async function main(): Promise<void> {
  const opts = parse();
  if (opts.help) {
    console.log(HELP);
    return;
  }
  const [apiUp, collectorUp] = await Promise.all([reachable(`${opts.api}/api/v1/openapi.json`), reachable(`${opts.endpoint}/healthz`)]);
  if (!apiUp || !collectorUp) {
    const down = [!apiUp && `the API at ${opts.api}`, !collectorUp && `the collector at ${opts.endpoint}`].filter(Boolean).join(' and ');
    throw new DemoError(`cannot reach ${down}. Start Spanlens first with \`npm start\` in another terminal, then run \`npm run demo\` again (or pass --endpoint / --api).`);
  }
  let key = process.env.SPANLENS_API_KEY;
  let created = false;
  if (!key) {
    key = await createKey(opts.api);
    created = true;
  }
  await checkKey(opts.api, key);

  const plan = planDemo({ traces: opts.traces, days: opts.days, seed: opts.seed });
  const change = new Date(plan.changeAtMs).toISOString().slice(0, 16).replace('T', ' ');
  console.log(
    `spanlens demo: ${fmt(plan.traces.length)} traces (${describe(plan)}), ${fmt(plan.spanCount)} spans and ${fmt(plan.feedbackCount)} feedback scores over the past ${opts.days} day${opts.days === 1 ? '' : 's'} (seed ${opts.seed})`,
  );
  console.log(`  halfway change at ${change} UTC: support-bot 2.0 moves from gpt-4o to claude-sonnet-4 with a prompt about twice as long`);
  console.log(`  sending to ${opts.endpoint}/v1/traces (OTLP/HTTP protobuf)`);
  const result = await sendPlan(plan, { endpoint: opts.endpoint, apiKey: key, onProgress: progressPrinter() });

  console.log(`\nspanlens demo: done in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  console.log(`  traces     ${fmt(result.traces)}`);
  console.log(`  spans      ${fmt(result.spans)} in ${fmt(result.exportRequests)} export requests`);
  console.log(`  feedback   ${fmt(result.feedback)} scores`);
  const alert = await fireSampleAlert(opts.api, key, opts.alertWebhook).catch((err: Error) => {
    console.log(`  alert      the sample alert failed: ${err.message}`);
    return null;
  });
  if (alert) {
    const fired = alert.fired.filter((e) => e.kind === 'firing').map((e) => e.group);
    console.log(`  alert      rule "Demo: LLM error rate by model (24 h)": ${fired.length ? `firing for ${fired.join(', ')}` : 'no change (already firing, or under 2%)'}`);
    if (alert.test) console.log(`  webhook    test event ${alert.test.ok ? `delivered (${alert.test.statusCode})` : `failed: ${alert.test.statusCode || ''} ${alert.test.error}`}`);
  }
  if (created) console.log(`  API key    ${key} (created as "demo"; use it as SPANLENS_API_KEY to query the API)`);
  console.log(`  dashboard  ${opts.api}/`);
}

main().catch((err: unknown) => {
  if (err instanceof DemoError) console.error(`spanlens demo: ${err.message}`);
  else if (err instanceof SendError && err.status === 401) console.error('spanlens demo: the collector refused the API key (401). Check SPANLENS_API_KEY.');
  else if (err instanceof SendError) console.error(`spanlens demo: ${err.message}`);
  else if (String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) console.error(`spanlens demo: ${(err as Error).message}\n\n${HELP}`);
  else console.error('spanlens demo: failed:', err);
  process.exitCode = 1;
});
