import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeRecord, decodeSegmentHeader, encodeRecord, encodeSegmentHeader, SEGMENT_HEADER_BYTES, type RecordPayload } from './segment-format.ts';

export interface LocalLogOptions {
  /** Bytes the log's segment files may take on disk; appends are refused beyond it. */
  maxBytes: number;
  /** Roll to a new segment file past this size (default: maxBytes / 16, 1-64 MiB). */
  segmentBytes?: number;
  /** Told of recovery events (a torn tail cut); one line each, never row data. */
  report?: (message: string) => void;
}

export interface StoredRecord extends RecordPayload {
  offset: bigint;
  /** Bytes the record takes in its segment, framing included. */
  size: number;
}

interface Segment {
  first: bigint;
  path: string;
  /** Durable bytes (header included). */
  size: number;
  /** Records in it; known for every segment but the one being read for the first time. */
  records: number;
}

const SEGMENT_NAME = /^(\d{20})\.log$/;

/**
 * The one-process deployment's durable log: append-only segment files under one directory.
 * append() resolves once the record is on disk (one fdatasync for every record that arrived
 * while the previous sync ran: group commit); the writer reads records back in offset order
 * and commit() records how far it has stored them, after which whole segments are deleted.
 * One process per directory (the data directory's lock is chDB's).
 */
export class LocalLog {
  readonly id: string;
  private segments: Segment[] = [];
  private active!: FileHandle;
  private nextOffset = 0n;
  private committedOffset = 0n;
  private pending: Array<{ frame: Buffer[]; bytes: number; resolve(offset: bigint): void; reject(err: Error): void }> = [];
  private pendingBytes = 0;
  private flushing: Promise<void> | null = null;
  private rollRequested = false;
  private waiters: Array<() => void> = [];
  private commitWaiters: Array<{ offset: bigint; resolve(): void }> = [];
  private closed = false;
  private readonly segmentBytes: number;
  // Reader state: the segment and byte position of the next record to read, and its offset.
  private cursor: { segment: number; pos: number; offset: bigint } | null = null;
  private readHandle: { path: string; fh: FileHandle } | null = null;
  /** fdatasync calls made for appends (each covers every record that arrived meanwhile). */
  syncs = 0;

  private constructor(
    readonly dir: string,
    private readonly o: LocalLogOptions,
  ) {
    this.segmentBytes = o.segmentBytes ?? Math.max(1 << 20, Math.min(64 << 20, Math.floor(o.maxBytes / 16)));
    this.id = LocalLog.identity(dir);
  }

  /** Opens (or creates) the log in `dir`, cutting a torn last record left by a crash. */
  static async open(dir: string, o: LocalLogOptions): Promise<LocalLog> {
    mkdirSync(dir, { recursive: true });
    const log = new LocalLog(dir, o);
    await log.recover();
    return log;
  }

  // A random id, made once per log directory: intents and deduplication tokens name it, so
  // two logs writing to one ClickHouse server never share positions.
  private static identity(dir: string): string {
    const path = join(dir, 'meta.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { id: string }).id;
    const id = randomUUID();
    writeFileSync(path, JSON.stringify({ version: 1, id }) + '\n');
    return id;
  }

  private async recover(): Promise<void> {
    const committedPath = join(this.dir, 'committed');
    this.committedOffset = existsSync(committedPath) ? BigInt(readFileSync(committedPath, 'utf8').trim() || '0') : 0n;
    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT_NAME.test(n))
      .sort();
    for (const name of names) {
      const path = join(this.dir, name);
      this.segments.push({ first: BigInt(SEGMENT_NAME.exec(name)![1]!), path, size: (await stat(path)).size, records: 0 });
    }
    // Sealed segments were synced whole before the next one began; only the last can be torn.
    for (let i = 0; i < this.segments.length - 1; i++) this.segments[i]!.records = Number(this.segments[i + 1]!.first - this.segments[i]!.first);
    const last = this.segments.at(-1);
    if (!last) {
      await this.createSegment(this.committedOffset);
    } else {
      await this.scanTail(last);
      this.nextOffset = last.first + BigInt(last.records);
      this.active = await open(last.path, 'r+');
    }
    if (this.committedOffset > this.nextOffset) this.committedOffset = this.nextOffset;
    await this.deleteCommittedSegments();
  }

