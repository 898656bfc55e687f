import { z } from 'zod';
import type { SqlFilter } from '../filters.ts';

/** Filters on a trace's scores (feedback, annotations, evaluations): the trace list and export take them. */
export const scoreFilterShape = {
  feedbackName: z.string().min(1).max(200).optional().describe('Only traces with a score of this name'),
  feedbackSource: z.enum(['user', 'annotation', 'evaluation']).optional().describe('Only scores from this source'),
  minScore: z.coerce.number().optional().describe("The trace's average score (of that name) at least this"),
  maxScore: z.coerce.number().optional(),
};

export type ScoreFilter = { [K in keyof typeof scoreFilterShape]?: z.infer<(typeof scoreFilterShape)[K]> };

export const hasScoreFilter = (f: ScoreFilter) => f.feedbackName !== undefined || f.feedbackSource !== undefined || f.minScore !== undefined || f.maxScore !== undefined;

/** The scored traces: a subquery of (trace_id, score, comment) rows, one per trace. */
export function scoredTraces(sql: SqlFilter, project: string, f: ScoreFilter): string {
  const where = [`project_id = ${project}`];
  if (f.feedbackName) where.push(`name = ${sql.param(f.feedbackName, 'String')}`);
  if (f.feedbackSource) where.push(`source = ${sql.param(f.feedbackSource, 'String')}`);
  const having = [...(f.minScore !== undefined ? [`score >= ${sql.param(f.minScore, 'Float64')}`] : []), ...(f.maxScore !== undefined ? [`score <= ${sql.param(f.maxScore, 'Float64')}`] : [])];
  return `SELECT trace_id, avg(value) AS score, anyIf(comment, comment != '') AS comment FROM feedback FINAL
          WHERE ${where.join(' AND ')} GROUP BY trace_id ${having.length ? `HAVING ${having.join(' AND ')}` : ''}`;
}
