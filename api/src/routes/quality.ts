import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { feedbackSchema, toFeedbackRow, type Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { filterShape, msToCh, resolveRange, SqlFilter } from '../filters.ts';
import { errorResponse, traceIdParams } from '../schemas.ts';

const DAY_MS = 86_400_000;
const INTERVALS = [3600, 6 * 3600, 86_400];
const stat = z.object({ key: z.string(), count: z.number(), avgScore: z.number().nullable(), negativeRate: z.number() });
type Num = number | string;

/**
 * Feedback analytics: one feedback name at a time, since scores of different names live on
 * different scales. Negative means a value of 0 or below (thumbs down).
 */
export const qualityRoutes: FastifyPluginAsyncZod<{ storage: Storage }> = async (app, { storage }) => {
  app.post(
    '/traces/:traceId/feedback',
    {
      schema: {
        summary: 'Annotate a trace (or one of its spans) with a score; idempotent by id',
        params: traceIdParams,
        body: feedbackSchema.omit({ traceId: true }).extend({ source: z.enum(['user', 'annotation', 'evaluation']).default('annotation') }),
        response: { 201: z.object({ id: z.string() }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req, reply) => {
      const traceId = req.params.traceId.toLowerCase();
      const rs = await storage.client.query({
        query: "SELECT count() AS n FROM trace_items WHERE project_id = {p:String} AND trace_id = {t:String} AND item = 'span'",
        query_params: { p: req.projectId, t: traceId },
        format: 'JSONEachRow',
      });
      if (Number((await rs.json<{ n: Num }>())[0]?.n ?? 0) === 0) throw new ApiError('not_found', `trace ${traceId} not found`);
      const row = toFeedbackRow(req.projectId, { ...req.body, traceId, author: req.body.author ?? (req.caller === 'admin' ? 'dashboard' : null) });
      await storage.insertRows('feedback', [row], { dedupToken: `feedback-${req.projectId}-${row.id}` });
      return reply.code(201).send({ id: row.id });
    },
  );

  app.get(
    '/quality',
    {
      schema: {
        summary: 'Feedback over time, by model and prompt version, and the worst-rated traces',
        querystring: z.strictObject({ ...filterShape, name: z.string().min(1).max(200).optional().describe('Feedback name; default: the most used one') }),
        response: {
          200: z.object({
            names: z.array(z.object({ name: z.string(), count: z.number() })),
            name: z.string().nullable(),
            intervalSeconds: z.number(),
            series: z.array(z.object({ time: z.string(), count: z.number(), avgScore: z.number().nullable(), negativeRate: z.number() })),
            byModel: z.array(stat),
            byPromptVersion: z.array(stat),
            worstTraces: z.array(z.object({ traceId: z.string(), name: z.string(), count: z.number(), avgScore: z.number(), comment: z.string().nullable() })),
          }),
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const r = resolveRange(req.query, DAY_MS);
      const step = INTERVALS.find((s) => (r.toMs - r.fromMs) / (s * 1000) <= 200) ?? 86_400;
      const sql = new SqlFilter();
      const project = sql.param(req.projectId, 'String');
      const created = sql.timeRange('created_at', msToCh(r.fromMs), msToCh(r.toMs));
      const namesRs = await storage.client.query({
        query: `SELECT name, count() AS n FROM feedback FINAL WHERE project_id = ${project} AND ${created} AND data_type != 'categorical' GROUP BY name ORDER BY n DESC, name LIMIT 50`,
        query_params: sql.params,
        format: 'JSONEachRow',
      });
      const names = (await namesRs.json<{ name: string; n: Num }>()).map((x) => ({ name: x.name, count: Number(x.n) }));
      const name = req.query.name ?? names[0]?.name ?? null;
      const empty = { names, name, intervalSeconds: step, series: [], byModel: [], byPromptVersion: [], worstTraces: [] };
      if (!name) return empty;

      // Each scored trace with what it ran on; traces start up to a day before their feedback.
      const spanWhere = [`project_id = ${project}`, sql.timeRange('start_time', msToCh(r.fromMs - DAY_MS), msToCh(r.toMs)), ...sql.spanConditions(req.query, { spanStatus: true })];
      const scored = `
      SELECT f.trace_id AS trace_id, f.value AS value, f.comment AS comment, f.created_at AS created_at, t.trace_model AS model, t.pv AS pv, t.root AS root
      FROM (SELECT * FROM feedback FINAL WHERE project_id = ${project} AND ${created} AND name = ${sql.param(name, 'String')}) AS f
      INNER JOIN (
        -- Not aliased 'model': the model filter in this WHERE would then read the aggregate.
        SELECT trace_id, anyIf(model, model != '') AS trace_model, anyIf(concat(prompt_name, '@', prompt_version), prompt_name != '') AS pv,
               argMinIf(name, start_time, parent_span_id = '') AS root
        FROM spans WHERE ${spanWhere.join(' AND ')} GROUP BY trace_id
      ) AS t ON t.trace_id = f.trace_id`;
      const stats = 'count() AS n, avg(value) AS score, countIf(value <= 0) / count() AS negative';
      const run = async <T>(query: string) => (await storage.client.query({ query, query_params: sql.params, format: 'JSONEachRow' })).json<T>();
      type Row = { key: string; n: Num; score: number | null; negative: number };
      const [series, byModel, byPrompt, worst] = await Promise.all([
        run<Row & { t: string }>(`SELECT toStartOfInterval(toDateTime(created_at), INTERVAL ${sql.param(step, 'UInt32')} SECOND) AS t, ${stats} FROM (${scored}) GROUP BY t ORDER BY t`),
        run<Row>(`SELECT model AS key, ${stats} FROM (${scored}) GROUP BY key ORDER BY n DESC LIMIT 20`),
        run<Row>(`SELECT pv AS key, ${stats} FROM (${scored}) WHERE pv != '' GROUP BY key ORDER BY n DESC LIMIT 20`),
        run<{ trace_id: string; root: string; n: Num; score: number; comment: string }>(
          `SELECT trace_id, any(root) AS root, count() AS n, avg(value) AS score, anyIf(comment, comment != '') AS comment FROM (${scored}) GROUP BY trace_id ORDER BY score, trace_id LIMIT 20`,
        ),
      ]);
      const toStat = (x: Row) => ({ key: x.key, count: Number(x.n), avgScore: x.score === null ? null : Number(x.score), negativeRate: Number(x.negative) });
      return {
        ...empty,
        series: series.map((x) => ({
          time: new Date(Date.parse(`${x.t.replace(' ', 'T')}Z`)).toISOString(),
          count: Number(x.n),
          avgScore: x.score === null ? null : Number(x.score),
          negativeRate: Number(x.negative),
        })),
        byModel: byModel.map(toStat),
        byPromptVersion: byPrompt.map(toStat),
        worstTraces: worst.map((w) => ({ traceId: w.trace_id, name: w.root, count: Number(w.n), avgScore: Number(w.score), comment: w.comment === '' ? null : w.comment })),
      };
    },
  );
};
