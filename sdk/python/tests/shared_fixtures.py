"""Session fixtures every Python suite shares (the SDK's and the instrumentation suites'): the
real Spanlens and the fake LLM provider. A conftest imports them by name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_llm import FakeLlm
from spanlens_server import Spanlens


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
