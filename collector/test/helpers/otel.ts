// Test clients: spans built with the OpenTelemetry JS SDK and sent by the official OTLP exporters.
import { createServer, type IncomingMessage } from 'node:http';
import { Metadata } from '@grpc/grpc-js';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { Tracer } from '@opentelemetry/api';

export type Protocol = 'http/protobuf' | 'http/json' | 'grpc';

export interface Endpoint {
  httpUrl: string;
  grpcUrl: string;
  key?: string;
  compression?: 'gzip' | 'none';
}

export function makeExporter(protocol: Protocol, e: Endpoint): SpanExporter {
  const headers: Record<string, string> = e.key ? { authorization: `Bearer ${e.key}` } : {};
  const compression = (e.compression ?? 'none') as never;
  if (protocol === 'http/protobuf') return new ProtoExporter({ url: `${e.httpUrl}/v1/traces`, headers, compression });
  if (protocol === 'http/json') return new JsonExporter({ url: `${e.httpUrl}/v1/traces`, headers, compression });
  const metadata = new Metadata();
  if (e.key) metadata.set('authorization', `Bearer ${e.key}`);
  return new GrpcExporter({ url: e.grpcUrl, metadata, compression });
}

/** Records spans with the real SDK; `build` creates and ends them. */
export function recordSpans(build: (tracer: Tracer) => void, resource: Record<string, string> = { 'service.name': 'test-app' }): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  build(provider.getTracer('spanlens-test', '1.0.0'));
  return memory.getFinishedSpans();
}

export interface ExportOutcome {
  code: number; // 0 success, 1 failed
  error?: Error;
}

export async function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportOutcome> {
  const result = await new Promise<ExportOutcome>((resolve) => exporter.export(spans, (r) => resolve(r as ExportOutcome)));
  await exporter.shutdown();
  return result;
}

/** A do-nothing OTLP/HTTP endpoint that keeps what the real exporters send. */
export async function captureServer(): Promise<{ url: string; bodies: Array<{ contentType: string; encoding: string; body: Buffer }>; close(): Promise<void> }> {
  const bodies: Array<{ contentType: string; encoding: string; body: Buffer }> = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    bodies.push({ contentType: req.headers['content-type'] ?? '', encoding: req.headers['content-encoding'] ?? '', body: Buffer.concat(chunks) });
    const json = (req.headers['content-type'] ?? '').includes('json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}
