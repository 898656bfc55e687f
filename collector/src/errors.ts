import { ExportFailedError, QueueFullError } from './exporters/exporter.ts';
import type { FastifyBaseLogger } from 'fastify';
import { DecodeError } from './otlp/decode.ts';

/** Stable error codes of the ingest endpoints, with their HTTP and gRPC statuses. */
export const INGEST_ERRORS = {
  unauthenticated: { http: 401, grpc: 16 },
  invalid_body: { http: 400, grpc: 3 },
  unsupported_media_type: { http: 415, grpc: 3 },
  payload_too_large: { http: 413, grpc: 8 },
  rate_limited: { http: 429, grpc: 8 },
  overloaded: { http: 503, grpc: 14 },
  storage_unavailable: { http: 503, grpc: 14 },
  not_found: { http: 404, grpc: 12 },
  internal: { http: 500, grpc: 13 },
} as const;

/** Why a request carried no usable key, as both receivers word it. */
export const KEY_PROBLEM = {
  missing: 'missing API key: send Authorization: Bearer <key> (over gRPC, as metadata)',
  invalid: 'invalid or revoked API key',
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERRORS;

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
  get httpStatus(): number {
    return INGEST_ERRORS[this.code].http;
  }
  get grpcStatus(): number {
    return INGEST_ERRORS[this.code].grpc;
  }
}

/** Maps anything a pipeline throws onto an IngestError; unknown errors become 'internal'. */
export function toIngestError(err: unknown): IngestError {
  if (err instanceof IngestError) return err;
  if (err instanceof DecodeError) return new IngestError('invalid_body', err.message);
  if (err instanceof QueueFullError) return new IngestError('overloaded', err.message, err.retryAfterSeconds);
  if (err instanceof ExportFailedError) return new IngestError('storage_unavailable', 'storage is unavailable, retry later', 5);
  return new IngestError('internal', 'internal error', undefined, err);
}

/**
 * The one place ingest refusals are logged. Error messages can quote the request (a JSON
 * parse error shows the text near the fault; a storage error can show a row), so at info
 * and above only the code and the error's class are logged; messages only at debug, which
 * an operator turns on knowingly (SPANLENS_LOG_LEVEL=debug).
 */
export function logRefusal(log: FastifyBaseLogger, receiver: string, err: IngestError): void {
  if (err.code === 'internal') log.error({ receiver, code: err.code, cause: (err.cause as Error | undefined)?.name ?? 'unknown' }, 'ingest failed');
  log.debug({ receiver, code: err.code, message: err.message, cause: (err.cause as Error | undefined)?.message }, 'request refused');
}