  private async scanTail(seg: Segment): Promise<void> {
    const fh = await open(seg.path, 'r+');
    try {
      const buf = (await fh.readFile()) as Buffer;
      const header = decodeSegmentHeader(buf);
      if (header instanceof Error) {
        // Only a file the crash cut before its header was whole can be here; anything else is not ours to cut.
        if (buf.length >= SEGMENT_HEADER_BYTES) throw new Error(`log segment ${seg.path}: ${header.message}`);
        this.o.report?.(`spanlens: log: segment ${seg.path} ended inside its header (${buf.length} bytes): rewritten empty`);
        await fh.truncate(0);
        await fh.write(encodeSegmentHeader(seg.first), 0, SEGMENT_HEADER_BYTES, 0);
        await fh.datasync();
        seg.size = SEGMENT_HEADER_BYTES;
        return;
      }
      let at = SEGMENT_HEADER_BYTES;
      let records = 0;
      let problem = '';
      for (;;) {
        if (at === buf.length) break;
        const r = decodeRecord(buf, at);
        if (r.kind === 'record') {
          at += r.bytes;
          records++;
          continue;
        }
        problem = r.kind === 'short' ? 'the file ends inside the record' : r.reason;
        break;
      }
      if (at < buf.length) {
        this.o.report?.(
          `spanlens: log: torn record after offset ${seg.first + BigInt(records)} in ${seg.path} (${problem}): cut ${buf.length - at} bytes at byte ${at}; the ${records} records before it are intact`,
        );
        await fh.truncate(at);
        await fh.datasync();
      }
      seg.size = at;
      seg.records = records;
    } finally {
      await fh.close();
    }
  }

  private async createSegment(first: bigint): Promise<void> {
    const path = join(this.dir, `${first.toString().padStart(20, '0')}.log`);
    const fh = await open(path, 'w+');
    await fh.write(encodeSegmentHeader(first));
    await fh.datasync();
    await syncDir(this.dir);
    this.segments.push({ first, path, size: SEGMENT_HEADER_BYTES, records: 0 });
    this.nextOffset = first;
    this.active = fh;
  }

