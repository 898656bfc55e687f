"""Settings resolve as in the TypeScript SDK: both suites read the cases in sdk/config-cases.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from spanlens._config import resolve_config

CASES = json.loads((Path(__file__).resolve().parents[2] / "config-cases.json").read_text())["cases"]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_settings(case: dict[str, Any]) -> None:
    options = {snake(k): v for k, v in case.get("options", {}).items()}
    resolved = resolve_config(**options, env=case.get("env", {}))
    for field, want in case["expect"].items():
        assert getattr(resolved, snake(field)) == want, field
