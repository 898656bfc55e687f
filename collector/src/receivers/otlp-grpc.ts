import * as grpc from '@grpc/grpc-js';
import { type KeyCache } from '@spanlens/clickhouse';
import type { FastifyBaseLogger } from 'fastify';
import { IngestError, KEY_PROBLEM, logRefusal, toIngestError } from '../errors.ts';
import { decodeProtobuf } from '../otlp/decode.ts';
import { decodeLogsProtobuf } from '../otlp/decode-logs.ts';
import { encodeExportResponse, LOGS_RESPONSE, TRACES_RESPONSE } from '../otlp/proto.ts';
import type { LogsConsumer, TracesConsumer } from '../pipeline.ts';
import type { CollectorMetrics } from '../telemetry.ts';
import type { IngestRateLimiter } from '../rate-limit.ts';

export interface OtlpGrpcOptions {
  traces: TracesConsumer;
  logs: LogsConsumer;
  keys: KeyCache;
  maxBodyBytes: number;
  rateLimit: IngestRateLimiter;
  log: FastifyBaseLogger;
  metrics?: CollectorMetrics;
}

// The request stays raw bytes through grpc-js so decoding errors become INVALID_ARGUMENT
// with our message rather than a generic deserialization failure.
function exportService(service: string): grpc.ServiceDefinition {
  return {
    Export: {
      path: `/opentelemetry.proto.collector.${service}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Uint8Array) => Buffer.from(b),
      responseDeserialize: (b: Buffer) => b,
    },
  };
}

type Handle = (projectId: string, body: Buffer, keyId: string) => Promise<Uint8Array>;

/** OTLP/gRPC receiver: TraceService/Export and LogsService/Export, gzip handled by grpc-js. */
export async function startOtlpGrpcReceiver(host: string, port: number, opts: OtlpGrpcOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
  });
  const serve = (service: string, admit: () => void, handle: Handle) => server.addService(exportService(service), {
    Export: (call: grpc.ServerUnaryCall<Buffer, Uint8Array>, callback: grpc.sendUnaryData<Uint8Array>) => {
      void authenticated(call, opts, admit, handle).then(
        (response) => {
          opts.metrics?.requests.inc({ receiver: 'otlp-grpc', outcome: 'OK' });
          callback(null, response);
        },
        (err: unknown) => {
          const e = toIngestError(err);
          logRefusal(opts.log, 'otlp-grpc', e);
          opts.metrics?.requests.inc({ receiver: 'otlp-grpc', outcome: grpc.status[e.grpcStatus] ?? String(e.grpcStatus) });
          const metadata = new grpc.Metadata();
          if (e.retryAfterSeconds !== undefined) metadata.set('retry-after', String(e.retryAfterSeconds));
          callback({ code: e.grpcStatus, details: e.message, metadata });
        },
      );
    },
  });
  serve('trace.v1.TraceService', () => opts.traces.admit(), async (projectId, body, keyId) => {
    const decoded = decodeProtobuf(body);
    await opts.rateLimit.take(keyId, decoded.spans.length + decoded.rejected);
    return encodeExportResponse(TRACES_RESPONSE, await opts.traces.consumeTraces(projectId, decoded));
  });
  serve('logs.v1.LogsService', () => opts.logs.admit(), async (projectId, body, keyId) => {
    const decoded = decodeLogsProtobuf(body);
    await opts.rateLimit.take(keyId, decoded.records.length + decoded.rejected);
    return encodeExportResponse(LOGS_RESPONSE, await opts.logs.consumeLogs(projectId, decoded));
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

async function authenticated(call: grpc.ServerUnaryCall<Buffer, Uint8Array>, opts: OtlpGrpcOptions, admit: () => void, handle: Handle): Promise<Uint8Array> {
  const auth = await opts.keys.authenticate(call.metadata.get('authorization').map(String));
  if ('problem' in auth) throw new IngestError('unauthenticated', KEY_PROBLEM[auth.problem]);
  await opts.rateLimit.check(auth.keyId);
  admit();
  return handle(auth.projectId, call.request, auth.keyId);
}
