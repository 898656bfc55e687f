"""observe: your own steps as spans, as a decorator or a context manager."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from ._content import content_text
from ._genai import clean
from ._sdk import config, tracer

log = logging.getLogger("spanlens")

F = TypeVar("F", bound=Callable[..., Any])

ObservedKind = Literal["chain", "tool", "agent", "retriever", "embedding", "reranker", "guardrail", "evaluator", "llm"]

MAX_YIELDS = 1000
_NOTHING = object()


class ObservedSpan:
    """What ``with spanlens.observe(...) as step:`` gives: set the step's input and output."""

    __slots__ = ("_capture_input", "_capture_output", "_output", "span")

    def __init__(self, span: Span, capture_input: bool, capture_output: bool) -> None:
        self.span = span
        self._output: Any = _NOTHING
        self._capture_input = capture_input
        self._capture_output = capture_output

    def set_input(self, value: Any) -> None:
        if self._capture_input:
            _set_content(self.span, "input.value", value)

    def set_output(self, value: Any) -> None:
        self._output = value

    def set_attribute(self, key: str, value: Any) -> None:
        try:
            self.span.set_attributes(clean({key: value}))
        except Exception:
            pass

    @property
    def trace_id(self) -> str | None:
        ctx = self.span.get_span_context()
        return format(ctx.trace_id, "032x") if ctx.is_valid else None

    @property
    def span_id(self) -> str | None:
        ctx = self.span.get_span_context()
        return format(ctx.span_id, "016x") if ctx.is_valid else None


def _set_content(span: Span, key: str, value: Any) -> None:
    try:
        span.set_attribute(key, content_text(value, config().max_content_length))
    except Exception:
        log.debug("spanlens: could not record %s", key, exc_info=True)


def _start_span(name: str, kind: str, attributes: Mapping[str, Any] | None) -> Span | None:
    try:
        return tracer().start_span(name, attributes=clean({**(attributes or {}), "spanlens.span.kind": kind}))
    except Exception:
        log.debug("spanlens: could not start a span", exc_info=True)
        return None


def _succeed(span: Span, value: Any, capture: bool) -> None:
    try:
        if capture and value is not None and value is not _NOTHING:
            _set_content(span, "output.value", value)
        span.end()
    except Exception:
        log.debug("spanlens: could not end a span", exc_info=True)


def _fail(span: Span, err: BaseException) -> None:
    try:
        span.record_exception(err, escaped=True)
        span.set_status(Status(StatusCode.ERROR, str(err) or type(err).__name__))
        span.set_attribute("error.type", type(err).__qualname__)
        span.end()
    except Exception:
        log.debug("spanlens: could not end a span", exc_info=True)


