/**
 * Project isolation over every route: a key of project A, aimed at project B (B's ids in the
 * path, B's values in the query and body, `X-Spanlens-Project` and `?project=` naming B), gets
 * nothing of B's and changes nothing of B's. The routes come from the OpenAPI document (and
 * Fastify's own route table, for routes hidden from it), so routes added later are walked too.
 */
import { retryPolicy } from '@spanlens/collector';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  HTTP_METHODS,
  T0,
  WRITE_METHODS,
  bodySchema,
  buildQuery,
  canonical,
  fastifyRoutes,
  generate,
  json,
  requestText,
  send,
  withQuery,
  type Call,
  type OpenApiDoc,
  type Reply,
  type Route,
} from './helpers/openapi-walk.ts';
import { TIME_HINTS, TRACES, fillPath, rich, spanIdOf, spansOf, traceIdOf, type Fixture, type Side } from './helpers/isolation-fixture.ts';
import { startTestApi, type TestApi } from './helpers/api.ts';

/** Query parameters known to make a route answer 500 whatever the project (bugs, not leaks): route -> parameters. */
const KNOWN_5XX: Record<string, string[]> = {};

describe('project isolation: a key of project A gets nothing of project B on any route', () => {
  let api: TestApi;
  let receiver: http.Server;
  let receiverUrl: string;
  let a: Fixture;
  let b: Fixture;
  let doc: OpenApiDoc;
  let routes: Route[] = [];
  let documentedOps = 0;
  /** B strings that A itself has written (a price named like B's model): no longer B-only. */
  const tainted = new Set<string>();
  const walked = new Set<string>();
  let attempts = 0;
  /** B's view of every project-scoped GET before the walk. */
  const snapshotBefore = new Map<string, { status: number; canon: string }>();
  /** Writes sent to seed routes the hand-written seed does not reach. */
  const autoSeeded: string[] = [];
  /** 5xx answers listed in KNOWN_5XX, for the todo test. */
  const knownBugs = new Set<string>();

  async function seedObjects(fx: Fixture): Promise<void> {
    const admin = { local: true, headers: { 'x-spanlens-project': fx.projectId } };
    const asKey = (method: string, url: string, body?: unknown) => send(api, { method, url, key: fx.key, body });
    const extraKey = json<{ id: string; key: string }>(await send(api, { ...admin, method: 'POST', url: '/api/v1/keys', body: { name: `key-${fx.side}` } }), 'create key');
    const keys = json<{ keys: Array<{ id: string }> }>(await send(api, { ...admin, method: 'GET', url: '/api/v1/keys' }), 'list keys').keys;
    const dest = json<{ id: string }>(
      await asKey('POST', '/api/v1/alerts/destinations', {
        name: `dst-${fx.side}`,
        url: `${receiverUrl}/hook-${fx.side}`,
        secret: `whsec-${fx.side}-0123456789abcdef`,
      }),
      'create destination',
    );
    const rule = json<{ id: string }>(
      await asKey('POST', '/api/v1/alerts/rules', {
        name: `rul-${fx.side}`,
        metric: 'requests',
        windowSeconds: 86_400,
        comparator: '>',
        threshold: 0,
        groupBy: 'model',
        filters: { service: [`svc-${fx.side}`] },
        destinationIds: [dest.id],
      }),
      'create rule',
    );
    const events = json<{ events: Array<{ id: string }> }>(await asKey('POST', `/api/v1/alerts/rules/${rule.id}/evaluate`), 'evaluate').events;
    assert.ok(events.length > 0, `${fx.side}: the rule fires, so there are events and deliveries to look for`);
    const tested = json<{ eventId: string; ok: boolean }>(await asKey('POST', `/api/v1/alerts/destinations/${dest.id}/test`), 'test destination');
    assert.ok(tested.ok);
    const trace0 = traceIdOf(fx.side, 0);
    json(
      await asKey('POST', `/api/v1/traces/${trace0}/feedback`, {
        id: `fid-${fx.side}`,
        name: `fbk-${fx.side}`,
        value: 0,
        comment: `cmt-${fx.side}`,
        spanId: spanIdOf(fx.side, 0, 1),
        userId: `usr-${fx.side}-0`,
      }),
      'feedback',
    );
    json(await asKey('POST', `/api/v1/traces/${traceIdOf(fx.side, 1)}/feedback`, { name: `fbk-${fx.side}`, value: 1 }), 'feedback');
    const evaluator = json<{ id: string }>(
      await asKey('POST', '/api/v1/evaluators', {
        name: `evl-${fx.side}`,
        type: 'rule',
        rule: { check: 'contains', text: `yankee${fx.side}` },
        filters: { model: [`mdl-${fx.side}`] },
      }),
      'create evaluator',
    );
    json(await asKey('POST', `/api/v1/evaluators/${evaluator.id}/backfills`, { from: new Date(T0 - 30 * 86_400_000).toISOString(), to: new Date(T0).toISOString() }), 'backfill');
    const queue = json<{ id: string }>(await asKey('POST', '/api/v1/annotation-queues', { name: `anq-${fx.side}`, scores: [{ type: 'boolean', name: `scr-${fx.side}` }] }), 'create queue');
    json(await asKey('POST', `/api/v1/annotation-queues/${queue.id}/items`, { items: [{ traceId: trace0 }] }), 'queue item');
    json(await asKey('PUT', '/api/v1/prices', { provider: `prv-${fx.side}`, model: `mdl-${fx.side}`, inputPerMTok: 1.25, outputPerMTok: 2.5, cachedInputPerMTok: null }), 'price');

    Object.assign(fx.ids, {
      trace: trace0,
      span: spanIdOf(fx.side, 0, 1),
      session: `sess-${fx.side}-0`,
      user: `usr-${fx.side}-0`,
      project: fx.projectId,
      rule: rule.id,
      destination: dest.id,
      key: extraKey.id,
      evaluator: evaluator.id,
      'annotation-queue': queue.id,
      item: trace0,
      event: events[0]!.id,
      feedback: `fid-${fx.side}`,
      model: `mdl-${fx.side}`,
    });
    const values = {
      model: `mdl-${fx.side}`,
      provider: `prv-${fx.side}`,
      service: `svc-${fx.side}`,
      environment: `env-${fx.side}`,
      release: `rel-${fx.side}`,
      promptName: `pmt-${fx.side}`,
      tag: `tag-${fx.side}`,
      traceId: trace0,
      spanId: fx.ids.span!,
      sessionId: fx.ids.session!,
      userId: fx.ids.user!,
      ruleId: rule.id,
      destinationId: dest.id,
      eventId: events[0]!.id,
      keyId: extraKey.id,
      projectId: fx.projectId,
      project: fx.projectId,
      groupBy: 'model',
      by: 'model',
    };
    Object.assign(fx.queryHints, values, { q: `zulu${fx.side}`, name: `fbk-${fx.side}`, feedbackName: `fbk-${fx.side}` });
    // The body's `id` is the feedback idempotency key: reusing B's must not touch B's score.
    Object.assign(fx.bodyHints, values, { id: `fid-${fx.side}` });

    const n = TRACES[fx.side] * 2;
    fx.markers.push(
      fx.projectId,
      fx.key,
      extraKey.key,
      ...keys.map((k) => k.id),
      extraKey.id,
      `key-${fx.side}`,
      ...Array.from({ length: n }, (_, i) => traceIdOf(fx.side, i)),
      ...Array.from({ length: n }, (_, i) => [spanIdOf(fx.side, i, 0), spanIdOf(fx.side, i, 1)]).flat(),
      `sess-${fx.side}-0`,
      `sess-${fx.side}-1`,
      `usr-${fx.side}-0`,
      `usr-${fx.side}-1`,
      `mdl-${fx.side}`,
      `prv-${fx.side}`,
      `svc-${fx.side}`,
      `env-${fx.side}`,
      `rel-${fx.side}`,
      `pmt-${fx.side}`,
      `tag-${fx.side}`,
      `root-${fx.side}`,
      `call-${fx.side}`,
      `zulu${fx.side}`,
      `yankee${fx.side}`,
      `err-${fx.side}`,
      `attr-${fx.side}`,
      `fbk-${fx.side}`,
      `cmt-${fx.side}`,
      `fid-${fx.side}`,
      `rul-${fx.side}`,
      rule.id,
      `dst-${fx.side}`,
      dest.id,
      `hook-${fx.side}`,
      `whsec-${fx.side}-0123456789abcdef`,
      ...events.map((e) => e.id),
      tested.eventId,
      `evl-${fx.side}`,
      evaluator.id,
      `anq-${fx.side}`,
      queue.id,
      `scr-${fx.side}`,
    );
  }

  before(async () => {
    receiver = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    // B first: any "first project" fallback would then land on B and show up as a leak.
    api = await startTestApi(['prj-bravo', 'prj-alpha'], (p) => [...spansOf('bravo', p['prj-bravo']!.id), ...spansOf('alpha', p['prj-alpha']!.id)], {
      alerts: { allowPrivate: true, timeoutMs: 2_000, retry: retryPolicy({ initialMs: 20, maxAttempts: 2 }) },
    });
    const fixture = (side: Side): Fixture => {
      const p = api.projects[`prj-${side}`]!;
      return { side, projectId: p.id, key: p.key, ids: {}, queryHints: {}, bodyHints: {}, markers: [] };
    };
    a = fixture('alpha');
    b = fixture('bravo');
    await seedObjects(b);
    await seedObjects(a);
    await api.app.alerts.notifier.idle();

    doc = json<OpenApiDoc>(await send(api, { method: 'GET', url: '/api/v1/openapi.json', key: a.key }), 'openapi.json');
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (op) routes.push({ method, path, op });
      }
    }
    documentedOps = routes.length;
    // Routes hidden from the document are walked too, with what can be built without a schema.
    const known = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const served = fastifyRoutes(api);
    for (const r of routes)
      assert.ok(
        served.some((s) => s.method === r.method && s.path === r.path),
        `route table parse missed ${r.method} ${r.path}`,
      );
    for (const s of served) if (!known.has(`${s.method} ${s.path}`)) routes.push({ method: s.method, path: s.path, op: null });
    routes = routes.sort((x, y) => Number(WRITE_METHODS.has(x.method)) - Number(WRITE_METHODS.has(y.method)));

    // A GET whose answer holds nothing of its project yet (a route newer than this seed) gets a
    // seed built from the schema of the write on the same path, the project's name in every string.
    for (const r of routes) {
      if (r.method !== 'get' || !isProjectScoped(r) || r.path.includes('{')) continue;
      const write = routes.find((w) => w.path === r.path && (w.method === 'put' || w.method === 'post') && bodySchema(w.op));
      if (!write) continue;
      for (const fx of [b, a]) {
        const view = await ownView(r, fx);
        if (typeof view === 'string' || markersIn(fx, view.call, view.reply).length) continue;
        const made: string[] = [];
        const body = rich(bodySchema(write.op)!, fx.side, made);
        let reply = await send(api, { method: write.method, url: write.path, key: fx.key, body });
        if (reply.status === 403) reply = await send(api, { method: write.method, url: write.path, body, local: true, headers: { 'x-spanlens-project': fx.projectId } });
        autoSeeded.push(`${label(write)} as ${fx.side}: ${reply.status}`);
        if (reply.status >= 200 && reply.status < 300) fx.markers.push(...made);
      }
    }
  });

  after(async () => {
    await api?.close();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  /** The project's markers in a response that the request itself did not carry. */
  function markersIn(fx: Fixture, call: Call, reply: Reply): string[] {
    const sent = requestText(call);
    return fx.markers.filter((m) => !sent.includes(m.toLowerCase()) && reply.haystack.includes(m.toLowerCase()));
  }

  /** B markers in a response that the request did not carry and A did not write itself. */
  const leaked = (call: Call, reply: Reply) => markersIn(b, call, reply).filter((m) => !tainted.has(m));

  /** Routes behind the key check document a 401; the others (/session) serve no project data. */
  // Routes behind the key check that serve no project's data: the same for everyone.
  const PROJECT_FREE = new Set(['GET /api/v1/evaluators/templates']);
  const isProjectScoped = (r: Route) => r.op?.responses?.['401'] !== undefined && !PROJECT_FREE.has(`${r.method.toUpperCase()} ${r.path}`);
  const label = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

  /** A project's view of a GET route with its own key and ids (the dashboard's, for dashboard-only routes). */
  async function ownView(r: Route, fx: Fixture): Promise<{ call: Call; reply: Reply } | string> {
    const { urls, unresolved } = fillPath(r, fx);
    if (unresolved.length) return `no ${fx.side} id fits path parameter(s) ${unresolved.join(', ')}: seed an object of that kind`;
    const url = withQuery(urls[0]!, buildQuery(r.op, fx.queryHints, 'minimal', TIME_HINTS));
    let call: Call = { method: r.method, url, key: fx.key };
    let reply = await send(api, call);
    if (reply.status === 403) {
      // Dashboard-only routes (keys): the dashboard naming the project shows what a leak would be.
      call = { method: r.method, url, local: true, headers: { 'x-spanlens-project': fx.projectId } };
      reply = await send(api, call);
    }
    return { call, reply };
  }

  async function snapshotB(): Promise<Map<string, { status: number; canon: string }>> {
    const out = new Map<string, { status: number; canon: string }>();
    for (const r of routes) {
      if (r.method !== 'get' || !isProjectScoped(r)) continue;
      const view = await ownView(r, b);
      if (typeof view !== 'string') out.set(label(r), { status: view.reply.status, canon: canonical(view.reply.text) });
    }
    return out;
  }

  test("controls: B's own key sees B's data on every project-scoped GET (so the walk can fail)", async (t) => {
    const problems: string[] = [];
    let byMarker = 0;
    for (const r of routes) {
      if (r.method !== 'get' || !isProjectScoped(r)) continue;
      const bView = await ownView(r, b);
      const aView = await ownView(r, a);
      if (typeof bView === 'string' || typeof aView === 'string') {
        problems.push(`${label(r)}: ${typeof bView === 'string' ? bView : aView}`);
        continue;
      }
      snapshotBefore.set(label(r), { status: bView.reply.status, canon: canonical(bView.reply.text) });
      if (bView.reply.status < 200 || bView.reply.status >= 300) {
        problems.push(`${label(r)}: B's own request ${bView.call.url} got ${bView.reply.status} ${bView.reply.text.slice(0, 200)}`);
        continue;
      }
      if (markersIn(b, bView.call, bView.reply).length) {
        byMarker++;
      } else if (canonical(bView.reply.text) === canonical(aView.reply.text)) {
        // Numbers-only answers (metrics) prove themselves by differing from A's.
        problems.push(`${label(r)}: B's view shows no B marker and equals A's view, so a leak here would go unseen: seed data this route returns`);
      } else {
        t.diagnostic(`${label(r)}: no identifying strings; B's view differs from A's`);
      }
    }
    t.diagnostic(`${byMarker} GET routes show B's markers to B's key`);
    assert.ok(byMarker >= 10, `only ${byMarker} GET routes show B's markers to B's own key: the seed does not reach them`);
    assert.deepEqual(problems, []);
  });

  /** Every variant of a route's request as A, checked; returns the problems found. */
  async function walk(r: Route): Promise<string[]> {
    const problems: string[] = [];
    walked.add(`${r.method} ${r.path}`);
    const toB = fillPath(r, b);
    if (toB.unresolved.length) return [`${label(r)}: no B id fits path parameter(s) ${toB.unresolved.join(', ')}: seed an object of that kind`];
    const hasParams = r.path.includes('{');
    const schema = bodySchema(r.op);
    const minimal = schema ? generate(schema, '', b.bodyHints, 'minimal') : undefined;
    const hintedBody = schema ? generate(schema, '', b.bodyHints, 'hinted') : undefined;
    const bare = buildQuery(r.op, b.queryHints, 'minimal', TIME_HINTS);
    const hinted = buildQuery(r.op, b.queryHints, 'hinted', TIME_HINTS);
    const withProject = new URLSearchParams(bare);
    withProject.append('project', b.projectId);
    const naming = { 'x-spanlens-project': b.projectId };

    const variants: Array<{ name: string; call: Call; atB: boolean }> = [];
    for (const path of toB.urls) {
      variants.push(
        { name: 'plain', call: { method: r.method, url: withQuery(path, bare), key: a.key, body: minimal }, atB: hasParams },
        { name: 'X-Spanlens-Project', call: { method: r.method, url: withQuery(path, bare), key: a.key, body: minimal, headers: naming }, atB: hasParams },
        { name: '?project=', call: { method: r.method, url: withQuery(path, withProject), key: a.key, body: minimal }, atB: hasParams },
        { name: "B's values", call: { method: r.method, url: withQuery(path, hinted), key: a.key, body: hintedBody, headers: naming }, atB: hasParams },
      );
      // From loopback a request without a key is the dashboard, which may pick any project:
      // a key must still decide (only on key-authenticated routes; /session is the dashboard's).
      if (isProjectScoped(r)) {
        variants.push({ name: 'loopback + X-Spanlens-Project', call: { method: r.method, url: withQuery(path, bare), key: a.key, body: minimal, headers: naming, local: true }, atB: hasParams });
      }
    }
    if (hasParams) {
      // A's own objects in the path, B's ids everywhere else (attach B's destination to A's rule...).
      for (const path of fillPath(r, a).urls) {
        variants.push({ name: "own path, B's values", call: { method: r.method, url: withQuery(path, hinted), key: a.key, body: hintedBody }, atB: false });
      }
    }

    const plainReplies = new Map<string, Reply>();
    const comparable = new Set(['X-Spanlens-Project', '?project=', 'loopback + X-Spanlens-Project']);
    for (let i = 0; i < variants.length; i++) {
      const v = variants[i]!;
      attempts++;
      const reply = await send(api, v.call);
      const where = `${label(r)} [${v.name}] ${v.call.method.toUpperCase()} ${v.call.url}${v.call.body !== undefined ? ' ' + JSON.stringify(v.call.body) : ''}`;
      const ok = reply.status >= 200 && reply.status < 300;
      if (reply.status >= 500) {
        // Find the query parameters that cause it, then check the request without them.
        const [path, qs = ''] = v.call.url.split('?');
        const culprits: string[] = [];
        for (const name of new Set(new URLSearchParams(qs).keys())) {
          const q = new URLSearchParams(qs);
          q.delete(name);
          attempts++;
          if ((await send(api, { ...v.call, url: withQuery(path!, q) })).status < 500) culprits.push(name);
        }
        const known = KNOWN_5XX[label(r)] ?? [];
        if (culprits.length && culprits.every((c) => known.includes(c))) knownBugs.add(`${where}: ${reply.status} (known: ${culprits.join(', ')})`);
        else problems.push(`${where}: status ${reply.status}${culprits.length ? ` (caused by query parameter ${culprits.join(', ')})` : ''} ${reply.text.slice(0, 300)}`);
        if (culprits.length) {
          const q = new URLSearchParams(qs);
          for (const c of culprits) q.delete(c);
          variants.splice(i + 1, 0, { ...v, name: `${v.name}, without ${culprits.join(', ')}`, call: { ...v.call, url: withQuery(path!, q) } });
        }
      } else if (!ok && reply.status < 400) {
        problems.push(`${where}: status ${reply.status} ${reply.text.slice(0, 300)}`);
      }
      if (v.atB && ok) problems.push(`${where}: ${reply.status} for an object of project B (expected 4xx): ${reply.text.slice(0, 300)}`);
      const found = leaked(v.call, reply);
      if (found.length) problems.push(`${where}: leaks ${found.join(', ')}: ${reply.text.slice(0, 500)}`);
      const path = v.call.url.split('?')[0]!;
      if (v.name === 'plain') plainReplies.set(path, reply);
      // Naming B must not change a read at all: a refusal, or the very same answer.
      const plain = plainReplies.get(path);
      if (r.method === 'get' && plain && comparable.has(v.name) && ok) {
        if (plain.status !== reply.status || canonical(plain.text) !== canonical(reply.text)) {
          problems.push(`${where}: naming project B changed the answer (${plain.status} -> ${reply.status}): ${reply.text.slice(0, 300)}`);
        }
      }
      // Strings A stored itself are A's from now on.
      if (ok && WRITE_METHODS.has(r.method)) {
        // (`?project=` only picks a project, it is never stored.)
        const sent = [v.call.url.replace(/[?&]project=[^&]*/, ''), JSON.stringify(v.call.body ?? null)].join(' ').toLowerCase();
        for (const m of b.markers) if (sent.includes(m.toLowerCase())) tainted.add(m);
      }
    }
    return problems;
  }

  test("every read route, as A aimed at B, returns nothing of B's", async (t) => {
    const problems: string[] = [];
    for (const r of routes) if (!WRITE_METHODS.has(r.method)) problems.push(...(await walk(r)));
    t.diagnostic(`${attempts} requests so far`);
    assert.deepEqual(problems, []);
  });

  test("every write route, as A aimed at B, refuses or acts on A only, and returns nothing of B's", async (t) => {
    const problems: string[] = [];
    for (const r of routes) if (WRITE_METHODS.has(r.method)) problems.push(...(await walk(r)));
    await api.app.alerts.notifier.idle();
    t.diagnostic(`${attempts} requests so far; B strings A wrote itself (no longer checked): ${[...tainted].join(', ') || 'none'}`);
    assert.deepEqual(problems, []);
  });

  test("after the writes, reads still return nothing of B's", async () => {
    const problems: string[] = [];
    for (const r of routes) if (!WRITE_METHODS.has(r.method)) problems.push(...(await walk(r)));
    assert.deepEqual(problems, []);
  });

  test("B's data is unchanged: every project-scoped GET answers B as before the walk", async () => {
    assert.ok(snapshotBefore.size > 0);
    const after = await snapshotB();
    const changed = [...snapshotBefore]
      .filter(([k, v]) => {
        const now = after.get(k);
        return !now || now.status !== v.status || now.canon !== v.canon;
      })
      .map(([k, v]) => `${k}: before ${v.status} ${v.canon.slice(0, 300)}\n  after ${after.get(k)?.status} ${after.get(k)?.canon.slice(0, 300)}`);
    assert.deepEqual(changed, []);

    // The same, spelled out for the objects A tried hardest to reach.
    const asB = async <T>(url: string) => json<T>(await send(api, { method: 'GET', url, key: b.key }), url);
    assert.deepEqual(
      (await asB<{ rules: Array<{ id: string; name: string }> }>('/api/v1/alerts/rules')).rules.map((x) => [x.id, x.name]),
      [[b.ids.rule, 'rul-bravo']],
    );
    assert.deepEqual(
      (await asB<{ destinations: Array<{ id: string }> }>('/api/v1/alerts/destinations')).destinations.map((x) => x.id),
      [b.ids.destination],
    );
    assert.deepEqual((await asB<{ prices: unknown[] }>('/api/v1/prices')).prices, [{ provider: 'prv-bravo', model: 'mdl-bravo', inputPerMTok: 1.25, outputPerMTok: 2.5, cachedInputPerMTok: null }]);
    const feedback = (await asB<{ feedback: Array<{ id: string; value: number; comment: string | null }> }>(`/api/v1/traces/${b.ids.trace}`)).feedback;
    assert.deepEqual(
      feedback.map((f) => [f.id, f.value, f.comment]),
      [['fid-bravo', 0, 'cmt-bravo']],
    );
    const keys = json<{ keys: Array<{ id: string; revoked: boolean }> }>(
      await send(api, { method: 'GET', url: '/api/v1/keys', local: true, headers: { 'x-spanlens-project': b.projectId } }),
      'keys',
    ).keys;
    assert.ok(keys.length >= 2 && keys.every((k) => !k.revoked), 'no key of B was revoked');
    assert.equal((await send(api, { method: 'GET', url: '/api/v1/traces', key: b.key })).status, 200, "B's key still works");
  });

  test('no route answers 500 to any request of the walk', () => {
    assert.ok(knownBugs.size === 0, [...knownBugs].join('\n'));
  });

  test('the walk covered every operation of the OpenAPI document', (t) => {
    let listed = 0;
    for (const item of Object.values(doc.paths)) listed += Object.keys(item).filter((m) => (HTTP_METHODS as readonly string[]).includes(m)).length;
    const missed = routes.filter((r) => !walked.has(`${r.method} ${r.path}`)).map(label);
    t.diagnostic(
      `${listed} documented operations, ${walked.size} walked (${walked.size - documentedOps} undocumented: ${
        routes
          .filter((r) => !r.op)
          .map(label)
          .join(', ') || 'none'
      }), ${attempts} requests`,
    );
    if (autoSeeded.length) t.diagnostic(`seeded from schemas: ${autoSeeded.join('; ')}`);
    assert.ok(listed > 0);
    assert.equal(documentedOps, listed);
    assert.deepEqual(missed, []);
    assert.ok(walked.size >= listed, `walked ${walked.size} of ${listed} operations`);
  });
});
