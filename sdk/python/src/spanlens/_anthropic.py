"""wrap_anthropic: records messages.create (streaming included) and the messages.stream() helper."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator
from typing import Any, TypeVar

from ._genai import (
    LlmCall,
    StreamObserver,
    Usage,
    get,
    num,
    observe_stream,
    patch,
    server_attributes,
    str_list,
    text,
    wrap_call,
)

log = logging.getLogger("spanlens")

T = TypeVar("T")


def wrap_anthropic(client: T) -> T:
    """Records every ``messages.create`` call (``stream=True`` included) and every
    ``messages.stream(...)`` helper of an ``anthropic.Anthropic`` or ``anthropic.AsyncAnthropic``
    client. Returns the same client; results and errors are untouched. The Anthropic SDK's own
    OpenTelemetry spans are suppressed inside a wrapped call, so each call is recorded once."""
    try:
        server = server_attributes(getattr(client, "base_url", None))
        messages = getattr(client, "messages", None)
        patch(messages, "create", lambda orig: wrap_call(orig, _start(server), _finish, suppress=True))
        patch(messages, "stream", lambda orig: _stream_helper(orig, server))
    except Exception:
        log.debug("spanlens: unexpected Anthropic client shape; left as it is", exc_info=True)
    return client


def _start(server: dict[str, Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], LlmCall]:
    def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> LlmCall:
        model = kwargs.get("model")
        call = LlmCall(
            f"chat {model}",
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "anthropic",
                "gen_ai.request.model": text(model),
                "gen_ai.request.max_tokens": num(kwargs.get("max_tokens")),
                "gen_ai.request.temperature": num(kwargs.get("temperature")),
                "gen_ai.request.top_p": num(kwargs.get("top_p")),
                "gen_ai.request.top_k": num(kwargs.get("top_k")),
                "gen_ai.request.stop_sequences": str_list(kwargs.get("stop_sequences")),
                **server,
            },
        )
        system = kwargs.get("system")
        if isinstance(system, str) and system:
            call.set_content("gen_ai.system_instructions", lambda: [{"type": "text", "content": system}])
        elif isinstance(system, (list, tuple)) and system:
            call.set_content("gen_ai.system_instructions", lambda: [to_part(b) for b in system])
        messages = kwargs.get("messages")
        if isinstance(messages, (list, tuple)):  # any other iterable could be consumed by reading it
            call.set_content("gen_ai.input.messages", lambda: [_message(m) for m in messages])
        return call

    return start


def _message(m: Any) -> dict[str, Any]:
    content = get(m, "content")
    if isinstance(content, str):
        parts = [{"type": "text", "content": content}]
    else:
        parts = [to_part(b) for b in (content or [])]
    return {"role": str(get(m, "role") or "user"), "parts": parts}


def _finish(call: LlmCall, kwargs: dict[str, Any], result: Any) -> None:
    if kwargs.get("stream") is True:
        _record_stream(call, result)
    else:
        _record_message(call, result)


def _record_message(call: LlmCall, m: Any) -> None:
    content = get(m, "content")
    if not isinstance(content, (list, tuple)):  # not a message (a raw response, say): the call alone
        call.succeed({}, {})
        return
    stop = text(get(m, "stop_reason"))
    call.set_content(
        "gen_ai.output.messages",
        lambda: [{"role": "assistant", "parts": [to_part(b) for b in content], **({"finish_reason": stop} if stop else {})}],
    )
    call.succeed(
        {
            "gen_ai.response.id": text(get(m, "id")),
            "gen_ai.response.model": text(get(m, "model")),
            "gen_ai.response.finish_reasons": [stop] if stop else [],
        },
        usage_of(get(m, "usage")),
    )


def _record_stream(call: LlmCall, stream: Any) -> None:
    events: list[Any] = []

    def on_item(e: Any) -> None:
        if get(e, "type") == "content_block_delta":
            call.first_token()
        events.append(e)

    def on_end() -> None:
        out = stream_output(events)
        if events:
            call.set_content("gen_ai.output.messages", lambda: out["messages"])
        start = out["start"]
        call.succeed(
            {
                "gen_ai.response.id": text(get(start, "id")),
                "gen_ai.response.model": text(get(start, "model")),
                "gen_ai.response.finish_reasons": [out["stop_reason"]] if out["stop_reason"] else [],
            },
            usage_of(out["usage"]),
        )

    if not observe_stream(stream, StreamObserver(on_item, on_end, call.fail)):
        call.succeed({}, {})


_USAGE_KEYS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")


def stream_output(events: list[Any]) -> dict[str, Any]:
    """The message the events make: text and tool input per block, stop reason, usage."""
    start: Any = None
    stop_reason: str | None = None
    usage: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    for e in events:
        kind = get(e, "type")
        if kind == "message_start":
            start = get(e, "message")
            for k in _USAGE_KEYS:
                v = get(get(start, "usage"), k)
                if num(v) is not None:
                    usage[k] = v
        elif kind == "content_block_start":
            block = get(e, "content_block")
            if block is not None:
                blocks[get(e, "index") or 0] = {"block": block, "text": [], "json": []}
        elif kind == "content_block_delta":
            b = blocks.get(get(e, "index") or 0)
            d = get(e, "delta")
            if b is not None:
                if isinstance(get(d, "text"), str):
                    b["text"].append(get(d, "text"))
                if isinstance(get(d, "partial_json"), str):
                    b["json"].append(get(d, "partial_json"))
        elif kind == "message_delta":
            sr = get(get(e, "delta"), "stop_reason")
            if isinstance(sr, str) and sr:
                stop_reason = sr
            for k in _USAGE_KEYS:
                v = get(get(e, "usage"), k)
                if num(v) is not None:
                    usage[k] = v
    parts = []
    for _, b in sorted(blocks.items()):
        block = b["block"]
        if get(block, "type") == "tool_use":
            parts.append(
                {
                    "type": "tool_call",
                    "id": get(block, "id"),
                    "name": get(block, "name") or "",
                    "arguments": _parse_or("".join(b["json"]), get(block, "input")),
                }
            )
        elif get(block, "type") == "text":
            parts.append({"type": "text", "content": (get(block, "text") or "") + "".join(b["text"])})
        else:
            parts.append(to_part(block))
    message: dict[str, Any] = {"role": "assistant", "parts": parts}
    if stop_reason:
        message["finish_reason"] = stop_reason
    return {"start": start, "stop_reason": stop_reason, "usage": usage, "messages": [message]}


# --- messages.stream() -----------------------------------------------------------------------------


def _stream_helper(orig: Callable[..., Any], server: dict[str, Any]) -> Callable[..., Any]:
    import functools

    @functools.wraps(orig)
    def stream(*args: Any, **kwargs: Any) -> Any:
        manager = orig(*args, **kwargs)
        try:
            _instrument_manager(manager, kwargs, server)
        except Exception:
            log.debug("spanlens: could not record a messages.stream() helper", exc_info=True)
        return manager

    return stream


def _instrument_manager(manager: Any, kwargs: dict[str, Any], server: dict[str, Any]) -> None:
    """The stream manager makes its request when entered (``with`` / ``async with``): the request
    it holds is replaced by one that records it, and the raw stream it returns is observed."""
    attr = next((name for name in vars(manager) if name.endswith("__api_request")), None)
    if attr is None:
        return
    request = getattr(manager, attr)
    start = _start(server)
    if callable(request):

        def api_request() -> Any:
            call = _safe_start(start, kwargs)
            if call is None:
                return request()
            try:
                with call.suppressed():
                    raw = request()
            except BaseException as err:
                call.fail(err)
                raise
            _record_stream(call, raw)
            return raw

        setattr(manager, attr, api_request)
    elif hasattr(request, "__await__"):
        setattr(manager, attr, _RecordedRequest(request, lambda: _safe_start(start, kwargs)))


def _safe_start(start: Callable[[tuple[Any, ...], dict[str, Any]], LlmCall], kwargs: dict[str, Any]) -> LlmCall | None:
    try:
        return start((), {**kwargs, "stream": True})
    except Exception:
        log.debug("spanlens: could not start recording a call", exc_info=True)
        return None


class _RecordedRequest:
    """Stands for the async stream manager's pending request: awaiting it records the call.
    Not a coroutine itself, so a manager never entered warns about nothing more than before."""

    def __init__(self, inner: Any, start: Callable[[], LlmCall | None]) -> None:
        self._inner = inner
        self._start = start

    def __await__(self) -> Generator[Any, None, Any]:
        return self._run().__await__()

    async def _run(self) -> Any:
        call = self._start()
        if call is None:
            return await self._inner
        try:
            with call.suppressed():
                raw = await self._inner
        except BaseException as err:
            call.fail(err)
            raise
        _record_stream(call, raw)
        return raw


# --- shapes --------------------------------------------------------------------------------------


def usage_of(u: Any) -> Usage:
    """OpenTelemetry counts cached prompt tokens inside input tokens; Anthropic reports them apart."""
    if not u:
        return {}
    read = num(get(u, "cache_read_input_tokens")) or 0
    creation = num(get(u, "cache_creation_input_tokens")) or 0
    out: Usage = {"cache_read": int(read), "cache_creation": int(creation)}
    inp = num(get(u, "input_tokens"))
    if inp is not None:
        out["input"] = int(inp + read + creation)
    output = num(get(u, "output_tokens"))
    if output is not None:
        out["output"] = int(output)
    return out


def to_part(b: Any) -> dict[str, Any]:
    kind = get(b, "type")
    if kind == "text":
        return {"type": "text", "content": get(b, "text") or ""}
    if kind == "tool_use":
        return {"type": "tool_call", "id": get(b, "id"), "name": get(b, "name") or "", "arguments": get(b, "input") or {}}
    if kind == "tool_result":
        content = get(b, "content")
        if not isinstance(content, str):
            content = [to_part(x) for x in content] if isinstance(content, (list, tuple)) else (content or "")
            if isinstance(content, list) and all(p.get("type") == "text" for p in content):
                content = "\n".join(p["content"] for p in content)
        return {"type": "tool_call_response", "id": get(b, "tool_use_id"), "response": content}
    return {"type": str(kind)}


def _parse_or(raw: str, fallback: Any) -> Any:
    if not raw:
        return fallback if fallback is not None else {}
    try:
        return json.loads(raw)
    except ValueError:
        return raw


__all__ = ["wrap_anthropic"]
