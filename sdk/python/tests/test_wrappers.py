"""What the wrappers must never change, checked with duck-typed clients and edge cases."""

from __future__ import annotations

import gc
import json
from types import SimpleNamespace
from typing import Any

import openai
import pytest
import spanlens
from spanlens import _sdk


class Boom(Exception):
    status_code = 429


def duck_client(result: Any = None, error: BaseException | None = None) -> Any:
    def create(**kwargs: Any) -> Any:
        if error is not None:
            raise error
        return result

    return SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)), base_url="https://llm.example:8443/v1")


def test_returns_exactly_what_the_client_returns_even_odd_shapes(memory: Any) -> None:
    sentinel = object()
    client = spanlens.wrap_openai(duck_client(result=sentinel))
    assert client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}]) is sentinel
    assert client.chat.completions.create(model="m", messages=[], stream=True) is sentinel
    spans = memory.named("chat m")
    assert len(spans) == 2
    assert spans[0].attributes["server.address"] == "llm.example" and spans[0].attributes["server.port"] == 8443
    assert "gen_ai.output.messages" not in spans[0].attributes


def test_raises_exactly_what_the_client_raises(memory: Any) -> None:
    err = Boom("slow down")
    client = spanlens.wrap_openai(duck_client(error=err))
    with pytest.raises(Boom) as caught:
        client.chat.completions.create(model="m", messages=[])
    assert caught.value is err
    span = memory.only("chat m")
    assert span.status.status_code.name == "ERROR" and span.status.description == "slow down"
    assert span.attributes["error.type"] == "429"
    assert span.events[0].name == "exception" and span.events[0].attributes["exception.type"].endswith("Boom")


def test_a_client_without_the_expected_resources_is_left_as_it_is() -> None:
    odd = SimpleNamespace(chat=None)
    assert spanlens.wrap_openai(odd) is odd
    assert spanlens.wrap_anthropic(odd) is odd
    assert spanlens.wrap_openai(42) == 42


def test_messages_given_as_a_generator_are_not_consumed(sdk: Any, llm: Any, memory: Any) -> None:
    client = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{llm.url}/v1", max_retries=0))

    def messages() -> Any:
        yield {"role": "user", "content": "from a generator"}

    r = client.chat.completions.create(model="gpt-4o-mini", messages=messages())
    assert r.choices[0].message.content == "Paris."
    assert llm.requests[-1]["body"]["messages"] == [{"role": "user", "content": "from a generator"}]
    assert "gen_ai.input.messages" not in memory.only("chat gpt-4o-mini").attributes


def test_raw_responses_pass_through_and_the_call_is_recorded(sdk: Any, llm: Any, memory: Any) -> None:
    client = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{llm.url}/v1", max_retries=0))
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert raw.parse().choices[0].message.content == "Paris."
    assert raw.headers["content-type"] == "application/json"
    assert memory.only("chat gpt-4o-mini").status.status_code.name == "UNSET"


def test_a_stream_dropped_unread_still_records_its_call(sdk: Any, llm: Any, memory: Any) -> None:
    client = spanlens.wrap_openai(openai.OpenAI(api_key="sk", base_url=f"{llm.url}/v1", max_retries=0))
    stream = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True)
    del stream
    gc.collect()
    span = memory.only("chat gpt-4o-mini")
    assert span.status.status_code.name == "UNSET"
    assert "gen_ai.output.messages" not in span.attributes


def test_init_twice_changes_nothing(sdk: Any) -> None:
    before = (_sdk._state.provider, spanlens.config())
    spanlens.init(endpoint="http://127.0.0.1:1", api_key="other", service_name="other")
    assert (_sdk._state.provider, spanlens.config()) == before
    assert spanlens.config().endpoint == sdk.http_url


def test_the_processor_drops_spans_started_where_instrumentation_is_suppressed() -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from spanlens._suppress import suppressed

    exporter = InMemorySpanExporter()
    processor = spanlens.SpanlensSpanProcessor(exporter)
    provider = TracerProvider()  # the app's own sampler: it records everything
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("t")
    with suppressed():
        inside = tracer.start_span("client-library-span")
    assert inside.is_recording()
    inside.end()
    tracer.start_span("app-span").end()
    processor.force_flush()
    assert [s.name for s in exporter.get_finished_spans()] == ["app-span"]
    provider.shutdown()


def test_content_is_capped_at_max_content_length(memory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    monkeypatch.setattr(_sdk._state, "config", dataclasses.replace(_sdk._state.config, max_content_length=10))

    @spanlens.observe("long")
    def long(text: str) -> str:
        return text

    long("x" * 25)
    assert memory.only("long").attributes["input.value"] == "x" * 10 + "…[truncated 15 chars]"


def test_observe_records_pydantic_and_dataclass_values_as_json(memory: Any) -> None:
    import dataclasses

    @dataclasses.dataclass
    class Doc:
        id: int
        tags: set[str]

    @spanlens.observe("docs")
    def docs(query: str, limit: int) -> list[Any]:
        return [Doc(1, {"a"}), openai.types.CreateEmbeddingResponse(data=[], model="m", object="list", usage={"prompt_tokens": 1, "total_tokens": 1})]

    docs("q", limit=2)
    a = memory.only("docs").attributes
    assert json.loads(a["input.value"]) == {"query": "q", "limit": 2}
    assert json.loads(a["output.value"]) == [
        {"id": 1, "tags": ["a"]},
        {"data": [], "model": "m", "object": "list", "usage": {"prompt_tokens": 1, "total_tokens": 1}},
    ]
