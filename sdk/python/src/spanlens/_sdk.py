"""init(), the tracer the SDK records with, flush() and shutdown()."""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, field

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from ._config import Config, resolve_config
from ._processor import ProcessorStats, SpanlensSampler, SpanlensSpanProcessor
from ._version import SDK_NAME, SDK_VERSION

log = logging.getLogger("spanlens")

TRACER_NAME = SDK_NAME


@dataclass
class _State:
    config: Config
    provider: TracerProvider | None = None
    processor: SpanlensSpanProcessor | None = None
    # Processors made by spanlens_processor() for an app's own provider: flushed by flush(), counted by stats().
    extra: weakref.WeakSet[SpanlensSpanProcessor] = field(default_factory=weakref.WeakSet)


_lock = threading.RLock()
_state = _State(config=resolve_config())
_tracer_cache: tuple[object, trace.Tracer] | None = None


def config() -> Config:
    """The settings in force: from init() or spanlens_processor(), or from the environment before either."""
    return _state.config


def tracer() -> trace.Tracer:
    """The tracer Spanlens records with: init()'s provider, else the global one (an app's own setup)."""
    global _tracer_cache
    provider: object = _state.provider or trace.get_tracer_provider()
    cached = _tracer_cache
    if cached is not None and cached[0] is provider:
        return cached[1]
    if isinstance(provider, TracerProvider):
        t = provider.get_tracer(TRACER_NAME, SDK_VERSION)
    else:
        t = trace.get_tracer(TRACER_NAME, SDK_VERSION)
        if type(provider).__name__ == "ProxyTracerProvider":
            return t  # not cached: a provider may be registered later
    _tracer_cache = (provider, t)
    return t


def _exporter_for(c: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    headers = {"authorization": f"Bearer {c.api_key}"} if c.api_key else None
    return OTLPSpanExporter(endpoint=f"{c.endpoint}/v1/traces", headers=headers)


def spanlens_processor(
    endpoint: str | None = None,
    api_key: str | None = None,
    sample_rate: float | None = None,
    capture_content: bool | None = None,
    *,
    max_queue_size: int | None = None,
    max_content_length: int | None = None,
    span_build_delay_ms: float | None = None,
    exporter: SpanExporter | None = None,
) -> SpanlensSpanProcessor:
    """A span processor that sends to Spanlens, for an app that already configured OpenTelemetry.

    ``provider.add_span_processor(spanlens.spanlens_processor(api_key=...))``, then wrap the
    clients as usual; don't call init(). It also sets the options the wrappers read
    (content capture, limits). ``sample_rate`` is accepted for symmetry but sampling stays
    with the app's own sampler.
    """
    with _lock:
        c = resolve_config(
            endpoint=endpoint,
            api_key=api_key,
            sample_rate=sample_rate,
            capture_content=capture_content,
            max_queue_size=max_queue_size,
            max_content_length=max_content_length,
            span_build_delay_ms=span_build_delay_ms,
        )
        processor = SpanlensSpanProcessor(exporter or _exporter_for(c), max_queue_size=c.max_queue_size)
        _state.config = c
        _state.extra.add(processor)
        return processor


def init(
    endpoint: str | None = None,
    api_key: str | None = None,
    service_name: str | None = None,
    environment: str | None = None,
    release: str | None = None,
    sample_rate: float | None = None,
    capture_content: bool | None = None,
    *,
    max_queue_size: int | None = None,
    max_content_length: int | None = None,
    span_build_delay_ms: float | None = None,
) -> None:
    """Starts sending traces to Spanlens.

    Sets up a TracerProvider (resource: service.name, service.version = release,
    deployment.environment.name = environment), parent-based ratio sampling, and a batching
    OTLP/HTTP exporter with a bounded queue, and registers it as the global provider. Every
    option falls back to the environment (SPANLENS_ENDPOINT, SPANLENS_API_KEY,
    OTEL_SERVICE_NAME, SPANLENS_ENVIRONMENT, SPANLENS_RELEASE, SPANLENS_SAMPLE_RATE,
    SPANLENS_CAPTURE_CONTENT). Calling it again does nothing. Never raises.
    """
    global _tracer_cache
    with _lock:
        if _state.provider is not None:
            return
        try:
            c = resolve_config(
                endpoint=endpoint,
                api_key=api_key,
                service_name=service_name,
                environment=environment,
                release=release,
                sample_rate=sample_rate,
                capture_content=capture_content,
                max_queue_size=max_queue_size,
                max_content_length=max_content_length,
                span_build_delay_ms=span_build_delay_ms,
            )
            attributes: dict[str, str] = {
                "telemetry.distro.name": SDK_NAME,
                "telemetry.distro.version": SDK_VERSION,
            }
            if c.service_name:
                attributes["service.name"] = c.service_name
            if c.release:
                attributes["service.version"] = c.release
            if c.environment:
                attributes["deployment.environment.name"] = c.environment
            processor = SpanlensSpanProcessor(_exporter_for(c), max_queue_size=c.max_queue_size)
            provider = TracerProvider(resource=Resource.create(attributes), sampler=SpanlensSampler(c.sample_rate))
            provider.add_span_processor(processor)
            trace.set_tracer_provider(provider)
            if trace.get_tracer_provider() is not provider:
                log.warning(
                    "spanlens: a global TracerProvider is already registered; Spanlens records its own spans with its "
                    "provider, but for one trace add spanlens_processor() to the app's provider instead of init()"
                )
            _state.config = c
            _state.provider = provider
            _state.processor = processor
            _tracer_cache = None
        except Exception:
            log.exception("spanlens: init failed; the app runs untraced")


def _processors() -> list[SpanlensSpanProcessor]:
    out = [_state.processor] if _state.processor is not None else []
    out.extend(p for p in list(_state.extra) if p is not _state.processor)
    return out


def flush(timeout_millis: int = 30000) -> bool:
    """Exports every finished span now; True when all were handed over. Never raises.

    With the collector down it returns after the exporter's retries give up (its timeout).
    """
    ok = True
    for p in _processors():
        try:
            ok = p.force_flush(timeout_millis) and ok
        except Exception:
            ok = False
    return ok


def shutdown() -> None:
    """Flushes and stops; the provider init() made stops recording. Never raises.

    It also runs by itself when the interpreter exits.
    """
    global _tracer_cache
    with _lock:
        provider = _state.provider
        extra = [p for p in list(_state.extra)]
        _state.provider = None
        _state.processor = None
        _state.extra = weakref.WeakSet()
        _tracer_cache = None
    try:
        if provider is not None:
            provider.shutdown()
        for p in extra:
            p.shutdown()
    except Exception:
        log.debug("spanlens: shutdown failed", exc_info=True)


def stats() -> ProcessorStats:
    """Counts of exported, dropped (queue full) and failed spans since init()."""
    exported = dropped = failed = 0
    for p in _processors():
        s = p.stats
        exported += s.exported
        dropped += s.dropped
        failed += s.failed
    return ProcessorStats(exported, dropped, failed)
