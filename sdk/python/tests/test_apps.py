"""Whole apps as subprocesses (each has its own global OpenTelemetry setup): a collector that is
down then up, and an app with its own TracerProvider (examples/python/support_bot.py runs with
the built wheel, in test_package.py)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from spanlens_server import Spanlens

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPANLENS_", "OTEL_", "OPENAI_", "ANTHROPIC_"))}
    return {**env, **extra}


def test_collector_down_then_up_the_app_sees_no_error_and_the_spans_arrive(llm: Any) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SCENARIOS / "collector_down.py")],
        env=app_env(
            SPANLENS_ENDPOINT=f"http://127.0.0.1:{port}",
            SPANLENS_API_KEY="sl_python_tests_key_0123456789",
            LLM_URL=llm.url,
            OTEL_EXPORTER_OTLP_TRACES_TIMEOUT="40",  # the exporter keeps retrying while the collector starts
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sl = None
    try:
        assert proc.stdout is not None and proc.stdin is not None
        first = json.loads(proc.stdout.readline())
        assert first["answer"] == "Paris."
        assert first["feedback_while_down"] is False
        m = first["medians_ms"]
        assert m["wrapped"] < 3 * m["plain"], f"calls slowed while the collector is down: {m}"
        with socket.socket() as s:  # nothing listens there yet
            assert s.connect_ex(("127.0.0.1", port)) != 0
        sl = Spanlens(otlp_http_port=port)
        proc.stdin.write("up\n")
        proc.stdin.flush()
        second = json.loads(proc.stdout.readline())
        assert proc.wait(timeout=60) == 0
        stderr = proc.stderr.read() if proc.stderr else ""
        assert "Traceback" not in stderr, stderr
        assert second == {"flushed": True, "exported": 22, "dropped": 0, "failed": 0, "feedback_after": True}
        trace = sl.trace(first["trace_id"])
        assert sorted(s["name"] for s in trace["spans"]) == ["chat gpt-4o-mini", "while-down"]
        assert {s["service"] for s in trace["spans"]} == {"down-up"}
        assert [f["name"] for f in trace["feedback"]] == ["helpful"]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if sl is not None:
            sl.close()


def test_an_app_with_its_own_tracer_provider_adds_spanlens_processor(server: Spanlens, llm: Any) -> None:
    out = subprocess.run(
        [sys.executable, str(SCENARIOS / "existing_provider.py")],
        env=app_env(SPANLENS_ENDPOINT=server.http_url, SPANLENS_API_KEY=server.key, LLM_URL=llm.url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    # The app's own exporter keeps everything, the Anthropic SDK's own span included (its sampler is
    # the app's); Spanlens gets each LLM call once.
    assert result["own"] == ["anthropic.messages.create", "chat claude-3-5-sonnet", "chat gpt-4o-mini", "handler"]
    assert [result["exported"], result["dropped"]] == [3, 0]
    spans = server.trace(result["trace_id"])["spans"]
    assert [[s["name"], s["service"], s["userId"], s["kind"]] for s in spans] == [
        ["handler", "my-app", "u-own", "span"],
        ["chat gpt-4o-mini", "my-app", "u-own", "llm"],
        ["chat claude-3-5-sonnet", "my-app", "u-own", "llm"],
    ]
    assert spans[1]["parentSpanId"] == spans[0]["spanId"] and spans[2]["parentSpanId"] == spans[0]["spanId"]
