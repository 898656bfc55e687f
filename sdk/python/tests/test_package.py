"""The package as `pip install spanlens` would give it: `python -m build` makes the sdist and the
wheel, the wheel goes into a fresh virtualenv (no editable install, no source tree on the path)
with the real openai and anthropic clients, and an app there sends a trace to the real Spanlens."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from spanlens_server import Spanlens
from test_apps import SCENARIOS, app_env

import spanlens

SDK_DIR = Path(__file__).resolve().parents[1]
OPENAI_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6  # gpt-4o-mini: $0.15/M in, $0.075/M cached, $0.60/M out
CLAUDE_COST = (30 * 3 + 20 * 0.3 + 9 * 15) / 1e6  # claude-3.5-sonnet: $3/M in, $0.30/M cache read, $15/M out


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(list(args), capture_output=True, text=True, timeout=600, **kwargs)
    assert out.returncode == 0, f"{' '.join(args)}\n{out.stdout}\n{out.stderr}"
    return out


def test_the_built_wheel_installs_into_a_fresh_virtualenv_and_its_app_traces(server: Spanlens, llm: Any, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(SDK_DIR))
    [wheel] = dist.glob("spanlens-*.whl")
    [sdist] = dist.glob("spanlens-*.tar.gz")
    assert wheel.name == f"spanlens-{spanlens.__version__}-py3-none-any.whl"

    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        metadata = z.read(f"spanlens-{spanlens.__version__}.dist-info/METADATA").decode()
    assert "spanlens/py.typed" in names and "spanlens/__init__.py" in names
    assert not [n for n in names if not n.startswith(("spanlens/", "spanlens-"))], names
    assert "Requires-Python: >=3.11" in metadata
    with tarfile.open(sdist) as t:
        members = [m.split("/", 1)[1] for m in t.getnames() if "/" in m]
    assert {"pyproject.toml", "README.md", "src/spanlens/py.typed", "src/spanlens/__init__.py"} <= set(members)
    assert not [m for m in members if m.startswith(("tests", ".venv", "scripts"))], members

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    py = str(venv / "bin" / "python")
    # The clients at the versions this suite tests against, from pip's cache when it has them.
    run(py, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel), f"openai=={version('openai')}", f"anthropic=={version('anthropic')}")

    app = tmp_path / "app"
    app.mkdir()
    out = run(py, str(SCENARIOS / "packaged_app.py"), cwd=app, env=app_env(SPANLENS_ENDPOINT=server.http_url, SPANLENS_API_KEY=server.key, LLM_URL=llm.url))
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(got["module"]).is_relative_to(venv), got["module"]  # the wheel's copy, not the source tree
    assert got["version"] == spanlens.__version__
    assert got["texts"] == ["Paris.", "Paris.", "Paris.", "Bonjour!"]
    assert got["feedback"] is True

    trace = server.trace(got["trace_id"])
    spans = trace["spans"]
    root = spans[0]
    assert [(s["name"], s["kind"], s["service"]) for s in spans] == [
        ("answer", "agent", "packaged-py"),
        ("chat gpt-4o-mini", "llm", "packaged-py"),
        ("chat gpt-4o-mini", "llm", "packaged-py"),
        ("chat gpt-4o-mini", "llm", "packaged-py"),
        ("chat claude-3-5-sonnet", "llm", "packaged-py"),
    ]
    assert all(s["parentSpanId"] == root["spanId"] for s in spans[1:])
    for s in spans[1:4]:
        assert (s["inputTokens"], s["outputTokens"], s["cachedTokens"], s["costSource"], s["costEstimated"]) == (42, 7, 10, "table", False)
        assert abs(s["costUsd"] - OPENAI_COST) < 1e-12, s["costUsd"]
    assert spans[2]["ttftMs"] is not None and spans[1]["ttftMs"] is None  # the streamed call has a first token
    claude = spans[4]
    assert (claude["inputTokens"], claude["outputTokens"], claude["cachedTokens"], claude["costSource"]) == (50, 9, 20, "table")
    assert abs(claude["costUsd"] - CLAUDE_COST) < 1e-12, claude["costUsd"]
    assert [(f["name"], f["value"]) for f in trace["feedback"]] == [("helpful", 1)]
