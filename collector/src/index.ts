export { startCollector, addressPort, DEFAULT_INGEST_LIMITS, DEFAULT_MAX_BATCH_BYTES, type Collector, type CollectorOptions, type CollectorMode, type IngestLimits } from './service.ts';
export { createTopicsIfMissing, type KafkaSettings } from './kafka/client.ts';
export { decodeJson, decodeProtobuf, DecodeError } from './otlp/decode.ts';
export { mapConventions, toSpanRow, toRecord, CONVENTIONS } from './processors/normalize.ts';
export { tablePrice } from './processors/pricing.ts';
export type { DecodedSpan, DecodedRequest, Attributes, AttrValue } from './model.ts';
export type { LlmFields, ChatMessage } from './processors/conventions/fields.ts';
