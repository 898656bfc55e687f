import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The collector's own metrics, in one registry per process, served at /metrics. */
export class CollectorMetrics {
  readonly registry = new Registry();
  readonly spansReceived = new Counter({ name: 'spanlens_spans_received_total', help: 'Spans in decoded export requests', registers: [this.registry] });
  readonly spansAccepted = new Counter({ name: 'spanlens_spans_accepted_total', help: 'Spans acknowledged to clients (stored or in Kafka)', registers: [this.registry] });
  readonly spansRejected = new Counter({
    name: 'spanlens_spans_rejected_total',
    help: 'Spans rejected, by reason (a decoding problem, or the processor that refused them)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly processorSpans = new Counter({
    name: 'spanlens_processor_spans_total',
    help: 'Spans into and out of each trace processor, and those it rejected',
    labelNames: ['processor', 'outcome'],
    registers: [this.registry],
  });
  readonly logRecordsReceived = new Counter({ name: 'spanlens_log_records_received_total', help: 'Log records in decoded export requests', registers: [this.registry] });
  readonly logRecordsStored = new Counter({ name: 'spanlens_log_records_stored_total', help: "GenAI log records acknowledged and kept as their span's content", registers: [this.registry] });
  readonly logRecordsDropped = new Counter({ name: 'spanlens_log_records_dropped_total', help: 'Log records accepted and not kept, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly logRecordsRejected = new Counter({ name: 'spanlens_log_records_rejected_total', help: 'Log records rejected as invalid, by reason', labelNames: ['reason'], registers: [this.registry] });
  readonly requests = new Counter({ name: 'spanlens_ingest_requests_total', help: 'Ingest requests by receiver and outcome', labelNames: ['receiver', 'outcome'], registers: [this.registry] });
  readonly batchesWritten = new Counter({ name: 'spanlens_batches_written_total', help: 'Batches written, by destination', labelNames: ['destination'], registers: [this.registry] });
  readonly rowsWritten = new Counter({ name: 'spanlens_rows_written_total', help: 'Rows written, by destination', labelNames: ['destination'], registers: [this.registry] });
  readonly writeSeconds = new Histogram({
    name: 'spanlens_write_duration_seconds',
    help: 'Time to write one batch, by destination',
    labelNames: ['destination'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly writeFailures = new Counter({ name: 'spanlens_write_failures_total', help: 'Batches whose write failed after retries', labelNames: ['destination'], registers: [this.registry] });

  /** Gauges read at scrape time from a source that already keeps the number. */
  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read());
      },
    });
  }

  /** Per-label gauges read at scrape time (consumer lag per partition). */
  labeledGauge(name: string, help: string, labelNames: string[], read: () => Promise<Array<{ labels: Record<string, string>; value: number }>>): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const { labels, value } of await read()) this.set(labels, value);
      },
    });
  }
}
