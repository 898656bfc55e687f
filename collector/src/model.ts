/** The collector's in-memory span, decoded from any OTLP encoding, before normalization. */

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface DecodedEvent {
  timeNs: bigint;
  name: string;
  attributes: Attributes;
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  otelKind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: DecodedEvent[];
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  resource: Attributes;
  scopeName: string;
}

/** What a decoder refused of one export request. */
export interface Rejections {
  rejected: number;
  /** First few reasons, for the partial_success message. */
  errors: string[];
  /** Rejections counted by reason label, for metrics. */
  rejectedBy?: Record<string, number>;
}

/** What one export request turned into: the valid spans and a count of the rest. */
export interface DecodedRequest extends Rejections {
  spans: DecodedSpan[];
}

/** One OTLP log record, decoded from any encoding. */
export interface DecodedLogRecord {
  /** '' when the record was emitted outside a span. */
  traceId: string;
  spanId: string;
  /** The record's time, or when it was observed if it has none. */
  timeNs: bigint;
  /** The event_name field, or the older event.name attribute. */
  eventName: string;
  attributes: Attributes;
  body: AttrValue;
  resource: Attributes;
  scopeName: string;
}

/** What one logs export request turned into. */
export interface DecodedLogsRequest extends Rejections {
  records: DecodedLogRecord[];
}
