"""openinference-instrumentation-langchain (pinned in requirements.txt) tracing langchain-openai,
which drives the real openai client against the fake provider; the official OTLP/HTTP exporter
sends to the real Spanlens, read back through the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest_shared import CHAT_COST, FakeLlm, Spanlens, Traced, make_traced, otlp_tracer_provider
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI, OpenAIEmbeddings
from openinference.instrumentation import using_attributes
from openinference.instrumentation.langchain import LangChainInstrumentor
from opentelemetry.sdk.trace import TracerProvider

QUESTION = [SystemMessage("You are terse."), HumanMessage("Capital of France?")]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


@dataclass
class Models:
    """What the traced calls get in place of an openai client: langchain-openai models on the fake."""

    base_url: str

    def chat(self, model: str = "gpt-4o-mini", **kw: Any) -> ChatOpenAI:
        return ChatOpenAI(model=model, api_key="sk-test", base_url=self.base_url, max_retries=0, **kw)

    def embeddings(self) -> OpenAIEmbeddings:
        # Without check_embedding_ctx_length=False langchain sends tiktoken token ids, not the texts.
        return OpenAIEmbeddings(model="text-embedding-3-small", api_key="sk-test", base_url=self.base_url, max_retries=0, check_embedding_ctx_length=False)


@pytest.fixture(scope="module")
def setup(server: Spanlens, llm: FakeLlm) -> Iterator[tuple[TracerProvider, Models]]:
    provider = otlp_tracer_provider(server, "oi-langchain-py")
    LangChainInstrumentor().instrument(tracer_provider=provider)
    try:
        yield provider, Models(f"{llm.url}/v1")
    finally:
        LangChainInstrumentor().uninstrument()
        provider.shutdown()


@pytest.fixture
def traced(setup: tuple[TracerProvider, Models], server: Spanlens) -> Traced:
    provider, models = setup
    return make_traced(server, provider, models, around=lambda: using_attributes(user_id="lc-user", session_id="lc-session"))  # type: ignore[arg-type]


def messages(text: str | None) -> list[dict[str, Any]]:
    return json.loads(text) if text else []


def test_chat_with_a_system_prompt(traced: Traced) -> None:
    # A bare model.invoke() is one LLM span: LangChain makes no chain run around it.
    [s] = traced(lambda m: m.chat().invoke(QUESTION))
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
            "tokensEstimated",
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
        "requestModel": "gpt-4o-mini",
        "provider": "openai",
        "inputTokens": 42,
        "outputTokens": 7,
        "cachedTokens": 10,
        "reasoningTokens": 2,
        "tokensEstimated": False,
        "costSource": "table",
        "costEstimated": False,
        "finishReason": "stop",
        "userId": "lc-user",
        "sessionId": "lc-session",
        "status": "ok",
    }
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    assert messages(s["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_chain_nests_its_runs_and_only_the_llm_is_priced(traced: Traced) -> None:
    prompt = ChatPromptTemplate.from_messages([("system", "You are terse."), ("user", "Capital of {country}?")])
    rest = traced(lambda m: (prompt | m.chat() | StrOutputParser()).invoke({"country": "France"}))
    by_name = {s["name"]: s for s in rest}
    assert sorted(by_name) == sorted(["RunnableSequence", "ChatPromptTemplate", "ChatOpenAI", "StrOutputParser"]), [s["name"] for s in rest]
    seq = by_name["RunnableSequence"]
    assert rest[0] is seq, "the chain is the first span under the app's span"
    for name in ("ChatPromptTemplate", "ChatOpenAI", "StrOutputParser"):
        assert by_name[name]["parentSpanId"] == seq["spanId"], f"{name} nests under the chain"
    for name in ("RunnableSequence", "ChatPromptTemplate", "StrOutputParser"):
        c = by_name[name]
        assert (c["kind"], c["inputTokens"], c["outputTokens"], c["costUsd"]) == ("chain", 0, 0, 0), name
    chat = by_name["ChatOpenAI"]
    assert (chat["kind"], chat["model"], chat["inputTokens"], chat["outputTokens"]) == ("llm", "gpt-4o-mini-2024-07-18", 42, 7)
    assert abs(chat["costUsd"] - CHAT_COST) < 1e-12
    assert messages(chat["input"]) == [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Capital of France?"}]
    # The chain's result is the parser's string.
    assert "Paris." in (seq["output"] or "")
    # The trace costs what the one LLM call costs: the chain spans add nothing.
    assert abs(sum(s["costUsd"] for s in rest) - CHAT_COST) < 1e-12


def test_a_streamed_call_with_usage_has_exact_tokens(traced: Traced) -> None:
    def stream(m: Models) -> None:
        for _ in m.chat(stream_usage=True).stream(QUESTION):
            pass

    [s] = traced(stream)
    assert (
        s["inputTokens"],
        s["outputTokens"],
        s["cachedTokens"],
        s["tokensEstimated"],
        s["costEstimated"],
        s["costSource"],
        s["finishReason"],
        s["status"],
    ) == (42, 7, 10, False, False, "table", "stop", "ok")
    assert abs(s["costUsd"] - CHAT_COST) < 1e-12
    # For a stream, llm.model_name is the requested model, not the response's snapshot.
    assert s["model"] == "gpt-4o-mini"
    # No first-token event or attribute is sent (LangChain's new_token run events are not exported).
    assert s["ttftMs"] is None
    assert s["durationMs"] >= 25  # the fake waits 30 ms before the first chunk
    assert messages(s["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_a_tool_call_and_its_answer(traced: Traced) -> None:
    def conversation(m: Models) -> None:
        first = m.chat().bind_tools(TOOLS).invoke(QUESTION)
        # The answer after the tool's result, asked without tools, so the fake answers in text.
        m.chat().invoke([*QUESTION, first, ToolMessage('{"temp":21}', tool_call_id=first.tool_calls[0]["id"])])

    first, second = traced(conversation)
    assert (first["finishReason"], second["finishReason"]) == ("tool_calls", "stop")
    [answer] = messages(first["output"])
    [call] = answer["toolCalls"]
    # LangChain parses the arguments and the library serialises them again, with a space.
    assert (call["id"], call["name"], json.loads(call["arguments"])) == ("call_1", "get_weather", {"city": "Paris"})
    history = messages(second["input"])
    assert [m["role"] for m in history] == ["system", "user", "assistant", "tool"]
    assert history[2]["toolCalls"][0]["name"] == "get_weather"
    assert (history[3]["toolCallId"], history[3]["content"]) == ("call_1", '{"temp":21}')
    assert messages(second["output"]) == [{"role": "assistant", "content": "Paris."}]


def test_an_embedding_sends_no_span(traced: Traced, llm: FakeLlm) -> None:
    before = len(llm.requests)
    # LangChain has no callbacks for embeddings, so the library makes no span for them.
    assert traced(lambda m: m.embeddings().embed_documents(["hello", "world"])) == []
    # The call itself did happen, with the texts.
    [req] = llm.requests[before:]
    assert (req["path"], req["body"]["input"]) == ("/v1/embeddings", ["hello", "world"])


def test_a_call_refused_with_429_is_an_error_with_its_model_and_costs_nothing(traced: Traced) -> None:
    [s] = traced(lambda m: m.chat("rate-limited-model").invoke(QUESTION))
    assert s["status"] == "error"
    assert "Rate limit" in (s["statusMessage"] or "")
    assert (s["model"], s["requestModel"]) == ("rate-limited-model", "rate-limited-model")
    assert (s["inputTokens"], s["outputTokens"], s["costUsd"], s["tokensEstimated"], s["costSource"]) == (0, 0, 0, False, "none")
    assert [m["role"] for m in messages(s["input"])] == ["system", "user"]
