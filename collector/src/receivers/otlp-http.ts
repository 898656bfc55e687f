import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { feedbackSchema, toFeedbackRow, type KeyCache } from '@spanlens/clickhouse';
import { IngestError, KEY_PROBLEM, logRefusal, toIngestError } from '../errors.ts';
import { encodeExportResponse, encodeRpcStatus, exportResponseJson } from '../otlp/proto.ts';
import type { FeedbackConsumer } from '../pipeline.ts';
import type { OtlpSignal } from './signals.ts';
import { decodeBody } from './http-body.ts';
import type { CollectorMetrics } from '../telemetry.ts';
import type { IngestRateLimiter } from '../rate-limit.ts';

export interface OtlpHttpOptions {
  /** The OTLP signals (traces, logs), each on its own path. */
  signals: readonly OtlpSignal[];
  feedback: FeedbackConsumer;
  keys: KeyCache;
  /** Largest request body, after decompression. */
  maxBodyBytes: number;
  rateLimit: IngestRateLimiter;
  metrics?: CollectorMetrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    projectId: string;
    keyId: string;
  }
}

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

function isProtobuf(req: FastifyRequest): boolean {
  return (req.headers['content-type'] ?? '').toLowerCase().startsWith(PROTOBUF);
}

/** OTLP/HTTP receiver: POST /v1/traces and /v1/logs (protobuf or JSON, gzip), and POST /v1/feedback. */
export async function otlpHttpReceiver(app: FastifyInstance, opts: OtlpHttpOptions): Promise<void> {
  app.decorateRequest('projectId', '');
  app.decorateRequest('keyId', '');
  app.removeAllContentTypeParsers();
  // Bodies stay raw here: decompression and decoding happen in the route under our own limits.
  app.addContentTypeParser([PROTOBUF, JSON_TYPE], { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, req, reply) => sendError(req, reply, fromFastifyError(err)));
  app.setNotFoundHandler((req, reply) => sendError(req, reply, new IngestError('not_found', `no route ${req.method} ${req.url}: use POST /v1/traces, /v1/logs or /v1/feedback`)));

  app.addHook('onResponse', async (req, reply) => {
    opts.metrics?.requests.inc({ receiver: req.url.startsWith('/v1/feedback') ? 'feedback' : 'otlp-http', outcome: String(reply.statusCode) });
  });

  app.addHook('onRequest', async (req) => {
    const auth = await opts.keys.authenticate(req.headers.authorization);
    if ('problem' in auth) throw new IngestError('unauthenticated', KEY_PROBLEM[auth.problem]);
    req.projectId = auth.projectId;
    req.keyId = auth.keyId;
    await opts.rateLimit.check(auth.keyId);
  });

  // Every signal the same way: admit, decompress, decode, rate-limit by items, consume, answer in kind.
  for (const signal of opts.signals) {
    app.post(signal.httpPath, async (req, reply) => {
      const raw = req.body as Buffer | undefined;
      if (!raw) throw new IngestError('unsupported_media_type', `Content-Type must be ${PROTOBUF} or ${JSON_TYPE}`);
      signal.consumer.admit();
      const body = await decodeBody(raw, req.headers['content-encoding'], opts.maxBodyBytes);
      const protobuf = isProtobuf(req);
      const decoded = protobuf ? signal.decodeProtobuf(body) : signal.decodeJson(body);
      await opts.rateLimit.take(req.keyId, signal.items(decoded));
      const partial = await signal.consumer.consume(req.projectId, decoded);
      if (protobuf) return reply.type(PROTOBUF).send(Buffer.from(encodeExportResponse(signal.response, partial)));
      return reply.type(JSON_TYPE).send(exportResponseJson(signal.response, partial));
    });
  }

  app.post('/v1/feedback', async (req, reply) => {
    if (isProtobuf(req)) throw new IngestError('unsupported_media_type', `feedback takes ${JSON_TYPE}`);
    const raw = req.body as Buffer | undefined;
    if (!raw) throw new IngestError('unsupported_media_type', `Content-Type must be ${JSON_TYPE}`);
    const body = await decodeBody(raw, req.headers['content-encoding'], opts.maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new IngestError('invalid_body', `body is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = feedbackSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new IngestError('invalid_body', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    await opts.rateLimit.take(req.keyId, 1);
    const row = toFeedbackRow(req.projectId, parsed.data);
    await opts.feedback.consumeFeedback([row]);
    return reply.type(JSON_TYPE).send({ id: row.id });
  });
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message: string;
}

function fromFastifyError(err: unknown): IngestError {
  const e = err as FastifyLikeError;
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new IngestError('unsupported_media_type', `unsupported Content-Type: use ${PROTOBUF} or ${JSON_TYPE}`);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new IngestError('payload_too_large', 'request body is over the size limit');
  if (e.code === 'FST_ERR_CTP_EMPTY_TYPE') return new IngestError('unsupported_media_type', `missing Content-Type: use ${PROTOBUF} or ${JSON_TYPE}`);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && e.code?.startsWith('FST_')) {
    return new IngestError('invalid_body', e.message);
  }
  return toIngestError(err);
}

/** Error body per OTLP/HTTP: a google.rpc.Status in the request's encoding. */
function sendError(req: FastifyRequest, reply: FastifyReply, err: IngestError): FastifyReply {
  logRefusal(req.log, 'otlp-http', err);
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  reply.code(err.httpStatus);
  if (isProtobuf(req)) return reply.type(PROTOBUF).send(Buffer.from(encodeRpcStatus(err.grpcStatus, err.message)));
  return reply.type(JSON_TYPE).send({ code: err.grpcStatus, error: err.code, message: err.message });
}
