import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('./otlp.proto', import.meta.url), 'utf8'), { keepCase: false }).root;

export const ExportTraceServiceRequest = root.lookupType('spanlens.otlp.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('spanlens.otlp.ExportTraceServiceResponse');
export const ExportLogsServiceRequest = root.lookupType('spanlens.otlp.ExportLogsServiceRequest');
export const ExportLogsServiceResponse = root.lookupType('spanlens.otlp.ExportLogsServiceResponse');
export const RpcStatus = root.lookupType('spanlens.otlp.RpcStatus');

/** What a receiver tells the client it refused of one request (spans or log records). */
export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** How one OTLP signal spells its response: the message type and the name of its rejected count. */
export interface ResponseFormat {
  type: protobuf.Type;
  /** rejectedSpans, rejectedLogRecords. */
  rejectedField: string;
}

export const TRACES_RESPONSE: ResponseFormat = { type: ExportTraceServiceResponse, rejectedField: 'rejectedSpans' };
export const LOGS_RESPONSE: ResponseFormat = { type: ExportLogsServiceResponse, rejectedField: 'rejectedLogRecords' };

/** The Export response as protobuf; an empty message when everything was accepted. */
export function encodeExportResponse(format: ResponseFormat, partial?: PartialSuccess): Uint8Array {
  const payload = partial && partial.rejected > 0 ? { partialSuccess: { [format.rejectedField]: partial.rejected, errorMessage: partial.errorMessage } } : {};
  return format.type.encode(format.type.create(payload)).finish();
}

/** The Export response in OTLP/JSON form (int64 as a decimal string, per the spec). */
export function exportResponseJson(format: ResponseFormat, partial?: PartialSuccess): Record<string, unknown> {
  if (!partial || partial.rejected === 0) return {};
  return { partialSuccess: { [format.rejectedField]: String(partial.rejected), errorMessage: partial.errorMessage } };
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.create({ code, message })).finish();
}
