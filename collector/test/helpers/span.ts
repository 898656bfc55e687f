import type { Attributes, DecodedEvent, DecodedSpan } from '../../src/model.ts';

/** 2024-06-01T00:00:00Z in nanoseconds: a fixed start time so prices and timestamps are reproducible. */
export const START_NS = 1_717_200_000_000_000_000n;

/** A decoded span with the given attributes and sensible defaults for everything else. */
export function makeSpan(attributes: Attributes = {}, overrides: Partial<DecodedSpan> = {}): DecodedSpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'test-span',
    otelKind: 1,
    startNs: START_NS,
    endNs: START_NS + 1_500_000_000n,
    attributes,
    events: [],
    statusCode: 0,
    statusMessage: '',
    resource: {},
    scopeName: 'test',
    ...overrides,
  };
}

/** A span event at the span's start plus `offsetMs`. */
export function makeEvent(name: string, attributes: Attributes = {}, offsetMs = 0): DecodedEvent {
  return { timeNs: START_NS + BigInt(offsetMs) * 1_000_000n, name, attributes };
}
