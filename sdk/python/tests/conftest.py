from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import spanlens
from shared_fixtures import llm, server  # noqa: F401  (fixtures, by name)
from spanlens_server import Spanlens

# Hermetic: settings in the environment of whoever runs the tests must not change what they see
# (read again by spanlens.init() below and by the apps run as subprocesses).
for _key in [k for k in os.environ if k.startswith(("SPANLENS_", "OTEL_", "OPENAI_", "ANTHROPIC_"))]:
    del os.environ[_key]


@pytest.fixture(scope="session")
def sdk(server: Spanlens) -> Iterator[Spanlens]:  # noqa: F811  (the fixture, by name)
    """The SDK initialised once for this process, pointed at the real Spanlens."""
    spanlens.init(endpoint=server.http_url, api_key=server.key, service_name="sdk-test", environment="test", release="9.9.9")
    try:
        yield server
    finally:
        spanlens.shutdown()


@pytest.fixture
def read_trace(sdk: Spanlens) -> Callable[[str], dict[str, Any]]:
    """Flushes the SDK and reads one trace back through the API."""

    def read(trace_id: str) -> dict[str, Any]:
        assert trace_id, "no trace id"
        assert spanlens.flush() is True
        return sdk.trace(trace_id)

    return read


@pytest.fixture(scope="session")
def python() -> str:
    """The interpreter of this test run (the venv's), for apps run as subprocesses."""
    return sys.executable


class Memory:
    """Every span this process finishes, as OpenTelemetry has it (before the collector)."""

    def __init__(self) -> None:
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        self.exporter = InMemorySpanExporter()

    def spans(self) -> list[Any]:
        from spanlens._pending import build_pending

        build_pending()  # LLM calls' spans are built a moment after the call, off its path
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> list[Any]:
        return [s for s in self.spans() if s.name == name]

    def only(self, name: str) -> Any:
        found = self.named(name)
        assert len(found) == 1, [s.name for s in self.spans()]
        return found[0]


@pytest.fixture(scope="session")
def _memory(sdk: Spanlens) -> Memory:
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from spanlens import _sdk

    m = Memory()
    assert _sdk._state.provider is not None
    _sdk._state.provider.add_span_processor(SimpleSpanProcessor(m.exporter))
    return m


@pytest.fixture
def memory(_memory: Memory) -> Memory:
    _memory.exporter.clear()
    return _memory
