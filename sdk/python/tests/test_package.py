"""The package as `pip install spanlens` would give it: `python -m build` makes the sdist and the
wheel, the wheel goes into a fresh virtualenv (no editable install, no source tree on the path)
with the real openai and anthropic clients, and an app there sends a trace to the real Spanlens."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import spanlens
from spanlens_server import REPO_ROOT, Spanlens
from test_apps import SCENARIOS, app_env

SDK_DIR = Path(__file__).resolve().parents[1]
OPENAI_COST = (32 * 0.15 + 10 * 0.075 + 7 * 0.6) / 1e6  # gpt-4o-mini: $0.15/M in, $0.075/M cached, $0.60/M out
CLAUDE_COST = (30 * 3 + 20 * 0.3 + 9 * 15) / 1e6  # claude-3.5-sonnet: $3/M in, $0.30/M cache read, $15/M out


def run(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(list(args), capture_output=True, text=True, timeout=600, **kwargs)
    assert out.returncode == 0, f"{' '.join(args)}\n{out.stdout}\n{out.stderr}"
    return out


class Packaged:
    def __init__(self, wheel: Path, sdist: Path, venv: Path) -> None:
        self.wheel, self.sdist, self.venv = wheel, sdist, venv
        self.python = str(venv / "bin" / "python")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """The sdist and wheel `python -m build` makes, and a fresh virtualenv with the wheel installed."""
    tmp = tmp_path_factory.mktemp("package")
    dist = tmp / "dist"
    run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(SDK_DIR))
    [wheel] = dist.glob("spanlens-*.whl")
    [sdist] = dist.glob("spanlens-*.tar.gz")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", str(venv))
    # The clients at the versions this suite tests against, from pip's cache when it has them.
    run(
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        str(wheel),
        f"openai=={version('openai')}",
        f"anthropic=={version('anthropic')}",
    )
    return Packaged(wheel, sdist, venv)


def test_the_wheel_and_sdist_hold_the_package_typed_and_nothing_else(packaged: Packaged) -> None:
    assert packaged.wheel.name == f"spanlens-{spanlens.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(packaged.wheel) as z:
        names = z.namelist()
        metadata = z.read(f"spanlens-{spanlens.__version__}.dist-info/METADATA").decode()
    assert "spanlens/py.typed" in names and "spanlens/__init__.py" in names
    assert not [n for n in names if not n.startswith(("spanlens/", "spanlens-"))], names
    assert f"Version: {spanlens.__version__}" in metadata  # from _version.py, the one place it is set
    assert "Requires-Python: >=3.11" in metadata
    with tarfile.open(packaged.sdist) as t:
        members = [m.split("/", 1)[1] for m in t.getnames() if "/" in m]
    assert {"pyproject.toml", "README.md", "src/spanlens/py.typed", "src/spanlens/__init__.py"} <= set(members)
    assert not [m for m in members if m.startswith(("tests", ".venv", "scripts"))], members


def test_an_app_in_a_fresh_virtualenv_with_the_wheel_traces_plain_streamed_async_and_anthropic_calls(
    packaged: Packaged, server: Spanlens, llm: Any, tmp_path: Path
) -> None:
    out = run(
        packaged.python,
        str(SCENARIOS / "packaged_app.py"),
        cwd=tmp_path,
        env=app_env(SPANLENS_ENDPOINT=server.http_url, SPANLENS_API_KEY=server.key, LLM_URL=llm.url),
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert Path(got["module"]).is_relative_to(packaged.venv), got["module"]  # the wheel's copy, not the source tree
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


def quickstart(readme: Path) -> str:
    m = re.search(r"<!-- quickstart:python -->\s*```python\n(.*?)```\s*<!-- /quickstart:python -->", readme.read_text(), re.S)
    assert m, f"{readme} has a quickstart:python block"
    return m.group(1)


def test_the_readme_lines_pasted_into_an_app_put_its_calls_in_spanlens_without_shutdown(packaged: Packaged, server: Spanlens, llm: Any, tmp_path: Path) -> None:
    snippet = quickstart(SDK_DIR / "README.md")
    assert quickstart(REPO_ROOT / "README.md") == snippet, "README.md and sdk/python/README.md show the same lines"
    app = tmp_path / "app.py"
    app.write_text(
        snippet
        + 'reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Capital of France?"}])\nprint(reply.choices[0].message.content)\n'
    )
    env = app_env(
        SPANLENS_ENDPOINT=server.http_url, SPANLENS_API_KEY=server.key, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"{llm.url}/v1", OTEL_SERVICE_NAME="readme-py"
    )
    out = run(packaged.python, str(app), cwd=tmp_path, env=env)
    assert out.stdout.strip() == "Paris."
    server.stored()
    status, listed = server.get("/api/v1/traces?service=readme-py")
    assert status == 200 and len(listed["traces"]) == 1, listed
    spans = server.trace(listed["traces"][0]["traceId"])["spans"]
    assert [(s["name"], s["service"], s["inputTokens"], s["outputTokens"], s["costSource"]) for s in spans] == [
        ("chat gpt-4o-mini", "readme-py", 42, 7, "table")
    ]


def test_examples_support_bot_runs_with_the_wheel_and_its_trace_reads_back(packaged: Packaged, server: Spanlens, llm: Any, tmp_path: Path) -> None:
    env = app_env(SPANLENS_ENDPOINT=server.http_url, SPANLENS_API_KEY=server.key, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"{llm.url}/v1")
    out = run(packaged.python, str(REPO_ROOT / "examples/python/support_bot.py"), "When do orders ship?", cwd=tmp_path, env=env)
    assert out.stdout.startswith("Paris.\n"), out.stdout
    trace_id = out.stdout.split("trace ", 1)[1][:32]
    trace = server.trace(trace_id)
    spans = trace["spans"]
    assert [[s["name"], s["kind"]] for s in spans] == [["answer", "agent"], ["retrieve-faq", "retriever"], ["chat gpt-4o-mini", "llm"]]
    assert spans[0]["userId"] == "demo-user"
    assert spans[0]["input"] == "When do orders ship?"
    assert spans[2]["service"] == "support-bot"
    assert spans[2]["environment"] == "dev" and spans[2]["release"] == "0.1.0"
    assert "Orders ship within 2 business days" in spans[2]["input"]
    assert [f["name"] for f in trace["feedback"]] == ["helpful"]
