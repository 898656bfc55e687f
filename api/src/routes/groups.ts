import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { ApiError } from '../errors.ts';
import { filterShape, listRange } from '../filters.ts';
import { GROUP_SORTS, listGroups, type GroupKind, type GroupSort, type GroupSummary } from '../queries/groups.ts';
import { listTraces } from '../queries/traces.ts';
import { cursor, errorResponse, limit, order, traceSummary } from '../schemas.ts';

const SESSION_TRACES_MAX = 500;

const listQuery = z.strictObject({
  ...filterShape,
  sort: z.enum(Object.keys(GROUP_SORTS) as [GroupSort, ...GroupSort[]]).default('lastSeen'),
  order,
  limit,
  cursor,
});

const stats = {
  traceCount: z.number(),
  spanCount: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  totalTokens: z.number(),
  costUsd: z.number(),
  errorCount: z.number().describe('Traces with at least one failed span'),
  errorRate: z.number(),
  firstSeen: z.string(),
  lastSeen: z.string(),
};
const sessionSummary = z.object({ sessionId: z.string(), userId: z.string().nullable(), ...stats });
const userSummary = z.object({ userId: z.string(), sessionCount: z.number(), ...stats });

function sessionOf(g: GroupSummary): z.infer<typeof sessionSummary> {
  const { key, sortValue: _s, sessionCount: _c, ...rest } = g;
  return { ...rest, sessionId: key };
}

function userOf(g: GroupSummary): z.infer<typeof userSummary> {
  const { key, sortValue: _s, userId: _u, ...rest } = g;
  return { ...rest, userId: key };
}

export const groupRoutes: FastifyPluginAsyncZod<{ storage: Storage; retentionDays: number }> = async (app, opts) => {
  async function page(kind: GroupKind, projectId: string, q: z.infer<typeof listQuery>) {
    const rows = await listGroups(opts.storage, kind, {
      projectId,
      range: listRange(q, opts.retentionDays),
      filters: q,
      sort: q.sort,
      order: q.order,
      limit: q.limit + 1,
      cursor: decodeCursor(q.cursor, q.sort, q.order),
    });
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > q.limit && last ? encodeCursor({ s: q.sort, o: q.order, v: last.sortValue, id: last.key }) : null };
  }

  app.get(
    '/sessions',
    {
      schema: {
        summary: 'Sessions with their counts, cost, tokens and error rate',
        querystring: listQuery,
        response: { 200: z.object({ sessions: z.array(sessionSummary), nextCursor: z.string().nullable() }), 400: errorResponse, 401: errorResponse },
      },
    },
    async (req) => {
      const { items, nextCursor } = await page('session', req.projectId, req.query);
      return { sessions: items.map(sessionOf), nextCursor };
    },
  );

  app.get(
    '/sessions/:sessionId',
    {
      schema: {
        summary: 'One session and its traces, oldest first',
        params: z.strictObject({ sessionId: z.string().min(1).max(200) }),
        response: { 200: z.object({ session: sessionSummary, traces: z.array(traceSummary) }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const range = listRange({}, opts.retentionDays);
      const filters = { sessionId: req.params.sessionId };
      const [groups, traces] = await Promise.all([
        listGroups(opts.storage, 'session', { projectId: req.projectId, range, filters, sort: 'lastSeen', order: 'desc', limit: 1 }),
        listTraces(opts.storage, { projectId: req.projectId, range, filters, sort: 'startTime', order: 'asc', limit: SESSION_TRACES_MAX }),
      ]);
      const session = groups[0];
      if (!session) throw new ApiError('not_found', `session ${req.params.sessionId} not found`);
      return { session: sessionOf(session), traces: traces.map(({ sortValue: _s, ...t }) => t) };
    },
  );

  app.get(
    '/users',
    {
      schema: {
        summary: 'Users with their counts, cost, tokens and error rate',
        querystring: listQuery,
        response: { 200: z.object({ users: z.array(userSummary), nextCursor: z.string().nullable() }), 400: errorResponse, 401: errorResponse },
      },
    },
    async (req) => {
      const { items, nextCursor } = await page('user', req.projectId, req.query);
      return { users: items.map(userOf), nextCursor };
    },
  );
};
