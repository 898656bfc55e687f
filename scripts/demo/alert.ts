// The demo's sample alert: a rule on the demo traffic, evaluated at once, and optionally a
// webhook destination that gets a signed test event and the rule's notifications.

export interface SampleAlertResult {
  ruleId: string;
  fired: Array<{ kind: string; group: string }>;
  test?: { ok: boolean; statusCode: number; error: string };
}

const RULE_NAME = 'Demo: LLM error rate by model (24 h)';

async function call<T>(api: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} /api/v1${path} answered ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function fireSampleAlert(api: string, key: string, webhookUrl?: string): Promise<SampleAlertResult> {
  let destinationIds: string[] = [];
  let test: SampleAlertResult['test'];
  if (webhookUrl) {
    const format = webhookUrl.includes('hooks.slack.com') ? 'slack' : 'json';
    const dest = await call<{ id: string }>(api, key, 'POST', '/alerts/destinations', { name: 'demo webhook', url: webhookUrl, format });
    destinationIds = [dest.id];
    test = await call<{ ok: boolean; statusCode: number; error: string }>(api, key, 'POST', `/alerts/destinations/${dest.id}/test`);
  }
  const { rules } = await call<{ rules: Array<{ id: string; name: string }> }>(api, key, 'GET', '/alerts/rules');
  const rule = {
    name: RULE_NAME,
    metric: 'errorRate',
    windowSeconds: 86_400,
    comparator: '>',
    threshold: 0.02,
    minRequests: 20,
    groupBy: 'model',
    severity: 'warning',
    destinationIds,
  };
  const existing = rules.find((r) => r.name === RULE_NAME);
  const ruleId = existing ? (await call<{ id: string }>(api, key, 'PUT', `/alerts/rules/${existing.id}`, rule)).id : (await call<{ id: string }>(api, key, 'POST', '/alerts/rules', rule)).id;
  const { events } = await call<{ events: Array<{ kind: string; group: string }> }>(api, key, 'POST', `/alerts/rules/${ruleId}/evaluate`);
  return { ruleId, fired: events, ...(test ? { test } : {}) };
}
