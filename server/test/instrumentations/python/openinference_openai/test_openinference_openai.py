"""openinference-instrumentation-openai (pinned in requirements.txt) driving the real openai
client against the fake provider; the official OTLP/HTTP exporter sends to the real Spanlens,
read back through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from conftest_shared import CHAT_COST, QUESTION, FakeLlm, Spanlens, Traced, instrumented, make_traced, stream_to_end, tool_conversation
from openinference.instrumentation import using_attributes
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import TracerProvider


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, openai.OpenAI]]:
    with instrumented(server, llm, "oi-py", OpenAIInstrumentor()) as setup:
        yield setup


@pytest.fixture
def traced(setup: tuple[TracerProvider, openai.OpenAI], server: Spanlens) -> Traced:
    provider, client = setup
    return make_traced(server, provider, client, around=lambda: using_attributes(user_id="oi-user", session_id="oi-session"))


def test_chat_with_a_system_prompt(traced: Any) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION))
    got = {
        k: s[k]
        for k in (
            "kind",
            "model",
            "provider",
            "inputTokens",
            "outputTokens",
            "cachedTokens",
            "costSource",
            "costEstimated",
            "finishReason",
            "userId",
            "sessionId",
            "status",
        )
    }
    assert got == {
        "kind": "llm",
        "model": "gpt-4o-mini-2024-07-18",
        "provider": "openai",
        "inputTokens": 42,
        "outputTokens": 7,
        "cachedTokens": 10,
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
        "userId": "oi-user",
        "sessionId": "oi-session",
        "status": "ok",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert "You are terse." in s["input"] and '"role":"system"' in s["input"].replace(" ", "")
    assert "Paris." in s["output"]


def test_a_streamed_call_with_usage_has_exact_tokens_and_a_first_token_time(traced: Any) -> None:
    [s] = traced(stream_to_end)
    assert (s["inputTokens"], s["outputTokens"], s["tokensEstimated"], s["costEstimated"], s["finishReason"]) == (42, 7, False, False, "stop")
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] <= s["durationMs"]
    assert "Paris." in s["output"]


def test_a_tool_call_and_its_answer(traced: Any) -> None:
    spans = traced(tool_conversation)
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
