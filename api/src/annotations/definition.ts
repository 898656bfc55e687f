import { z } from 'zod';

const name = z.string().trim().min(1).max(200);

/** A score reviewers fill in; its result is feedback of this name. */
export const scoreDefinition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('numeric'), name, min: z.number().finite().default(0), max: z.number().finite().default(1), description: z.string().max(500).optional() }),
  z.strictObject({ type: z.literal('boolean'), name, description: z.string().max(500).optional() }),
  z.strictObject({ type: z.literal('categorical'), name, labels: z.array(z.string().min(1).max(200)).min(2).max(20), description: z.string().max(500).optional() }),
]);
export type ScoreDefinition = z.infer<typeof scoreDefinition>;

const queueShape = z.strictObject({
  name,
  description: z.string().max(2000).default(''),
  target: z.enum(['trace', 'span']).default('trace').describe('Reviewers judge whole traces (their last LLM call shown) or single spans'),
  scores: z.array(scoreDefinition).min(1).max(10),
  allowCorrection: z.boolean().default(true).describe('Reviewers may give a corrected output (the dataset export uses it)'),
  lockSeconds: z.number().int().min(30).max(86_400).default(600).describe('An opened item is held for its reviewer this long'),
});

export const queueInput = queueShape.superRefine((q, ctx) => {
  const seen = new Set<string>();
  q.scores.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['scores', i, 'name'], message: `"${s.name}" is named twice` });
    seen.add(s.name);
    if (s.type === 'numeric' && s.min >= s.max) ctx.addIssue({ code: 'custom', path: ['scores', i, 'max'], message: 'must be above min' });
  });
});
export type QueueInput = z.infer<typeof queueInput>;

export const progress = z.object({ total: z.number(), pending: z.number(), done: z.number(), skipped: z.number(), locked: z.number() });
export type Progress = z.infer<typeof progress>;

export const queueResponse = queueShape.extend({ id: z.string(), projectId: z.string(), progress });
export type Queue = QueueInput & { id: string; projectId: string };

/** Scores a reviewer gives: each checked against its definition. Returns the problem, or null. */
export function checkScores(q: Pick<Queue, 'scores'>, given: Record<string, unknown>): string | null {
  for (const key of Object.keys(given)) {
    if (!q.scores.some((s) => s.name === key)) return `scores.${key}: not a score of this queue (${q.scores.map((s) => s.name).join(', ')})`;
  }
  if (Object.keys(given).length === 0) return 'scores: give at least one';
  for (const s of q.scores) {
    const v = given[s.name];
    if (v === undefined) continue;
    if (s.type === 'numeric' && (typeof v !== 'number' || !Number.isFinite(v) || v < s.min || v > s.max)) return `scores.${s.name}: a number from ${s.min} to ${s.max}`;
    if (s.type === 'boolean' && typeof v !== 'boolean') return `scores.${s.name}: true or false`;
    if (s.type === 'categorical' && (typeof v !== 'string' || !s.labels.includes(v))) return `scores.${s.name}: one of ${s.labels.join(', ')}`;
  }
  return null;
}
