import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { AlertEvaluator } from '../alerts/evaluator.ts';
import type { Notifier } from '../alerts/notifier.ts';
import { destinationInput, ruleInput, type Rule } from '../alerts/rules.ts';
import { deleteDestination, deleteRule, listAttempts, logAttempt, listDestinations, listEvents, listRules, loadStates, putDestination, putRule } from '../alerts/store.ts';
import { isBlockedAddress } from '../alerts/webhook.ts';
import { ApiError } from '../errors.ts';
import { errorResponse } from '../schemas.ts';

export interface AlertRouteOptions {
  storage: Storage;
  notifier: Notifier;
  evaluator: AlertEvaluator;
  allowPrivate: boolean;
}

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const iso = (ms: number) => new Date(ms).toISOString();
const ruleOut = z.looseObject({ id: z.string(), name: z.string(), metric: z.string() });
const stateOut = z.object({ group: z.string(), state: z.enum(['ok', 'firing']), since: z.string().nullable(), value: z.number().nullable(), evaluatedAt: z.string(), transitions: z.number() });
const destinationOut = z.object({ id: z.string(), name: z.string(), url: z.string(), format: z.enum(['json', 'slack']) });

/** Alert rules, webhook destinations, rule state, transition history and the delivery log. */
export const alertRoutes: FastifyPluginAsyncZod<AlertRouteOptions> = async (app, opts) => {
  const { storage } = opts;

  async function checkDestinations(projectId: string, ids: string[]): Promise<void> {
    const known = new Set((await listDestinations(storage, projectId)).map((d) => d.id));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length) throw new ApiError('invalid_request', `destinationIds: no destination ${missing.join(', ')} in this project`);
  }

  async function findRule(projectId: string, id: string): Promise<Rule> {
    const rule = (await listRules(storage, projectId)).find((r) => r.id === id);
    if (!rule) throw new ApiError('not_found', `alert rule ${id} not found`);
    return rule;
  }

  app.get(
    '/alerts/rules',
    {
      schema: { summary: 'Alert rules with the state of each group', response: { 200: z.object({ rules: z.array(ruleOut) }), 401: errorResponse } },
    },
    async (req) => {
      const [rules, states] = await Promise.all([listRules(storage, req.projectId), loadStates(storage, req.projectId)]);
      return {
        rules: rules.map((r) => {
          const mine = states.filter((s) => s.ruleId === r.id);
          return { ...r, firing: mine.filter((g) => g.state === 'firing').length, groups: mine.length };
        }),
      };
    },
  );

  app.post(
    '/alerts/rules',
    {
      schema: { summary: 'Create an alert rule', body: ruleInput, response: { 201: ruleOut, 400: errorResponse, 401: errorResponse } },
    },
    async (req, reply) => {
      await checkDestinations(req.projectId, req.body.destinationIds);
      const id = randomUUID();
      await putRule(storage, req.projectId, id, req.body);
      return reply.code(201).send(await findRule(req.projectId, id));
    },
  );

  app.put(
    '/alerts/rules/:id',
    {
      schema: { summary: 'Replace an alert rule', params: idParams, body: ruleInput, response: { 200: ruleOut, 400: errorResponse, 401: errorResponse, 404: errorResponse } },
    },
    async (req) => {
      await findRule(req.projectId, req.params.id);
      await checkDestinations(req.projectId, req.body.destinationIds);
      await putRule(storage, req.projectId, req.params.id, req.body);
      return findRule(req.projectId, req.params.id);
    },
  );

  app.delete(
    '/alerts/rules/:id',
    {
      schema: { summary: 'Delete an alert rule', params: idParams, response: { 204: z.null(), 401: errorResponse, 404: errorResponse } },
    },
    async (req, reply) => {
      await findRule(req.projectId, req.params.id);
      await deleteRule(storage, req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/alerts/rules/:id/states',
    {
      schema: { summary: "The rule's current state per group", params: idParams, response: { 200: z.object({ states: z.array(stateOut) }), 401: errorResponse, 404: errorResponse } },
    },
    async (req) => {
      await findRule(req.projectId, req.params.id);
      const states = await loadStates(storage, req.projectId, req.params.id);
      return {
        states: states.map((s) => ({ group: s.group, state: s.state, since: s.seq > 0 ? iso(s.since) : null, value: s.value, evaluatedAt: iso(s.evaluatedAt), transitions: s.seq })),
      };
    },
  );

  app.post(
    '/alerts/rules/:id/evaluate',
    {
      schema: {
        summary: 'Evaluate the rule now (normally it runs every evaluateEverySeconds)',
        params: idParams,
        response: { 200: z.object({ events: z.array(z.object({ id: z.string(), kind: z.string(), group: z.string() })) }), 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const events = await opts.evaluator.evaluate(await findRule(req.projectId, req.params.id));
      return { events: events.map((e) => ({ id: e.id, kind: e.kind, group: e.group })) };
    },
  );

  app.get(
    '/alerts/events',
    {
      schema: {
        summary: 'History of transitions (firing, resolved, reminder), newest first',
        querystring: z.strictObject({ ruleId: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({ events: z.array(z.object({ id: z.string(), ruleId: z.string(), group: z.string(), kind: z.string(), at: z.string(), payload: z.record(z.string(), z.unknown()) })) }),
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const events = await listEvents(storage, req.projectId, { ruleId: req.query.ruleId, limit: req.query.limit });
      return { events: events.map((e) => ({ id: e.id, ruleId: e.ruleId, group: e.group, kind: e.kind, at: iso(e.at), payload: e.payload })) };
    },
  );

  app.get(
    '/alerts/deliveries',
    {
      schema: {
        summary: 'Every delivery attempt: status, latency, error, next attempt',
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: {
          200: z.object({
            deliveries: z.array(
              z.object({
                eventId: z.string(),
                destinationId: z.string(),
                attempt: z.number(),
                outcome: z.string(),
                statusCode: z.number(),
                latencyMs: z.number(),
                error: z.string(),
                at: z.string(),
                nextAttemptAt: z.string().nullable(),
              }),
            ),
          }),
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const attempts = await listAttempts(storage, req.projectId, req.query.limit);
      return { deliveries: attempts.map(({ projectId: _p, at, nextAttemptAt, ...a }) => ({ ...a, at: iso(at), nextAttemptAt: nextAttemptAt === null ? null : iso(nextAttemptAt) })) };
    },
  );

  app.get(
    '/alerts/destinations',
    {
      schema: { summary: 'Webhook destinations (secrets are never shown again)', response: { 200: z.object({ destinations: z.array(destinationOut) }), 401: errorResponse } },
    },
    async (req) => ({ destinations: (await listDestinations(storage, req.projectId)).map(({ id, name, url, format }) => ({ id, name, url, format })) }),
  );

  app.post(
    '/alerts/destinations',
    {
      schema: {
        summary: 'Add a webhook destination; its signing secret is returned only here',
        body: destinationInput,
        response: { 201: destinationOut.extend({ secret: z.string() }), 400: errorResponse, 401: errorResponse },
      },
    },
    async (req, reply) => {
      const host = new URL(req.body.url).hostname.replace(/^\[|\]$/g, '');
      if (!opts.allowPrivate && (host === 'localhost' || (ipaddr.isValid(host) && isBlockedAddress(host)))) {
        throw new ApiError('invalid_request', `url: ${host} is a private or local address (set SPANLENS_WEBHOOK_ALLOW_PRIVATE=true to allow)`);
      }
      const id = randomUUID();
      const secret = req.body.secret ?? 'whsec_' + randomBytes(24).toString('base64url');
      await putDestination(storage, req.projectId, id, { ...req.body, secret });
      return reply.code(201).send({ id, name: req.body.name, url: req.body.url, format: req.body.format, secret });
    },
  );

  app.delete(
    '/alerts/destinations/:id',
    {
      schema: { summary: 'Remove a webhook destination', params: idParams, response: { 204: z.null(), 401: errorResponse, 404: errorResponse } },
    },
    async (req, reply) => {
      if (!(await listDestinations(storage, req.projectId)).some((d) => d.id === req.params.id)) throw new ApiError('not_found', `destination ${req.params.id} not found`);
      await deleteDestination(storage, req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/alerts/destinations/:id/test',
    {
      schema: {
        summary: 'Send a signed test event now and report the answer',
        params: idParams,
        response: { 200: z.object({ ok: z.boolean(), eventId: z.string(), statusCode: z.number(), latencyMs: z.number(), error: z.string() }), 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const dest = (await listDestinations(storage, req.projectId)).find((d) => d.id === req.params.id);
      if (!dest) throw new ApiError('not_found', `destination ${req.params.id} not found`);
      const eventId = randomUUID().replace(/-/g, '');
      const now = new Date().toISOString();
      const payload = {
        id: eventId,
        kind: 'test',
        state: 'firing',
        projectId: req.projectId,
        rule: { id: 'test', name: 'Spanlens test alert', metric: 'errorRate', comparator: '>', severity: 'info', scope: 'llm', filters: {} },
        groupBy: null,
        group: null,
        value: 0.12,
        count: 100,
        threshold: 0.05,
        resolveThreshold: 0.045,
        windowSeconds: 300,
        since: now,
        time: now,
        link: null,
      };
      const r = await opts.notifier.test(dest, payload, eventId);
      const ok = r.statusCode >= 200 && r.statusCode < 300;
      // In the delivery log like any other attempt, so a test shows where real ones would go.
      await logAttempt(storage, {
        projectId: req.projectId,
        eventId,
        destinationId: dest.id,
        attempt: 1,
        outcome: ok ? 'success' : 'failed',
        statusCode: r.statusCode,
        latencyMs: r.latencyMs,
        error: r.error,
        at: Date.now(),
        nextAttemptAt: null,
      });
      return { ok, eventId, statusCode: r.statusCode, latencyMs: r.latencyMs, error: r.error };
    },
  );
};
