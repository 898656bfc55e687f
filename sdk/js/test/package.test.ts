import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';

const run = promisify(execFile);
const SDK = new URL('../', import.meta.url).pathname;

// What `npm install @spanlens/sdk` gives an app: the packed tarball in a fresh app outside the
// repository (no workspace link, no tsx), run with plain node.
const APP = `
import { currentTraceId, init, observe, shutdown } from '@spanlens/sdk';
init({ endpoint: process.env.SPANLENS_ENDPOINT, apiKey: process.env.SPANLENS_API_KEY, serviceName: 'packaged-app' });
const step = observe('packaged-step', async (x) => ({ x, traceId: currentTraceId() }));
const out = await step(41);
await shutdown();
console.log(JSON.stringify(out));
`;

test('the packed SDK installs into an app outside the repo, imports under plain node, and its trace reads back', async () => {
  const app = mkdtempSync(join(tmpdir(), 'spanlens-packed-app-'));
  const sl = await startTestSpanlens();
  try {
    await run('npm', ['pack', '--pack-destination', app], { cwd: SDK });
    const tarball = readdirSync(app).find((n) => n.endsWith('.tgz'))!;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'packaged-app', private: true, type: 'module' }));
    writeFileSync(join(app, 'app.mjs'), APP);
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`, '@opentelemetry/api@^1.9.0'], { cwd: app });
    // Only what an app needs is in the tarball: the build, no TypeScript sources or tests.
    const shipped = readdirSync(join(app, 'node_modules/@spanlens/sdk'));
    assert.deepEqual(shipped.sort(), ['README.md', 'dist', 'package.json']);
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: app, env: { ...process.env, SPANLENS_ENDPOINT: sl.httpUrl, SPANLENS_API_KEY: sl.key } });
    const out = JSON.parse(stdout.trim()) as { x: number; traceId: string };
    assert.equal(out.x, 41);
    const { status, body } = await sl.get(`/api/v1/traces/${out.traceId}`);
    assert.equal(status, 200);
    assert.deepEqual(body.spans.map((s: { name: string; service: string }) => [s.name, s.service]), [['packaged-step', 'packaged-app']]);
  } finally {
    await sl.close();
    rmSync(app, { recursive: true, force: true });
  }
});
