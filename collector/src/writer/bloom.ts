/**
 * A blocked Bloom filter over 64-bit hashes the caller already has (span-key.ts): each key
 * sets 8 bits inside one 512-bit block, so a lookup touches one cache line. Written here
 * because the npm Bloom filters hash strings themselves (a second hash per row) and probe
 * bits across the whole array; at 16 bits per key this one answers "maybe" for about 0.2 %
 * of absent keys (measured in its test).
 */
const BLOCK_WORDS = 16;

export class BlockedBloom {
  private readonly words: Uint32Array;
  private readonly blocks: number;
  count = 0;

  constructor(
    readonly capacity: number,
    bitsPerKey = 16,
  ) {
    this.blocks = Math.max(1, Math.ceil((capacity * bitsPerKey) / 512));
    this.words = new Uint32Array(this.blocks * BLOCK_WORDS);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }
  get bytes(): number {
    return this.words.byteLength;
  }

  add(key: bigint): void {
    this.addHalves(Number(key >> 32n), Number(key & LOW));
  }

  has(key: bigint): boolean {
    return this.hasHalves(Number(key >> 32n), Number(key & LOW));
  }

  /** The key as its high and low 32 bits: no BigInt arithmetic on the hot path. */
  addHalves(hi: number, lo: number): void {
    this.probe(hi, lo, true);
    this.count++;
  }

  hasHalves(hi: number, lo: number): boolean {
    return this.probe(hi, lo, false);
  }

  // The key's 8 bits in its block: set them, or report whether all are set.
  private probe(hi: number, lo: number, set: boolean): boolean {
    const base = (hi % this.blocks) * BLOCK_WORDS;
    let h = lo | 0;
    for (let i = 0; i < 8; i++) {
      const bit = h & 511;
      const w = base + (bit >>> 5);
      const mask = 1 << (bit & 31);
      if (set) this.words[w]! |= mask;
      else if ((this.words[w]! & mask) === 0) return false;
      h = (h >>> 9) | (h << 23);
      h = (h + hi) | 0;
    }
    return true;
  }
}

const LOW = 0xffffffffn;

/**
 * The keys the writer stored in about the last `windowMs`: two generations of filters that
 * each grow by doubling blocks, the older dropped when the newer is a window old. Keys
 * older than one window may be forgotten; keys younger than it never are.
 */
export class RecentKeys {
  private current: BlockedBloom[] = [];
  private previous: BlockedBloom[] = [];
  private startedAt: number;

  constructor(
    private readonly windowMs: number,
    private readonly firstCapacity = 1 << 18,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  add(key: bigint): void {
    this.addHalves(Number(key >> 32n), Number(key & LOW));
  }

  has(key: bigint): boolean {
    return this.hasHalves(Number(key >> 32n), Number(key & LOW));
  }

  addHalves(hi: number, lo: number): void {
    this.rotate();
    this.writable().addHalves(hi, lo);
  }

  /** Keys as (low, high) word pairs, as a little-endian UInt64 column reads: one rotation check for all. */
  addWords(words: Uint32Array): void {
    this.rotate();
    for (let i = 0; i + 1 < words.length; i += 2) this.writable().addHalves(words[i + 1]!, words[i]!);
  }

  // The newest filter, or a new one twice its size once it is full.
  private writable(): BlockedBloom {
    const f = this.current.at(-1);
    if (f && !f.full) return f;
    const next = new BlockedBloom(f ? f.capacity * 2 : this.firstCapacity);
    this.current.push(next);
    return next;
  }

  // Newest first: the largest filter, and the one a repeat of a recent span is in.
  hasHalves(hi: number, lo: number): boolean {
    for (let i = this.current.length - 1; i >= 0; i--) if (this.current[i]!.hasHalves(hi, lo)) return true;
    for (let i = this.previous.length - 1; i >= 0; i--) if (this.previous[i]!.hasHalves(hi, lo)) return true;
    return false;
  }

  /**
   * Room for `n` more keys in one filter, so a seed of millions of keys is one filter at the
   * designed false-positive rate, not a chain of doublings whose rates add up.
   */
  reserve(n: number): void {
    const f = this.current.at(-1);
    if (f && f.capacity - f.count >= n) return;
    this.current.push(new BlockedBloom(Math.max(this.firstCapacity, Math.ceil(n * 1.25))));
  }

  get bytes(): number {
    let n = 0;
    for (const f of this.current) n += f.bytes;
    for (const f of this.previous) n += f.bytes;
    return n;
  }

  clear(): void {
    this.current = [];
    this.previous = [];
    this.startedAt = this.now();
  }

  private rotate(): void {
    if (this.now() - this.startedAt < this.windowMs) return;
    this.previous = this.current;
    this.current = [];
    this.startedAt = this.now();
  }
}
