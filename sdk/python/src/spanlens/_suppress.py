"""OpenTelemetry's "suppress instrumentation" context flag, as the Python instrumentations use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry.context import Context

SUPPRESS_KEY: str = getattr(otel_context, "_SUPPRESS_INSTRUMENTATION_KEY", None) or otel_context.create_key("suppress_instrumentation")


def is_suppressed(ctx: Context | None = None) -> bool:
    """Whether ``ctx`` (the current context when None) asks for no telemetry."""
    try:
        return bool(otel_context.get_value(SUPPRESS_KEY, ctx))
    except Exception:
        return False


@contextmanager
def suppressed() -> Iterator[None]:
    """Marks the current context as suppressed for the duration of the block.

    Spans that a client library starts inside (Anthropic's SDK starts its own span per
    call) are dropped by Spanlens's sampler and processor, so each call is recorded once.
    """
    token = otel_context.attach(otel_context.set_value(SUPPRESS_KEY, True))
    try:
        yield
    finally:
        otel_context.detach(token)
