// Helpers for tests of any package (`@spanlens/collector/testing`), not for production code.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from './logger.ts';

/** A logger that keeps its JSON lines in memory, to check what a component logs. */
export function memoryLogger(level: string): { log: Logger; text(): string; lines(): Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    log: pino({ level }, sink),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
