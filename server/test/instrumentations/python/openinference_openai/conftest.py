from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import conftest_shared  # noqa: F401  (puts the SDK suite's helpers on the path)
from shared_fixtures import llm, server  # noqa: F401  (fixtures, by name)
