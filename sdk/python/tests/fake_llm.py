"""Fake OpenAI- and Anthropic-compatible HTTP servers on loopback (one server speaks both APIs),
with the same payloads as sdk/js/test/helpers/fake-llm.ts. Also runnable on its own:
``python fake_llm.py`` prints ``http://127.0.0.1:PORT`` and serves until killed."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_TEXT = ["Par", "is", "."]
ANTHROPIC_TEXT = ["Bon", "jour", "!"]

OPENAI_USAGE = {
    "prompt_tokens": 42,
    "completion_tokens": 7,
    "total_tokens": 49,
    "prompt_tokens_details": {"cached_tokens": 10},
    "completion_tokens_details": {"reasoning_tokens": 2},
}
ANTHROPIC_USAGE = {"input_tokens": 30, "output_tokens": 9, "cache_read_input_tokens": 20, "cache_creation_input_tokens": 0}


def openai_chat(body: dict[str, Any]) -> tuple[int, Any, list[dict[str, Any]] | None]:
    """(status, JSON body, or SSE events) for POST /v1/chat/completions."""
    model = f"{body.get('model')}-2024-07-18"
    wants_tool = bool(body.get("tools"))
    if body.get("model") == "error-model":
        return 400, {"error": {"message": "The model `error-model` does not exist", "type": "invalid_request_error", "code": "model_not_found"}}, None
    if body.get("model") == "rate-limited-model":
        return 429, {"error": {"message": "Rate limit reached for requests", "type": "requests", "code": "rate_limit_exceeded"}}, None
    if not body.get("stream"):
        message: dict[str, Any] = (
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}],
            }
            if wants_tool
            else {"role": "assistant", "content": "".join(OPENAI_TEXT)}
        )
        return (
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if wants_tool else "stop"}],
                "usage": OPENAI_USAGE,
            },
            None,
        )
    base = {"id": "chatcmpl-2", "object": "chat.completion.chunk", "created": 1, "model": model}
    events: list[dict[str, Any]] = [{"data": {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}}]
    if wants_tool:
        events.append(
            {
                "data": {
                    **base,
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]},
                            "finish_reason": None,
                        }
                    ],
                }
            }
        )
        for part in ['{"city":', '"Paris"}']:
            events.append(
                {"data": {**base, "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": part}}]}, "finish_reason": None}]}}
            )
        events.append({"data": {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}})
    else:
        for t in OPENAI_TEXT:
            events.append({"data": {**base, "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}]}})
        events.append({"data": {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}})
    if (body.get("stream_options") or {}).get("include_usage"):
        events.append({"data": {**base, "choices": [], "usage": OPENAI_USAGE}})
    events.append({"data": "[DONE]"})
    return 200, None, events


def anthropic_messages(body: dict[str, Any]) -> tuple[int, Any, list[dict[str, Any]] | None]:
    """(status, JSON body, or SSE events) for POST /v1/messages."""
    model = f"{body.get('model')}-20241022"
    if body.get("model") == "error-model":
        return 400, {"type": "error", "error": {"type": "invalid_request_error", "message": "model: error-model is not a model"}}, None
    wants_tool = bool(body.get("tools"))
    if not body.get("stream"):
        content = (
            [{"type": "text", "text": "Checking."}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]
            if wants_tool
            else [{"type": "text", "text": "".join(ANTHROPIC_TEXT)}]
        )
        return (
            200,
            {
                "id": "msg_1",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": "tool_use" if wants_tool else "end_turn",
                "stop_sequence": None,
                "usage": ANTHROPIC_USAGE,
            },
            None,
        )
    events: list[dict[str, Any]] = [
        {
            "event": "message_start",
            "data": {
                "type": "message_start",
                "message": {
                    "id": "msg_2",
                    "type": "message",
                    "role": "assistant",
                    "model": model,
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {**ANTHROPIC_USAGE, "output_tokens": 1},
                },
            },
        },
    ]
    if wants_tool:
        events.append(
            {
                "event": "content_block_start",
                "data": {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_9", "name": "get_weather", "input": {}}},
            }
        )
        for part in ['{"city": ', '"Paris"}']:
            events.append(
                {
                    "event": "content_block_delta",
                    "data": {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": part}},
                }
            )
    else:
        events.append({"event": "content_block_start", "data": {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}})
        for t in ANTHROPIC_TEXT:
            events.append({"event": "content_block_delta", "data": {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}})
    events.append({"event": "content_block_stop", "data": {"type": "content_block_stop", "index": 0}})
    events.append(
        {
            "event": "message_delta",
            "data": {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use" if wants_tool else "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 9},
            },
        }
    )
    events.append({"event": "message_stop", "data": {"type": "message_stop"}})
    return 200, None, events


def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body.get("input")
    inputs = inputs if isinstance(inputs, list) else [inputs]
    return {
        "object": "list",
        "model": body.get("model"),
        "data": [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(len(inputs))],
        "usage": {"prompt_tokens": 8, "total_tokens": 8},
    }


class FakeLlm:
    """One threaded HTTP server on 127.0.0.1: /v1/chat/completions, /v1/embeddings, /v1/messages."""

    def __init__(self, first_delay_s: float = 0.03, chunk_delay_s: float = 0.002) -> None:
        self.first_delay_s = first_delay_s
        self.chunk_delay_s = chunk_delay_s
        self.requests: list[dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw or b"{}")
                fake.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                if self.path == "/v1/chat/completions":
                    self._reply(*openai_chat(body))
                elif self.path == "/v1/messages":
                    self._reply(*anthropic_messages(body))
                elif self.path == "/v1/embeddings":
                    self._reply(200, embeddings(body), None)
                else:
                    self._reply(404, {"error": "not found"}, None)

            def _reply(self, status: int, payload: Any, events: list[dict[str, Any]] | None) -> None:
                if events is None:
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("connection", "close")
                    self.end_headers()
                    self.wfile.write(data)
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.end_headers()  # no length: the body ends when the connection closes
                self.close_connection = True
                if fake.first_delay_s > 0:
                    time.sleep(fake.first_delay_s)
                for e in events:
                    data = e["data"] if isinstance(e["data"], str) else json.dumps(e["data"])
                    line = (f"event: {e['event']}\n" if e.get("event") else "") + f"data: {data}\n\n"
                    self.wfile.write(line.encode())
                    self.wfile.flush()
                    if fake.chunk_delay_s > 0:
                        time.sleep(fake.chunk_delay_s)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-llm", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":
    import sys

    server = FakeLlm()
    print(server.url, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin
    finally:
        server.close()
