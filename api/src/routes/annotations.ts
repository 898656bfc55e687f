import { COLLECTOR_DEFAULTS } from '@spanlens/collector';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { toFeedbackRow, type Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { filterShape, listRange } from '../filters.ts';
import { errorResponse, spanSchema } from '../schemas.ts';
import { checkScores, queueInput, queueResponse, type Queue } from '../annotations/definition.ts';
import { exportLines } from '../annotations/dataset.ts';
import { itemSpans } from '../annotations/content.ts';
import { addItems, deleteQueue, getQueue, lockHolders, listItems, listQueues, lock, putQueue, queueProgress, saveItem, type Item } from '../annotations/store.ts';
import { isSampled, startedIn } from '../evaluations/spans.ts';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });
const itemParams = idParams.extend({ itemId: z.string().min(1).max(100) });
const hexId = (n: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${n}}$`), `must be ${n} hex characters`);
const reviewer = z.string().trim().min(1).max(200).describe('Who reviews: the name the dashboard asks for, or any name an API client gives');

const item = z.object({
  itemId: z.string(),
  traceId: z.string(),
  spanId: z.string().nullable(),
  status: z.enum(['pending', 'done', 'skipped']),
  reviewer: z.string().nullable(),
  correctedOutput: z.string().nullable(),
  addedAt: z.string(),
  reviewedAt: z.string().nullable(),
});
const opened = item.extend({
  lockedUntil: z.string(),
  span: spanSchema.pick({ spanId: true, name: true, kind: true, model: true, input: true, output: true, durationMs: true, costUsd: true, status: true }).nullable(),
  scores: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).describe('Scores this item has from this queue already'),
});

/** Scores of this queue on these items, by item id then score name. */
async function givenScores(storage: Storage, projectId: string, queueId: string, traceIds: string[]): Promise<Map<string, Record<string, number | boolean | string>>> {
  const rs = await storage.client.query({
    query: `SELECT id, name, data_type, value, string_value FROM feedback FINAL
            WHERE project_id = {p:String} AND trace_id IN {t:Array(String)} AND startsWith(id, {prefix:String})`,
    query_params: { p: projectId, t: traceIds, prefix: `ann:${queueId}:` },
    format: 'JSONEachRow',
  });
  const out = new Map<string, Record<string, number | boolean | string>>();
  for (const r of await rs.json<{ id: string; name: string; data_type: string; value: number; string_value: string }>()) {
    const itemId = r.id.slice(`ann:${queueId}:`.length, r.id.length - r.name.length - 1);
    const scores = out.get(itemId) ?? {};
    scores[r.name] = r.data_type === 'boolean' ? r.value > 0 : r.data_type === 'categorical' ? r.string_value : r.value;
    out.set(itemId, scores);
  }
  return out;
}

/**
 * Annotation queues: traces or spans collected for people to review one at a time. Each
 * review writes feedback with source "annotation" and the reviewer as author; a reviewed
 * queue exports as a fine-tuning or evaluation dataset.
 */
export const annotationRoutes: FastifyPluginAsyncZod<{ storage: Storage; retentionDays: number }> = async (app, { storage, retentionDays }) => {
  const queueOr404 = async (projectId: string, id: string): Promise<Queue> => {
    const q = await getQueue(storage, projectId, id);
    if (!q) throw new ApiError('not_found', `annotation queue ${id} not found`);
    return q;
  };

  app.get(
    '/annotation-queues',
    {
      schema: { summary: "The project's annotation queues with their progress", response: { 200: z.object({ queues: z.array(queueResponse) }), 401: errorResponse } },
    },
    async (req) => {
      const queues = await listQueues(storage, req.projectId);
      const progress = await queueProgress(
        storage,
        req.projectId,
        queues.map((q) => q.id),
      );
      return { queues: queues.map((q) => ({ ...q, progress: progress.get(q.id)! })) };
    },
  );

  app.post(
    '/annotation-queues',
    {
      schema: { summary: 'Create an annotation queue', body: queueInput, response: { 201: queueResponse, 400: errorResponse, 401: errorResponse } },
    },
    async (req, reply) => {
      const id = randomUUID();
      await putQueue(storage, req.projectId, id, req.body);
      return reply.code(201).send({ ...req.body, id, projectId: req.projectId, progress: { total: 0, pending: 0, done: 0, skipped: 0, locked: 0 } });
    },
  );

  app.get(
    '/annotation-queues/:id',
    {
      schema: { summary: 'One queue with its progress', params: idParams, response: { 200: queueResponse, 401: errorResponse, 404: errorResponse } },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      return { ...q, progress: (await queueProgress(storage, req.projectId, [q.id])).get(q.id)! };
    },
  );

  app.put(
    '/annotation-queues/:id',
    {
      schema: {
        summary: 'Edit a queue (its items and results stay)',
        params: idParams,
        body: queueInput,
        response: { 200: queueResponse, 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      await queueOr404(req.projectId, req.params.id);
      await putQueue(storage, req.projectId, req.params.id, req.body);
      return { ...req.body, id: req.params.id, projectId: req.projectId, progress: (await queueProgress(storage, req.projectId, [req.params.id])).get(req.params.id)! };
    },
  );

  app.delete(
    '/annotation-queues/:id',
    {
      schema: { summary: 'Delete a queue (the scores it gave stay)', params: idParams, response: { 204: z.null(), 401: errorResponse, 404: errorResponse } },
    },
    async (req, reply) => {
      await queueOr404(req.projectId, req.params.id);
      await deleteQueue(storage, req.projectId, req.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/annotation-queues/:id/items',
    {
      schema: {
        summary: 'Add traces or spans by hand (from the trace page); items queued already are left as they are',
        params: idParams,
        body: z.strictObject({
          items: z
            .array(z.strictObject({ traceId: hexId(32), spanId: hexId(16).nullish() }))
            .min(1)
            .max(1000),
        }),
        response: { 200: z.object({ added: z.number() }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      const keys = req.body.items.map((i) => ({ traceId: i.traceId.toLowerCase(), spanId: q.target === 'span' ? (i.spanId?.toLowerCase() ?? null) : null }));
      if (q.target === 'span' && keys.some((k) => !k.spanId)) throw new ApiError('invalid_request', 'body items: this queue reviews spans: give each item a spanId');
      const found = await itemSpans(storage, req.projectId, keys);
      const missing = keys.find((k) => !found.has(`${k.traceId}:${k.spanId ?? ''}`));
      if (missing) throw new ApiError('not_found', `${missing.spanId ? `span ${missing.spanId} of ` : ''}trace ${missing.traceId} not found`);
      return { added: await addItems(storage, req.projectId, q.id, keys) };
    },
  );

  app.post(
    '/annotation-queues/:id/items/from-filter',
    {
      schema: {
        summary: 'Add the traces (root spans) or LLM spans that match filters, optionally a sample of them',
        params: idParams,
        body: z.strictObject({
          ...filterShape,
          sampleRate: z.number().min(0).max(1).default(1),
          limit: z.number().int().min(1).max(10_000).default(100),
        }),
        response: { 200: z.object({ added: z.number(), matched: z.number() }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      const { sampleRate, limit, ...filters } = req.body;
      const r = listRange(filters, retentionDays);
      const selection = { projectId: req.projectId, scope: q.target === 'trace' ? ('root' as const) : ('llm' as const), filters };
      const keys: Array<{ traceId: string; spanId: string | null }> = [];
      let matched = 0;
      let cursor: { at: string; spanId: string } | null = null;
      // Newest last by start time; pages of spans until `limit` sampled ones are found.
      while (keys.length < limit) {
        const page = await startedIn(storage, selection, r.fromMs, r.toMs, cursor, 5000);
        if (page.length === 0) break;
        matched += page.length;
        for (const c of page) {
          if (keys.length < limit && isSampled(q.id, c.spanId, sampleRate)) keys.push({ traceId: c.traceId, spanId: q.target === 'span' ? c.spanId : null });
        }
        cursor = { at: page.at(-1)!.at, spanId: page.at(-1)!.spanId };
      }
      return { added: await addItems(storage, req.projectId, q.id, keys), matched };
    },
  );

  app.get(
    '/annotation-queues/:id/items',
    {
      schema: {
        summary: "A queue's items, oldest first",
        params: idParams,
        querystring: z.strictObject({
          status: z.enum(['pending', 'done', 'skipped']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
        response: { 200: z.object({ items: z.array(item) }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      await queueOr404(req.projectId, req.params.id);
      return { items: await listItems(storage, req.projectId, req.params.id, req.query) };
    },
  );

  app.post(
    '/annotation-queues/:id/next',
    {
      schema: {
        summary: 'Open the next pending item for a reviewer and hold it for them (lockSeconds); the item they hold already comes first',
        params: idParams,
        body: z.strictObject({ reviewer, after: z.string().max(100).optional().describe('An item id this reviewer just skipped past: not offered again now') }),
        response: { 200: z.object({ item: opened.nullable() }), 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      const me = req.body.reviewer;
      const pending = await listItems(storage, req.projectId, q.id, { status: 'pending', limit: 200 });
      const held = await lockHolders(
        storage,
        req.projectId,
        q.id,
        pending.map((i) => i.itemId),
      );
      const ordered = [...pending.filter((i) => held.get(i.itemId)?.reviewer === me), ...pending.filter((i) => !held.has(i.itemId))].filter((i) => i.itemId !== req.body.after);
      for (const candidate of ordered.slice(0, 10)) {
        if (held.get(candidate.itemId)?.reviewer !== me) {
          await lock(storage, req.projectId, q.id, candidate.itemId, me, q.lockSeconds);
          // Two reviewers may lock one item at once: the earliest lock wins and the other moves on.
          const winner = (await lockHolders(storage, req.projectId, q.id, [candidate.itemId])).get(candidate.itemId);
          if (winner?.reviewer !== me) continue;
        }
        return { item: await openItem(q, candidate, req.projectId) };
      }
      return { item: null };
    },
  );

  async function openItem(q: Queue, it: Item, projectId: string): Promise<z.infer<typeof opened>> {
    const [spans, scores, held] = await Promise.all([itemSpans(storage, projectId, [it]), givenScores(storage, projectId, q.id, [it.traceId]), lockHolders(storage, projectId, q.id, [it.itemId])]);
    const s = spans.get(`${it.traceId}:${it.spanId ?? ''}`);
    return {
      ...it,
      lockedUntil: held.get(it.itemId)?.expiresAt ?? new Date().toISOString(),
      span: s
        ? {
            spanId: s.spanId,
            name: s.name,
            kind: s.kind,
            model: s.model || null,
            input: s.input || null,
            output: s.output || null,
            durationMs: s.durationMs,
            costUsd: s.costUsd,
            status: s.status as 'ok',
          }
        : null,
      scores: scores.get(it.itemId) ?? {},
    };
  }

  const itemOr404 = async (q: Queue, projectId: string, itemId: string, me: string): Promise<Item> => {
    const [found] = await listItems(storage, projectId, q.id, { itemId, limit: 1 });
    if (!found) throw new ApiError('not_found', `item ${itemId} not found in queue ${q.id}`);
    const holder = (await lockHolders(storage, projectId, q.id, [itemId])).get(itemId);
    if (holder && holder.reviewer !== me && found.status === 'pending') throw new ApiError('conflict', `item ${itemId} is being reviewed by ${holder.reviewer} until ${holder.expiresAt}`);
    return found;
  };

  app.post(
    '/annotation-queues/:id/items/:itemId/review',
    {
      schema: {
        summary: 'Score an item: one feedback score per queue score (source annotation, the reviewer as author); a second review replaces the first',
        params: itemParams,
        body: z.strictObject({
          reviewer,
          scores: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
          comment: z.string().max(10_000).optional(),
          correctedOutput: z.string().max(COLLECTOR_DEFAULTS.limits.maxContentLength).optional().describe('What the answer should have been'),
        }),
        response: { 200: item, 400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      const it = await itemOr404(q, req.projectId, req.params.itemId, req.body.reviewer);
      const problem = checkScores(q, req.body.scores);
      if (problem) throw new ApiError('invalid_request', `body ${problem}`);
      if (req.body.correctedOutput !== undefined && !q.allowCorrection) throw new ApiError('invalid_request', 'body correctedOutput: this queue takes no corrections');
      const rows = Object.entries(req.body.scores).map(([name, value]) => {
        const def = q.scores.find((s) => s.name === name)!;
        return toFeedbackRow(req.projectId, {
          id: `ann:${q.id}:${it.itemId}:${name}`,
          traceId: it.traceId,
          spanId: it.spanId,
          name,
          value,
          dataType: def.type,
          comment: req.body.comment ?? null,
          source: 'annotation',
          author: req.body.reviewer,
        });
      });
      await storage.insertRows('feedback', rows);
      const done: Item = { ...it, status: 'done', reviewer: req.body.reviewer, correctedOutput: req.body.correctedOutput ?? it.correctedOutput, reviewedAt: new Date().toISOString() };
      await saveItem(storage, req.projectId, q.id, done);
      return done;
    },
  );

  app.post(
    '/annotation-queues/:id/items/:itemId/skip',
    {
      schema: {
        summary: 'Skip an item: it leaves the pending list (counted as skipped)',
        params: itemParams,
        body: z.strictObject({ reviewer }),
        response: { 200: item, 400: errorResponse, 401: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (req) => {
      const q = await queueOr404(req.projectId, req.params.id);
      const it = await itemOr404(q, req.projectId, req.params.itemId, req.body.reviewer);
      const skipped: Item = { ...it, status: 'skipped', reviewer: req.body.reviewer, reviewedAt: new Date().toISOString() };
      await saveItem(storage, req.projectId, q.id, skipped);
      return skipped;
    },
  );

  app.get(
    '/annotation-queues/:id/export',
    {
      schema: {
        summary: 'The reviewed items as a dataset: OpenAI chat fine-tuning JSONL (the corrected output where given), or an evaluation dataset (input, expected output, scores) in JSONL or CSV',
        params: idParams,
        querystring: z.strictObject({ format: z.enum(['openai', 'eval']).default('openai'), as: z.enum(['jsonl', 'csv']).default('jsonl') }),
        response: { 400: errorResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (req, reply) => {
      const q = await queueOr404(req.projectId, req.params.id);
      if (req.query.format === 'openai' && req.query.as === 'csv') throw new ApiError('invalid_request', 'as: the fine-tuning format is JSONL only');
      const items = await listItems(storage, req.projectId, q.id, { status: 'done', limit: 100_000 });
      const spans = await itemSpans(storage, req.projectId, items);
      const scores = new Map<string, Record<string, number | boolean | string>>();
      const traceIds = [...new Set(items.map((i) => i.traceId))];
      for (let i = 0; i < traceIds.length; i += 1000) {
        for (const [k, v] of await givenScores(storage, req.projectId, q.id, traceIds.slice(i, i + 1000))) scores.set(k, v);
      }
      const body = exportLines(
        q,
        items.map((it) => ({ item: it, span: spans.get(`${it.traceId}:${it.spanId ?? ''}`) ?? null, scores: scores.get(it.itemId) ?? {} })),
        req.query.format,
        req.query.as,
      );
      const ext = req.query.as;
      return (
        reply
          .type(ext === 'jsonl' ? 'application/x-ndjson' : 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${q.name.replace(/[^\w.-]+/g, '-')}-${req.query.format}.${ext}"`)
          // A file has no response schema to check against: only the error bodies have one.
          .send(body as never)
      );
    },
  );
};
