// Defaults live in one place (collector/src/defaults.ts): the configuration schema reads them, and
// the README's configuration table must say the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COLLECTOR_DEFAULTS as D } from '@spanlens/collector';
import { loadConfig } from '../src/config.ts';

const config = loadConfig({});

test('an unset variable takes the default the components use themselves', () => {
  const pairs: Array<[keyof typeof config, number]> = [
    ['SPANLENS_RETENTION_DAYS', D.retentionDays],
    ['SPANLENS_MAX_BODY_BYTES', D.maxBodyBytes],
    ['SPANLENS_REQUEST_TIMEOUT_MS', D.requestTimeoutMs],
    ['SPANLENS_INGEST_RATE_LIMIT', D.rateLimitSpansPerSecond],
    ['SPANLENS_MAX_QUEUE_SPANS', D.maxQueueRows],
    ['SPANLENS_LOG_MAX_BYTES', D.logMaxBytes],
    ['SPANLENS_REPEAT_WINDOW_SECONDS', D.repeatWindowSeconds],
    ['SPANLENS_BATCH_MAX_SPANS', D.maxBatchRows],
    ['SPANLENS_BATCH_MAX_BYTES', D.maxBatchBytes],
    ['SPANLENS_BATCH_MAX_DELAY_MS', D.maxBatchDelayMs],
    ['SPANLENS_MAX_SPANS_PER_REQUEST', D.limits.maxSpansPerRequest],
    ['SPANLENS_MAX_ATTRIBUTES', D.limits.maxAttributes],
    ['SPANLENS_MAX_ATTRIBUTE_LENGTH', D.limits.maxAttributeLength],
    ['SPANLENS_MAX_CONTENT_LENGTH', D.limits.maxContentLength],
    ['SPANLENS_MAX_EVENTS', D.limits.maxEvents],
  ];
  for (const [name, value] of pairs) assert.equal(config[name], value, name);
});

test("the README's configuration table gives every variable's default as the schema does", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);
  const documented = new Map(rows);
  for (const [name, value] of Object.entries(config)) {
    const cell = documented.get(name);
    assert.ok(cell !== undefined, `README's configuration table lacks ${name}`);
    if (typeof value === 'number' || typeof value === 'string') {
      assert.equal(/^`([^`]*)`/.exec(cell)?.[1], String(value), `${name}: README says ${cell}, the schema ${value}`);
    }
  }
});
