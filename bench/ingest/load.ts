// The load generator: sends OTLP/HTTP protobuf requests closed-loop (N in flight, as fast
// as answered) or open-loop (a fixed request rate, whatever the answers), and counts.
import { randomFillSync } from 'node:crypto';
import { buildRequest } from './payload.ts';

/** A request body whose trace ids are rewritten for every send, so a store never sees a repeat. */
export class RequestTemplate {
  readonly body: Buffer;
  readonly spans: number;
  private readonly offsets: number[][];

  constructor(spans: number, spanBytes: number, seed = 0) {
    const { body, traceIds } = buildRequest(spans, spanBytes, seed);
    this.body = body;
    this.spans = traceIds.length * 3; // what the body holds, which is what a store must keep
    this.offsets = traceIds.map((id) => {
      const needle = Buffer.from(id, 'hex');
      const at: number[] = [];
      for (let i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + 1)) at.push(i);
      return at;
    });
  }

  fresh(): { body: Buffer; firstTraceId: string } {
    const b = Buffer.from(this.body);
    const id = Buffer.alloc(16);
    let first = '';
    for (const at of this.offsets) {
      randomFillSync(id);
      if (!first) first = id.toString('hex');
      for (const i of at) id.copy(b, i);
    }
    return { body: b, firstTraceId: first };
  }
}

export interface LoadOptions {
  url: string;
  key?: string;
  templates: RequestTemplate[];
  seconds: number;
  /** Closed loop: requests in flight. */
  concurrency?: number;
  /** Open loop: requests per second (overrides concurrency); at most maxInFlight outstanding. */
  rate?: number;
  maxInFlight?: number;
  /** Fresh ids per request (a real store); false reuses the bodies (the do-nothing sink). */
  freshIds?: boolean;
  /** Told of each accepted request: its first trace id and when it was sent. */
  onAccepted?: (traceId: string, sentAt: number) => void;
}

export interface LoadResult {
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  retryAfterMissing: number;
  spansAccepted: number;
  bytesAccepted: number;
  spansPerSecond: number;
  mbPerSecond: number;
  ackMs: { p50: number; p99: number };
  /** Open loop only: sends skipped because maxInFlight requests were outstanding. */
  skipped: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let requests = 0,
    spansAccepted = 0,
    bytesAccepted = 0,
    retryAfterMissing = 0,
    skipped = 0,
    inFlight = 0,
    n = 0;
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  const sendOne = async () => {
    const tpl = o.templates[n++ % o.templates.length]!;
    const { body, firstTraceId } = o.freshIds === false ? { body: tpl.body, firstTraceId: '' } : tpl.fresh();
    const sentAt = performance.now();
    inFlight++;
    try {
      const res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', ...(o.key ? { authorization: `Bearer ${o.key}` } : {}) }, body: new Uint8Array(body) });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 200) {
        spansAccepted += tpl.spans;
        bytesAccepted += body.length;
        latencies.push(performance.now() - sentAt);
        o.onAccepted?.(firstTraceId, sentAt);
      } else if ((res.status === 429 || res.status === 503) && !res.headers.get('retry-after')) {
        retryAfterMissing++;
      }
    } catch {
      statuses.error = (statuses.error ?? 0) + 1;
    } finally {
      inFlight--;
      requests++;
    }
  };
  if (o.rate) {
    const pending: Promise<void>[] = [];
    const interval = 1000 / o.rate;
    for (let k = 0; ; k++) {
      const due = t0 + k * interval;
      if (due >= end) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (inFlight >= (o.maxInFlight ?? 256)) {
        skipped++;
        continue;
      }
      pending.push(sendOne());
    }
    await Promise.all(pending);
  } else {
    await Promise.all(
      Array.from({ length: o.concurrency ?? 8 }, async () => {
        while (performance.now() < end) await sendOne();
      }),
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1)) : NaN);
  return {
    seconds: Number(seconds.toFixed(2)),
    requests,
    statuses,
    retryAfterMissing,
    spansAccepted,
    bytesAccepted,
    spansPerSecond: Math.round(spansAccepted / seconds),
    mbPerSecond: Number((bytesAccepted / seconds / 1e6).toFixed(2)),
    ackMs: { p50: q(0.5), p99: q(0.99) },
    skipped,
  };
}
