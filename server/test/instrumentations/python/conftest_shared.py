"""What every Python instrumentation suite shares: the real Spanlens and the fake provider from
the Python SDK's tests, and an OpenTelemetry SDK exporting to Spanlens over OTLP/HTTP."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "sdk" / "python" / "tests"))

# Hermetic: OpenTelemetry settings of whoever runs the suite must not change what it sees.
for _key in [k for k in os.environ if k.startswith(("SPANLENS_", "OTEL_", "OPENAI_"))]:
    del os.environ[_key]

from fake_llm import FakeLlm  # noqa: E402
from spanlens_server import Spanlens  # noqa: E402

__all__ = ["FakeLlm", "Spanlens"]
