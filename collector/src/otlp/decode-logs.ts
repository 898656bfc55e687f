import { ExportLogsServiceRequest } from './proto.ts';
import { isEmptyId, isObject, parseJsonBody, parseProtobufBody, toAttributes, toId, toNanos, toValue, walkOtlp, type Flavor, type Loose } from './decode.ts';
import type { Attributes, DecodedLogRecord, DecodedLogsRequest } from '../model.ts';

export function decodeLogsProtobuf(body: Uint8Array): DecodedLogsRequest {
  return walkLogs(parseProtobufBody(ExportLogsServiceRequest, body), 'protobuf');
}

export function decodeLogsJson(body: Uint8Array | string): DecodedLogsRequest {
  return walkLogs(parseJsonBody(body, 'resourceLogs'), 'json');
}

function walkLogs(req: Loose, flavor: Flavor): DecodedLogsRequest {
  const { items, ...rest } = walkOtlp(req, { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' }, (r, resource, scope) => toLogRecord(r, flavor, resource, scope));
  return { records: items, ...rest };
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
