import { crc32 } from 'node:zlib';

/**
 * The local log's on-disk format, version 1. A segment file is a 16-byte header (magic,
 * version, the offset of its first record) followed by records:
 *
 *   record:  length u32 LE | crc32 of payload u32 LE | payload
 *   payload: format name length u8 | format name | rows u32 | keys u32 | keys × u64 | body
 *
 * `body` is `rows` insert-ready lines (JSONCompactEachRow in the format's column order);
 * `keys` are the rows' identity hashes (span-key.ts), for the writer's repeat check.
 * A record whose length runs past the end of the file or whose checksum does not match is
 * a torn write: recovery cuts the file there.
 */
export const SEGMENT_MAGIC = 0x534c4f47; // "SLOG"
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 8;

export function encodeSegmentHeader(firstOffset: bigint): Buffer {
  const b = Buffer.alloc(SEGMENT_HEADER_BYTES);
  b.writeUInt32BE(SEGMENT_MAGIC, 0);
  b.writeUInt16LE(SEGMENT_VERSION, 4);
  b.writeBigUInt64LE(firstOffset, 8);
  return b;
}

/** The first offset a segment header names, or an error that says what is wrong with it. */
export function decodeSegmentHeader(b: Buffer): bigint | Error {
  if (b.length < SEGMENT_HEADER_BYTES) return new Error(`segment header is ${b.length} bytes, expected ${SEGMENT_HEADER_BYTES}`);
  if (b.readUInt32BE(0) !== SEGMENT_MAGIC) return new Error('not a Spanlens log segment (bad magic)');
  const version = b.readUInt16LE(4);
  if (version !== SEGMENT_VERSION) return new Error(`log segment version ${version} is not supported (this build reads ${SEGMENT_VERSION})`);
  return b.readBigUInt64LE(8);
}

export interface RecordPayload {
  format: string;
  rows: number;
  /** One identity hash per row, or empty when the format has none (feedback). */
  keys: BigUint64Array;
  body: Buffer;
}

/** One framed record, ready to append: header and payload as separate buffers (for writev). */
export function encodeRecord(p: RecordPayload): Buffer[] {
  const name = Buffer.from(p.format, 'latin1');
  const meta = Buffer.alloc(1 + name.length + 8);
  meta.writeUInt8(name.length, 0);
  name.copy(meta, 1);
  meta.writeUInt32LE(p.rows, 1 + name.length);
  meta.writeUInt32LE(p.keys.length, 5 + name.length);
  const keys = Buffer.from(p.keys.buffer, p.keys.byteOffset, p.keys.byteLength);
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32LE(meta.length + keys.length + p.body.length, 0);
  // Node 20's crc32 returns 0 for an empty view of a zero-length ArrayBuffer, whatever the running value: empty parts are left out.
  let crc = crc32(meta);
  if (keys.length > 0) crc = crc32(keys, crc);
  if (p.body.length > 0) crc = crc32(p.body, crc);
  header.writeUInt32LE(crc, 4);
  return [header, meta, keys, p.body];
}

export type FrameResult =
  | { kind: 'record'; payload: RecordPayload; bytes: number }
  /** The buffer ends inside this record: read more (or, at the end of the file, a torn tail). */
  | { kind: 'short'; need: number }
  | { kind: 'corrupt'; reason: string };

/** Decodes the record at `at`; the payload's buffers are views into `b`, not copies. */
export function decodeRecord(b: Buffer, at: number): FrameResult {
  if (b.length - at < RECORD_HEADER_BYTES) return { kind: 'short', need: RECORD_HEADER_BYTES };
  const length = b.readUInt32LE(at);
  const total = RECORD_HEADER_BYTES + length;
  if (b.length - at < total) return { kind: 'short', need: total };
  const payload = b.subarray(at + RECORD_HEADER_BYTES, at + total);
  if (crc32(payload) !== b.readUInt32LE(at + 4)) return { kind: 'corrupt', reason: 'checksum mismatch' };
  const nameLength = payload.readUInt8(0);
  if (payload.length < 9 + nameLength) return { kind: 'corrupt', reason: 'record shorter than its own header' };
  const format = payload.toString('latin1', 1, 1 + nameLength);
  const rows = payload.readUInt32LE(1 + nameLength);
  const keyCount = payload.readUInt32LE(5 + nameLength);
  const keysAt = 9 + nameLength;
  const bodyAt = keysAt + keyCount * 8;
  if (bodyAt > payload.length) return { kind: 'corrupt', reason: 'key count runs past the record' };
  // Copied only when unaligned: a BigUint64Array view needs an 8-byte aligned offset.
  const keyBytes = payload.subarray(keysAt, bodyAt);
  const keys = keyBytes.byteOffset % 8 === 0 ? new BigUint64Array(keyBytes.buffer, keyBytes.byteOffset, keyCount) : new BigUint64Array(Uint8Array.from(keyBytes).buffer);
  return { kind: 'record', payload: { format, rows, keys, body: payload.subarray(bodyAt) }, bytes: total };
}
