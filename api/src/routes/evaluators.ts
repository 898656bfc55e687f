import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { resolveRange } from '../filters.ts';
import { errorResponse } from '../schemas.ts';
import type { SecretBox } from '../secrets.ts';
import { evaluatorInput, evaluatorResponse, type Evaluator, type EvaluatorInput } from '../evaluations/definition.ts';
import { compileRule } from '../evaluations/rules.ts';
import { countStartedIn } from '../evaluations/spans.ts';
import { deleteEvaluator, evaluatorHistory, evaluatorStats, getEvaluator, listBackfills, listEvaluators, loadStates, putEvaluator, saveBackfill, type Backfill } from '../evaluations/store.ts';
import { BUILT_IN_TEMPLATES } from '../evaluations/templates.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

const health = z.object({
  healthy: z.boolean(),
  consecutiveFailures: z.number(),
  lastError: z.string().nullable(),
  failedSpans: z.number().describe('Spans passed over: malformed judge answers, requests the judge refused'),
  scannedUpTo: z.string().nullable().describe('Spans stored up to here have been looked at'),
});
const stats = z.object({
  results: z.number(),
  avgScore: z.number().nullable(),
  judgeTokens: z.number(),
  judgeCostUsd: z.number().describe("The judge's own calls; never part of the project's cost"),
  lastResultAt: z.string().nullable(),
});
const listed = evaluatorResponse.extend({ health, stats });
const backfill = z.object({
  id: z.string(),
  evaluatorId: z.string(),
  version: z.number(),
  from: z.string(),
  to: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  total: z.number(),
  done: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
});

const toBackfill = (b: Backfill) => ({
  id: b.id,
  evaluatorId: b.evaluatorId,
  version: b.version,
  from: new Date(b.fromMs).toISOString(),
  to: new Date(b.toMs).toISOString(),
  status: b.status,
  total: b.total,
  done: b.done,
  error: b.error || null,
  createdAt: b.createdAt,
});

/** A definition the worker could not run is refused here, with what is wrong. */
function check(input: EvaluatorInput, hasStoredKey: boolean): void {
  if (input.rule) {
    try {
      compileRule(input.rule);
    } catch (err) {
      throw new ApiError('invalid_request', `body rule.${(err as Error).message.startsWith('schema') ? '' : 'pattern: '}${(err as Error).message}`);
    }
  }
  if (input.judge && !input.judge.apiKey && !hasStoredKey && /^https:\/\/api\.openai\.com\//.test(input.judge.baseUrl)) {
    throw new ApiError('invalid_request', 'body judge.apiKey: required for api.openai.com');
  }
}

/**
 * Evaluators: LLM-as-a-judge and rule checks over a project's spans, run in the background
 * (evaluations/worker.ts). Their scores are feedback with source "evaluation".
 */
