"""logfire (pinned in requirements.txt) with logfire.instrument_openai, sending OTLP to the real
Spanlens (send_to_logfire=False and the standard OTEL_EXPORTER_OTLP_* settings), driving the real
openai client against the fake provider; read back through the API."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from conftest_shared import CHAT_COST, QUESTION, FakeLlm, Spanlens, Traced, make_traced, messages, stream_to_end, tool_conversation
from opentelemetry import trace


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[Any]:
    os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] = server.http_url
    os.environ["OTEL_EXPORTER_OTLP_HEADERS"] = f"authorization=Bearer {server.key}"
    import logfire  # configured once per process: this suite runs in a process of its own

    logfire.configure(send_to_logfire=False, service_name="logfire-py", console=False)
    client = openai.OpenAI(api_key="sk-test", base_url=f"{llm.url}/v1", max_retries=0)
    logfire.instrument_openai(client)
    yield logfire, client
    logfire.shutdown()


@pytest.fixture
def traced(setup: Any, server: Spanlens) -> Traced:
    logfire, client = setup
    return make_traced(server, trace.get_tracer_provider(), client, flushes=[logfire.force_flush])  # type: ignore[arg-type]


def calls(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in spans if s["kind"] in ("llm", "embedding")]


def test_chat_with_a_system_prompt_under_its_rendered_name(traced: Traced) -> None:
    [s] = traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION))
    assert s["name"] == "Chat Completion with 'gpt-4o-mini'"
    assert s["attributes"]["logfire.msg_template"] == "Chat Completion with {request_data[model]!r}"
    got = {
        k: s[k]
        for k in ("kind", "model", "requestModel", "provider", "inputTokens", "outputTokens", "cachedTokens", "costSource", "costEstimated", "finishReason")
    }
    assert got == {
        "kind": "llm",
        "model": "gpt-4o-mini-2024-07-18",
        "requestModel": "gpt-4o-mini",
        "provider": "openai",
        "inputTokens": 42,
        "outputTokens": 7,
        "cachedTokens": 10,
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert messages(s["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_stream_is_one_priced_call_with_its_real_duration(traced: Traced) -> None:
    spans = traced(stream_to_end)
    request, response = spans
    assert request["name"] == "Chat Completion with 'gpt-4o-mini'"
    assert (request["kind"], request["inputTokens"], request["tokensEstimated"], request["costUsd"]) == ("chain", 0, False, 0)
    [call] = calls(spans)
    assert call is response and call["name"].startswith("streaming response from 'gpt-4o-mini' took ")
    assert (call["inputTokens"], call["outputTokens"], call["tokensEstimated"], call["costSource"], call["finishReason"]) == (42, 7, False, "table", "stop")
    # The record is sent with no length; its duration attribute is the stream's (the fake takes >= 30 ms).
    assert abs(call["durationMs"] - float(call["attributes"]["duration"]) * 1000) < 0.001 and call["durationMs"] >= 30
    assert abs(sum(s["costUsd"] for s in spans) - CHAT_COST) < 1e-12
    assert messages(call["output"]) == [{"role": "assistant", "content": "Paris."}]
    assert call["ttftMs"] is None  # the library sends no first-token time


def test_a_tool_call_and_its_answer(traced: Traced) -> None:
    first, second = calls(traced(tool_conversation))
    assert (first["finishReason"], second["finishReason"]) == ("tool_calls", "stop")
    [answer] = messages(first["output"])
    assert answer["toolCalls"][0]["name"] == "get_weather" and json.loads(answer["toolCalls"][0]["arguments"]) == {"city": "Paris"}
    history = messages(second["input"])
    assert [m["role"] for m in history] == ["system", "user", "assistant", "tool"]
    assert history[3]["content"] == '{"temp":21}'


def test_an_embedding(traced: Traced) -> None:
    [s] = calls(traced(lambda c: c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"])))
    assert (s["kind"], s["model"], s["provider"]) == ("embedding", "text-embedding-3-small", "openai")
    assert s["costSource"] == "table" and s["costUsd"] > 0


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Traced) -> None:
    [s] = calls(traced(lambda c: c.chat.completions.create(model="rate-limited-model", messages=QUESTION)))
    assert s["status"] == "error"
    assert (s["model"], s["requestModel"]) == ("rate-limited-model", "rate-limited-model")
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"], s["costSource"]) == (0, 0, 0, False, "none")
