"""wrap_openai: records chat completions (streaming included) and embeddings of an OpenAI client."""

from __future__ import annotations

import logging
from collections.abc import Sequence
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


def wrap_openai(client: T) -> T:
    """Records every ``chat.completions.create`` (streaming included) and ``embeddings.create``
    call of an ``openai.OpenAI`` or ``openai.AsyncOpenAI`` client (or any client of the same
    shape). Patches the client's resource objects in place and returns the same client; what
    each call returns or raises is untouched. Wrapping twice records once."""
    try:
        server = server_attributes(getattr(client, "base_url", None))
        chat = getattr(client, "chat", None)
        completions = getattr(chat, "completions", None) if chat is not None else None
        patch(completions, "create", lambda orig: wrap_call(orig, _chat_start(server), _chat_finish))
        patch(getattr(client, "embeddings", None), "create", lambda orig: wrap_call(orig, _embeddings_start(server), _embeddings_finish))
    except Exception:
        log.debug("spanlens: unexpected OpenAI client shape; left as it is", exc_info=True)
    return client


# --- chat ----------------------------------------------------------------------------------------


def _chat_start(server: dict[str, Any]) -> Any:
    def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> LlmCall:
        model = kwargs.get("model")
        max_tokens = num(kwargs.get("max_completion_tokens"))
        if max_tokens is None:
            max_tokens = num(kwargs.get("max_tokens"))
        call = LlmCall(
            f"chat {model}",
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": text(model),
                "gen_ai.request.max_tokens": max_tokens,
                "gen_ai.request.temperature": num(kwargs.get("temperature")),
                "gen_ai.request.top_p": num(kwargs.get("top_p")),
                "gen_ai.request.frequency_penalty": num(kwargs.get("frequency_penalty")),
                "gen_ai.request.presence_penalty": num(kwargs.get("presence_penalty")),
                "gen_ai.request.seed": num(kwargs.get("seed")),
                "gen_ai.request.stop_sequences": str_list(kwargs.get("stop")),
                **server,
            },
        )
        messages = kwargs.get("messages")
        # Only a list or tuple is read: any other iterable could be consumed by reading it.
        if isinstance(messages, (list, tuple)):
            call.set_content("gen_ai.input.messages", lambda: [to_genai(m) for m in messages])
        return call

    return start


def _chat_finish(call: LlmCall, kwargs: dict[str, Any], result: Any) -> None:
    if kwargs.get("stream") is True:
        _record_stream(call, result)
    else:
        _record_completion(call, result)


def _record_completion(call: LlmCall, r: Any) -> None:
    choices = get(r, "choices")
    if not isinstance(choices, Sequence):  # not a completion (a raw response, say): the call alone
        call.succeed({}, {})
        return
    call.set_content(
        "gen_ai.output.messages",
        lambda: [{**to_genai(get(c, "message") or {"role": "assistant"}), **_finish_reason(c)} for c in choices],
    )
    call.succeed(
        {
            "gen_ai.response.id": text(get(r, "id")),
            "gen_ai.response.model": text(get(r, "model")),
            "gen_ai.response.finish_reasons": [f for f in (get(c, "finish_reason") for c in choices) if isinstance(f, str) and f],
        },
        usage_of(get(r, "usage")),
    )


def _finish_reason(choice: Any) -> dict[str, str]:
    f = get(choice, "finish_reason")
    return {"finish_reason": f} if isinstance(f, str) and f else {}


def _record_stream(call: LlmCall, stream: Any) -> None:
    chunks: list[Any] = []

    def on_item(chunk: Any) -> None:
        if call.ttft_ms is None:
            choices = get(chunk, "choices") or []
            delta = get(choices[0], "delta") if choices else None
            if get(delta, "content") or get(delta, "tool_calls"):
                call.first_token()
        chunks.append(chunk)

    def on_end() -> None:
        out = stream_output(chunks)
        if out["messages"]:
            call.set_content("gen_ai.output.messages", lambda: out["messages"])
        call.succeed(
            {
                "gen_ai.response.id": out["id"],
                "gen_ai.response.model": out["model"],
                "gen_ai.response.finish_reasons": out["finish_reasons"],
            },
            usage_of(out["usage"]),
        )

    if not observe_stream(stream, StreamObserver(on_item, on_end, call.fail)):
        call.succeed({}, {})  # not a stream we know (a raw response, say): the call itself is still recorded


