// The one logger of a Spanlens process (pino): JSON lines on stderr at SPANLENS_LOG_LEVEL.
// Each component gets a child naming it; below `debug` no line carries request or prompt
// content (callers log error classes and codes, not messages that may quote rows).
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'spanlens' } }, pino.destination(2));
}

/** For components built without one (tests, benchmarks): logs nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
