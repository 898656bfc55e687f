from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_shared import FakeLlm, Spanlens  # noqa: E402


@pytest.fixture(scope="session")
def server() -> Iterator[Spanlens]:
    sl = Spanlens()
    try:
        yield sl
    finally:
        sl.close()


@pytest.fixture(scope="session")
def llm() -> Iterator[FakeLlm]:
    fake = FakeLlm()
    try:
        yield fake
    finally:
        fake.close()