  /** Bytes on disk plus bytes waiting to be written. */
  get usedBytes(): number {
    let n = this.pendingBytes;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** True while append() would refuse: the log is at its disk budget until the writer catches up. */
  get full(): boolean {
    return this.usedBytes >= this.o.maxBytes;
  }

  /** Offset the next appended record gets; records below it are durable. */
  get end(): bigint {
    return this.nextOffset;
  }

  /** Offset of the first record the writer has not stored. */
  get committed(): bigint {
    return this.committedOffset;
  }

  /** Resolves with the record's offset once it is on disk. */
  append(payload: RecordPayload): Promise<bigint> {
    if (this.closed) return Promise.reject(new Error('log is closed'));
    const frame = encodeRecord(payload);
    const bytes = frame.reduce((n, b) => n + b.length, 0);
    return new Promise((resolve, reject) => {
      this.pending.push({ frame, bytes, resolve, reject });
      this.pendingBytes += bytes;
      this.kick();
    });
  }

  private kick(): void {
    // flushing is cleared in the same turn the loop sees nothing left, so no record waits for a later append.
    this.flushing ??= this.flush().then(() => {
      this.flushing = null;
      if (this.pending.length > 0 || this.rollRequested) this.kick();
    });
  }

  // Group commit: every record queued while the previous write and sync ran goes in the next.
  private async flush(): Promise<void> {
    while (this.pending.length > 0 || this.rollRequested) {
      if (this.rollRequested) {
        this.rollRequested = false;
        // Everything in the active segment is stored: start a new one so it can be deleted.
        try {
          if (this.committedOffset === this.nextOffset && this.segments.at(-1)!.size > SEGMENT_HEADER_BYTES) {
            await this.active.close();
            await this.createSegment(this.nextOffset);
            await this.deleteCommittedSegments();
          }
        } catch (err) {
          this.o.report?.(`spanlens: log: could not start a new segment: ${(err as Error).message}`);
        }
        continue;
      }
      const group = this.pending.splice(0);
      const bytes = group.reduce((n, p) => n + p.bytes, 0);
      try {
        const seg = this.segments.at(-1)!;
        if (seg.size > SEGMENT_HEADER_BYTES && seg.size + bytes > this.segmentBytes) {
          await this.active.close();
          await this.createSegment(this.nextOffset);
        }
        const cur = this.segments.at(-1)!;
        await writeAll(
          this.active,
          group.flatMap((p) => p.frame),
          cur.size,
        );
        await this.active.datasync();
        this.syncs++;
        cur.size += bytes;
        cur.records += group.length;
        this.pendingBytes -= bytes;
        for (const p of group) p.resolve(this.nextOffset++);
      } catch (err) {
        this.pendingBytes -= bytes;
        for (const p of group) p.reject(err as Error);
      }
      for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Resolves when records at or after `offset` are durable, or after `timeoutMs`. */
  waitFor(offset: bigint, timeoutMs: number): Promise<void> {
    if (this.nextOffset > offset || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /**
   * Durable records from `from` on, whole, until `maxRows` rows (at least one record) or, when
   * `through` is given, exactly the records up to and including that offset.
   */
  async read(from: bigint, maxRows: number, through?: bigint, maxBytes = Infinity): Promise<StoredRecord[]> {
    if (!this.cursor || this.cursor.offset !== from) this.cursor = await this.seek(from);
    const out: StoredRecord[] = [];
    let rows = 0;
    let bytes = 0;
    const full = () => out.length > 0 && (rows >= maxRows || bytes >= maxBytes);
    while (this.cursor.offset < this.nextOffset) {
      if (through !== undefined ? this.cursor.offset > through : full()) break;
      const seg = this.segments[this.cursor.segment]!;
      if (this.cursor.pos >= seg.size) {
        this.cursor = { segment: this.cursor.segment + 1, pos: SEGMENT_HEADER_BYTES, offset: this.segments[this.cursor.segment + 1]!.first };
        continue;
      }
      const chunk = await this.readChunk(seg, this.cursor.pos);
      let at = 0;
      while (at < chunk.length) {
        if (through !== undefined ? this.cursor.offset > through : full()) break;
        const r = decodeRecord(chunk, at);
        if (r.kind !== 'record') {
          if (r.kind === 'short' && at > 0) break; // the rest of it comes with the next chunk
          throw new Error(`log segment ${seg.path}: ${r.kind === 'short' ? 'record runs past the durable end' : r.reason} at byte ${this.cursor.pos}`);
        }
        out.push({ ...r.payload, offset: this.cursor.offset, size: r.bytes });
        rows += r.payload.rows;
        bytes += r.bytes;
        at += r.bytes;
        this.cursor = { ...this.cursor, pos: this.cursor.pos + r.bytes, offset: this.cursor.offset + 1n };
      }
    }
    return out;
  }

  // At least one whole record from `pos`, at most about 8 MiB more.
  private async readChunk(seg: Segment, pos: number): Promise<Buffer> {
    if (this.readHandle?.path !== seg.path) {
      await this.readHandle?.fh.close();
      this.readHandle = { path: seg.path, fh: await open(seg.path, 'r') };
    }
    const fh = this.readHandle.fh;
    const head = Buffer.alloc(4);
    await fh.read(head, 0, 4, pos);
    const first = 8 + head.readUInt32LE(0);
    const length = Math.min(seg.size - pos, Math.max(first, 8 << 20));
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(buf, 0, length, pos);
    return buf.subarray(0, bytesRead);
  }

  // The byte position of `offset`, by walking the records of its segment.
  private async seek(offset: bigint): Promise<{ segment: number; pos: number; offset: bigint }> {
    let i = this.segments.length - 1;
    while (i > 0 && this.segments[i]!.first > offset) i--;
    const seg = this.segments[i]!;
    let cur = { segment: i, pos: SEGMENT_HEADER_BYTES, offset: seg.first };
    while (cur.offset < offset && cur.pos < seg.size) {
      const chunk = await this.readChunk(seg, cur.pos);
      let at = 0;
      while (cur.offset < offset && at < chunk.length) {
        const r = decodeRecord(chunk, at);
        if (r.kind !== 'record') break;
        at += r.bytes;
        cur = { segment: i, pos: cur.pos + r.bytes, offset: cur.offset + 1n };
      }
    }
    return cur;
  }

  /** Records below `next` are stored: persist that, then delete segments wholly below it. */
  async commit(next: bigint): Promise<void> {
    if (next <= this.committedOffset) return;
    const path = join(this.dir, 'committed');
    const tmp = `${path}.tmp`;
    const fh = await open(tmp, 'w');
    await fh.writeFile(next.toString());
    await fh.datasync();
    await fh.close();
    await rename(tmp, path);
    this.committedOffset = next;
    await this.deleteCommittedSegments();
    // A drained log gives back its active segment once it is a quarter full (or the log is at its budget).
    const active = this.segments.at(-1)!;
    if (next === this.nextOffset && (active.size >= this.segmentBytes / 4 || this.full) && !this.closed) {
      this.rollRequested = true;
      this.kick();
      await this.flushing;
    }
    this.commitWaiters = this.commitWaiters.filter((w) => {
      if (w.offset > next) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once every record below `offset` is committed (and the space it took given back). */
  committedThrough(offset: bigint): Promise<void> {
    if (offset <= this.committedOffset) return Promise.resolve();
    return new Promise((resolve) => this.commitWaiters.push({ offset, resolve }));
  }

  private async deleteCommittedSegments(): Promise<void> {
    while (this.segments.length > 1 && this.segments[1]!.first <= this.committedOffset) {
      const seg = this.segments.shift()!;
      if (this.readHandle?.path === seg.path) {
        await this.readHandle.fh.close();
        this.readHandle = null;
      }
      if (this.cursor) this.cursor = this.cursor.segment > 0 ? { ...this.cursor, segment: this.cursor.segment - 1 } : null;
      await rm(seg.path, { force: true });
    }
  }

  /** Records appended but not yet committed. */
  get lag(): number {
    return Number(this.nextOffset - this.committedOffset);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    for (const w of this.commitWaiters.splice(0)) w.resolve();
    for (const w of this.waiters.splice(0)) w();
    await this.readHandle?.fh.close();
    await this.active.close();
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pos = position;
  // writev takes at most IOV_MAX (1024) buffers per call.
  for (let i = 0; i < buffers.length; i += 1024) {
    let part = buffers.slice(i, i + 1024);
    let want = part.reduce((n, b) => n + b.length, 0);
    while (want > 0) {
      const { bytesWritten } = await fh.writev(part, pos);
      pos += bytesWritten;
      want -= bytesWritten;
      if (want > 0) part = [Buffer.concat(part).subarray(bytesWritten)];
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
