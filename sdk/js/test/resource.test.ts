import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { readTrace, type Spanlens } from './helpers/setup.ts';

const run = promisify(execFile);
const APP = new URL('./fixtures/exit-app.ts', import.meta.url).pathname;
let sl: Spanlens;
before(async () => {
  sl = await startTestSpanlens();
});
after(() => sl.close());

/** Runs a script that ends without calling shutdown(); returns its span as Spanlens stored it. */
async function spanOf(env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('SPANLENS_')));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', APP], { env: { ...base, SPANLENS_ENDPOINT: sl.httpUrl, SPANLENS_API_KEY: sl.key, ...env } });
  const { spans } = await readTrace(sl, stdout.trim());
  assert.equal(spans.length, 1, 'the span was sent although the script never called shutdown()');
  return spans[0]!;
}

test("service name: OpenTelemetry's own default when nothing names the service", async () => {
  // OpenTelemetry JS names it after process.argv0, here the path the test started node by.
  assert.equal((await spanOf({})).service, `unknown_service:${process.execPath}`);
});

test('service name and environment from OTEL_RESOURCE_ATTRIBUTES', async () => {
  const s = await spanOf({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,deployment.environment.name=staging' });
  assert.deepEqual([s.service, s.environment], ['from-attributes', 'staging']);
});

test('OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES, SPANLENS_ENVIRONMENT over its environment', async () => {
  const s = await spanOf({ OTEL_SERVICE_NAME: 'from-env', SPANLENS_ENVIRONMENT: 'prod', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,deployment.environment.name=staging' });
  assert.deepEqual([s.service, s.environment], ['from-env', 'prod']);
});
