import safeRegex from 'safe-regex2';
import { z } from 'zod';
import type { Storage } from './client.ts';

/** Detectors a project turns on; provider API keys and bearer tokens are always masked. */
export const OPTIONAL_DETECTORS = ['email', 'phone', 'credit_card', 'ip_address'] as const;
export const ALWAYS_ON_DETECTORS = ['api_key', 'bearer_token'] as const;
export type OptionalDetector = (typeof OPTIONAL_DETECTORS)[number];

const MAX_CUSTOM = 20;
const MAX_PATTERN = 200;

// Custom patterns run on every span of the project: one with nested quantifiers could
// stall ingest on a crafted value (ReDoS), so those are refused up front.
const customPattern = z
  .string()
  .min(1)
  .max(MAX_PATTERN)
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'g');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
      return;
    }
    if (!safeRegex(pattern)) ctx.addIssue({ code: 'custom', message: 'nested quantifiers (like (a+)+) can take exponential time: rewrite the pattern' });
  });

export const redactionSettingsSchema = z.object({
  // prefault: an absent object is parsed as {}, so each detector's own default applies.
  detectors: z.object(Object.fromEntries(OPTIONAL_DETECTORS.map((d) => [d, z.boolean().default(false)])) as Record<OptionalDetector, z.ZodDefault<z.ZodBoolean>>).prefault({}),
  custom: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'lowercase letters, digits and _, up to 32, starting with a letter'),
        pattern: customPattern,
      }),
    )
    .max(MAX_CUSTOM)
    .default([]),
});

export type RedactionSettings = z.infer<typeof redactionSettingsSchema>;

export const DEFAULT_REDACTION: RedactionSettings = redactionSettingsSchema.parse({});

export async function getRedactionSettings(storage: Storage, projectId: string): Promise<RedactionSettings> {
  const rs = await storage.client.query({
    query: 'SELECT settings FROM redaction_settings FINAL WHERE project_id = {p:String}',
    query_params: { p: projectId },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ settings: string }>();
  return row ? parseStored(row.settings) : DEFAULT_REDACTION;
}

export async function setRedactionSettings(storage: Storage, projectId: string, settings: RedactionSettings): Promise<void> {
  await storage.insertRows('redaction_settings', [{ project_id: projectId, settings: JSON.stringify(settings) }]);
}

/** Every project's settings, for the collector's cache. */
export async function listRedactionSettings(storage: Storage): Promise<Map<string, RedactionSettings>> {
  const rs = await storage.client.query({ query: 'SELECT project_id, settings FROM redaction_settings FINAL', format: 'JSONEachRow' });
  const out = new Map<string, RedactionSettings>();
  for (const r of await rs.json<{ project_id: string; settings: string }>()) out.set(r.project_id, parseStored(r.settings));
  return out;
}

// Stored settings were validated on the way in; a row that no longer parses (a detector
// removed in a later version) falls back to the defaults rather than stopping ingest.
function parseStored(text: string): RedactionSettings {
  try {
    const parsed = redactionSettingsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : DEFAULT_REDACTION;
  } catch {
    return DEFAULT_REDACTION;
  }
}
