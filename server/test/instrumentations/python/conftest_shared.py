"""What every Python instrumentation suite shares: the real Spanlens and the fake provider from
the Python SDK's tests, and an OpenTelemetry SDK exporting to Spanlens over OTLP/HTTP."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "sdk" / "python" / "tests"))

from fake_llm import FakeLlm  # noqa: E402
from spanlens_server import Spanlens  # noqa: E402

__all__ = ["FakeLlm", "Spanlens"]