class _Observer:
    """What ``observe(...)`` returns: a decorator, and a context manager (sync and async)."""

    def __init__(
        self,
        name: str | None,
        kind: str,
        capture_input: bool | None,
        capture_output: bool | None,
        attributes: Mapping[str, Any] | None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.capture_input = capture_input
        self.capture_output = capture_output
        self.attributes = attributes
        self._active: list[tuple[ObservedSpan, object]] = []

    def _capture(self) -> tuple[bool, bool]:
        default = config().capture_content
        return (
            default if self.capture_input is None else self.capture_input,
            default if self.capture_output is None else self.capture_output,
        )

    # --- context manager ---

    def __enter__(self) -> ObservedSpan | None:
        capture_in, capture_out = self._capture()
        span = _start_span(self.name or "observe", self.kind, self.attributes)
        if span is None:
            self._active.append((None, None))  # type: ignore[arg-type]
            return None
        handle = ObservedSpan(span, capture_in, capture_out)
        token = otel_context.attach(trace.set_span_in_context(span))
        self._active.append((handle, token))
        return handle

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if not self._active:
            return False
        handle, token = self._active.pop()
        if handle is None:
            return False
        try:
            otel_context.detach(token)  # type: ignore[arg-type]
        except Exception:
            pass
        if exc is not None and not isinstance(exc, GeneratorExit):
            _fail(handle.span, exc)
        else:
            _succeed(handle.span, handle._output, handle._capture_output)
        return False

    async def __aenter__(self) -> ObservedSpan | None:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        return self.__exit__(exc_type, exc, tb)

    # --- decorator ---

    def __call__(self, fn: F) -> F:
        name = self.name or getattr(fn, "__name__", None) or "observe"
        try:
            sig: inspect.Signature | None = inspect.signature(fn)
        except (TypeError, ValueError):
            sig = None
        if inspect.isasyncgenfunction(fn):
            return self._wrap_async_gen(fn, name, sig)  # type: ignore[return-value]
        if inspect.isgeneratorfunction(fn):
            return self._wrap_gen(fn, name, sig)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(fn):
            return self._wrap_async(fn, name, sig)  # type: ignore[return-value]
        return self._wrap_sync(fn, name, sig)  # type: ignore[return-value]

    def _begin(self, name: str, sig: inspect.Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Span, Any, bool] | None:
        try:
            capture_in, capture_out = self._capture()
            span = _start_span(name, self.kind, self.attributes)
            if span is None:
                return None
            if capture_in:
                value = _arguments(sig, args, kwargs)
                if value is not _NOTHING:
                    _set_content(span, "input.value", value)
            return span, trace.set_span_in_context(span), capture_out
        except Exception:
            log.debug("spanlens: could not start observing", exc_info=True)
            return None

    def _wrap_sync(self, fn: Callable[..., Any], name: str, sig: inspect.Signature | None) -> Callable[..., Any]:
        @functools.wraps(fn)
        def observed(*args: Any, **kwargs: Any) -> Any:
            begun = self._begin(name, sig, args, kwargs)
            if begun is None:
                return fn(*args, **kwargs)
            span, ctx, capture_out = begun
            token = otel_context.attach(ctx)
            try:
                result = fn(*args, **kwargs)
            except BaseException as err:
                _fail(span, err)
                raise
            finally:
                otel_context.detach(token)
            _succeed(span, result, capture_out)
            return result

        return observed

    def _wrap_async(self, fn: Callable[..., Any], name: str, sig: inspect.Signature | None) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def observed(*args: Any, **kwargs: Any) -> Any:
            begun = self._begin(name, sig, args, kwargs)
            if begun is None:
                return await fn(*args, **kwargs)
            span, ctx, capture_out = begun
            token = otel_context.attach(ctx)
            try:
                result = await fn(*args, **kwargs)
            except BaseException as err:
                _fail(span, err)
                raise
            finally:
                otel_context.detach(token)
            _succeed(span, result, capture_out)
            return result

        return observed

    def _wrap_gen(self, fn: Callable[..., Any], name: str, sig: inspect.Signature | None) -> Callable[..., Any]:
        # A generator function still (frameworks look at that); the span starts with the iteration,
        # and each step of the generator runs inside it, the consumer's code between steps does not.
        @functools.wraps(fn)
        def observed(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            begun = self._begin(name, sig, args, kwargs)
            if begun is None:
                return (yield from fn(*args, **kwargs))
            span, ctx, capture_out = begun
            yielded: list[Any] = []
            token = otel_context.attach(ctx)
            try:
                gen = fn(*args, **kwargs)
            except BaseException as err:
                _fail(span, err)
                raise
            finally:
                otel_context.detach(token)
            send: Callable[[Any], Any] = gen.send
            arg: Any = None
            while True:
                token = otel_context.attach(ctx)
                try:
                    item = send(arg)
                except StopIteration as stop:
                    _succeed(span, yielded, capture_out)
                    return stop.value
                except BaseException as err:
                    _fail(span, err)
                    raise
                finally:
                    otel_context.detach(token)
                if len(yielded) < MAX_YIELDS:
                    yielded.append(item)
                try:
                    arg = yield item
                    send = gen.send
                except GeneratorExit:  # the consumer stopped early
                    token = otel_context.attach(ctx)
                    try:
                        gen.close()
                    except BaseException as err:
                        _fail(span, err)
                        raise
                    finally:
                        otel_context.detach(token)
                    _succeed(span, yielded, capture_out)
                    raise
                except BaseException as err:  # thrown in by the consumer: hand it to the generator
                    send, arg = gen.throw, err

        return observed

    def _wrap_async_gen(self, fn: Callable[..., Any], name: str, sig: inspect.Signature | None) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def observed(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            begun = self._begin(name, sig, args, kwargs)
            if begun is None:
                async for item in fn(*args, **kwargs):
                    yield item
                return
            span, ctx, capture_out = begun
            yielded: list[Any] = []
            token = otel_context.attach(ctx)
            try:
                agen = fn(*args, **kwargs)
            except BaseException as err:
                _fail(span, err)
                raise
            finally:
                otel_context.detach(token)
            send: Callable[[Any], Any] = agen.asend
            arg: Any = None
            while True:
                token = otel_context.attach(ctx)
                try:
                    item = await send(arg)
                except StopAsyncIteration:
                    _succeed(span, yielded, capture_out)
                    return
                except BaseException as err:
                    _fail(span, err)
                    raise
                finally:
                    otel_context.detach(token)
                if len(yielded) < MAX_YIELDS:
                    yielded.append(item)
                try:
                    arg = yield item
                    send = agen.asend
                except GeneratorExit:
                    token = otel_context.attach(ctx)
                    try:
                        await agen.aclose()
                    except BaseException as err:
                        _fail(span, err)
                        raise
                    finally:
                        otel_context.detach(token)
                    _succeed(span, yielded, capture_out)
                    raise
                except BaseException as err:
                    send, arg = agen.athrow, err

        return observed


def _arguments(sig: inspect.Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The call's arguments by name (``self``/``cls`` left out); a single argument alone."""
    values: dict[str, Any] | None = None
    if sig is not None:
        try:
            bound = sig.bind_partial(*args, **kwargs)
            values = dict(bound.arguments)
            first = next(iter(sig.parameters), None)
            if first in ("self", "cls"):
                values.pop(first, None)
            for pname, param in sig.parameters.items():
                if param.kind is inspect.Parameter.VAR_KEYWORD and pname in values:
                    values.update(values.pop(pname))
                elif param.kind is inspect.Parameter.VAR_POSITIONAL and pname in values:
                    values[pname] = list(values[pname])
                    if not values[pname]:
                        values.pop(pname)
        except TypeError:
            values = None
    if values is None:
        if len(args) + len(kwargs) == 1:
            return args[0] if args else next(iter(kwargs.values()))
        if not args and not kwargs:
            return _NOTHING
        return {"args": list(args), **kwargs} if kwargs else list(args)
    if not values:
        return _NOTHING
    if len(values) == 1:
        return next(iter(values.values()))
    return values


@overload
def observe(name: F) -> F: ...


@overload
def observe(
    name: str | None = None,
    kind: ObservedKind | str = "chain",
    capture_input: bool | None = None,
    capture_output: bool | None = None,
    *,
    attributes: Mapping[str, Any] | None = None,
) -> _Observer: ...


def observe(
    name: Any = None,
    kind: ObservedKind | str = "chain",
    capture_input: bool | None = None,
    capture_output: bool | None = None,
    *,
    attributes: Mapping[str, Any] | None = None,
) -> Any:
    """Runs a function, or a block, inside a span.

    As a decorator (``@spanlens.observe``, ``@spanlens.observe("name", kind="tool")``) for sync and
    async functions, generators and async generators; as a context manager
    (``with spanlens.observe("step") as step:``, or ``async with``). Spans nest through the
    OpenTelemetry context. The arguments are recorded as ``input.value`` (one argument alone,
    several by name) and the result (or the yielded values) as ``output.value``, unless
    ``capture_input=False`` / ``capture_output=False`` or content capture is off. ``kind``
    (``spanlens.span.kind``): chain (default), agent, tool, retriever, embedding, reranker,
    guardrail, evaluator, llm. Errors are recorded and re-raised unchanged.
    """
    if callable(name) and not isinstance(name, str):
        return _Observer(None, kind, capture_input, capture_output, attributes)(name)
    return _Observer(name, kind, capture_input, capture_output, attributes)


__all__ = ["ObservedKind", "ObservedSpan", "observe"]
