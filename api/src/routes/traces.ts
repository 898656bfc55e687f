import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { ApiError } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { listRange } from '../filters.ts';
import { listTraces } from '../queries/traces.ts';
import { getTrace } from '../queries/trace-detail.ts';
import { errorResponse, traceDetailResponse, traceIdParams, traceListQuery, traceListResponse } from '../schemas.ts';

export const traceRoutes: FastifyPluginAsyncZod<{ storage: Storage; retentionDays: number }> = async (app, opts) => {
  app.get(
    '/traces',
    {
      schema: {
        summary: 'Traces matching the filters; newest first unless sorted otherwise',
        querystring: traceListQuery,
        response: { 200: traceListResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (req) => {
      const q = req.query;
      const range = listRange(q, opts.retentionDays);
      const rows = await listTraces(opts.storage, {
        projectId: req.projectId,
        range,
        filters: q,
        minLatencyMs: q.minLatencyMs,
        maxLatencyMs: q.maxLatencyMs,
        minCostUsd: q.minCostUsd,
        maxCostUsd: q.maxCostUsd,
        scores: { feedbackName: q.feedbackName, feedbackSource: q.feedbackSource, minScore: q.minScore, maxScore: q.maxScore },
        sort: q.sort,
        order: q.order,
        limit: q.limit + 1,
        cursor: decodeCursor(q.cursor, q.sort, q.order),
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        traces: page.map(({ sortValue: _s, ...t }) => t),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ s: q.sort, o: q.order, v: last.sortValue, id: last.traceId }) : null,
      };
    },
  );

  app.get(
    '/traces/:traceId',
    {
      schema: {
        summary: 'One trace: its spans in start order, and its feedback',
        params: traceIdParams,
        response: { 200: traceDetailResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const traceId = req.params.traceId.toLowerCase();
      const trace = await getTrace(opts.storage, req.projectId, traceId);
      if (!trace || trace.spans.length === 0) throw new ApiError('not_found', `trace ${traceId} not found`);
      return { traceId, ...trace };
    },
  );
};
