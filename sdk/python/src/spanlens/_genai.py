"""What the OpenAI and Anthropic wrappers share: one LLM call being recorded, and stream observation."""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import math
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, TypedDict
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode

from ._content import content_text
from ._context import _current, current_context
from ._pending import defer
from ._sdk import config, tracer
from ._suppress import suppressed

log = logging.getLogger("spanlens")

AttributeValue = str | bool | int | float | list[str] | list[int] | list[float] | list[bool]


class Usage(TypedDict, total=False):
    input: int
    output: int
    cache_read: int
    cache_creation: int
    reasoning: int


def get(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` for a mapping (what an app passes), ``obj.key`` for an object (what a client returns)."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def num(v: Any) -> int | float | None:
    """A real number, or None (also for the clients' NOT_GIVEN / omit sentinels)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return v


def text(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def str_list(v: Any) -> list[str] | None:
    if isinstance(v, str):
        return [v]
    if isinstance(v, (list, tuple)):
        out = [x for x in v if isinstance(x, str)]
        return out or None
    return None


def clean(attrs: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Only values OpenTelemetry takes: drops None, sentinels, non-finite numbers and empty lists."""
    out: dict[str, AttributeValue] = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, (bool, str)):
            out[k] = v
        elif isinstance(v, (int, float)):
            if math.isfinite(v):
                out[k] = v
        elif isinstance(v, (list, tuple)):
            items = [x for x in v if isinstance(x, str)]
            if items:
                out[k] = items
    return out


def server_attributes(base_url: Any) -> dict[str, AttributeValue]:
    try:
        u = urlsplit(str(base_url))
        if not u.hostname:
            return {}
        port = u.port or (443 if u.scheme == "https" else 80)
        return {"server.address": u.hostname, "server.port": port}
    except Exception:
        return {}


class LlmCall:
    """One LLM call being recorded. On the call path it only takes timestamps and keeps
    references; the span is built once, when the call (or its stream) ends."""

    __slots__ = ("__weakref__", "app_context", "contents", "done", "name", "parent", "start_attributes", "start_ns", "ttft_ms")

    def __init__(self, name: str, start_attributes: Mapping[str, Any]) -> None:
        self.name = name
        self.start_attributes = start_attributes
        self.parent = otel_context.get_current()
        self.app_context = current_context()
        self.start_ns = time.time_ns()
        self.ttft_ms: float | None = None
        self.contents: dict[str, Any] = {}
        self.done = False

    @contextlib.contextmanager
    def suppressed(self, on: bool = True) -> Iterator[None]:
        """Runs the client call with instrumentation suppressed, for clients that trace themselves."""
        if not on:
            yield
            return
        with suppressed():
            yield

    def first_token(self) -> None:
        if self.ttft_ms is None:
            self.ttft_ms = (time.time_ns() - self.start_ns) / 1e6

    def set_content(self, key: str, value: Callable[[], Any]) -> None:
        """``value`` is computed now, only when content capture is on; a failure records nothing."""
        try:
            if config().capture_content:
                self.contents[key] = value()
        except Exception:
            log.debug("spanlens: could not record %s", key, exc_info=True)

    def succeed(self, attributes: Mapping[str, Any], usage: Usage) -> None:
        self._build(attributes, usage, None)

    def fail(self, error: BaseException) -> None:
        self._build({}, {}, error)

    def _build(self, attributes: Mapping[str, Any], usage: Usage, error: BaseException | None) -> None:
        if self.done:
            return
        self.done = True
        end_ns = time.time_ns()
        defer(lambda: self._make_span(attributes, usage, error, end_ns), config().span_build_delay_ms)

    def _make_span(self, attributes: Mapping[str, Any], usage: Usage, error: BaseException | None, end_ns: int) -> None:
        try:
            token = _current.set(self.app_context)  # the processor stamps the context of the call, not of here
            try:
                span = tracer().start_span(
                    self.name,
                    context=self.parent,
                    kind=SpanKind.CLIENT,
                    attributes=clean(self.start_attributes),
                    start_time=self.start_ns,
                )
                max_len = config().max_content_length
                for key, value in self.contents.items():
                    span.set_attribute(key, content_text(value, max_len))
                if error is not None:
                    status = getattr(error, "status_code", None)
                    if not isinstance(status, int) or isinstance(status, bool):
                        status = None
                    span.record_exception(error, timestamp=end_ns, escaped=True)
                    span.set_status(Status(StatusCode.ERROR, str(error) or type(error).__name__))
                    span.set_attribute("error.type", str(status) if status else type(error).__qualname__)
                    if status:
                        span.set_attribute("http.response.status_code", status)
                else:
                    span.set_attributes(clean(attributes))
                    span.set_attributes(
                        clean(
                            {
                                "gen_ai.usage.input_tokens": num(usage.get("input")),
                                "gen_ai.usage.output_tokens": num(usage.get("output")),
                                "gen_ai.usage.cache_read.input_tokens": num(usage.get("cache_read")) or None,
                                "gen_ai.usage.cache_creation.input_tokens": num(usage.get("cache_creation")) or None,
                                "gen_ai.usage.reasoning.output_tokens": num(usage.get("reasoning")) or None,
                            }
                        )
                    )
                if self.ttft_ms is not None:
                    span.set_attribute("spanlens.ttft_ms", self.ttft_ms)
                span.end(end_time=end_ns)
            finally:
                _current.reset(token)
        except Exception:
            log.debug("spanlens: could not record an LLM call", exc_info=True)


def safe(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except Exception:
        log.debug("spanlens: recording failed", exc_info=True)


# --- calls -------------------------------------------------------------------------------------

Start = Callable[[tuple[Any, ...], dict[str, Any]], "LlmCall | None"]
Finish = Callable[[LlmCall, dict[str, Any], Any], None]

MARK = "__spanlens_wrapped__"


def patch(target: Any, method: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replaces ``target.method`` on this instance with a recording version, once."""
    if target is None:
        return
    orig = getattr(target, method, None)
    if not callable(orig) or getattr(orig, MARK, False):
        return
    wrapped = make(orig)
    setattr(wrapped, MARK, True)
    setattr(target, method, wrapped)


def _start(start: Start, args: tuple[Any, ...], kwargs: dict[str, Any]) -> LlmCall | None:
    try:
        return start(args, kwargs)
    except Exception:
        log.debug("spanlens: could not start recording a call", exc_info=True)
        return None


def _finish(finish: Finish, call: LlmCall, kwargs: dict[str, Any], result: Any) -> None:
    try:
        finish(call, kwargs, result)
    except Exception:
        log.debug("spanlens: could not record a result", exc_info=True)
        call.succeed({}, {})


async def _await_result(call: LlmCall, awaitable: Awaitable[Any], kwargs: dict[str, Any], finish: Finish, suppress: bool) -> Any:
    try:
        with call.suppressed(suppress):
            value = await awaitable
    except BaseException as err:
        call.fail(err)
        raise
    _finish(finish, call, kwargs, value)
    return value


def wrap_call(orig: Callable[..., Any], start: Start, finish: Finish, *, suppress: bool = False) -> Callable[..., Any]:
    """A recording version of a client method, sync or async, that returns what it returns and
    raises what it raises. ``suppress`` hides the client's own spans inside the call."""
    if inspect.iscoroutinefunction(orig):

        @functools.wraps(orig)
        async def async_method(*args: Any, **kwargs: Any) -> Any:
            call = _start(start, args, kwargs)
            if call is None:
                return await orig(*args, **kwargs)
            try:
                with call.suppressed(suppress):
                    value = await orig(*args, **kwargs)
            except BaseException as err:
                call.fail(err)
                raise
            _finish(finish, call, kwargs, value)
            return value

        return async_method

    @functools.wraps(orig)
    def method(*args: Any, **kwargs: Any) -> Any:
        call = _start(start, args, kwargs)
        if call is None:
            return orig(*args, **kwargs)
        try:
            with call.suppressed(suppress):
                result = orig(*args, **kwargs)
        except BaseException as err:
            call.fail(err)
            raise
        if inspect.isawaitable(result):  # an async client whose method is a plain function returning a coroutine
            return _await_result(call, result, kwargs, finish, suppress)
        _finish(finish, call, kwargs, result)
        return result

    return method


# --- streams -----------------------------------------------------------------------------------


class StreamObserver:
    """Hears each item of a stream and its end, once, without ever raising into the app."""

    __slots__ = ("_ended", "_on_end", "_on_error", "_on_item")

    def __init__(self, on_item: Callable[[Any], None], on_end: Callable[[], None], on_error: Callable[[BaseException], None]) -> None:
        self._on_item = on_item
        self._on_end = on_end
        self._on_error = on_error
        self._ended = False

    def item(self, item: Any) -> None:
        if not self._ended:
            safe(self._on_item, item)

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            safe(self._on_end)

    def error(self, err: BaseException) -> None:
        if not self._ended:
            self._ended = True
            safe(self._on_error, err)


def _observe_sync(it: Iterator[Any], obs: StreamObserver) -> Iterator[Any]:
    try:
        while True:
            try:
                item = next(it)
            except StopIteration:
                break
            obs.item(item)
            yield item
    except GeneratorExit:  # closed before the end: record what came
        obs.end()
        close = getattr(it, "close", None)
        if close is not None:
            with contextlib.suppress(Exception):
                close()
        raise
    except BaseException as err:
        obs.error(err)
        raise
    obs.end()


async def _observe_async(it: AsyncIterator[Any], obs: StreamObserver) -> AsyncIterator[Any]:
    try:
        while True:
            try:
                item = await it.__anext__()
            except StopAsyncIteration:
                break
            obs.item(item)
            yield item
    except GeneratorExit:
        obs.end()
        aclose = getattr(it, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
        raise
    except BaseException as err:
        obs.error(err)
        raise
    obs.end()


def observe_stream(stream: Any, obs: StreamObserver) -> bool:
    """Observes the iteration of a client's stream object in place.

    The object the app holds stays the same (same type, same helper methods); only the
    iterator it reads from (``_iterator``, which ``__iter__``/``__next__`` and
    ``__aiter__``/``__anext__`` of the OpenAI and Anthropic streams use) is replaced by one
    that hands each item on unchanged. ``close()`` ends the record too. False when the object
    has no such iterator (then nothing is changed).
    """
    it = getattr(stream, "_iterator", None)
    if it is None:
        return False
    is_async = hasattr(it, "__anext__")
    if not is_async and not hasattr(it, "__next__"):
        return False
    stream._iterator = _observe_async(it, obs) if is_async else _observe_sync(it, obs)
    _patch_close(stream, obs, is_async)
    try:  # a stream dropped unread (or half read) still records its call, with what came
        weakref.finalize(stream, obs.end).atexit = False
    except TypeError:
        pass
    return True


def _patch_close(stream: Any, obs: StreamObserver, is_async: bool) -> None:
    cls_close = getattr(type(stream), "close", None)
    if cls_close is None:
        return
    try:
        ref = weakref.ref(stream)  # no cycle: a dropped stream is still closed promptly
    except TypeError:
        return
    if is_async or inspect.iscoroutinefunction(cls_close):

        @functools.wraps(cls_close)
        async def aclose(*args: Any, **kwargs: Any) -> Any:
            obs.end()
            s = ref()
            if s is not None:
                return await cls_close(s, *args, **kwargs)
            return None

        stream.close = aclose
    else:

        @functools.wraps(cls_close)
        def close(*args: Any, **kwargs: Any) -> Any:
            obs.end()
            s = ref()
            if s is not None:
                return cls_close(s, *args, **kwargs)
            return None

        stream.close = close
