"""openinference-instrumentation-openai (pinned in requirements.txt) driving the real openai
client against the fake provider; the official OTLP/HTTP exporter sends to the real Spanlens,
read back through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openinference.instrumentation import using_attributes
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from conftest_shared import FakeLlm, Spanlens, Traced, make_traced

CHAT_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6  # gpt-4o-mini: $0.15/M in, $0.075/M cached, $0.60/M out
QUESTION = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, openai.OpenAI]]:
    provider = TracerProvider(resource=Resource.create({"service.name": "oi-py"}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{server.http_url}/v1/traces", headers={"authorization": f"Bearer {server.key}"})))
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    try:
        yield provider, openai.OpenAI(api_key="sk-test", base_url=f"{llm.url}/v1", max_retries=0)
    finally:
        OpenAIInstrumentor().uninstrument()
        provider.shutdown()


@pytest.fixture
def traced(setup: tuple[TracerProvider, openai.OpenAI], server: Spanlens) -> Traced:
    provider, client = setup
    return make_traced(server, provider, client, around=lambda: using_attributes(user_id="oi-user", session_id="oi-session"))


def test_chat_with_a_system_prompt(traced: Any) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION))
    got = {k: s[k] for k in ("kind", "model", "provider", "inputTokens", "outputTokens", "cachedTokens", "costSource", "costEstimated", "finishReason", "userId", "sessionId", "status")}
    assert got == {
        "kind": "llm", "model": "gpt-4o-mini-2024-07-18", "provider": "openai", "inputTokens": 42, "outputTokens": 7, "cachedTokens": 10,
        "costSource": "table", "costEstimated": False, "finishReason": "stop", "userId": "oi-user", "sessionId": "oi-session", "status": "ok",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert "You are terse." in s["input"] and '"role":"system"' in s["input"].replace(" ", "")
    assert "Paris." in s["output"]


def test_a_streamed_call_with_usage_has_exact_tokens_and_a_first_token_time(traced: Any) -> None:
    def stream(c: openai.OpenAI) -> None:
        for _ in c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, stream=True, stream_options={"include_usage": True}):
            pass

    [s] = traced(stream)
    assert (s["inputTokens"], s["outputTokens"], s["tokensEstimated"], s["costEstimated"], s["finishReason"]) == (42, 7, False, False, "stop")
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] <= s["durationMs"]
    assert "Paris." in s["output"]


def test_a_tool_call_and_its_answer(traced: Any) -> None:
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]

    def conversation(c: openai.OpenAI) -> None:
        first = c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, tools=tools)
        call = first.choices[0].message.tool_calls[0]
        # The answer after the tool's result (asked without tools, the fake answers in text).
        c.chat.completions.create(model="gpt-4o-mini", messages=[*QUESTION, first.choices[0].message.model_dump(exclude_none=True), {"role": "tool", "tool_call_id": call.id, "content": '{"temp":21}'}])

    spans = traced(conversation)
    assert len(spans) == 2
    assert spans[0]["finishReason"] == "tool_calls"
    assert "get_weather" in spans[0]["output"] and "Paris" in spans[0]["output"]
    assert '"role":"tool"' in spans[1]["input"].replace(" ", "")
    assert spans[1]["finishReason"] == "stop"


def test_an_embedding(traced: Any) -> None:
    [s] = traced(lambda c: c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"]))
    assert (s["kind"], s["model"], s["provider"]) == ("embedding", "text-embedding-3-small", "openai")
    assert "hello" in s["input"] and "world" in s["input"]
    assert s["costUsd"] > 0


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Any) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="rate-limited-model", messages=QUESTION))
    assert s["status"] == "error"
    assert "429" in (s["statusMessage"] or "") or "Rate limit" in (s["statusMessage"] or "")
    assert s["model"] == "rate-limited-model"
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"]) == (0, 0, 0, False)
