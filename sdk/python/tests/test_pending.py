"""Spans of finished LLM calls are built off the call path: after the delay, together, or at flush."""

from __future__ import annotations

import threading
import time

from spanlens._pending import build_pending, defer


def test_a_zero_delay_builds_at_once_on_the_calling_thread() -> None:
    seen: list[str] = []
    defer(lambda: seen.append(threading.current_thread().name), 0)
    assert seen == [threading.current_thread().name]


def test_builds_wait_for_the_delay_and_run_together_off_the_calling_thread() -> None:
    seen: list[tuple[int, str]] = []
    done = threading.Event()

    def build(n: int) -> None:
        seen.append((n, threading.current_thread().name))
        if n == 2:
            done.set()

    for n in range(3):
        defer(lambda n=n: build(n), 20)
    assert done.wait(10)
    assert [n for n, _ in seen] == [0, 1, 2]
    assert len({t for _, t in seen}) == 1 and seen[0][1] != threading.current_thread().name


def test_build_pending_builds_now_and_a_failing_build_does_not_stop_the_others() -> None:
    seen: list[int] = []

    def boom() -> None:
        raise RuntimeError("bad span")

    defer(lambda: seen.append(1), 60_000)
    defer(boom, 60_000)
    defer(lambda: seen.append(2), 60_000)
    assert seen == []
    build_pending()
    assert seen == [1, 2]
    build_pending()  # nothing left, and the cancelled timer never runs them again
    time.sleep(0.05)
    assert seen == [1, 2]
