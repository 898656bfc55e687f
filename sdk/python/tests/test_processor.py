"""The processor's bounded queue, the sampler, and settings from the environment (no collector needed)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import spanlens
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import NonRecordingSpan
from spanlens._config import resolve_config
from spanlens._suppress import suppressed


class Stuck(SpanExporter):
    """A collector that never answers until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.received = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.release.wait(10)
        self.received += len(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.release.set()


def test_a_full_queue_drops_new_spans_and_counts_them() -> None:
    exporter = Stuck()
    processor = spanlens.SpanlensSpanProcessor(exporter, max_queue_size=20, schedule_delay_millis=1, max_export_batch_size=10)
    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    for i in range(100):
        tracer.start_span(f"s{i}").end()
    assert processor.stats.dropped == 80
    assert processor.stats.exported == 0
    exporter.release.set()
    assert processor.force_flush() is True
    assert exporter.received == 20
    assert processor.stats == spanlens.ProcessorStats(exported=20, dropped=80, failed=0)
    provider.shutdown()


def test_failed_exports_are_counted_and_nothing_raises() -> None:
    class Broken(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            raise ConnectionError("collector down")

        def shutdown(self) -> None:
            pass

    processor = spanlens.SpanlensSpanProcessor(Broken())
    provider = TracerProvider()
    provider.add_span_processor(processor)
    provider.get_tracer("t").start_span("s").end()
    processor.force_flush()
    assert processor.stats == spanlens.ProcessorStats(exported=0, dropped=0, failed=1)
    provider.shutdown()


def test_sampler_ratio_and_suppression() -> None:
    provider = TracerProvider(sampler=spanlens.SpanlensSampler(0.0))
    assert provider.get_tracer("t").start_span("never").is_recording() is False
    provider = TracerProvider(sampler=spanlens.SpanlensSampler(1.0))
    tracer = provider.get_tracer("t")
    assert tracer.start_span("kept").is_recording() is True
    with suppressed():
        span = tracer.start_span("suppressed")
    assert isinstance(span, NonRecordingSpan)


def test_settings_come_from_the_environment() -> None:
    env = {
        "SPANLENS_ENDPOINT": "http://collector:4318/",
        "SPANLENS_API_KEY": "sl_key",
        "OTEL_SERVICE_NAME": "svc",
        "SPANLENS_ENVIRONMENT": "prod",
        "SPANLENS_RELEASE": "1.2.3",
        "SPANLENS_SAMPLE_RATE": "0.25",
        "SPANLENS_CAPTURE_CONTENT": "false",
    }
    c = resolve_config(env=env)
    assert [c.endpoint, c.api_key, c.service_name, c.environment, c.release, c.sample_rate, c.capture_content] == [
        "http://collector:4318",
        "sl_key",
        "svc",
        "prod",
        "1.2.3",
        0.25,
        False,
    ]
    c = resolve_config(endpoint="http://x:1", sample_rate=7, capture_content=True, env=env)
    assert [c.endpoint, c.sample_rate, c.capture_content] == ["http://x:1", 1.0, True]
    d = resolve_config(env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318", "SPANLENS_SAMPLE_RATE": "nope"})
    assert [d.endpoint, d.sample_rate, d.capture_content, d.api_key, d.max_queue_size] == ["http://otel:4318", 1.0, True, None, 2048]
    assert resolve_config(env={}).endpoint == "http://127.0.0.1:4318"
