"""feedback(): a user's score for a trace, sent to the collector's POST /v1/feedback."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import urllib.error
import urllib.request

from opentelemetry import trace

from ._sdk import config

log = logging.getLogger("spanlens")

FeedbackValue = int | float | bool | str


def current_trace_id() -> str | None:
    """The trace id (32 hex characters) of the active span, to hand to a front end; None outside a span."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def current_span_id() -> str | None:
    """The span id (16 hex characters) of the active span, or None."""
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.span_id, "016x") if ctx.is_valid else None


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


def feedback(
    trace_id: str,
    name: str,
    value: FeedbackValue,
    span_id: str | None = None,
    comment: str | None = None,
    user_id: str | None = None,
    id: str | None = None,
    source: str | None = None,
    *,
    attempts: int = 3,
    timeout: float = 10.0,
) -> bool:
    """Sends a score (a number, a thumbs up/down as a bool, or a category) for a trace.

    Returns True when the collector stored it and False when not; never raises. Retries 429,
    5xx and network errors with backoff. ``id`` is an idempotency key: sending the same id
    twice stores one score. ``source``: user (default), annotation or evaluation.
    """
    try:
        c = config()
        body: dict[str, object] = {"traceId": trace_id, "name": name, "value": value}
        for key, v in (("spanId", span_id), ("comment", comment), ("userId", user_id), ("id", id), ("source", source)):
            if v is not None:
                body[key] = v
        data = json.dumps(body).encode("utf-8")
        headers = {"content-type": "application/json"}
        if c.api_key:
            headers["authorization"] = f"Bearer {c.api_key}"
        url = f"{c.endpoint}/v1/feedback"
    except Exception:
        log.warning("spanlens: feedback not sent: its fields could not be encoded", exc_info=True)
        return False
    for attempt in range(1, max(1, attempts) + 1):
        try:
            req = urllib.request.Request(url, data=data, headers=headers, method="POST")
            with urllib.request.urlopen(req, timeout=timeout) as res:
                if 200 <= res.status < 300:
                    return True
                status = res.status
        except urllib.error.HTTPError as err:
            status = err.code
            if not _retryable(status):
                try:
                    detail = err.read().decode("utf-8", "replace")
                except Exception:
                    detail = ""
                log.warning("spanlens: feedback rejected with %s: %s", status, detail)
                return False
        except Exception:
            log.debug("spanlens: feedback attempt %d failed", attempt, exc_info=True)
        if attempt < attempts:
            time.sleep(0.2 * 2 ** (attempt - 1) * (0.5 + random.random()))
    return False


async def afeedback(
    trace_id: str,
    name: str,
    value: FeedbackValue,
    span_id: str | None = None,
    comment: str | None = None,
    user_id: str | None = None,
    id: str | None = None,
    source: str | None = None,
    *,
    attempts: int = 3,
    timeout: float = 10.0,
) -> bool:
    """feedback() for async code: the request runs in a worker thread, off the event loop."""
    try:
        return await asyncio.to_thread(feedback, trace_id, name, value, span_id, comment, user_id, id, source, attempts=attempts, timeout=timeout)
    except Exception:
        return False