def stream_output(chunks: list[Any]) -> dict[str, Any]:
    """Reassembles the reply from its chunks: text per choice, tool calls by index, usage from the last chunk."""
    texts: dict[int, list[str]] = {}
    tools: dict[int, dict[int, dict[str, Any]]] = {}
    finish: dict[int, str] = {}
    rid: str | None = None
    model: str | None = None
    usage: Any = None
    for chunk in chunks:
        rid = rid or text(get(chunk, "id"))
        model = model or text(get(chunk, "model"))
        if get(chunk, "usage"):
            usage = get(chunk, "usage")
        for ch in get(chunk, "choices") or []:
            i = get(ch, "index") or 0
            d = get(ch, "delta")
            content = get(d, "content")
            if isinstance(content, str) and content:
                texts.setdefault(i, []).append(content)
            for tc in get(d, "tool_calls") or []:
                entry = tools.setdefault(i, {}).setdefault(get(tc, "index") or 0, {"id": None, "name": "", "args": []})
                if get(tc, "id"):
                    entry["id"] = get(tc, "id")
                fn = get(tc, "function")
                if isinstance(get(fn, "name"), str):
                    entry["name"] += get(fn, "name")
                if isinstance(get(fn, "arguments"), str):
                    entry["args"].append(get(fn, "arguments"))
            f = get(ch, "finish_reason")
            if isinstance(f, str) and f:
                finish[i] = f
    messages = []
    for i in sorted(set(texts) | set(tools) | set(finish)):
        parts: list[dict[str, Any]] = []
        joined = "".join(texts.get(i, []))
        if joined:
            parts.append({"type": "text", "content": joined})
        for _, t in sorted(tools.get(i, {}).items()):
            parts.append({"type": "tool_call", "id": t["id"], "name": t["name"], "arguments": "".join(t["args"])})
        msg: dict[str, Any] = {"role": "assistant", "parts": parts}
        if i in finish:
            msg["finish_reason"] = finish[i]
        messages.append(msg)
    return {
        "id": rid,
        "model": model,
        "usage": usage,
        "finish_reasons": [finish[i] for i in sorted(finish)],
        "messages": messages,
    }


# --- embeddings ----------------------------------------------------------------------------------


def _embeddings_start(server: dict[str, Any]) -> Any:
    def start(args: tuple[Any, ...], kwargs: dict[str, Any]) -> LlmCall:
        model = kwargs.get("model")
        call = LlmCall(
            f"embeddings {model}",
            {
                "gen_ai.operation.name": "embeddings",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": text(model),
                "gen_ai.embeddings.dimension.count": num(kwargs.get("dimensions")),
                "gen_ai.request.encoding_formats": str_list(kwargs.get("encoding_format")),
                **server,
            },
        )
        value = kwargs.get("input")
        if isinstance(value, (str, list, tuple)):
            call.set_content("input.value", lambda: value if isinstance(value, str) else list(value))
        return call

    return start


def _embeddings_finish(call: LlmCall, kwargs: dict[str, Any], r: Any) -> None:
    call.succeed({"gen_ai.response.model": text(get(r, "model"))}, {"input": get(get(r, "usage"), "prompt_tokens")})


# --- shapes --------------------------------------------------------------------------------------


def usage_of(u: Any) -> Usage:
    if not u:
        return {}
    out: Usage = {}
    for key, value in (
        ("input", get(u, "prompt_tokens")),
        ("output", get(u, "completion_tokens")),
        ("cache_read", get(get(u, "prompt_tokens_details"), "cached_tokens")),
        ("reasoning", get(get(u, "completion_tokens_details"), "reasoning_tokens")),
    ):
        if num(value) is not None:
            out[key] = value  # type: ignore[literal-required]
    return out


def to_genai(m: Any) -> dict[str, Any]:
    """An OpenAI chat message (a dict from the app, or a message object) in the GenAI parts form."""
    role = get(m, "role") or "user"
    content = get(m, "content")
    if role == "tool":
        return {"role": "tool", "parts": [{"type": "tool_call_response", "id": get(m, "tool_call_id"), "response": text_of(content)}]}
    parts: list[dict[str, Any]] = []
    t = text_of(content)
    if t:
        parts.append({"type": "text", "content": t})
    for tc in get(m, "tool_calls") or []:
        fn = get(tc, "function")
        parts.append({"type": "tool_call", "id": get(tc, "id"), "name": get(fn, "name") or "", "arguments": get(fn, "arguments") or ""})
    return {"role": str(role), "parts": parts}


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, (list, tuple)):
        return ""
    return "\n".join(get(p, "text") for p in content if get(p, "type") == "text" and isinstance(get(p, "text"), str))


__all__ = ["wrap_openai"]
