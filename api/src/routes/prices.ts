import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { deleteCustomPrice, setCustomPrice, listCustomPrices, type Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { errorResponse } from '../schemas.ts';

const price = z.strictObject({
  provider: z.string().max(100).default('').describe("Provider as stored on spans (e.g. 'openai'); empty matches any"),
  model: z.string().min(1).max(200),
  inputPerMTok: z.number().min(0).describe('USD per million input tokens'),
  outputPerMTok: z.number().min(0).describe('USD per million output tokens'),
  cachedInputPerMTok: z.number().min(0).nullable().default(null).describe('USD per million cached input tokens; null: the input price'),
});

/** Per-project model prices that override the public price table. */
export const priceRoutes: FastifyPluginAsyncZod<{ storage: Storage; onChange?: () => Promise<void> }> = async (app, opts) => {
  app.get(
    '/prices',
    {
      schema: { summary: "The project's own model prices", response: { 200: z.object({ prices: z.array(price) }), 401: errorResponse } },
    },
    async (req) => {
      const all = await listCustomPrices(opts.storage);
      return {
        prices: all
          .filter((p) => p.project_id === req.projectId)
          .map((p) => ({
            provider: p.provider,
            model: p.model,
            inputPerMTok: p.input_per_mtok,
            outputPerMTok: p.output_per_mtok,
            cachedInputPerMTok: p.cached_input_per_mtok,
          })),
      };
    },
  );

  app.put(
    '/prices',
    {
      schema: { summary: 'Set the price of one model for this project (applies to spans ingested from now on)', body: price, response: { 200: price, 400: errorResponse, 401: errorResponse } },
    },
    async (req) => {
      const b = req.body;
      await setCustomPrice(opts.storage, req.projectId, {
        provider: b.provider,
        model: b.model,
        input_per_mtok: b.inputPerMTok,
        output_per_mtok: b.outputPerMTok,
        cached_input_per_mtok: b.cachedInputPerMTok,
      });
      await opts.onChange?.();
      return b;
    },
  );

  app.delete(
    '/prices',
    {
      schema: {
        summary: "Remove the project's own price of one model (the public table applies again)",
        querystring: z.strictObject({ provider: z.string().max(100).default(''), model: z.string().min(1).max(200) }),
        response: { 204: z.null(), 400: errorResponse, 401: errorResponse },
      },
    },
    async (req, reply) => {
      await deleteCustomPrice(opts.storage, req.projectId, req.query.provider, req.query.model);
      await opts.onChange?.();
      return reply.code(204).send(null);
    },
  );
};
