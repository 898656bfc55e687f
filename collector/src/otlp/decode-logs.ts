import { ExportLogsServiceRequest } from './proto.ts';
import { asArray, DecodeError, isEmptyId, isObject, parseJsonBody, rejecter, toAttributes, toId, toNanos, toValue, type Flavor, type Loose } from './decode.ts';
import type { Attributes, DecodedLogRecord, DecodedLogsRequest } from '../model.ts';

export function decodeLogsProtobuf(body: Uint8Array): DecodedLogsRequest {
  let message: unknown;
  try {
    message = ExportLogsServiceRequest.decode(body);
  } catch (err) {
    throw new DecodeError(`body is not a valid ExportLogsServiceRequest protobuf: ${(err as Error).message}`);
  }
  return walkLogs(message as Loose, 'protobuf');
}

export function decodeLogsJson(body: Uint8Array | string): DecodedLogsRequest {
  return walkLogs(parseJsonBody(body, 'resourceLogs'), 'json');
}

function walkLogs(req: Loose, flavor: Flavor): DecodedLogsRequest {
  const out: DecodedLogsRequest = { records: [], rejected: 0, errors: [] };
  const reject = rejecter(out);
  for (const rl of asArray(req.resourceLogs)) {
    if (!isObject(rl)) continue;
    const resource = toAttributes(isObject(rl.resource) ? rl.resource.attributes : undefined);
    for (const sl of asArray(rl.scopeLogs)) {
      if (!isObject(sl)) continue;
      const scopeName = isObject(sl.scope) && typeof sl.scope.name === 'string' ? sl.scope.name : '';
      for (const r of asArray(sl.logRecords)) {
        const result = toLogRecord(r, flavor, resource, scopeName);
        if (typeof result === 'string') reject(result);
        else out.records.push(result);
      }
    }
  }
  return out;
}

function toLogRecord(r: unknown, flavor: Flavor, resource: Attributes, scopeName: string): DecodedLogRecord | string {
  if (!isObject(r)) return 'log record is not an object';
  let traceId = '';
  let spanId = '';
  if (!isEmptyId(r.traceId)) {
    const t = toId(r.traceId, flavor, 16);
    if (!t) return 'invalid traceId: must be empty or 16 bytes';
    traceId = t;
  }
  if (!isEmptyId(r.spanId)) {
    const s = toId(r.spanId, flavor, 8);
    if (!s) return 'invalid spanId: must be empty or 8 bytes';
    spanId = s;
  }
  const time = toNanos(r.timeUnixNano);
  const observed = toNanos(r.observedTimeUnixNano);
  if (time === null) return 'invalid timeUnixNano: must be an integer';
  if (observed === null) return 'invalid observedTimeUnixNano: must be an integer';
  const attributes = toAttributes(r.attributes);
  const legacyName = attributes['event.name'];
  return {
    traceId,
    spanId,
    timeNs: time !== 0n ? time : observed,
    eventName: typeof r.eventName === 'string' && r.eventName !== '' ? r.eventName : typeof legacyName === 'string' ? legacyName : '',
    attributes,
    body: isObject(r.body) ? toValue(r.body) : null,
    resource,
    scopeName,
  };
}
