import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { filterShape, msToCh, resolveRange, SqlFilter } from '../filters.ts';
import { errorResponse } from '../schemas.ts';
import { messageText, parseMessages } from '../messages.ts';
import { hasScoreFilter, scoreFilterShape, scoredTraces } from '../queries/scores.ts';

const DAY_MS = 86_400_000;
const MAX_ROWS = 100_000;

interface ExportRow {
  trace_id: string;
  started: string;
  model: string;
  input: string;
  output: string;
  score: number | null;
  comment: string;
}

/** OpenAI's chat fine-tuning line: the call's messages, then its answer. */
export function fineTuningLine(r: Pick<ExportRow, 'input' | 'output'>): string {
  const messages = [...parseMessages(r.input, 'user'), ...parseMessages(r.output, 'assistant')].map((m) => ({
    role: m.role,
    content: m.content ?? null,
    ...(m.toolCalls?.length ? { tool_calls: m.toolCalls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments ?? '{}' } })) } : {}),
    ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}),
  }));
  return JSON.stringify({ messages });
}

/** RFC 4180: quote every field, double the quotes inside. */
export const csvField = (v: string | number | null) => `"${String(v ?? '').replace(/"/g, '""')}"`;

export function csvLine(r: ExportRow): string {
  return [r.trace_id, r.started, r.model, messageText(r.input), messageText(r.output), r.score, r.comment].map(csvField).join(',') + '\r\n';
}

export const exportRoutes: FastifyPluginAsyncZod<{ storage: Storage }> = async (app, { storage }) => {
  app.get(
    '/export',
    {
      schema: {
        summary: "Stream a dataset: each selected trace's last LLM call, as chat fine-tuning JSONL or CSV",
        querystring: z.strictObject({
          ...filterShape,
          format: z.enum(['jsonl', 'csv']).default('jsonl'),
          ...scoreFilterShape,
          limit: z.coerce.number().int().min(1).max(MAX_ROWS).default(10_000),
        }),
        response: { 400: errorResponse, 401: errorResponse },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const r = resolveRange(q, 30 * DAY_MS);
      const sql = new SqlFilter();
      const project = sql.param(req.projectId, 'String');
      const range = sql.timeRange('start_time', msToCh(r.fromMs), msToCh(r.toMs));
      const where = [`project_id = ${project}`, range, "kind = 'llm'"];
      const conds = sql.spanConditions(q, { spanStatus: true });
      if (conds.length) where.push(`trace_id IN (SELECT trace_id FROM spans WHERE project_id = ${project} AND ${range} AND ${conds.join(' AND ')})`);
      const rs = await storage.client.query({
        query: `
        SELECT s.trace_id AS trace_id, s.started AS started, s.model AS model, s.input AS input, s.output AS output, f.score AS score, f.comment AS comment
        FROM (
          SELECT trace_id, min(start_time) AS started, argMax(model, start_time) AS model, argMax(input, start_time) AS input, argMax(output, start_time) AS output
          FROM spans WHERE ${where.join(' AND ')} GROUP BY trace_id
        ) AS s
        ${hasScoreFilter(q) ? 'INNER' : 'LEFT'} JOIN (${scoredTraces(sql, project, q)}) AS f ON f.trace_id = s.trace_id
        ORDER BY started, trace_id
        LIMIT ${sql.param(q.limit, 'UInt32')}`,
        query_params: sql.params,
        format: 'JSONEachRow',
        clickhouse_settings: { join_use_nulls: 1 },
      });
      const toLine = q.format === 'jsonl' ? (row: ExportRow) => fineTuningLine(row) + '\n' : csvLine;
      async function* lines() {
        if (q.format === 'csv') yield ['trace_id', 'start_time', 'model', 'input', 'output', 'score', 'comment'].map(csvField).join(',') + '\r\n';
        for await (const batch of rs.stream<ExportRow>()) {
          for (const row of batch) yield toLine({ ...row.json(), comment: row.json().comment ?? '' });
        }
      }
      const stamp = new Date().toISOString().slice(0, 10);
      return (
        reply
          .type(q.format === 'jsonl' ? 'application/x-ndjson' : 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="spanlens-${stamp}.${q.format}"`)
          // A stream has no response schema to check against: only the error bodies have one.
          .send(Readable.from(lines()) as never)
      );
    },
  );
};
