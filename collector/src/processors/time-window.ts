import { rejectRecord, type Processor, type SpanBatch } from './processor.ts';

const DAY_NS = 86_400_000_000_000n;

/**
 * Drops spans that start before the retention window (TTL would delete them at once)
 * or more than a day in the future (a broken clock); either would also spread one
 * insert over many daily partitions.
 */
export function timeWindowProcessor(retentionDays: number, now: () => number = Date.now): Processor {
  return {
    name: 'time-window',
    process(batch: SpanBatch) {
      const nowNs = BigInt(now()) * 1_000_000n;
      const oldest = nowNs - BigInt(retentionDays) * DAY_NS;
      const newest = nowNs + DAY_NS;
      batch.records = batch.records.filter((rec) => {
        if (rec.span.startNs < oldest) rejectRecord(batch, `span starts more than ${retentionDays} days ago (retention)`);
        else if (rec.span.startNs > newest) rejectRecord(batch, 'span starts more than a day in the future');
        else return true;
        return false;
      });
    },
  };
}
