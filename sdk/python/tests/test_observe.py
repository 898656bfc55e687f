"""observe and context, read back from the real Spanlens."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import spanlens


def test_sync_async_generator_and_async_generator_functions_nest_and_keep_results(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("double", kind="tool")
    def double(n: int) -> int:
        return n * 2

    @spanlens.observe("retrieve", kind="retriever")
    async def fetch_docs(q: str) -> list[str]:
        await asyncio.sleep(0)
        return [f"doc about {q}"]

    @spanlens.observe("words")
    def words(text: str) -> Iterator[str]:
        yield from text.split(" ")

    @spanlens.observe("slow-words")
    async def slow_words(text: str) -> AsyncIterator[str]:
        for w in text.split(" "):
            await asyncio.sleep(0.001)
            yield w

    @spanlens.observe("pipeline", kind="agent")
    async def pipeline() -> dict[str, Any]:
        d = double(21)
        docs = await fetch_docs("cats")
        ws = list(words("a b c"))
        slow = [w async for w in slow_words("x y")]
        return {"d": d, "docs": docs, "ws": ws, "slow": slow, "trace": spanlens.current_trace_id()}

    result = asyncio.run(pipeline())
    trace_id = result.pop("trace")
    assert result == {"d": 42, "docs": ["doc about cats"], "ws": ["a", "b", "c"], "slow": ["x", "y"]}
    spans = read_trace(trace_id)["spans"]
    by = {s["name"]: s for s in spans}
    assert sorted(by) == ["double", "pipeline", "retrieve", "slow-words", "words"]
    for child in ("double", "retrieve", "words", "slow-words"):
        assert by[child]["parentSpanId"] == by["pipeline"]["spanId"], child
    assert [by[n]["kind"] for n in ("pipeline", "double", "retrieve", "words")] == ["agent", "tool", "retriever", "chain"]
    assert by["pipeline"]["input"] is None  # no arguments
    assert by["double"]["input"] == "21" and by["double"]["output"] == "42"
    assert by["retrieve"]["input"] == "cats" and by["retrieve"]["output"] == '["doc about cats"]'
    assert by["words"]["output"] == '["a","b","c"]'
    assert by["slow-words"]["output"] == '["x","y"]'
    assert all(s["status"] == "unset" for s in spans)


def test_generators_steps_run_inside_the_span_the_consumer_does_not(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("inner")
    def inner() -> None:
        return None

    @spanlens.observe("gen")
    def gen() -> Iterator[int]:
        inner()
        yield 1
        inner()
        yield 2

    with spanlens.observe("outer") as outer:
        for _ in gen():
            with spanlens.observe("consumer"):
                pass
    by_name: dict[str, list[dict[str, Any]]] = {}
    for s in read_trace(outer.trace_id)["spans"]:
        by_name.setdefault(s["name"], []).append(s)
    gen_id = by_name["gen"][0]["spanId"]
    assert [s["parentSpanId"] for s in by_name["inner"]] == [gen_id, gen_id]
    assert [s["parentSpanId"] for s in by_name["consumer"]] == [outer.span_id, outer.span_id]


def test_bare_decorator_method_and_several_arguments(sdk: Any, read_trace: Any) -> None:
    class Bot:
        @spanlens.observe
        def reply(self, question: str, *, tone: str = "dry") -> str:
            return f"{tone}: {question}"

    with spanlens.observe("outer") as outer:
        assert Bot().reply("hi", tone="warm") == "warm: hi"
    s = next(x for x in read_trace(outer.trace_id)["spans"] if x["name"] == "reply")
    assert s["input"] == '{"question":"hi","tone":"warm"}'
    assert s["output"] == "warm: hi"
    assert Bot.reply.__name__ == "reply"


def test_context_manager_form_with_input_output_and_attributes(sdk: Any, read_trace: Any) -> None:
    with spanlens.observe("outer", kind="agent") as outer:
        with spanlens.observe("rerank", kind="reranker") as step:
            step.set_input({"docs": 3})
            step.set_output(["b", "a"])
            step.set_attribute("app.score", 0.5)
    spans = read_trace(outer.trace_id)["spans"]
    s = spans[1]
    assert [s["name"], s["kind"], s["parentSpanId"], s["input"], s["output"]] == ["rerank", "reranker", spans[0]["spanId"], '{"docs":3}', '["b","a"]']
    assert s["attributes"]["app.score"] == "0.5"


def test_errors_are_recorded_and_re_raised_unchanged(sdk: Any, read_trace: Any) -> None:
    class MyError(Exception):
        pass

    boom_error = MyError("sync boom")

    @spanlens.observe("boom")
    def boom() -> None:
        raise boom_error

    @spanlens.observe("async-boom")
    async def async_boom() -> None:
        raise MyError("async boom")

    @spanlens.observe("gen-boom")
    def gen_boom() -> Iterator[int]:
        yield 1
        raise MyError("gen boom")

    @spanlens.observe("agen-boom")
    async def agen_boom() -> AsyncIterator[int]:
        yield 1
        raise MyError("agen boom")

    with spanlens.observe("outer") as outer:
        with pytest.raises(MyError) as caught:
            boom()
        assert caught.value is boom_error
        with pytest.raises(MyError, match="async boom"):
            asyncio.run(async_boom())
        with pytest.raises(MyError, match="gen boom"):
            list(gen_boom())

        async def drain() -> None:
            async for _ in agen_boom():
                pass

        with pytest.raises(MyError, match="agen boom"):
            asyncio.run(drain())
        with pytest.raises(KeyError):
            with spanlens.observe("cm-boom"):
                raise KeyError("k")
    spans = read_trace(outer.trace_id)["spans"]
    for name, msg in [("boom", "sync boom"), ("async-boom", "async boom"), ("gen-boom", "gen boom"), ("agen-boom", "agen boom"), ("cm-boom", "'k'")]:
        s = next(x for x in spans if x["name"] == name)
        assert s["status"] == "error", name
        assert s["statusMessage"] == msg
        assert s["attributes"]["error.type"] == ("KeyError" if name == "cm-boom" else "test_errors_are_recorded_and_re_raised_unchanged.<locals>.MyError")
    assert next(x for x in spans if x["name"] == "outer")["status"] == "unset"


def test_generator_closed_early_ends_its_span(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("numbers")
    def numbers() -> Iterator[int]:
        yield from range(100)

    with spanlens.observe("outer") as outer:
        it = numbers()
        assert [next(it), next(it)] == [0, 1]
        it.close()
    s = next(x for x in read_trace(outer.trace_id)["spans"] if x["name"] == "numbers")
    assert s["status"] == "unset" and s["output"] == "[0,1]"


def test_input_and_output_not_recorded_when_told_not_to(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("secret", capture_input=False, capture_output=False)
    def secret(password: str) -> dict[str, Any]:
        return {"length": len(password), "trace": spanlens.current_trace_id()}

    @spanlens.observe("shown")
    def shown(password: str) -> int:
        return len(password)

    out = secret("hunter2")
    s = read_trace(out["trace"])["spans"][0]
    assert s["name"] == "secret"
    assert s["input"] is None and s["output"] is None
    assert spanlens.config().capture_content is True
    with spanlens.observe("outer") as outer:
        shown("hunter2")
    assert next(x for x in read_trace(outer.trace_id)["spans"] if x["name"] == "shown")["input"] == "hunter2"


def test_context_applies_to_every_span_beneath_and_only_there(sdk: Any, read_trace: Any) -> None:
    ids: list[str] = []

    @spanlens.observe("step")
    def step() -> None:
        ids.append(spanlens.current_trace_id() or "")

    with spanlens.context(user_id="carol", tags=["vip"], metadata={"plan": "pro", "seats": 3}):
        with spanlens.context(session_id="s-1", tags=["beta"]):
            step()
        step()
    step()
    rows = []
    for trace_id in ids:
        s = read_trace(trace_id)["spans"][0]
        rows.append([s["userId"], s["sessionId"], s["tags"], s["attributes"].get("spanlens.metadata.plan"), s["attributes"].get("spanlens.metadata.seats")])
    assert rows == [
        ["carol", "s-1", ["vip", "beta"], "pro", "3"],
        ["carol", None, ["vip"], "pro", "3"],
        [None, None, [], None, None],
    ]


async def test_concurrent_tasks_keep_their_own_context(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("handle")
    async def handle() -> str:
        await asyncio.sleep(0.005)
        return spanlens.current_trace_id() or ""

    async def request(user: str) -> str:
        spanlens.set_context(user_id=user, session_id=f"s-{user}")  # a task's own context: others unaffected
        await asyncio.sleep(0.001)
        return await handle()

    users = ["alice", "bob", "dave"]
    ids = await asyncio.gather(*(asyncio.create_task(request(u)) for u in users))
    assert spanlens.current_context() is None
    for user, trace_id in zip(users, ids, strict=True):
        s = read_trace(trace_id)["spans"][0]
        assert [s["userId"], s["sessionId"]] == [user, f"s-{user}"]


def test_threads_keep_their_own_context(sdk: Any, read_trace: Any) -> None:
    ids: dict[str, str] = {}

    @spanlens.observe("work")
    def work(user: str) -> None:
        ids[user] = spanlens.current_trace_id() or ""

    def run(user: str) -> None:
        with spanlens.context(user_id=user):
            work(user)

    threads = [threading.Thread(target=run, args=(u,)) for u in ("t1", "t2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {u: read_trace(i)["spans"][0]["userId"] for u, i in ids.items()} == {"t1": "t1", "t2": "t2"}