export const evaluatorRoutes: FastifyPluginAsyncZod<{ storage: Storage; box: SecretBox }> = async (app, { storage, box }) => {
  app.get(
    '/evaluators/templates',
    {
      schema: {
        summary: 'The built-in LLM-as-a-judge templates',
        response: {
          200: z.object({ templates: z.array(z.object({ name: z.string(), description: z.string(), template: z.string(), output: z.record(z.string(), z.unknown()) })) }),
          401: errorResponse,
        },
      },
    },
    async () => ({
      templates: Object.entries(BUILT_IN_TEMPLATES).map(([name, t]) => ({ name, description: t.description, template: t.template, output: { ...t.output } })),
    }),
  );

  app.get(
    '/evaluators',
    {
      schema: { summary: "The project's evaluators (newest versions), with health and results", response: { 200: z.object({ evaluators: z.array(listed) }), 401: errorResponse } },
    },
    async (req) => {
      const [evaluators, states, st] = await Promise.all([listEvaluators(storage, req.projectId), loadStates(storage, req.projectId), evaluatorStats(storage, req.projectId)]);
      return {
        evaluators: evaluators.map((e) => {
          const s = states.get(`${e.projectId}/${e.id}`);
          return {
            ...e,
            health: {
              healthy: s?.healthy ?? true,
              consecutiveFailures: s?.consecutiveFailures ?? 0,
              lastError: s?.lastError || null,
              failedSpans: s?.failedTotal ?? 0,
              scannedUpTo: s ? new Date(`${s.watermark.replace(' ', 'T')}Z`).toISOString() : null,
            },
            stats: st.get(e.id) ?? { results: 0, avgScore: null, judgeTokens: 0, judgeCostUsd: 0, lastResultAt: null },
          };
        }),
      };
    },
  );

  app.post(
    '/evaluators',
    {
      schema: { summary: 'Create an evaluator', body: evaluatorInput, response: { 201: evaluatorResponse, 400: errorResponse, 401: errorResponse } },
    },
    async (req, reply) => {
      check(req.body, false);
      return reply.code(201).send(await putEvaluator(storage, box, req.projectId, randomUUID(), req.body));
    },
  );

  app.get(
    '/evaluators/:id',
    {
      schema: {
        summary: 'One evaluator with every version',
        params: idParams,
        response: { 200: evaluatorResponse.extend({ versions: z.array(evaluatorResponse) }), 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const history = await evaluatorHistory(storage, req.projectId, req.params.id);
      if (!history[0]) throw new ApiError('not_found', `evaluator ${req.params.id} not found`);
      return { ...history[0], versions: history };
    },
  );

  app.put(
    '/evaluators/:id',
    {
      schema: {
        summary: 'Edit an evaluator: stores a new version; results keep the version that made them',
        params: idParams,
        body: evaluatorInput,
        response: { 200: evaluatorResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const prev = await getEvaluator(storage, req.projectId, req.params.id);
      if (!prev) throw new ApiError('not_found', `evaluator ${req.params.id} not found`);
      check(req.body, prev.judge?.hasApiKey ?? false);
      return putEvaluator(storage, box, req.projectId, req.params.id, req.body);
    },
  );

  app.delete(
    '/evaluators/:id',
    {
      schema: { summary: 'Delete an evaluator (its results stay)', params: idParams, response: { 204: z.null(), 401: errorResponse, 404: errorResponse } },
    },
    async (req, reply) => {
      if (!(await deleteEvaluator(storage, req.projectId, req.params.id))) throw new ApiError('not_found', `evaluator ${req.params.id} not found`);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/evaluators/:id/backfills',
    {
      schema: {
        summary: 'Evaluate past spans that started in a time range (the current version), in the background',
        params: idParams,
        body: z.strictObject({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
        response: { 202: backfill, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req, reply) => {
      const ev: Evaluator | null = await getEvaluator(storage, req.projectId, req.params.id);
      if (!ev) throw new ApiError('not_found', `evaluator ${req.params.id} not found`);
      const r = resolveRange(req.body, 0);
      const b: Backfill = {
        id: randomUUID(),
        evaluatorId: ev.id,
        version: ev.version,
        fromMs: r.fromMs,
        toMs: r.toMs,
        status: 'running',
        total: await countStartedIn(storage, ev, r.fromMs, r.toMs),
        done: 0,
        cursor: null,
        error: '',
        createdAt: new Date().toISOString(),
      };
      await saveBackfill(storage, req.projectId, b);
      return reply.code(202).send(toBackfill(b));
    },
  );

  app.get(
    '/evaluators/:id/backfills',
    {
      schema: { summary: "An evaluator's backfills and their progress", params: idParams, response: { 200: z.object({ backfills: z.array(backfill) }), 401: errorResponse, 404: errorResponse } },
    },
    async (req) => {
      if (!(await getEvaluator(storage, req.projectId, req.params.id))) throw new ApiError('not_found', `evaluator ${req.params.id} not found`);
      return { backfills: (await listBackfills(storage, req.projectId, { evaluatorId: req.params.id })).map(toBackfill) };
    },
  );
};
