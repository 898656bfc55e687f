"""openlit (pinned in requirements.txt) set up with openlit.init() sending OTLP to the real
Spanlens, driving the real openai client against the fake provider; read back through the API.
OpenLIT cannot fetch its own price list here (no network), so it reports every cost as 0: the
price table must price the calls instead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import openlit
import pytest
from conftest_shared import CHAT_COST, QUESTION, FakeLlm, Spanlens, Traced, make_traced, messages, stream_to_end, tool_conversation
from opentelemetry import _logs, trace
from opentelemetry.sdk.trace import TracerProvider


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, openai.OpenAI]]:
    # Global providers, once per process: this suite runs in a process of its own.
    openlit.init(
        otlp_endpoint=server.http_url,
        otlp_headers={"authorization": f"Bearer {server.key}"},
        application_name="openlit-py",
        environment="test",
        disable_metrics=True,
        disable_batch=True,
    )
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    yield provider, openai.OpenAI(api_key="sk-test", base_url=f"{llm.url}/v1", max_retries=0)
    provider.shutdown()


@pytest.fixture
def traced(setup: tuple[TracerProvider, openai.OpenAI], server: Spanlens) -> Traced:
    provider, client = setup
    logs = _logs.get_logger_provider()
    return make_traced(server, provider, client, flushes=[provider.force_flush, logs.force_flush])  # type: ignore[attr-defined]


def llm_spans(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # OpenLIT also turns on HTTP client instrumentations: their POST spans nest under each call.
    return [s for s in spans if s["kind"] in ("llm", "embedding")]


def test_chat_priced_from_the_table_when_openlit_sends_cost_0(traced: Traced) -> None:
    spans = traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION, user="ol-user"))
    [s] = llm_spans(spans)
    assert s["attributes"]["gen_ai.usage.cost"] == "0"
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
            "costSource",
            "costEstimated",
            "finishReason",
            "status",
            "userId",
            "service",
            "environment",
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
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
        "status": "ok",
        "userId": "ol-user",
        "service": "openlit-py",
        "environment": "test",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert messages(s["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]
    [http] = [x for x in spans if x["name"] == "POST"]
    assert (http["parentSpanId"], http["costUsd"]) == (s["spanId"], 0)


def test_a_streamed_call_has_exact_tokens_and_a_first_token_time(traced: Traced) -> None:
    [s] = llm_spans(traced(stream_to_end))
    assert (s["inputTokens"], s["outputTokens"], s["tokensEstimated"], s["costEstimated"], s["costSource"], s["finishReason"]) == (
        42,
        7,
        False,
        False,
        "table",
        "stop",
    )
    # OpenLIT's own first-token time, in seconds, becomes ttftMs. OpenLIT starts its clock only once
    # the response headers are in (the fake sends them before its 30 ms wait), so how much of the
    # wait it sees depends on the machine's load: compare with what it sent, not with a bound.
    a = s["attributes"]
    sent = a.get("gen_ai.server.time_to_first_token", a.get("gen_ai.response.time_to_first_chunk"))
    assert sent is not None and s["ttftMs"] is not None
    assert abs(s["ttftMs"] - float(sent) * 1000) < 0.01
    assert 0 < s["ttftMs"] <= s["durationMs"]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_tool_call_and_its_answer(traced: Traced) -> None:
    first, second = llm_spans(traced(tool_conversation))
    assert (first["finishReason"], second["finishReason"]) == ("tool_calls", "stop")
    assert messages(first["output"]) == [
        {"role": "assistant", "content": "", "toolCalls": [{"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}
    ]
    history = messages(second["input"])
    # 1.45.0 leaves the assistant's tool-call message out of the history it records.
    assert [m["role"] for m in history] == ["system", "user", "tool"]
    assert (history[2]["toolCallId"], history[2]["content"]) == ("call_1", '{"temp":21}')


def test_an_embedding(traced: Traced) -> None:
    [s] = llm_spans(traced(lambda c: c.embeddings.create(model="text-embedding-3-small", input=["hello", "world"])))
    assert (s["kind"], s["model"], s["provider"], s["inputTokens"], s["costSource"]) == ("embedding", "text-embedding-3-small", "openai", 8, "table")
    assert abs(s["costUsd"] - 8 * 0.02 / 1e6) < 1e-15
    assert [m["content"] for m in messages(s["input"])] == ["hello", "world"]


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Traced) -> None:
    [s] = llm_spans(traced(lambda c: c.chat.completions.create(model="rate-limited-model", messages=QUESTION)))
    assert s["status"] == "error"
    assert "429" in (s["statusMessage"] or "")
    assert (s["model"], s["requestModel"]) == ("rate-limited-model", "rate-limited-model")
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"], s["costSource"]) == (0, 0, 0, False, "none")


def test_its_log_records_are_taken(server: Spanlens, traced: Traced) -> None:
    # OpenLIT also sends each call as a gen_ai.client.inference.operation.details log record.
    traced(lambda c: c.chat.completions.create(model="gpt-4o-mini", messages=QUESTION))
    metrics = httpx.get(f"{server.http_url}/metrics").text
    stored = re.search(r"^spanlens_log_records_stored_total (\S+)$", metrics, re.M)
    assert stored and float(stored.group(1)) > 0, "log records reached /v1/logs and were kept"
