"""wrap_anthropic against the fake Anthropic server, read back from the real Spanlens."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest
import spanlens
from fake_llm import ANTHROPIC_TEXT

PARAMS: dict[str, Any] = {
    "model": "claude-3-5-sonnet",
    "max_tokens": 100,
    "system": "Answer in French.",
    "messages": [{"role": "user", "content": "Say hello"}],
}
TOOLS = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
EXPECTED_COST = (30 * 3 + 20 * 0.3 + 9 * 15) / 1e6
BONJOUR = '[{"role":"assistant","content":"Bonjour!"}]'


@pytest.fixture(scope="module")
def clients(sdk: Any, llm: Any) -> dict[str, Any]:
    return {
        "wrapped": spanlens.wrap_anthropic(anthropic.Anthropic(api_key="sk-ant-test", base_url=llm.url, max_retries=0)),
        "plain": anthropic.Anthropic(api_key="sk-ant-test", base_url=llm.url, max_retries=0),
        "awrapped": spanlens.wrap_anthropic(anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=llm.url, max_retries=0)),
        "aplain": anthropic.AsyncAnthropic(api_key="sk-ant-test", base_url=llm.url, max_retries=0),
    }


def llm_spans(trace: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in trace["spans"] if s["kind"] == "llm"]


def test_messages_create_every_field_and_recorded_once(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("step") as step:
        m = clients["wrapped"].messages.create(**PARAMS)
    assert isinstance(m, anthropic.types.Message)
    assert m.content[0].text == "".join(ANTHROPIC_TEXT)
    spans = read_trace(step.trace_id)["spans"]
    # The Anthropic SDK's own span for the call (anthropic.messages.create) is suppressed.
    assert [s["name"] for s in spans] == ["step", "chat claude-3-5-sonnet"]
    s = spans[1]
    got = {
        k: s[k]
        for k in (
            "kind",
            "model",
            "provider",
            "operation",
            "inputTokens",
            "outputTokens",
            "cachedTokens",
            "finishReason",
            "costSource",
            "parentSpanId",
            "status",
        )
    }
    assert got == {
        "kind": "llm",
        "model": "claude-3-5-sonnet-20241022",
        "provider": "anthropic",
        "operation": "chat",
        "inputTokens": 50,
        "outputTokens": 9,
        "cachedTokens": 20,
        "finishReason": "end_turn",
        "costSource": "table",
        "parentSpanId": spans[0]["spanId"],
        "status": "unset",
    }
    # claude-3.5-sonnet: $3/M input, $0.30/M cache read, $15/M output.
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12, s["costUsd"]
    assert s["input"] == '[{"role":"system","content":"Answer in French."},{"role":"user","content":"Say hello"}]'
    assert s["output"] == BONJOUR
    assert s["attributes"]["gen_ai.request.max_tokens"] == "100"
    assert s["attributes"]["gen_ai.response.id"] == "msg_1"


def test_the_plain_client_traces_itself_which_is_why_wrapped_calls_suppress_it(clients: dict[str, Any], memory: Any) -> None:
    clients["plain"].messages.create(**PARAMS)
    assert [s.name for s in memory.spans()] == ["anthropic.messages.create"]
    memory.exporter.clear()
    clients["wrapped"].messages.create(**PARAMS)
    assert [s.name for s in memory.spans()] == ["chat claude-3-5-sonnet"]


def test_raw_attributes_system_instructions_and_parts(clients: dict[str, Any], memory: Any) -> None:
    clients["wrapped"].messages.create(**{**PARAMS, "system": [{"type": "text", "text": "Answer in French."}], "stop_sequences": ["END"], "tools": TOOLS})
    a = memory.only("chat claude-3-5-sonnet").attributes
    assert json.loads(a["gen_ai.system_instructions"]) == [{"type": "text", "content": "Answer in French."}]
    assert json.loads(a["gen_ai.input.messages"]) == [{"role": "user", "parts": [{"type": "text", "content": "Say hello"}]}]
    assert json.loads(a["gen_ai.output.messages"]) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Checking."}, {"type": "tool_call", "id": "toolu_1", "name": "get_weather", "arguments": {"city": "Paris"}}],
            "finish_reason": "tool_use",
        }
    ]
    assert [a["gen_ai.provider.name"], tuple(a["gen_ai.request.stop_sequences"]), a["gen_ai.request.max_tokens"]] == ["anthropic", ("END",), 100]
    assert [a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"], a["gen_ai.usage.cache_read.input_tokens"]] == [50, 9, 20]


def test_create_stream_true_same_events_ttft_usage(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("step") as step:
        stream = clients["wrapped"].messages.create(**PARAMS, stream=True)
    plain = clients["plain"].messages.create(**PARAMS, stream=True)
    assert type(stream) is type(plain) and isinstance(stream, anthropic.Stream)
    got = [e.model_dump_json() for e in stream]
    want = [e.model_dump_json() for e in plain]
    assert got == want and len(got) == 8
    s = llm_spans(read_trace(step.trace_id))[0]
    assert s["output"] == BONJOUR
    assert [s["inputTokens"], s["outputTokens"], s["cachedTokens"], s["finishReason"]] == [50, 9, 20, "end_turn"]
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] < s["durationMs"], (s["ttftMs"], s["durationMs"])
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12


def test_messages_stream_helper_keeps_working_and_is_recorded(clients: dict[str, Any], read_trace: Any, memory: Any) -> None:
    with spanlens.observe("step") as step:
        with clients["wrapped"].messages.stream(**PARAMS) as stream:
            seen = list(stream.text_stream)
            final = stream.get_final_message()
    assert seen == ANTHROPIC_TEXT
    assert final.content[0].text == "Bonjour!"
    assert final.usage.output_tokens == 9
    assert sorted(s.name for s in memory.spans()) == ["chat claude-3-5-sonnet", "step"]
    spans = read_trace(step.trace_id)["spans"]
    assert [s["name"] for s in spans] == ["step", "chat claude-3-5-sonnet"]
    s = spans[1]
    assert s["output"] == BONJOUR
    assert [s["inputTokens"], s["outputTokens"], s["finishReason"]] == [50, 9, "end_turn"]
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] < s["durationMs"]


def test_tool_use_plain_and_streamed(clients: dict[str, Any], read_trace: Any) -> None:
    client = clients["wrapped"]
    with spanlens.observe("step") as step:
        m = client.messages.create(**PARAMS, tools=TOOLS)
        assert m.content[1].input == {"city": "Paris"}
        for _ in client.messages.create(**PARAMS, tools=TOOLS, stream=True):
            pass
    outs = [json.loads(s["output"]) for s in llm_spans(read_trace(step.trace_id))]
    assert outs == [
        [{"role": "assistant", "content": "Checking.", "toolCalls": [{"id": "toolu_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}],
        [{"role": "assistant", "content": "", "toolCalls": [{"id": "toolu_9", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}],
    ]


def test_tool_results_in_the_conversation_are_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    messages = [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"}]},
    ]
    with spanlens.observe("step") as step:
        clients["wrapped"].messages.create(**{**PARAMS, "messages": messages})
    s = llm_spans(read_trace(step.trace_id))[0]
    assert json.loads(s["input"])[1:] == [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": "", "toolCalls": [{"id": "toolu_1", "name": "get_weather", "arguments": '{"city":"Paris"}'}]},
        {"role": "user", "content": "18C", "toolCallId": "toolu_1"},
    ]


def test_errors_reach_the_app_unchanged_and_are_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("step") as step:
        with pytest.raises(anthropic.BadRequestError) as err:
            clients["wrapped"].messages.create(**{**PARAMS, "model": "error-model"})
    with pytest.raises(anthropic.BadRequestError) as plain_err:
        clients["plain"].messages.create(**{**PARAMS, "model": "error-model"})
    assert type(err.value) is type(plain_err.value) and str(err.value) == str(plain_err.value)
    spans = read_trace(step.trace_id)["spans"]
    assert [x["name"] for x in spans] == ["step", "chat error-model"]
    s = spans[1]
    assert s["status"] == "error"
    assert "not a model" in s["statusMessage"]
    assert s["attributes"]["error.type"] == "400"


def test_stream_helper_error_is_raised_unchanged_and_recorded(clients: dict[str, Any], read_trace: Any) -> None:
    with spanlens.observe("step") as step:
        with pytest.raises(anthropic.BadRequestError):
            with clients["wrapped"].messages.stream(**{**PARAMS, "model": "error-model"}) as stream:
                stream.until_done()
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["name"] == "chat error-model")
    assert s["status"] == "error" and s["attributes"]["error.type"] == "400"


# --- async -----------------------------------------------------------------------------------------


async def test_async_create(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("step") as step:
        m = await clients["awrapped"].messages.create(**PARAMS)
    assert m.content[0].text == "Bonjour!"
    spans = read_trace(step.trace_id)["spans"]
    assert [s["name"] for s in spans] == ["step", "chat claude-3-5-sonnet"]
    s = spans[1]
    assert [s["inputTokens"], s["outputTokens"], s["cachedTokens"], s["output"]] == [50, 9, 20, BONJOUR]
    assert abs(s["costUsd"] - EXPECTED_COST) < 1e-12


async def test_async_create_stream_true(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("step") as step:
        stream = await clients["awrapped"].messages.create(**PARAMS, stream=True)
        got = [e.model_dump_json() async for e in stream]
    plain = await clients["aplain"].messages.create(**PARAMS, stream=True)
    assert type(stream) is type(plain) and isinstance(stream, anthropic.AsyncStream)
    want = [e.model_dump_json() async for e in plain]
    assert got == want
    spans = llm_spans(read_trace(step.trace_id))
    assert len(spans) == 1
    s = spans[0]
    assert [s["output"], s["inputTokens"], s["outputTokens"], s["finishReason"]] == [BONJOUR, 50, 9, "end_turn"]
    assert s["ttftMs"] is not None and 0 < s["ttftMs"] < s["durationMs"]


async def test_async_stream_helper_and_tool_use(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("step") as step:
        async with clients["awrapped"].messages.stream(**PARAMS, tools=TOOLS) as stream:
            events = [e.type async for e in stream]
            final = await stream.get_final_message()
    assert "input_json" in events and final.content[0].input == {"city": "Paris"}
    spans = read_trace(step.trace_id)["spans"]
    assert [s["name"] for s in spans] == ["step", "chat claude-3-5-sonnet"]
    assert json.loads(spans[1]["output"]) == [
        {"role": "assistant", "content": "", "toolCalls": [{"id": "toolu_9", "name": "get_weather", "arguments": '{"city":"Paris"}'}]}
    ]
    assert spans[1]["finishReason"] == "tool_use"


async def test_async_error(clients: dict[str, Any], read_trace: Any) -> None:
    async with spanlens.observe("step") as step:
        with pytest.raises(anthropic.BadRequestError):
            await clients["awrapped"].messages.create(**{**PARAMS, "model": "error-model"})
    s = next(x for x in read_trace(step.trace_id)["spans"] if x["name"] == "chat error-model")
    assert s["status"] == "error" and "not a model" in s["statusMessage"]
