"""The span processor: stamps the Spanlens context on spans and exports with a bounded queue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

from ._context import context_attributes, current_context
from ._pending import build_pending
from ._suppress import is_suppressed

log = logging.getLogger("spanlens")

_MAX_SUPPRESSED_TRACKED = 10_000


@dataclass(frozen=True)
class ProcessorStats:
    exported: int = 0
    """Spans handed to the exporter and acknowledged by the collector."""
    dropped: int = 0
    """Spans dropped because the queue was full."""
    failed: int = 0
    """Spans the exporter gave up on after its retries."""


class _CountingExporter(SpanExporter):
    def __init__(self, inner: SpanExporter, owner: SpanlensSpanProcessor) -> None:
        self._inner = inner
        self._owner = owner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = SpanExportResult.FAILURE
        try:
            result = self._inner.export(spans)
        except Exception:
            log.debug("spanlens: export raised", exc_info=True)
        finally:
            self._owner._exported(len(spans), result == SpanExportResult.SUCCESS)
        return result

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


class SpanlensSpanProcessor(SpanProcessor):
    """Stamps the Spanlens context (user, session, tags, metadata) on every span at start,
    and exports in batches through a bounded queue: when it is full a new span is dropped
    and counted, never buffered without limit. Spans started where instrumentation is
    suppressed (a client library's own span inside a wrapped call) are not exported.

    Add it to an existing ``TracerProvider`` to send an app's spans to Spanlens alongside
    its own exporters (:func:`spanlens.spanlens_processor` builds one).
    """

    def __init__(
        self,
        exporter: SpanExporter,
        *,
        max_queue_size: int = 2048,
        schedule_delay_millis: float = 1000,
        max_export_batch_size: int = 512,
        export_timeout_millis: float = 30000,
    ) -> None:
        self._max_queue_size = max(1, max_queue_size)
        self._lock = threading.Lock()
        self._pending = 0
        self._exported_count = 0
        self._dropped = 0
        self._failed = 0
        self._suppressed: set[int] = set()
        self._batch = BatchSpanProcessor(
            _CountingExporter(exporter, self),
            max_queue_size=self._max_queue_size,
            schedule_delay_millis=schedule_delay_millis,
            max_export_batch_size=min(max_export_batch_size, self._max_queue_size),
            export_timeout_millis=export_timeout_millis,
        )

    @property
    def stats(self) -> ProcessorStats:
        with self._lock:
            return ProcessorStats(self._exported_count, self._dropped, self._failed)

    def _exported(self, n: int, ok: bool) -> None:
        with self._lock:
            self._pending = max(0, self._pending - n)
            if ok:
                self._exported_count += n
            else:
                self._failed += n

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        try:
            if is_suppressed(parent_context):
                with self._lock:
                    if len(self._suppressed) < _MAX_SUPPRESSED_TRACKED:
                        self._suppressed.add(span.context.span_id)
                return
            c = current_context()
            if c is not None:
                existing = span.attributes or {}
                attrs = {k: v for k, v in context_attributes(c).items() if k not in existing}
                if attrs:
                    span.set_attributes(attrs)
        except Exception:
            log.debug("spanlens: on_start failed", exc_info=True)
        self._batch.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        try:
            ctx = span.context
            if ctx is None or not ctx.trace_flags.sampled:
                return
            with self._lock:
                if self._suppressed and ctx.span_id in self._suppressed:
                    self._suppressed.discard(ctx.span_id)
                    return
                if self._pending >= self._max_queue_size:
                    self._dropped += 1
                    return
                self._pending += 1
            self._batch.on_end(span)
        except Exception:
            log.debug("spanlens: on_end failed", exc_info=True)

    def shutdown(self) -> None:
        try:
            build_pending()
            self._batch.shutdown()  # type: ignore[no-untyped-call]
        except Exception:
            log.debug("spanlens: processor shutdown failed", exc_info=True)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        try:
            build_pending()
            return bool(self._batch.force_flush(timeout_millis))
        except Exception:
            log.debug("spanlens: force_flush failed", exc_info=True)
            return False


class SpanlensSampler(Sampler):
    """Parent-based ratio sampling (decided at the root, children follow), and no span at
    all where instrumentation is suppressed."""

    def __init__(self, rate: float = 1.0) -> None:
        root: Sampler = ALWAYS_ON if rate >= 1 else TraceIdRatioBased(rate)
        self._inner = ParentBased(root)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if is_suppressed(parent_context):
            return SamplingResult(Decision.DROP)
        return self._inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"SpanlensSampler{{{self._inner.get_description()}}}"  # type: ignore[no-untyped-call]
