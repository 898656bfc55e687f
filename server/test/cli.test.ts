import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSpans, makeExporter, recordSpans } from '../../collector/test/helpers/otel.ts';
import { baseTime, llmTrace } from '../../collector/test/helpers/fixtures.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

interface Started {
  child: ChildProcess;
  output: () => string;
  httpUrl: string;
  grpcUrl: string;
  apiUrl: string;
}

function withoutKafka(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { KAFKA_BROKERS: _k, ...rest } = env;
  return rest;
}

/** Runs the README's `npm start` with its own data directory and ephemeral ports. */
async function npmStart(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    // The default (direct) path: a KAFKA_BROKERS that CI exports for the Kafka suite must not leak in.
    env: { ...withoutKafka(process.env), SPANLENS_DATA_DIR: dataDir, SPANLENS_OTLP_HTTP_PORT: '0', SPANLENS_OTLP_GRPC_PORT: '0', SPANLENS_API_PORT: '0', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('spanlens: ready')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
  const find = (re: RegExp) => re.exec(out)![1]!;
  return {
    child,
    output: () => out,
    httpUrl: find(/OTLP\/HTTP on (http:\/\/[\d.]+:\d+)\/v1\/traces/),
    grpcUrl: 'http://' + find(/OTLP\/gRPC on ([\d.]+:\d+)/),
    apiUrl: find(/API and dashboard on (http:\/\/[\d.]+:\d+)\//),
  };
}

/** SIGTERM to the process group (npm and node); true once Spanlens said it flushed and everything exited. */
async function stop(s: Started): Promise<boolean> {
  const exited = new Promise<void>((resolve) => s.child.on('exit', () => resolve()));
  process.kill(-s.child.pid!, 'SIGTERM');
  await exited;
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(-s.child.pid!, 0);
      await new Promise((r) => setTimeout(r, 50));
    } catch {
      return s.output().includes('spanlens: SIGTERM, flushing and stopping');
    }
  }
  return false;
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'spanlens-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('first start prints a key once; spans survive a restart; no second key', async () => {
    const first = await npmStart(dataDir);
    const key = /API key \(shown once, store it now\):\s+(sl_[\w-]+)/.exec(first.output())?.[1];
    assert.ok(key, first.output());
    const spans = recordSpans((t) => llmTrace(t, baseTime()));
    const outcome = await exportSpans(makeExporter('http/protobuf', { httpUrl: first.httpUrl, grpcUrl: first.grpcUrl, key }), spans);
    assert.equal(outcome.code, 0, outcome.error?.message);
    assert.ok(await stop(first), first.output());

    const second = await npmStart(dataDir);
    assert.doesNotMatch(second.output(), /shown once/);
    const traceId = spans[0]!.spanContext().traceId;
    const res = await fetch(`${second.apiUrl}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { spans: unknown[] }).spans.length, 3);
    // The key appears in the log only in the one line that hands it over.
    assert.equal(first.output().split(key).length - 1, 1);
    assert.ok(await stop(second), second.output());
  });

  test('SPANLENS_INIT_API_KEY creates the default project with that key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanlens-cli-'));
    const key = 'sl_my_deploy_key_0123456789abcdef';
    const s = await npmStart(dir, { SPANLENS_INIT_API_KEY: key });
    assert.doesNotMatch(s.output(), /shown once/);
    assert.ok(!s.output().includes(key), 'the key must not be logged');
    const res = await fetch(`${s.apiUrl}/api/v1/traces`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.ok(await stop(s), s.output());
    rmSync(dir, { recursive: true, force: true });
  });

  test('a second process on the same data directory stops with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanlens-cli-'));
    const first = await npmStart(dir, { SPANLENS_INIT_API_KEY: 'sl_lock_test_key_0123456789' });
    try {
      const r = spawnSync('npm', ['run', 'migrate'], { cwd: ROOT, env: { ...withoutKafka(process.env), SPANLENS_DATA_DIR: dir }, encoding: 'utf8' });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /in use by another Spanlens process/);
      assert.match(r.stderr, /SPANLENS_DATA_DIR/);
    } finally {
      assert.ok(await stop(first), first.output());
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad configuration fails fast with a message naming the variable', () => {
    const r = spawnSync('npm', ['start'], { cwd: ROOT, env: { ...withoutKafka(process.env), SPANLENS_API_PORT: 'eighty' }, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /SPANLENS_API_PORT/);
  });

  test('spanlens migrate is safe to run twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanlens-cli-'));
    for (let i = 0; i < 2; i++) {
      const r = spawnSync('npm', ['run', 'migrate'], { cwd: ROOT, env: { ...withoutKafka(process.env), SPANLENS_DATA_DIR: dir }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /migrations applied/);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
