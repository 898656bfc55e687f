"""What every Python instrumentation suite shares: the real Spanlens and the fake provider from
the Python SDK's tests, and an OpenTelemetry SDK exporting to Spanlens over OTLP/HTTP."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "sdk" / "python" / "tests"))

# Hermetic: OpenTelemetry settings of whoever runs the suite must not change what it sees.
for _key in [k for k in os.environ if k.startswith(("SPANLENS_", "OTEL_", "OPENAI_"))]:
    del os.environ[_key]

import contextlib  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any, ContextManager  # noqa: E402

import openai  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402

from fake_llm import FakeLlm  # noqa: E402
from spanlens_server import Spanlens  # noqa: E402

__all__ = ["FakeLlm", "Spanlens", "make_traced"]

Traced = Callable[[Callable[[openai.OpenAI], Any]], list[dict[str, Any]]]


def make_traced(
    server: Spanlens,
    provider: TracerProvider,
    client: openai.OpenAI,
    around: Callable[[], ContextManager[Any]] = contextlib.nullcontext,
    flushes: Sequence[Callable[[], Any]] | None = None,
) -> Traced:
    """Runs calls under an app span (inside `around`), flushes (`flushes`, else the tracer
    provider), and returns the spans under it in trace order as the API shows them, checking they nest."""

    def run(fn: Callable[[openai.OpenAI], Any]) -> list[dict[str, Any]]:
        with around():
            with provider.get_tracer("app").start_as_current_span("handler") as span:
                trace_id = format(span.get_span_context().trace_id, "032x")
                try:
                    fn(client)
                except openai.APIError:
                    pass  # the failed call is what the test looks at
        for flush in flushes or [provider.force_flush]:
            flush()
        spans = server.trace(trace_id)["spans"]
        assert spans[0]["name"] == "handler"
        # Each span's parent is the app's span or a span before it (chains nest their runs).
        seen = {spans[0]["spanId"]}
        for s in spans[1:]:
            assert s["parentSpanId"] in seen, f"{s['name']} nests under the app's span"
            seen.add(s["spanId"])
        return spans[1:]

    return run
