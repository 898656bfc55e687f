import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { computeDrift, DRIFT_SAMPLE } from '../drift/drift.ts';
import { DRIFT_GROUPS, type DriftGroup } from '../drift/queries.ts';
import { MIN_PSI_SAMPLE, THRESHOLDS } from '../drift/stats.ts';
import { ApiError } from '../errors.ts';
import { filterShape } from '../filters.ts';
import { errorResponse } from '../schemas.ts';

const HOUR = 3_600_000;
const PRESETS = {
  '1h_vs_24h': { current: HOUR, baseline: 24 * HOUR },
  '24h_vs_7d': { current: 24 * HOUR, baseline: 7 * 24 * HOUR },
  '7d_vs_7d': { current: 7 * 24 * HOUR, baseline: 7 * 24 * HOUR },
} as const;

const isoTime = z.iso.datetime({ offset: true });
const { from: _f, to: _t, ...filters } = filterShape;
const severity = z.enum(['none', 'moderate', 'significant']);
const term = z.object({ term: z.string(), baselineShare: z.number(), currentShare: z.number(), change: z.number() });
const textDrift = z.object({ distance: z.number(), severity, rose: z.array(term), fell: z.array(term) });

export const driftRoutes: FastifyPluginAsyncZod<{ storage: Storage }> = async (app, opts) => {
  app.get(
    '/drift',
    {
      schema: {
        summary: 'Drift of LLM calls: a current window against a baseline, overall and per group',
        description: `PSI over bins from the baseline's minimum and deciles (smoothed) and the two-sample Kolmogorov-Smirnov test for numeric features; Jensen-Shannon distance for categories and for prompt and completion vocabularies. Severity: PSI >= ${THRESHOLDS.psi.moderate} moderate, > ${THRESHOLDS.psi.significant} significant (with fewer than ${MIN_PSI_SAMPLE} values in a window, the KS p-value instead: < 0.001 significant, < 0.05 moderate); JS distance >= ${THRESHOLDS.js.moderate} moderate, > ${THRESHOLDS.js.significant} significant. Windows over ${DRIFT_SAMPLE.toLocaleString('en-US')} LLM calls are read as a sample of traces (see sample).`,
        querystring: z.strictObject({
          ...filters,
          preset: z
            .enum(Object.keys(PRESETS) as [keyof typeof PRESETS, ...Array<keyof typeof PRESETS>])
            .default('24h_vs_7d')
            .describe('Used when the explicit windows are absent'),
          currentFrom: isoTime.optional(),
          currentTo: isoTime.optional(),
          baselineFrom: isoTime.optional(),
          baselineTo: isoTime.optional(),
          groupBy: z.enum(Object.keys(DRIFT_GROUPS) as [DriftGroup, ...DriftGroup[]]).optional(),
          feedbackName: z.string().min(1).max(200).optional().describe('The feedbackScore feature over scores of this name only (default: every score)'),
        }),
        response: {
          200: z.object({
            current: z.object({ from: z.string(), to: z.string() }),
            baseline: z.object({ from: z.string(), to: z.string() }),
            groupBy: z.string().nullable(),
            features: z.array(
              z.object({
                feature: z.string(),
                kind: z.enum(['numeric', 'categorical']),
                group: z.string().nullable(),
                statistic: z.enum(['psi', 'js']),
                value: z.number(),
                severity,
                ks: z.object({ d: z.number(), pValue: z.number() }).nullable(),
                baselineCount: z.number(),
                currentCount: z.number(),
                labels: z.array(z.string()),
                baseline: z.array(z.number()),
                current: z.array(z.number()),
              }),
            ),
            text: z.object({ prompts: textDrift, completions: textDrift }),
            sample: z.object({
              baselineCalls: z.number(),
              currentCalls: z.number(),
              baselineRate: z.number().describe("Share of the baseline's calls the report read: above 100,000 calls a window is sampled by trace"),
              currentRate: z.number(),
              method: z
                .enum(['none', 'traceRange', 'traceHash'])
                .describe('traceRange: traces whose id sorts below a bound (reads only their granules); traceHash: by a hash of the trace id, for ids that are not random'),
            }),
          }),
          400: errorResponse,
          401: errorResponse,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const explicit = [q.currentFrom, q.currentTo, q.baselineFrom, q.baselineTo];
      let current: { fromMs: number; toMs: number };
      let baseline: { fromMs: number; toMs: number };
      if (explicit.some((x) => x !== undefined)) {
        if (explicit.some((x) => x === undefined)) throw new ApiError('invalid_request', 'currentFrom: give all of currentFrom, currentTo, baselineFrom, baselineTo, or none (then preset applies)');
        current = { fromMs: Date.parse(q.currentFrom!), toMs: Date.parse(q.currentTo!) };
        baseline = { fromMs: Date.parse(q.baselineFrom!), toMs: Date.parse(q.baselineTo!) };
        if (current.fromMs >= current.toMs) throw new ApiError('invalid_request', 'currentFrom: must be before currentTo');
        if (baseline.fromMs >= baseline.toMs) throw new ApiError('invalid_request', 'baselineFrom: must be before baselineTo');
        if (baseline.toMs > current.fromMs) throw new ApiError('invalid_request', 'baselineTo: the baseline must end before the current window starts');
      } else {
        const p = PRESETS[q.preset];
        const now = Math.ceil(Date.now() / 60_000) * 60_000;
        current = { fromMs: now - p.current, toMs: now };
        baseline = { fromMs: now - p.current - p.baseline, toMs: now - p.current };
      }
      const report = await computeDrift(opts.storage, {
        projectId: req.projectId,
        current,
        baseline,
        filters: q,
        ...(q.groupBy ? { groupBy: q.groupBy } : {}),
        ...(q.feedbackName ? { feedbackName: q.feedbackName } : {}),
      });
      const iso = (ms: number) => new Date(ms).toISOString();
      return {
        current: { from: iso(current.fromMs), to: iso(current.toMs) },
        baseline: { from: iso(baseline.fromMs), to: iso(baseline.toMs) },
        groupBy: q.groupBy ?? null,
        ...report,
      };
    },
  );
};
