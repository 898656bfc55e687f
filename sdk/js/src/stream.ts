import { nowMs, type LlmCall, type ResultDescriber } from './genai.ts';
import { config } from './sdk.ts';

/** How a kind of stream is read: which item carries the first token, and how the items become the call's result. */
export interface StreamKind<T> {
  firstToken(item: T): boolean;
  result: ResultDescriber;
}

// A stream whose latest item has waited this long for the app's next read is recorded
// with what it got (an app that dropped it would otherwise keep it open for good).
const IDLE_MS = 60_000;
const MAX_OPEN = 10_000;
const ignore = (): void => undefined;

/**
 * Records the items an async-iterable stream yields by replacing the iterator method on
 * this one instance: the object the app receives, with all its helper methods, stays the
 * same; only its iteration is observed.
 */
export function observeStream<T>(stream: AsyncIterable<T>, call: LlmCall, kind: StreamKind<T>): void {
  const original = stream[Symbol.asyncIterator];
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value(): AsyncIterator<T> {
      const it = original.call(stream);
      return openStreams.full() ? it : new ObservedIterator(it, call, kind);
    },
  });
}

/** What the open-stream check reads of a stream being observed. */
interface OpenStream {
  readonly results: ReadonlyArray<Promise<{ done?: boolean }>>;
  readonly lastNextMs: number;
  watched: number;
  end(endMs: number): void;
}

/**
 * The app gets the iterator's own promise for each item, untouched. Items are not read as
 * they arrive: a reaction per item was the largest cost a stream added to the call path.
 * The promises are kept and read once the stream is over, off the call path (see
 * OpenStreams); only the first items get a reaction, until one carries the first token.
 */
class ObservedIterator<T> implements AsyncIterator<T>, OpenStream {
  readonly results: Array<Promise<IteratorResult<T>>> = [];
  /** When the app asked for the latest item: for the item that says "done", the stream's end. */
  lastNextMs = nowMs();
  /** How many results the open-stream check has a reaction on. */
  watched = 0;
  private ended = false;
  private readonly onEarly: (r: IteratorResult<T>) => void;

  constructor(
    private readonly it: AsyncIterator<T>,
    private readonly call: LlmCall,
    private readonly kind: StreamKind<T>,
  ) {
    this.onEarly = (r) => {
      try {
        if (!r.done && kind.firstToken(r.value)) call.firstToken();
      } catch {
        // recording must never reach the app
      }
    };
    openStreams.add(this);
  }

  next(value?: unknown): Promise<IteratorResult<T>> {
    const p = value === undefined ? this.it.next() : this.it.next(value);
    this.results.push(p);
    this.lastNextMs = nowMs();
    if (this.call.ttftMs === undefined) p.then(this.onEarly, ignore);
    return p;
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    this.end(nowMs());
    return this.it.return ? this.it.return(value) : Promise.resolve({ done: true, value: undefined as T });
  }

  throw(e?: unknown): Promise<IteratorResult<T>> {
    if (this.close()) {
      try {
        this.call.fail(e);
      } catch {
        /* idem */
      }
    }
    return this.it.throw ? this.it.throw(e) : Promise.reject(e);
  }

  /** Records the call from every item the app got, or from the error the stream ended in. */
  end(endMs: number): void {
    if (!this.close()) return;
    Promise.all(this.results)
      .then(
        (rs) => {
          const items: T[] = [];
          for (const r of rs) if (!r.done) items.push(r.value);
          this.call.succeed(this.kind.result, items, endMs);
        },
        (err: unknown) => this.call.fail(err, endMs),
      )
      .catch(ignore);
  }

  /** Stops observing; false when the stream was already over. */
  private close(): boolean {
    if (this.ended) return false;
    this.ended = true;
    openStreams.delete(this);
    return true;
  }
}

/**
 * The streams being read. Every spanBuildDelayMs (and at flush) each gets one reaction on
 * its latest result: when that says "done", or fails, the stream is over and is recorded.
 */
class OpenStreams {
  private readonly open = new Set<OpenStream>();
  private timer: NodeJS.Timeout | null = null;
  dropped = 0;

  full(): boolean {
    if (this.open.size < MAX_OPEN) return false;
    this.dropped++;
    return true;
  }

  add(s: OpenStream): void {
    this.open.add(s);
    this.schedule();
  }

  delete(s: OpenStream): void {
    this.open.delete(s);
  }

  private schedule(): void {
    if (this.timer || this.open.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.check();
      this.schedule();
    }, config().spanBuildDelayMs);
    this.timer.unref();
  }

  /** Attaches one reaction to each open stream's latest result (once per result). */
  check(): void {
    for (const s of this.open) {
      const n = s.results.length;
      if (n === 0 || s.watched === n) continue;
      s.watched = n;
      const at = s.lastNextMs;
      s.results[n - 1]!.then(
        (r) => {
          if (s.results.length !== n) return; // the app has read on
          if (r.done || nowMs() - at > IDLE_MS) s.end(at);
          else s.watched = 0; // read again at the next check, for the idle limit
        },
        () => {
          if (s.results.length === n) s.end(at);
        },
      );
    }
  }

  /** Records every stream that is already over (flush and shutdown call this first). */
  async settle(): Promise<void> {
    this.check();
    // Reactions on settled promises, and what they chain, all run before the next macrotask.
    await new Promise((r) => setImmediate(r));
  }
}

export const openStreams = new OpenStreams();
