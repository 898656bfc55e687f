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
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import openai  # noqa: E402
from fake_llm import FakeLlm  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from spanlens_server import Spanlens  # noqa: E402

__all__ = [
    "CHAT_COST",
    "QUESTION",
    "TOOLS",
    "FakeLlm",
    "Spanlens",
    "instrumented",
    "make_traced",
    "messages",
    "otlp_tracer_provider",
    "stream_to_end",
    "tool_conversation",
]

# gpt-4o-mini: $0.15/M in, $0.075/M cached, $0.60/M out; the fake reports 42 in (10 cached), 7 out.
CHAT_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6
QUESTION = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


def messages(text: str | None) -> list[dict[str, Any]]:
    """A span's stored input or output as messages ([] when it has none)."""
    import json

    return json.loads(text) if text else []


def stream_to_end(c: openai.OpenAI) -> None:
    """A streamed chat with a final usage chunk, read to the end."""
    for _ in c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, stream=True, stream_options={"include_usage": True}):
        pass


def tool_conversation(c: openai.OpenAI) -> None:
    """A call that answers with a tool call, then the call with the tool's result (asked
    without tools, the fake answers in text)."""
    first = c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, tools=TOOLS)
    call = first.choices[0].message.tool_calls[0]
    c.chat.completions.create(
        model="gpt-4o-mini",
        messages=[*QUESTION, first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": '{"temp":21}'}],
    )


def otlp_tracer_provider(server: Spanlens, service: str) -> TracerProvider:
    """A tracer provider exporting each span at its end to Spanlens with the official OTLP/HTTP exporter."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{server.http_url}/v1/traces", headers={"authorization": f"Bearer {server.key}"}))
    )
    return provider


Traced = Callable[[Callable[[openai.OpenAI], Any]], list[dict[str, Any]]]


def make_traced(
    server: Spanlens,
    provider: TracerProvider,
    client: openai.OpenAI,
    around: Callable[[], contextlib.AbstractContextManager[Any]] = contextlib.nullcontext,
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


@contextlib.contextmanager
def instrumented(server: Spanlens, llm: FakeLlm, service: str, instrumentor: Any) -> Iterator[tuple[TracerProvider, openai.OpenAI]]:
    """An OpenTelemetry instrumentor registered on a tracer provider exporting to Spanlens, and an
    openai client for the fake provider; uninstrumented and shut down after."""
    provider = otlp_tracer_provider(server, service)
    instrumentor.instrument(tracer_provider=provider)
    try:
        yield provider, openai.OpenAI(api_key="sk-test", base_url=f"{llm.url}/v1", max_retries=0)
    finally:
        instrumentor.uninstrument()
        provider.shutdown()
