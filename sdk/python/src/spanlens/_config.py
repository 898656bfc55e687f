"""Settings: every option falls back to the environment, then to a default."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_ENDPOINT = "http://127.0.0.1:4318"
DEFAULT_MAX_QUEUE_SIZE = 2048
DEFAULT_MAX_CONTENT_LENGTH = 100_000
DEFAULT_SPAN_BUILD_DELAY_MS = 50.0

_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class Config:
    """The settings in force (see :func:`spanlens.config`)."""

    endpoint: str
    """Collector base URL (its OTLP/HTTP port), without a trailing slash."""
    api_key: str | None
    service_name: str | None
    """None when neither given nor in OTEL_SERVICE_NAME: OpenTelemetry's resource detection decides."""
    environment: str | None
    release: str | None
    sample_rate: float
    capture_content: bool
    max_queue_size: int
    max_content_length: int
    span_build_delay_ms: float
    """How long finished LLM calls wait before their spans are built, together, off the call path."""


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _number(value: str | None, fallback: float) -> float:
    if value is None:
        return fallback
    try:
        n = float(value)
    except ValueError:
        return fallback
    return n if math.isfinite(n) else fallback


def resolve_config(
    endpoint: str | None = None,
    api_key: str | None = None,
    service_name: str | None = None,
    environment: str | None = None,
    release: str | None = None,
    sample_rate: float | None = None,
    capture_content: bool | None = None,
    max_queue_size: int | None = None,
    max_content_length: int | None = None,
    span_build_delay_ms: float | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Resolves options against the environment (``os.environ`` unless ``env`` is given)."""
    e: Mapping[str, str] = os.environ if env is None else env
    ep = endpoint or _env(e, "SPANLENS_ENDPOINT") or _env(e, "OTEL_EXPORTER_OTLP_ENDPOINT") or DEFAULT_ENDPOINT
    rate = _number(_env(e, "SPANLENS_SAMPLE_RATE"), 1.0) if sample_rate is None else float(sample_rate)
    if not math.isfinite(rate):
        rate = 1.0
    if capture_content is None:
        raw = _env(e, "SPANLENS_CAPTURE_CONTENT")
        capture = raw is None or raw.lower() not in _FALSE
    else:
        capture = bool(capture_content)
    return Config(
        endpoint=ep.rstrip("/"),
        api_key=api_key or _env(e, "SPANLENS_API_KEY"),
        service_name=service_name or _env(e, "OTEL_SERVICE_NAME"),
        environment=environment or _env(e, "SPANLENS_ENVIRONMENT"),
        release=release or _env(e, "SPANLENS_RELEASE"),
        sample_rate=min(1.0, max(0.0, rate)),
        capture_content=capture,
        max_queue_size=max(1, int(max_queue_size)) if max_queue_size is not None else DEFAULT_MAX_QUEUE_SIZE,
        max_content_length=max(1, int(max_content_length)) if max_content_length is not None else DEFAULT_MAX_CONTENT_LENGTH,
        span_build_delay_ms=(
            max(0.0, float(span_build_delay_ms)) if span_build_delay_ms is not None and math.isfinite(span_build_delay_ms) else DEFAULT_SPAN_BUILD_DELAY_MS
        ),
    )
