import { context, diag, propagation, trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { resolveConfig, type InitOptions, type ResolvedConfig } from './config.ts';
import { SpanlensContextManager } from './context-manager.ts';
import { buildPendingSpans, SpanlensSpanProcessor, type ProcessorStats } from './processor.ts';
import { recorder } from './genai.ts';
import { openStreams } from './stream.ts';
import { SDK_VERSION } from './version.ts';

export const TRACER_NAME = '@spanlens/sdk';
export { SDK_VERSION };

interface State {
  config: ResolvedConfig;
  provider?: BasicTracerProvider;
  processor?: SpanlensSpanProcessor;
  contextManager?: SpanlensContextManager;
}

let state: State = { config: resolveConfig() };

/** The settings in force: from init(), or from the environment before it. */
export function config(): ResolvedConfig {
  return state.config;
}

let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

// Looked up again only when the global provider is replaced (trace.disable() and a new
// one, as an app's tests or a hot reload do). Before init() the tracer is the API's
// proxy, which finds the real one as soon as a provider is registered.
export function tracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME, SDK_VERSION) };
  return cached.tracer;
}

function exporterFor(c: ResolvedConfig): OTLPTraceExporter {
  return new OTLPTraceExporter({
    url: `${c.endpoint}/v1/traces`,
    headers: c.apiKey ? { authorization: `Bearer ${c.apiKey}` } : {},
  });
}

/**
 * A span processor that sends to Spanlens, for an app that already has its own
 * OpenTelemetry TracerProvider: `new NodeTracerProvider({ spanProcessors: [spanlensProcessor()] })`.
 * It also sets the options the wrappers read (content capture, limits).
 */
export function spanlensProcessor(options: InitOptions = {}): SpanlensSpanProcessor {
  const c = resolveConfig(options);
  state = { ...state, config: c };
  return new SpanlensSpanProcessor(exporterFor(c), { maxQueueSize: c.maxQueueSize });
}

/**
 * Starts sending traces to Spanlens: a tracer provider with a batching OTLP exporter,
 * registered globally together with async context propagation. Safe to call twice
 * (the second call returns without changes). Never throws.
 */
export function init(options: InitOptions = {}): void {
  if (state.provider) return;
  try {
    const c = resolveConfig(options);
    const processor = new SpanlensSpanProcessor(exporterFor(c), { maxQueueSize: c.maxQueueSize });
    const provider = new BasicTracerProvider({
      // OpenTelemetry's defaults and OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME, then ours.
      resource: defaultResource()
        .merge(detectResources({ detectors: [envDetector] }))
        .merge(
          resourceFromAttributes({
            ...(c.serviceName ? { 'service.name': c.serviceName } : {}),
            ...(c.release ? { 'service.version': c.release } : {}),
            ...(c.environment ? { 'deployment.environment.name': c.environment } : {}),
            'telemetry.distro.name': TRACER_NAME,
            'telemetry.distro.version': SDK_VERSION,
          }),
        ),
      sampler: new ParentBasedSampler({ root: c.sampleRate >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(c.sampleRate) }),
      spanProcessors: [processor],
    });
    const contextManager = new SpanlensContextManager().enable();
    context.setGlobalContextManager(contextManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    if (!trace.setGlobalTracerProvider(provider)) {
      diag.warn('spanlens: a global TracerProvider is already registered; add spanlensProcessor() to it instead of init()');
    }
    state = { config: c, provider, processor, contextManager };
    // A script that ends without shutdown() still sends its spans, as the Python SDK does at exit.
    process.once('beforeExit', shutdownAtExit);
  } catch (err) {
    diag.error('spanlens: init failed', err);
  }
}

/** Exports every finished span now. Resolves even if the collector is down. */
export async function flush(): Promise<void> {
  try {
    // The provider flushes through SpanlensSpanProcessor, which builds the pending spans first.
    if (state.provider) await state.provider.forceFlush();
    else await buildPendingSpans();
  } catch (err) {
    diag.warn('spanlens: flush failed', err);
  }
}

function shutdownAtExit(): void {
  void shutdown();
}

/**
 * Flushes and stops. Runs by itself when the event loop empties (`beforeExit`); call it
 * yourself before `process.exit()` or on a signal, where Node emits no `beforeExit`.
 */
export async function shutdown(): Promise<void> {
  const { provider } = state;
  if (!provider) return;
  process.off('beforeExit', shutdownAtExit);
  try {
    await provider.shutdown();
  } catch (err) {
    diag.warn('spanlens: shutdown failed', err);
  } finally {
    trace.disable();
    context.disable();
    propagation.disable();
    state = { config: state.config };
  }
}

/** Whether the context manager init() registered has entered a context yet (for tests and benchmarks). */
export function contextStoreInUse(): boolean | undefined {
  return state.contextManager?.inUse;
}

/** Counts of exported, dropped (queue full) and failed spans since init(). */
export function stats(): ProcessorStats {
  const s = state.processor?.stats ?? { exported: 0, dropped: 0, failed: 0 };
  return { ...s, dropped: s.dropped + recorder.dropped + openStreams.dropped };
}
