"""Finished LLM calls waiting to become spans. As in the TypeScript SDK, a call only takes
timestamps and references on its path; its span (attribute conversion, content to text) is
built after ``span_build_delay_ms``, together with the others that finished meanwhile, on a
timer thread. flush(), shutdown() and interpreter exit build what is pending at once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("spanlens")

_lock = threading.Lock()
_pending: list[Callable[[], None]] = []
_timer: threading.Timer | None = None


def defer(build: Callable[[], None], delay_ms: float) -> None:
    """Runs ``build`` after ``delay_ms`` (at once when it is 0), never raising."""
    global _timer
    if delay_ms <= 0:
        _run([build])
        return
    with _lock:
        _pending.append(build)
        if _timer is None:
            _timer = threading.Timer(delay_ms / 1000, build_pending)
            _timer.daemon = True
            _timer.start()


def build_pending() -> None:
    """Builds every pending span now."""
    global _timer
    with _lock:
        builds = list(_pending)
        _pending.clear()
        timer, _timer = _timer, None
    if timer is not None and timer is not threading.current_thread():
        timer.cancel()
    _run(builds)


def _run(builds: list[Callable[[], None]]) -> None:
    for build in builds:
        try:
            build()
        except Exception:
            log.debug("spanlens: could not build a span", exc_info=True)
