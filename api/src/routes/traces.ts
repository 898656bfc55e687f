import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { getTraceFeedback, getTraceSpans, listTraces } from '../queries/traces.ts';
import { errorResponse, traceDetailResponse, traceIdParams, traceListQuery, traceListResponse } from '../schemas.ts';
import { clickHouseNow, isoToClickHouse } from '../time.ts';

const cursorSchema = z.object({ t: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{9}$/), id: z.string().regex(/^[0-9a-f]{32}$/) });

function decodeCursor(cursor: string): { startTime: string; traceId: string } {
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { startTime: parsed.t, traceId: parsed.id };
  } catch {
    throw new ApiError('invalid_request', 'cursor: malformed, pass nextCursor from the previous page unchanged');
  }
}

function encodeCursor(startTime: string, traceId: string): string {
  return Buffer.from(JSON.stringify({ t: startTime, id: traceId })).toString('base64url');
}

export const traceRoutes: FastifyPluginAsyncZod<{ storage: Storage; retentionDays: number }> = async (app, opts) => {
  app.get('/traces', {
    schema: {
      summary: 'Recent traces, newest first',
      querystring: traceListQuery,
      response: { 200: traceListResponse, 400: errorResponse, 401: errorResponse },
    },
  }, async (req) => {
    const from = req.query.from ? isoToClickHouse(req.query.from) : clickHouseNow(-opts.retentionDays * 86_400_000);
    const to = req.query.to ? isoToClickHouse(req.query.to) : clickHouseNow(86_400_000);
    if (!from) throw new ApiError('invalid_request', 'from: not an ISO 8601 time');
    if (!to) throw new ApiError('invalid_request', 'to: not an ISO 8601 time');
    if (from >= to) throw new ApiError('invalid_request', 'from: must be before to');
    const cursor = req.query.cursor ? decodeCursor(req.query.cursor) : undefined;
    const rows = await listTraces(opts.storage, { projectId: req.projectId, from, to, limit: req.query.limit + 1, cursor });
    const page = rows.slice(0, req.query.limit);
    const last = page[page.length - 1];
    return {
      traces: page.map(({ cursorTime: _c, ...t }) => t),
      nextCursor: rows.length > req.query.limit && last ? encodeCursor(last.cursorTime, last.traceId) : null,
    };
  });

  app.get('/traces/:traceId', {
    schema: {
      summary: 'One trace: its spans in start order, and its feedback',
      params: traceIdParams,
      response: { 200: traceDetailResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
    },
  }, async (req) => {
    const traceId = req.params.traceId.toLowerCase();
    const [spans, feedback] = await Promise.all([
      getTraceSpans(opts.storage, req.projectId, traceId),
      getTraceFeedback(opts.storage, req.projectId, traceId),
    ]);
    if (spans.length === 0) throw new ApiError('not_found', `trace ${traceId} not found`);
    return { traceId, spans, feedback };
  });
};
