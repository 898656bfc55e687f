import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolveConfig, type InitOptions } from '../src/config.ts';

// The cases the Python SDK's tests read too, so both SDKs resolve settings alike.
const { cases } = JSON.parse(readFileSync(new URL('../../config-cases.json', import.meta.url), 'utf8')) as {
  cases: Array<{ name: string; env?: Record<string, string>; options?: InitOptions; expect: Record<string, unknown> }>;
};

for (const c of cases) {
  test(`settings: ${c.name}`, () => {
    const resolved = resolveConfig(c.options ?? {}, c.env ?? {}) as unknown as Record<string, unknown>;
    for (const [field, want] of Object.entries(c.expect)) assert.equal(resolved[field] ?? null, want, field);
  });
}
