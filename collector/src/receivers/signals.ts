import { decodeJson, decodeProtobuf } from '../otlp/decode.ts';
import { decodeLogsJson, decodeLogsProtobuf } from '../otlp/decode-logs.ts';
import { LOGS_RESPONSE, TRACES_RESPONSE, type ResponseFormat } from '../otlp/proto.ts';
import type { DecodedLogsRequest, DecodedRequest, Rejections } from '../model.ts';
import type { ExportConsumer, LogsConsumer, TracesConsumer } from '../pipeline.ts';

/** One OTLP signal as both receivers take it: where it arrives, how it decodes, counts and is answered. */
export interface OtlpSignal<T extends Rejections = Rejections> {
  /** POST path on the OTLP/HTTP port. */
  httpPath: string;
  /** gRPC service under opentelemetry.proto.collector. */
  grpcService: string;
  consumer: ExportConsumer<T>;
  decodeProtobuf(body: Uint8Array): T;
  decodeJson(body: Uint8Array): T;
  /** Items a request holds, for the rate limit (the rejected ones count too). */
  items(decoded: T): number;
  response: ResponseFormat;
}

/** The signals the collector takes, each wired to its pipeline. */
export function otlpSignals(traces: TracesConsumer, logs: LogsConsumer): OtlpSignal[] {
  const tracesSignal: OtlpSignal<DecodedRequest> = {
    httpPath: '/v1/traces',
    grpcService: 'trace.v1.TraceService',
    consumer: traces,
    decodeProtobuf,
    decodeJson,
    items: (d) => d.spans.length + d.rejected,
    response: TRACES_RESPONSE,
  };
  const logsSignal: OtlpSignal<DecodedLogsRequest> = {
    httpPath: '/v1/logs',
    grpcService: 'logs.v1.LogsService',
    consumer: logs,
    decodeProtobuf: decodeLogsProtobuf,
    decodeJson: decodeLogsJson,
    items: (d) => d.records.length + d.rejected,
    response: LOGS_RESPONSE,
  };
  return [tracesSignal, logsSignal];
}
