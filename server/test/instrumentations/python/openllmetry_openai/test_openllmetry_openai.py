"""opentelemetry-instrumentation-openai (OpenLLMetry, pinned in requirements.txt) driving the real
openai client against the fake provider; the official OTLP/HTTP exporter sends to the real
Spanlens, read back through the API."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from conftest_shared import CHAT_COST, QUESTION, FakeLlm, Spanlens, Traced, instrumented, make_traced, messages, stream_to_end, tool_conversation
from opentelemetry.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import TracerProvider


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, openai.OpenAI]]:
    with instrumented(server, llm, "openllmetry-py", OpenAIInstrumentor()) as setup:
        yield setup


@pytest.fixture
def traced(setup: tuple[TracerProvider, openai.OpenAI], server: Spanlens) -> Traced:
    provider, client = setup
    return make_traced(server, provider, client)


def test_chat_with_a_system_prompt(traced: Traced) -> None:
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
            "cachedTokens",
            "reasoningTokens",
            "costSource",
            "costEstimated",
            "finishReason",
        )
    }
    assert got == {
        "kind": "llm",
        "model": "gpt-4o-mini-2024-07-18",
        "requestModel": "gpt-4o-mini",
        "provider": "openai",
        "inputTokens": 42,
        "outputTokens": 7,
        "cachedTokens": 10,
        "reasoningTokens": 2,
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert messages(s["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_streamed_call_has_exact_tokens_and_a_first_token_time(traced: Traced) -> None:
    [s] = traced(stream_to_end)
    assert (s["inputTokens"], s["outputTokens"], s["tokensEstimated"], s["costEstimated"], s["finishReason"], s["status"]) == (
        42,
        7,
        False,
        False,
        "stop",
        "ok",
    )
    # From the first gen_ai.content.completion.chunk event; the fake waits 30 ms before it.
    assert s["ttftMs"] is not None and 25 <= s["ttftMs"] <= s["durationMs"]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_tool_call_and_its_answer(traced: Traced) -> None:
    first, second = traced(tool_conversation)
    # The library spells OpenAI's tool_calls as the GenAI conventions' tool_call.
    assert (first["finishReason"], second["finishReason"]) == ("tool_call", "stop")
    [answer] = messages(first["output"])
    assert answer["toolCalls"] == [{"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]
    history = messages(second["input"])
    assert [m["role"] for m in history] == ["system", "user", "assistant", "tool"]
    assert (history[3]["toolCallId"], history[3]["content"]) == ("call_1", '{"temp":21}')


def test_an_embedding(traced: Traced) -> None:
    [s] = traced(lambda c: c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"]))
    assert (s["kind"], s["model"], s["provider"], s["inputTokens"], s["costSource"]) == ("embedding", "text-embedding-3-small", "openai", 8, "table")
    assert s["costUsd"] > 0
    assert [m["content"] for m in messages(s["input"])] == ["hello", "world"]


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Traced) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="rate-limited-model", messages=QUESTION))
    assert s["status"] == "error"
    assert "Rate limit" in (s["statusMessage"] or "") or s["attributes"].get("error.type") == "RateLimitError"
    assert (s["model"], s["requestModel"]) == ("rate-limited-model", "rate-limited-model")
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"], s["costSource"]) == (0, 0, 0, False, "none")
    assert [m["role"] for m in messages(s["input"])] == ["system", "user"]
