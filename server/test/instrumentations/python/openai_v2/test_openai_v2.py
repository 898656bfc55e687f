"""opentelemetry-instrumentation-openai-v2 (the official OpenTelemetry GenAI instrumentation,
pinned in requirements.txt) driving the real openai client against the fake provider. Content
travels as OTLP log records, apart from its span; both go to the real Spanlens with the
official OTLP/HTTP exporters and are read back through the API. Three ways a user runs it:

- legacy, content on: the v1.30 conventions, one log record per message (gen_ai.user.message,
  gen_ai.choice, ...), OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true;
- legacy, content off (the default): the same records without their text;
- latest: OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental with event_only, one
  gen_ai.client.inference.operation.details record per call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from conftest_shared import QUESTION, FakeLlm, Spanlens, Traced, make_traced, messages, stream_to_end, tool_conversation
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation._semconv import _OpenTelemetrySemanticConventionStability
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

MODES = {
    "legacy-content": {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"},
    "legacy-no-content": {},
    "latest-events": {"OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "event_only"},
}


@pytest.fixture(scope="module", params=list(MODES))
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "OTEL_SEMCONV_STABILITY_OPT_IN")}
    for k in saved:
        os.environ.pop(k, None)
    os.environ.update(MODES[request.param])
    # The opt-in is read once per process; the library's own tests reset it the same way.
    _OpenTelemetrySemanticConventionStability._initialized = False
    try:
        yield request.param
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def setup(mode: str, server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, LoggerProvider, openai.OpenAI]]:
    headers = {"authorization": f"Bearer {server.key}"}
    resource = Resource.create({"service.name": "otel-v2-py"})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{server.http_url}/v1/traces", headers=headers)))
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=f"{server.http_url}/v1/logs", headers=headers)))
    OpenAIInstrumentor().instrument(tracer_provider=tracer_provider, logger_provider=logger_provider)
    try:
        yield tracer_provider, logger_provider, openai.OpenAI(api_key="sk-test", base_url=f"{llm.url}/v1", max_retries=0)
    finally:
        OpenAIInstrumentor().uninstrument()
        tracer_provider.shutdown()
        logger_provider.shutdown()


@pytest.fixture
def traced(setup: tuple[TracerProvider, LoggerProvider, openai.OpenAI], mode: str, server: Spanlens) -> Traced:
    tracer_provider, logger_provider, client = setup
    # Spans reach Spanlens before their log records in one mode, after them in the others.
    flushes = [tracer_provider.force_flush, logger_provider.force_flush]
    return make_traced(server, tracer_provider, client, flushes=flushes if mode == "legacy-content" else flushes[::-1])


def test_chat_with_a_system_prompt(traced: Any, mode: str) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION))
    got = {
        k: s[k]
        for k in (
            "kind",
            "model",
            "requestModel",
            "provider",
            "inputTokens",
            "outputTokens",
            "costSource",
            "costEstimated",
            "tokensEstimated",
            "finishReason",
            "status",
        )
    }
    assert got == {
        "kind": "llm",
        "model": "gpt-4o-mini-2024-07-18",
        "requestModel": "gpt-4o-mini",
        "provider": "openai",
        "inputTokens": 42,
        "outputTokens": 7,
        "costSource": "table",
        "costEstimated": False,
        "tokensEstimated": False,
        "finishReason": "stop",
        "status": "unset",  # the library leaves a success unset
    }
    # The library reports no cached tokens, so all 42 are priced as uncached input.
    assert s["cachedTokens"] == 0
    assert abs(s["costUsd"] - (42 * 0.15 + 7 * 0.6) / 1e6) < 1e-12
    if mode == "legacy-no-content":
        assert (s["input"], s["output"]) == (None, None)
    else:
        assert messages(s["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
        assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_streamed_call_has_exact_tokens_and_its_finish_reason(traced: Any, mode: str) -> None:
    [s] = traced(stream_to_end)
    assert (s["inputTokens"], s["outputTokens"], s["tokensEstimated"], s["costEstimated"]) == (42, 7, False, False)
    # The stream's span carries no finish reason: it comes from the log record.
    assert s["finishReason"] == "stop"
    assert "gen_ai.response.finish_reasons" not in s["attributes"]
    assert s["ttftMs"] is None  # the library does not measure a first-token time
    if mode != "legacy-no-content":
        assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_tool_call_and_its_answer(traced: Any, mode: str) -> None:
    first, second = traced(tool_conversation)
    assert (first["finishReason"], second["finishReason"]) == ("tool_calls", "stop")
    if mode == "legacy-no-content":
        # Without content the tool's name is still sent, not its arguments.
        assert messages(first["output"]) == [{"role": "assistant", "content": "", "toolCalls": [{"id": "call_1", "name": "get_weather", "arguments": ""}]}]
        assert [(m["role"], m["toolCalls"][0]["name"]) for m in messages(second["input"])] == [("assistant", "get_weather")]
        return
    [answer] = messages(first["output"])
    assert answer["toolCalls"] == [{"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]
    history = messages(second["input"])
    assert [m["role"] for m in history] == ["system", "user", "assistant", "tool"]
    assert history[2]["toolCalls"][0]["name"] == "get_weather"
    assert (history[3]["toolCallId"], history[3]["content"]) == ("call_1", '{"temp":21}')


def test_an_embedding(traced: Any) -> None:
    [s] = traced(lambda c: c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"]))
    assert (s["kind"], s["model"], s["provider"], s["inputTokens"]) == ("embedding", "text-embedding-3-small", "openai", 8)
    assert s["costUsd"] > 0 and s["costSource"] == "table"
    assert s["input"] is None  # the library records no embedding input, in any mode


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Any, mode: str) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="rate-limited-model", messages=QUESTION))
    assert s["status"] == "error"
    assert s["attributes"].get("error.type", "").endswith("RateLimitError")
    assert (s["model"], s["requestModel"]) == ("rate-limited-model", "rate-limited-model")
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"], s["costSource"]) == (0, 0, 0, False, "none")
    if mode == "legacy-content":
        # The prompt was logged before the call failed.
        assert [m["role"] for m in messages(s["input"])] == ["system", "user"]
