import * as grpc from '@grpc/grpc-js';
import type { KeyCache } from '@spanlens/clickhouse';
import type { FastifyBaseLogger } from 'fastify';
import { IngestError, KEY_PROBLEM, logRefusal, toIngestError } from '../errors.ts';
import { encodeExportResponse } from '../otlp/proto.ts';
import type { OtlpSignal } from './signals.ts';
import type { CollectorMetrics } from '../telemetry.ts';
import type { IngestRateLimiter } from '../rate-limit.ts';

export interface OtlpGrpcOptions {
  /** The OTLP signals (traces, logs), each as its Export service. */
  signals: readonly OtlpSignal[];
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

/** OTLP/gRPC receiver: TraceService/Export and LogsService/Export, gzip handled by grpc-js. */
export async function startOtlpGrpcReceiver(host: string, port: number, opts: OtlpGrpcOptions): Promise<{ port: number; close(): Promise<void> }> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxBodyBytes,
  });
  for (const signal of opts.signals)
    server.addService(exportService(signal.grpcService), {
      Export: (call: grpc.ServerUnaryCall<Buffer, Uint8Array>, callback: grpc.sendUnaryData<Uint8Array>) => {
        void handle(call, signal, opts).then(
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
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

async function handle(call: grpc.ServerUnaryCall<Buffer, Uint8Array>, signal: OtlpSignal, opts: OtlpGrpcOptions): Promise<Uint8Array> {
  const auth = await opts.keys.authenticate(call.metadata.get('authorization').map(String));
  if ('problem' in auth) throw new IngestError('unauthenticated', KEY_PROBLEM[auth.problem]);
  await opts.rateLimit.check(auth.keyId);
  signal.consumer.admit();
  const decoded = signal.decodeProtobuf(call.request);
  await opts.rateLimit.take(auth.keyId, signal.items(decoded));
  return encodeExportResponse(signal.response, await signal.consumer.consume(auth.projectId, decoded));
}
