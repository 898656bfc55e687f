import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ALWAYS_ON_DETECTORS, getRedactionSettings, redactionSettingsSchema, setRedactionSettings, type Storage } from '@spanlens/clickhouse';
import { z } from 'zod';
import { errorResponse } from '../schemas.ts';

const settingsResponse = redactionSettingsSchema.extend({
  alwaysOn: z.array(z.enum(ALWAYS_ON_DETECTORS)).describe('Detectors that cannot be turned off'),
});

/** Redaction at ingest: which detectors and custom patterns mask this project's spans. */
export const redactionRoutes: FastifyPluginAsyncZod<{ storage: Storage; onChange?: () => Promise<void> }> = async (app, opts) => {
  app.get(
    '/redaction',
    {
      schema: { summary: "The project's redaction settings", response: { 200: settingsResponse, 401: errorResponse } },
    },
    async (req) => ({ ...(await getRedactionSettings(opts.storage, req.projectId)), alwaysOn: [...ALWAYS_ON_DETECTORS] }),
  );

  app.put(
    '/redaction',
    {
      schema: {
        summary: 'Set which values are masked in spans ingested from now on (stored spans are not rewritten)',
        description:
          'Optional detectors: email, phone, credit_card (Luhn-checked), ip_address (v4 and v6). Custom patterns are JavaScript regular expressions, masked as [REDACTED:<name>]; patterns with nested quantifiers are refused. Provider API keys and bearer tokens are always masked.',
        body: redactionSettingsSchema,
        response: { 200: settingsResponse, 400: errorResponse, 401: errorResponse },
      },
    },
    async (req) => {
      await setRedactionSettings(opts.storage, req.projectId, req.body);
      await opts.onChange?.();
      return { ...req.body, alwaysOn: [...ALWAYS_ON_DETECTORS] };
    },
  );
};
