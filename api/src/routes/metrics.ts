import { summaryResponse, timeseriesResponse, topResponse } from '../contract/metrics.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { filterShape, resolveRange } from '../filters.ts';
import { aggregate, emptyTotals, GROUP_DIMENSIONS, METRIC_NAMES, pickSource, type GroupDimension, type Scope, type Totals } from '../queries/metrics.ts';
import { errorResponse } from '../schemas.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_POINTS = 2000;
const INTERVALS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400 } as const;
type Interval = keyof typeof INTERVALS;

const dimension = z.enum(Object.keys(GROUP_DIMENSIONS) as [GroupDimension, ...GroupDimension[]]);
const base = {
  ...filterShape,
  scope: z.enum(['llm', 'root', 'all']).default('llm').describe('llm: spans with a model; root: one per trace; all: every span'),
  source: z.enum(['auto', 'rollup', 'spans']).default('auto').describe('auto: minute rollups for ranges over 6 h when the filters allow'),
};

const iso = (ms: number) => new Date(ms).toISOString();

/** Whole buckets: from rounded down, to rounded up, so rollups and raw spans cover the same rows. */
function align(fromMs: number, toMs: number, stepMs: number): { fromMs: number; toMs: number } {
  return { fromMs: Math.floor(fromMs / stepMs) * stepMs, toMs: Math.ceil(toMs / stepMs) * stepMs };
}

export const metricRoutes: FastifyPluginAsyncZod<{ storage: Storage }> = async (app, opts) => {
  app.get(
    '/metrics/summary',
    {
      schema: {
        summary: 'Totals over the range and over the period of the same length before it',
        querystring: z.strictObject(base),
        response: {
          200: summaryResponse,
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = resolveRange(q, DAY_MS);
      const { fromMs, toMs } = align(r.fromMs, r.toMs, MINUTE_MS);
      const length = toMs - fromMs;
      const source = pickSource(q.source, q, length);
      const common = { projectId: req.projectId, filters: q, scope: q.scope as Scope, source };
      const [current, previous] = await Promise.all([aggregate(opts.storage, { ...common, fromMs, toMs }), aggregate(opts.storage, { ...common, fromMs: fromMs - length, toMs: fromMs })]);
      const strip = (rows: Totals[]): Totals => {
        const { time: _t, key: _k, ...t } = (rows[0] ?? emptyTotals()) as Totals & { time?: number; key?: string };
        return t;
      };
      return {
        from: iso(fromMs),
        to: iso(toMs),
        previousFrom: iso(fromMs - length),
        previousTo: iso(fromMs),
        source,
        current: strip(current),
        previous: strip(previous),
      };
    },
  );

  app.get(
    '/metrics/timeseries',
    {
      schema: {
        summary: 'Metrics per time bucket, optionally one series per group',
        querystring: z.strictObject({
          ...base,
          interval: z
            .enum(Object.keys(INTERVALS) as [Interval, ...Interval[]])
            .optional()
            .describe('Default: the smallest giving at most 200 points'),
          groupBy: dimension.optional(),
          groups: z.coerce.number().int().min(1).max(20).default(8).describe('How many groups: the top ones by rankBy'),
          rankBy: z.enum(METRIC_NAMES).default('requests').describe('Which groups to keep: those with the highest value of this metric over the range'),
        }),
        response: {
          200: timeseriesResponse,
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = resolveRange(q, DAY_MS);
      const interval: Interval = q.interval ?? (Object.keys(INTERVALS) as Interval[]).find((i) => (r.toMs - r.fromMs) / (INTERVALS[i] * 1000) <= 200) ?? '1d';
      const stepMs = INTERVALS[interval] * 1000;
      const { fromMs, toMs } = align(r.fromMs, r.toMs, stepMs);
      const points = (toMs - fromMs) / stepMs;
      if (points > MAX_POINTS) throw new ApiError('invalid_request', `interval: ${interval} gives ${points} points over this range; at most ${MAX_POINTS}`);
      const source = pickSource(q.source, q, toMs - fromMs, q.groupBy);
      const common = { projectId: req.projectId, filters: q, scope: q.scope as Scope, source, fromMs, toMs };

      let keys: Array<string | null> = [null];
      if (q.groupBy) {
        const top = await aggregate(opts.storage, { ...common, groupBy: q.groupBy, orderBy: { metric: q.rankBy, order: 'desc', limit: q.groups } });
        keys = top.map((t) => t.key ?? '');
      }
      const rows =
        keys.length === 0
          ? []
          : await aggregate(opts.storage, {
              ...common,
              bucketSeconds: INTERVALS[interval],
              ...(q.groupBy ? { groupBy: q.groupBy, groupKeys: keys as string[] } : {}),
            });
      const byKey = new Map<string | null, Map<number, Totals>>(keys.map((k) => [k, new Map()]));
      for (const { time, key, ...t } of rows) byKey.get(q.groupBy ? (key ?? '') : null)?.set(time ?? 0, t);
      return {
        interval,
        intervalSeconds: INTERVALS[interval],
        source,
        from: iso(fromMs),
        to: iso(toMs),
        series: keys.map((key) => {
          const found = byKey.get(key)!;
          const filled = [];
          for (let t = fromMs; t < toMs; t += stepMs) filled.push({ time: iso(t), ...(found.get(t) ?? emptyTotals()) });
          return { key, points: filled };
        }),
      };
    },
  );

  app.get(
    '/metrics/top',
    {
      schema: {
        summary: 'Groups ranked by one metric: costliest users, slowest models, most failing services',
        querystring: z.strictObject({
          ...base,
          by: dimension,
          metric: z.enum(METRIC_NAMES).default('costUsd'),
          order: z.enum(['asc', 'desc']).default('desc'),
          limit: z.coerce.number().int().min(1).max(100).default(10),
        }),
        response: {
          200: topResponse,
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = resolveRange(q, DAY_MS);
      const { fromMs, toMs } = align(r.fromMs, r.toMs, MINUTE_MS);
      const source = pickSource(q.source, q, toMs - fromMs, q.by);
      const rows = await aggregate(opts.storage, {
        projectId: req.projectId,
        filters: q,
        scope: q.scope as Scope,
        source,
        fromMs,
        toMs,
        groupBy: q.by,
        orderBy: { metric: q.metric, order: q.order, limit: q.limit },
      });
      return { by: q.by, metric: q.metric, source, rows: rows.map(({ time: _t, key, ...t }) => ({ key: key ?? '', ...t })) };
    },
  );
};
