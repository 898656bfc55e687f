"""feedback() stored with its trace; current_trace_id(); never raises."""

from __future__ import annotations

from typing import Any

import spanlens


def test_feedback_for_the_current_trace_and_span_is_stored_with_the_trace(sdk: Any, read_trace: Any) -> None:
    @spanlens.observe("answer")
    def answer() -> dict[str, str | None]:
        return {"trace_id": spanlens.current_trace_id(), "span_id": spanlens.current_span_id()}

    ids = answer()
    trace_id, span_id = ids["trace_id"], ids["span_id"]
    assert trace_id is not None and len(trace_id) == 32 and int(trace_id, 16) > 0
    assert span_id is not None and len(span_id) == 16
    args = dict(trace_id=trace_id, span_id=span_id, name="helpful", value=True, comment="spot on", user_id="user-9", id="fb-1")
    assert spanlens.feedback(**args) is True
    assert spanlens.feedback(**args) is True  # same id: stored once
    assert spanlens.feedback(trace_id, "accuracy", 0.75) is True
    scores = read_trace(trace_id)["feedback"]
    assert len(scores) == 2
    by = {s["name"]: s for s in scores}
    h = by["helpful"]
    assert [h["value"], h["dataType"], h["comment"], h["userId"], h["spanId"]] == [1, "boolean", "spot on", "user-9", span_id]
    assert [by["accuracy"]["value"], by["accuracy"]["dataType"]] == [0.75, "numeric"]


async def test_afeedback_from_async_code(sdk: Any, read_trace: Any) -> None:
    async with spanlens.observe("answer") as step:
        pass
    assert await spanlens.afeedback(step.trace_id, "tone", "friendly") is True
    scores = read_trace(step.trace_id)["feedback"]
    assert [(s["name"], s["stringValue"], s["dataType"]) for s in scores] == [("tone", "friendly", "categorical")]


def test_rejected_feedback_returns_false_instead_of_raising(sdk: Any) -> None:
    assert spanlens.current_trace_id() is None
    assert spanlens.current_span_id() is None
    assert spanlens.feedback("not-a-trace", "x", 1) is False
    assert spanlens.feedback("0" * 31 + "1", "", 1) is False  # empty name
    assert spanlens.feedback("0" * 31 + "1", "x", {"not": "a score"}) is False  # type: ignore[arg-type]
    assert spanlens.feedback("0" * 31 + "1", "x", object()) is False  # type: ignore[arg-type]


def test_feedback_to_a_collector_that_is_down_returns_false(monkeypatch: Any) -> None:
    import dataclasses
    import socket

    from spanlens import _sdk

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(_sdk._state, "config", dataclasses.replace(_sdk._state.config, endpoint=f"http://127.0.0.1:{port}"))
    assert spanlens.feedback("0" * 31 + "1", "x", 1, attempts=2, timeout=1) is False


def test_feedback_retries_429_and_5xx_but_not_other_rejections(monkeypatch: Any) -> None:
    import dataclasses
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from spanlens import _sdk

    statuses = [503, 429, 200, 400]
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            seen.append({"path": self.path, "auth": self.headers["authorization"], "body": json.loads(body)})
            status = statuses.pop(0)
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        monkeypatch.setattr(_sdk._state, "config", dataclasses.replace(_sdk._state.config, endpoint=f"http://127.0.0.1:{srv.server_address[1]}", api_key="k1"))
        assert spanlens.feedback("a" * 32, "helpful", False, comment="meh") is True
        assert len(seen) == 3
        assert seen[0] == {"path": "/v1/feedback", "auth": "Bearer k1", "body": {"traceId": "a" * 32, "name": "helpful", "value": False, "comment": "meh"}}
        assert spanlens.feedback("a" * 32, "helpful", True) is False  # 400: not retried
        assert len(seen) == 4
    finally:
        srv.shutdown()
        srv.server_close()
