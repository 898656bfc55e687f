"""wrap_openai against the fake OpenAI server, read back from the real Spanlens."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
import spanlens
from fake_llm import OPENAI_TEXT

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Capital of France?"},
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
EXPECTED_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6


@pytest.fixture(scope="module")
def clients(sdk: Any, llm: Any) -> dict[str, Any]:
    base = f"{llm.url}/v1"
    return {
        "wrapped": spanlens.wrap_openai(openai.OpenAI(api_key="sk-test", base_url=base, max_retries=0)),
        "plain": openai.OpenAI(api_key="sk-test", base_url=base, max_retries=0),
        "awrapped": spanlens.wrap_openai(openai.AsyncOpenAI(api_key="sk-test", base_url=base, max_retries=0)),
        "aplain": openai.AsyncOpenAI(api_key="sk-test", base_url=base, max_retries=0),
    }


def llm_spans(trace: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in trace["spans"] if s["kind"] == "llm"]


def test_chat_completion_every_field_nested_with_user_and_session(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["wrapped"]

    @spanlens.observe("answer")
    def answer(question: str) -> str:
        r = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=50)
        assert isinstance(r, openai.types.chat.ChatCompletion)
        return r.choices[0].message.content

    with spanlens.context(user_id="user-1", session_id="sess-1", tags=["sdk"]):
        with spanlens.observe("request") as req:
            text = answer("Capital of France?")
    assert text == "Paris."
    spans = read_trace(req.trace_id)["spans"]
    assert [s["name"] for s in spans] == ["request", "answer", "chat gpt-4o-mini"]
    _, root, s = spans
    assert root["kind"] == "chain"
    assert root["input"] == "Capital of France?"
    assert root["output"] == "Paris."
    assert s["parentSpanId"] == root["spanId"]
    got = {
        k: s[k]
        for k in (
            "kind",
            "model",
            "provider",
            "operation",
            "inputTokens",
            "outputTokens",
            "totalTokens",
            "cachedTokens",
            "reasoningTokens",
            "costSource",
            "costEstimated",
            "finishReason",
            "status",
            "userId",
            "sessionId",
            "tags",
            "service",
            "environment",
            "release",
            "ttftMs",
        )
    }
    assert got == {
        "kind": "llm",
        "model": "gpt-4o-mini-2024-07-18",
        "provider": "openai",
        "operation": "chat",
        "inputTokens": 42,
        "outputTokens": 7,
        "totalTokens": 49,
        "cachedTokens": 10,
        "reasoningTokens": 2,
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
        "status": "unset",
        "userId": "user-1",
        "sessionId": "sess-1",
        "tags": ["sdk"],
        "service": "sdk-test",
        "environment": "test",
        "release": "9.9.9",
        "ttftMs": None,
    }
    # gpt-4o-mini: 32 uncached input at $0.15/M, 10 cached at $0.075/M, 7 output at $0.60/M.
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12, s["costUsd"]
    assert s["input"] == json.dumps([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}], separators=(",", ":"))
    assert s["output"] == '[{"role":"assistant","content":"Paris."}]'
    attrs = s["attributes"]
    assert attrs["gen_ai.request.temperature"] == "0.2"
    assert attrs["gen_ai.request.max_tokens"] == "50"
    assert attrs["gen_ai.response.id"] == "chatcmpl-1"
    assert attrs["server.address"] == "127.0.0.1"


def test_raw_genai_attributes_in_the_parts_form(clients: dict[str, Any], memory: Any) -> None:
    client = clients["wrapped"]
    history = [
        *MESSAGES,
        {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    client.chat.completions.create(model="gpt-4o-mini", messages=history, tools=TOOLS, top_p=0.9, stop="END", seed=7)
    span = memory.only("chat gpt-4o-mini")
    a = span.attributes
    assert span.kind.name == "CLIENT"
    assert json.loads(a["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "You are terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Capital of France?"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": "{}"}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "sunny"}]},
    ]
    assert json.loads(a["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}],
            "finish_reason": "tool_calls",
        }
    ]
    assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini" and a["gen_ai.response.model"] == "gpt-4o-mini-2024-07-18"
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("tool_calls",)
    assert [a["gen_ai.request.top_p"], tuple(a["gen_ai.request.stop_sequences"]), a["gen_ai.request.seed"]] == [0.9, ("END",), 7]
    assert [
        a["gen_ai.usage.input_tokens"],
        a["gen_ai.usage.output_tokens"],
        a["gen_ai.usage.cache_read.input_tokens"],
        a["gen_ai.usage.reasoning.output_tokens"],
    ] == [42, 7, 10, 2]
    assert "gen_ai.request.temperature" not in a


def test_streaming_same_chunks_same_object_ttft_and_usage(clients: dict[str, Any], read_trace: Any) -> None:
    params: dict[str, Any] = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    with spanlens.observe("stream") as step:
        wrapped = clients["wrapped"].chat.completions.create(**params)
    plain = clients["plain"].chat.completions.create(**params)
    assert type(wrapped) is type(plain)
    assert isinstance(wrapped, openai.Stream)
    assert callable(wrapped.close) and wrapped.response is not None
    got = [c.model_dump_json() for c in wrapped]
    want = [c.model_dump_json() for c in plain]
    assert got == want and len(got) == 6

    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["output"] == json.dumps([{"role": "assistant", "content": "".join(OPENAI_TEXT)}], separators=(",", ":"))
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] < s["durationMs"], (s["ttftMs"], s["durationMs"])
    assert [s["inputTokens"], s["outputTokens"], s["cachedTokens"], s["finishReason"], s["tokensEstimated"]] == [42, 7, 10, "stop", False]
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12


def test_streaming_with_next_and_context_manager(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("stream-next") as step:
        with clients["wrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True) as stream:
            first = next(stream)
            rest = list(stream)
    assert first.choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in rest if c.choices) == "Paris."
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["output"] == '[{"role":"assistant","content":"Paris."}]'


def test_streaming_without_usage_is_estimated_by_the_collector(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("stream-no-usage") as step:
        for _ in clients["wrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True):
            pass
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["inputTokens"] > 0 and s["outputTokens"] > 0
    assert s["tokensEstimated"] is True
    assert s["costEstimated"] is True


def test_stream_closed_early_is_still_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("early-close") as step:
        stream = clients["wrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                break
        stream.close()
    spans = llm_spans(read_trace(step.trace_id))
    assert len(spans) == 1
    assert spans[0]["status"] == "unset"
    assert spans[0]["output"] == '[{"role":"assistant","content":"Par"}]'


def test_tool_calls_plain_and_streamed(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["wrapped"]
    with spanlens.observe("tools") as step:
        r = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS)
        assert r.choices[0].message.tool_calls[0].id == "call_1"
        for _ in client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS, stream=True):
            pass
    spans = llm_spans(read_trace(step.trace_id))
    assert [json.loads(s["output"]) for s in spans] == [
        [{"role": "assistant", "content": "", "toolCalls": [{"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}],
        [{"role": "assistant", "content": "", "toolCalls": [{"id": "call_9", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}],
    ]
    assert [s["finishReason"] for s in spans] == ["tool_calls", "tool_calls"]
    assert spans[1]["ttftMs"] is not None and spans[1]["ttftMs"] > 0


def test_tool_results_in_the_conversation_are_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["wrapped"]
    with spanlens.observe("tool-loop") as step:
        first = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS)
        call = first.choices[0].message.tool_calls[0]
        history = [*MESSAGES, first.choices[0].message, {"role": "tool", "tool_call_id": call.id, "content": "18C and sunny"}]
        client.chat.completions.create(model="gpt-4o-mini", messages=history)
    second = llm_spans(read_trace(step.trace_id))[1]
    assert json.loads(second["input"])[2:] == [
        {"role": "assistant", "content": "", "toolCalls": [{"id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]},
        {"role": "tool", "content": "18C and sunny", "toolCallId": "call_1"},
    ]


def test_api_error_reaches_the_app_unchanged_and_is_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("fails") as step:
        with pytest.raises(openai.BadRequestError) as wrapped_err:
            clients["wrapped"].chat.completions.create(model="error-model", messages=MESSAGES)
    with pytest.raises(openai.BadRequestError) as plain_err:
        clients["plain"].chat.completions.create(model="error-model", messages=MESSAGES)
    assert type(wrapped_err.value) is type(plain_err.value)
    assert str(wrapped_err.value) == str(plain_err.value)
    assert wrapped_err.value.status_code == 400
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["name"] == "chat error-model")
    assert s["status"] == "error"
    assert "does not exist" in s["statusMessage"]
    assert s["attributes"]["error.type"] == "400"
    assert s["attributes"]["http.response.status_code"] == "400"


def test_embeddings(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("embed") as step:
        r = clients["wrapped"].embeddings.create(model="text-embedding-3-small", input=["hello", "world"])
    assert len(r.data) == 2
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["kind"] == "embedding")
    assert [s["name"], s["model"], s["provider"], s["operation"], s["inputTokens"], s["input"]] == [
        "embeddings text-embedding-3-small",
        "text-embedding-3-small",
        "openai",
        "embeddings",
        8,
        '["hello","world"]',
    ]
    assert s["costUsd"] > 0


def test_changing_the_messages_list_after_the_call_does_not_change_the_record(clients: dict[str, Any], read_trace: Any) -> None:
    history: list[dict[str, Any]] = [{"role": "user", "content": "first question"}]
    with spanlens.observe("history") as step:
        stream = clients["wrapped"].chat.completions.create(model="gpt-4o-mini", messages=history, stream=True)
        history.append({"role": "assistant", "content": "changed before the stream was read"})
        history[0]["content"] = "edited"
        for _ in stream:
            pass
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["input"] == '[{"role":"user","content":"first question"}]'


def test_wrapping_twice_records_once_and_returns_the_same_client(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["wrapped"]
    assert spanlens.wrap_openai(client) is client
    with spanlens.observe("once") as step:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert len(llm_spans(read_trace(step.trace_id))) == 1


def test_content_capture_off_records_no_prompts(clients: dict[str, Any], read_trace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from spanlens import _sdk

    monkeypatch.setattr(_sdk._state, "config", dataclasses.replace(_sdk._state.config, capture_content=False))
    with spanlens.observe("private") as step:
        clients["wrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["input"] is None and s["output"] is None
    assert "gen_ai.input.messages" not in s["attributes"]
    assert s["inputTokens"] == 42


# --- async -----------------------------------------------------------------------------------------


async def test_async_chat_completion(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("async-answer") as step:
        r = await clients["awrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert r.choices[0].message.content == "Paris."
    s = llm_spans(read_trace(step.trace_id))[0]
    assert [s["model"], s["inputTokens"], s["outputTokens"], s["cachedTokens"], s["finishReason"], s["parentSpanId"]] == [
        "gpt-4o-mini-2024-07-18",
        42,
        7,
        10,
        "stop",
        step.span_id,
    ]
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12


async def test_async_streaming_same_chunks_ttft_usage(clients: dict[str, Any], read_trace: Any) -> None:
    params: dict[str, Any] = {"model": "gpt-4o-mini", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    async with spanlens.observe("async-stream") as step:
        wrapped = await clients["awrapped"].chat.completions.create(**params)
    plain = await clients["aplain"].chat.completions.create(**params)
    assert type(wrapped) is type(plain) and isinstance(wrapped, openai.AsyncStream)
    got = [c.model_dump_json() async for c in wrapped]
    want = [c.model_dump_json() async for c in plain]
    assert got == want and len(got) == 6
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["output"] == '[{"role":"assistant","content":"Paris."}]'
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] < s["durationMs"], (s["ttftMs"], s["durationMs"])
    assert [s["inputTokens"], s["outputTokens"], s["finishReason"], s["tokensEstimated"]] == [42, 7, "stop", False]


async def test_async_streamed_tool_call(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("async-tools") as step:
        stream = await clients["awrapped"].chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, tools=TOOLS, stream=True)
        async for _ in stream:
            pass
    s = llm_spans(read_trace(step.trace_id))[0]
    assert json.loads(s["output"]) == [
        {"role": "assistant", "content": "", "toolCalls": [{"id": "call_9", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}
    ]
    assert s["finishReason"] == "tool_calls"


async def test_async_error_reaches_the_app_unchanged(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("async-fails") as step:
        with pytest.raises(openai.BadRequestError) as err:
            await clients["awrapped"].chat.completions.create(model="error-model", messages=MESSAGES)
    with pytest.raises(openai.BadRequestError) as plain_err:
        await clients["aplain"].chat.completions.create(model="error-model", messages=MESSAGES)
    assert str(err.value) == str(plain_err.value)
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["name"] == "chat error-model")
    assert s["status"] == "error" and s["attributes"]["error.type"] == "400"


async def test_async_embeddings(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("async-embed") as step:
        r = await clients["awrapped"].embeddings.create(model="text-embedding-3-small", input="hello")
    assert len(r.data) == 1
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["kind"] == "embedding")
    assert [s["inputTokens"], s["input"]] == [8, "hello"]


async def test_concurrent_tasks_each_keep_their_own_user(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["awrapped"]

    async def request(user: str) -> str:
        async with spanlens.context(user_id=user, session_id=f"s-{user}"):
            async with spanlens.observe(f"req-{user}") as step:
                await asyncio.sleep(0.005)
                await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
                return step.trace_id

    users = ["ann", "ben", "cat"]
    ids = await asyncio.gather(*(request(u) for u in users))
    assert len(set(ids)) == 3
    for user, trace_id in zip(users, ids, strict=True):
        s = llm_spans(read_trace(trace_id))[0]
        assert [s["userId"], s["sessionId"]] == [user, f"s-{user}"]
