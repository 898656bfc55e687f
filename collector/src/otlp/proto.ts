import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const root = protobuf.parse(readFileSync(new URL('./trace.proto', import.meta.url), 'utf8'), { keepCase: false }).root;

export const ExportTraceServiceRequest = root.lookupType('spanlens.otlp.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('spanlens.otlp.ExportTraceServiceResponse');
export const RpcStatus = root.lookupType('spanlens.otlp.RpcStatus');

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** ExportTraceServiceResponse as protobuf; an empty message when everything was accepted. */
export function encodeExportResponse(partial?: PartialSuccess): Uint8Array {
  const payload = partial && partial.rejectedSpans > 0 ? { partialSuccess: partial } : {};
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(payload)).finish();
}

/** ExportTraceServiceResponse in OTLP/JSON form (int64 as a decimal string, per the spec). */
export function exportResponseJson(partial?: PartialSuccess): Record<string, unknown> {
  if (!partial || partial.rejectedSpans === 0) return {};
  return { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } };
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.create({ code, message })).finish();
}
