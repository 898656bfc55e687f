// Runs every *.test.ts under the workspaces with node's built-in runner (tsx for TypeScript).
// Node 20's --test has no glob support, so the file list is built here.
//
// The Kafka suite (server/test/kafka/) needs a broker: KAFKA_BROKERS if set, otherwise
// scripts/kafka-local.sh is started (and stopped again at the end). Under CI=true a
// broker that cannot be had is a failure, never a skip.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['clickhouse', 'collector', 'api', 'server', 'dashboard', 'sdk/js'];
const only = process.argv.slice(2);

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

let files = roots.flatMap((r) => walk(join(root, r, 'test'), []).sort());
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// Built packages the tests use: the dashboard's vite build (the API serves dashboard/dist) and
// the SDK's dist/ (the examples import @spanlens/sdk as an app would). Each is rebuilt when
// missing or older than its sources.
const newest = (p) => (statSync(p).isDirectory() ? Math.max(0, ...readdirSync(p).map((n) => newest(join(p, n)))) : statSync(p).mtimeMs);
const builds = [
  { workspace: '@spanlens/dashboard', dir: 'dashboard', output: 'dist/index.html', sources: ['src', 'index.html', 'vite.config.ts', 'package.json'] },
  { workspace: '@spanlens/sdk', dir: 'sdk/js', output: 'dist/cjs/package.json', sources: ['src', 'scripts', 'tsconfig.build.json', 'tsconfig.cjs.json', 'package.json'] },
];
for (const b of builds) {
  const output = join(root, b.dir, b.output);
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0;
  if (builtAt >= Math.max(...b.sources.map((p) => newest(join(root, b.dir, p))))) continue;
  const r = spawnSync('npm', ['run', 'build', '-w', b.workspace], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`run-tests: the build of ${b.workspace} failed`);
    process.exit(1);
  }
}

const env = { ...process.env };
let startedBroker = false;
if (files.some((f) => f.includes('/kafka/')) && !env.KAFKA_BROKERS) {
  const r = spawnSync('bash', [join(root, 'scripts/kafka-local.sh'), 'start'], { stdio: 'inherit', timeout: 600_000 });
  if (r.status === 0) {
    env.KAFKA_BROKERS = `127.0.0.1:${env.KAFKA_PORT ?? 9092}`;
    startedBroker = true;
  } else if (process.env.CI === 'true') {
    console.error('run-tests: no Kafka broker (scripts/kafka-local.sh start failed) and CI=true: the Kafka suite cannot be skipped');
    process.exit(1);
  } else {
    console.error('run-tests: no Kafka broker could be started; the Kafka suite (server/test/kafka/) is left out of this run');
    files = files.filter((f) => !f.includes('/kafka/'));
  }
}

// A file whose process never exits (an open handle) would otherwise hold the whole run until CI's
// deadline; node applies --test-timeout per file and fails it, so a hang costs 15 minutes at most.
const perFileTimeout = process.env.SPANLENS_TEST_FILE_TIMEOUT_MS ?? '900000';
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${perFileTimeout}`, '--test-reporter=spec', ...files];
const result = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env,
});
if (startedBroker) spawnSync('bash', [join(root, 'scripts/kafka-local.sh'), 'stop'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
