import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../../collector/src/otlp/proto.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

export interface SpanlensProcess {
  child: ChildProcess;
  output: () => string;
  ready: Promise<void>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
}

/** `spanlens <args>` in a child process (the npm start entry point), output captured. */
export function spawnSpanlens(args: string[], env: Record<string, string>): SpanlensProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('spanlens: ready')) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
  ready.catch(() => undefined);
  return { child, output: () => out, ready, exited };
}

/** An OTLP protobuf request of `spans` LLM spans in one trace (a fresh trace id), and that id. */
export function traceRequest(spans: number): { body: Buffer; traceId: string } {
  const now = BigInt(Date.now()) * 1_000_000n;
  const traceId = randomBytes(16);
  const list = Array.from({ length: spans }, () => ({
    traceId,
    spanId: randomBytes(8),
    name: 'chat',
    kind: 3,
    startTimeUnixNano: now,
    endTimeUnixNano: now + 1_000_000n,
    attributes: [
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: 10 } },
    ],
  }));
  return {
    body: Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: list }] }] })).finish()),
    traceId: traceId.toString('hex'),
  };
}
